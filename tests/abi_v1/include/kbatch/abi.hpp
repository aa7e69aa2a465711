// kbatch plugin SDK: ABI version and export attributes.
//
// Everything a plugin and the host share lives in the inline namespace kbatch::abi_v1. A change to
// any type in it that breaks binary compatibility bumps KBATCH_ABI_VERSION and renames the inline
// namespace, so that the two versions' types never pass for one another where both are compiled
// in. A plugin links against nothing of the host's (the host dlopens it and looks up two exported
// names), so the guard that counts is the version the plugin exports: the host reads it and
// refuses a version it does not speak before calling anything else in the plugin.
#pragma once

// Every SDK header includes this one before any code of its own, so a plugin compiled in an
// older mode gets this line as its first error, naming the fix, rather than a page of errors from
// inside record.hpp (std::span) and the rest. (GCC and Clang report C++20 as 202002L; an early
// -std=c++2a reports less than that but more than C++17's 201703L, and is let through.)
#if __cplusplus <= 201703L
#error "kbatch plugins need C++20 (-std=c++20)"
#endif

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
