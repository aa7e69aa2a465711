#include "scalar_base64.h"

#include <array>
#include <cstdint>
#include <stdexcept>

namespace kbatch::bench {
namespace {

constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_table() {
    std::array<std::uint8_t, 256> table{};
    table.fill(kInvalid);
    constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < kAlphabet.size(); ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
    return table;
}

constexpr std::array<std::uint8_t, 256> kTable = make_table();

}  // namespace

std::string scalar_base64_decode(std::string_view encoded) {
    if (encoded.size() % 4 != 0)
        throw std::invalid_argument("base64: length is not a multiple of 4");
    std::size_t padding = 0;
    if (!encoded.empty() && encoded.back() == '=')
        padding = encoded.size() >= 2 && encoded[encoded.size() - 2] == '=' ? 2 : 1;
    std::string out;
    out.reserve(encoded.size() / 4 * 3);
    for (std::size_t i = 0; i < encoded.size(); i += 4) {
        std::uint32_t group = 0;
        const bool last = i + 4 == encoded.size();
        for (std::size_t j = 0; j < 4; ++j) {
            const bool pad = last && j >= 4 - padding;
            const std::uint8_t value = pad ? 0 : kTable[static_cast<unsigned char>(encoded[i + j])];
            if (value == kInvalid)
                throw std::invalid_argument("base64: invalid character");
            group = group << 6 | value;
        }
        out += static_cast<char>(group >> 16);
        if (!last || padding < 2)
            out += static_cast<char>(group >> 8 & 0xFF);
        if (!last || padding < 1)
            out += static_cast<char>(group & 0xFF);
    }
    return out;
}

}  // namespace kbatch::bench
