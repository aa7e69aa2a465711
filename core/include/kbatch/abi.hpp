// kbatch plugin SDK: ABI version and export attributes.
//
// Everything a plugin and the host share lives in the inline namespace kbatch::abi_v1. A change to
// any type in it that breaks binary compatibility bumps KBATCH_ABI_VERSION and renames the inline
// namespace, so that a plugin built against another version cannot link by accident; the host
// also reads the version a plugin exports and refuses a mismatch before calling anything in it.
#pragma once

#include <cstdint>

/// The plugin ABI version this SDK describes.
#define KBATCH_ABI_VERSION 1

/// Gives a type default visibility. Plugins build with -fvisibility=hidden; the types whose vtables
/// and type_info cross the boundary between host and plugin must still be seen as one type.
#define KBATCH_API __attribute__((visibility("default")))

namespace kbatch {
inline namespace abi_v1 {

/// The ABI version as a value, for code that compares versions.
inline constexpr std::uint32_t kAbiVersion = KBATCH_ABI_VERSION;

}  // namespace abi_v1
}  // namespace kbatch
