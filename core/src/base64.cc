// kbatch core: base64, the public API, the scalar decoder (the reference) and the choice of
// the implementation that base64_decode runs on this CPU.
#include "base64.h"
#include "base64_internal.h"

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

// kPlaced[k][c]: the value of character c shifted to its place as the k-th character of a
// group (bits 23..18, 17..12, 11..6, 5..0), or kPlacedInvalid for a character outside the alphabet.
constexpr std::uint32_t kPlacedInvalid = 1u << 24;
constexpr std::array<std::array<std::uint32_t, 256>, 4> make_placed_tables() {
    std::array<std::array<std::uint32_t, 256>, 4> tables{};
    for (int k = 0; k < 4; ++k) {
        for (int c = 0; c < 256; ++c) {
            const std::uint8_t value = kDecode[static_cast<std::size_t>(c)];
            tables[static_cast<std::size_t>(k)][static_cast<std::size_t>(c)] =
                value == kInvalid ? kPlacedInvalid : std::uint32_t{value} << (6 * (3 - k));
        }
    }
    return tables;
}
constexpr auto kPlaced = make_placed_tables();

std::string describe_character(char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F)
        return fmt::format("invalid character '{}'", c);
    return fmt::format("invalid byte 0x{:02X}", byte);
}

using DecodeFunction = std::size_t (*)(std::string_view, std::byte*, std::optional<Base64Error>*);

// Chosen once, on first use: the CPU does not change under a running process.
DecodeFunction implementation() {
    static const DecodeFunction chosen = [] {
#if defined(__x86_64__)
        if (detail::cpu_has_avx2())
            return &detail::base64_decode_avx2;
#endif
        return &detail::base64_decode_scalar;
    }();
    return chosen;
}

}  // namespace

namespace detail {

std::size_t base64_decode_scalar(std::string_view encoded, std::byte* out,
                                 std::optional<Base64Error>* error) {
    const std::size_t size = encoded.size();
    if (size % 4 != 0) {
        *error = Base64Error{size, fmt::format("length {} is not a multiple of 4", size)};
        return 0;
    }
    return base64_decode_scalar_from(encoded, 0, out, error);
}

std::size_t base64_decode_scalar_from(std::string_view encoded, std::size_t start, std::byte* out,
                                      std::optional<Base64Error>* error) {
    error->reset();
    const std::size_t size = encoded.size();
    // Padding: at most two '=' and only at the very end.
    std::size_t padding = 0;
    if (size > 0 && encoded[size - 1] == '=')
        padding = (size > 1 && encoded[size - 2] == '=') ? 2 : 1;
    const std::size_t body = size - padding;

    const auto* in = reinterpret_cast<const unsigned char*>(encoded.data());
    std::byte* const begin = out;
    out += start / 4 * 3;
    std::size_t i = start;
    // Whole quanta of four characters; the last quantum may hold the padding. The tables put
    // each value where it belongs in the 24-bit group, so one OR assembles it and one test of
    // bit 24 (set by every invalid entry) checks all four characters.
    for (; i + 4 <= body; i += 4) {
        const std::uint32_t triple = kPlaced[0][in[i]] | kPlaced[1][in[i + 1]] |
                                     kPlaced[2][in[i + 2]] | kPlaced[3][in[i + 3]];
        if (triple >= kPlacedInvalid)
            break;
        out[0] = static_cast<std::byte>(triple >> 16);
        out[1] = static_cast<std::byte>(triple >> 8);
        out[2] = static_cast<std::byte>(triple);
        out += 3;
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
        return static_cast<std::size_t>(out - begin);
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
    return static_cast<std::size_t>(out - begin);
}

std::string_view base64_implementation_name() {
    return implementation() == &base64_decode_scalar ? "scalar" : "avx2";
}

}  // namespace detail

std::size_t base64_decode(std::string_view encoded, std::byte* out,
                          std::optional<Base64Error>* error) {
    return implementation()(encoded, out, error);
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
