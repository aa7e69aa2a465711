#include "base64.h"

#include <array>
#include <cstdint>

#include <fmt/format.h>

namespace kbatch {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
    std::array<std::uint8_t, 256> table{};
    for (auto& entry : table)
        entry = kInvalid;
    for (std::uint8_t i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = i;
    return table;
}
constexpr std::array<std::uint8_t, 256> kDecode = make_decode_table();

std::string describe_character(char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F)
        return fmt::format("invalid character '{}'", c);
    return fmt::format("invalid byte 0x{:02X}", byte);
}

}  // namespace

std::size_t base64_decode(std::string_view encoded, std::byte* out,
                          std::optional<Base64Error>* error) {
    error->reset();
    const std::size_t size = encoded.size();
    if (size % 4 != 0) {
        *error = Base64Error{size, fmt::format("length {} is not a multiple of 4", size)};
        return 0;
    }
    // Padding: at most two '=' and only at the very end.
    std::size_t padding = 0;
    if (size > 0 && encoded[size - 1] == '=')
        padding = (size > 1 && encoded[size - 2] == '=') ? 2 : 1;
    const std::size_t body = size - padding;

    const auto* in = reinterpret_cast<const unsigned char*>(encoded.data());
    std::byte* const start = out;
    std::size_t i = 0;
    // Whole quanta of four characters; the last quantum may hold the padding.
    for (; i + 4 <= body; i += 4) {
        const std::uint32_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
                            d = kDecode[in[i + 3]];
        if (((a | b | c | d) & 0x80) != 0)
            break;  // kInvalid has the high bit set
        const std::uint32_t triple = a << 18 | b << 12 | c << 6 | d;
        *out++ = static_cast<std::byte>(triple >> 16);
        *out++ = static_cast<std::byte>(triple >> 8);
        *out++ = static_cast<std::byte>(triple);
    }
    // Find the exact offending character if the fast loop stopped early.
    for (std::size_t j = i; j < body; ++j) {
        if (kDecode[in[j]] == kInvalid) {
            *error = Base64Error{j, describe_character(encoded[j])};
            return 0;
        }
    }
    const std::size_t tail = body - i;  // 0, 2 or 3 characters before the padding
    if (tail == 0)
        return static_cast<std::size_t>(out - start);
    if (tail == 1) {
        *error = Base64Error{i, "a final group of one character is not valid base64"};
        return 0;
    }
    const std::uint32_t a = kDecode[in[i]], b = kDecode[in[i + 1]];
    const std::uint32_t c = tail == 3 ? kDecode[in[i + 2]] : 0;
    // Bits below the last byte must be zero, or two texts would decode to the same bytes.
    const bool canonical = tail == 2 ? (b & 0x0F) == 0 : (c & 0x03) == 0;
    if (!canonical) {
        *error = Base64Error{i + tail - 1, "non-zero padding bits in the final group"};
        return 0;
    }
    *out++ = static_cast<std::byte>(a << 2 | b >> 4);
    if (tail == 3)
        *out++ = static_cast<std::byte>((b & 0x0F) << 4 | c >> 2);
    return static_cast<std::size_t>(out - start);
}

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t triple = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
        out += kAlphabet[triple >> 18 & 0x3F];
        out += kAlphabet[triple >> 12 & 0x3F];
        out += kAlphabet[triple >> 6 & 0x3F];
        out += kAlphabet[triple & 0x3F];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        const std::uint32_t triple = in[i] << 16 | (rest == 2 ? in[i + 1] << 8 : 0);
        out += kAlphabet[triple >> 18 & 0x3F];
        out += kAlphabet[triple >> 12 & 0x3F];
        out += rest == 2 ? kAlphabet[triple >> 6 & 0x3F] : '=';
        out += '=';
    }
    return out;
}

}  // namespace kbatch
