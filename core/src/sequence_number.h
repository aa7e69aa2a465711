// kbatch core: Kinesis sequence numbers, which are decimal strings and stay strings.
#pragma once

#include <cstddef>
#include <string_view>

namespace kbatch {

/// Kinesis documents sequence numbers as up to 128 decimal digits.
inline constexpr std::size_t kMaxSequenceNumberDigits = 128;

/// Whether `text` can be reported to Lambda as an itemIdentifier: 1 to 128 decimal digits.
/// Lambda fails the whole batch on an empty or invalid identifier, so kbatch never sends one.
constexpr bool is_usable_sequence_number(std::string_view text) noexcept {
    if (text.empty() || text.size() > kMaxSequenceNumberDigits)
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

}  // namespace kbatch
