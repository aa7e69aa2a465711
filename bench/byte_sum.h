// kbatch bench: the per-record work every contender does, the same as the checksum plugin's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace kbatch::bench {

/// The sum of `bytes`. Kept out of line, in a file built without the decoder's SIMD flags, so the
/// contenders that call it pay what a call into the plugin .so pays, no more.
std::uint64_t sum_bytes(std::span<const std::byte> bytes) noexcept;

/// The sum of the bytes of JSON text above 0x20: spaces, tabs and line breaks are left out
/// wherever they are, so that an image written compactly (as Lambda writes it, or JSON.stringify)
/// and the same image pretty-printed sum alike. (Valid JSON holds no other byte at or below 0x20.)
/// The work on a DynamoDB NewImage's text; out of line as sum_bytes is.
std::uint64_t sum_json_text_bytes(std::span<const std::byte> text) noexcept;

}  // namespace kbatch::bench
