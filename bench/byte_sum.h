// kbatch bench: the per-record work every contender does, the same as the checksum plugin's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace kbatch::bench {

/// The sum of `bytes`. Kept out of line, in a file built without the decoder's SIMD flags, so the
/// contenders that call it pay what a call into the plugin .so pays, no more.
std::uint64_t sum_bytes(std::span<const std::byte> bytes) noexcept;

}  // namespace kbatch::bench
