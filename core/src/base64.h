// kbatch core: standard base64 (RFC 4648 section 4) decoding, strict.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kbatch {

/// The most bytes that `encoded_size` base64 characters can decode to (never more than the
/// encoded size, which lets a decoder size one arena for a whole event up front).
constexpr std::size_t base64_max_decoded_size(std::size_t encoded_size) noexcept {
    return encoded_size / 4 * 3;
}

/// Why a base64 text did not decode, and at which character.
struct Base64Error {
    std::size_t offset;  // index of the offending character in the input
    std::string what;    // "invalid character '%'", "length 5 is not a multiple of 4", ...
};

/// Decodes `encoded` (standard alphabet, '=' padding required, no whitespace) into `out`, which
/// must have room for base64_max_decoded_size(encoded.size()) bytes. Returns the number of bytes
/// written, or the error. Kinesis always sends padded standard base64, so anything else is a
/// corrupt record rather than a dialect to guess at.
std::size_t base64_decode(std::string_view encoded, std::byte* out,
                          std::optional<Base64Error>* error);

/// Encodes `bytes` as padded standard base64. Used by tests and the event generator.
std::string base64_encode(std::string_view bytes);

}  // namespace kbatch
