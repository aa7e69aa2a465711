#include "byte_sum.h"

namespace kbatch::bench {

// The same loop as bench/checksum_plugin/checksum.cc.
std::uint64_t sum_bytes(std::span<const std::byte> bytes) noexcept {
    std::uint64_t sum = 0;
    for (const std::byte b : bytes)
        sum += static_cast<std::uint8_t>(b);
    return sum;
}

std::uint64_t sum_json_text_bytes(std::span<const std::byte> text) noexcept {
    std::uint64_t sum = 0;
    for (const std::byte b : text) {
        const auto value = static_cast<std::uint8_t>(b);
        sum += value > 0x20 ? value : 0;
    }
    return sum;
}

}  // namespace kbatch::bench
