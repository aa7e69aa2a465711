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

/// Compares two sequence numbers as the decimal numbers they are, without converting them (they
/// have up to 128 digits): negative when a < b, zero when equal, positive when a > b. Leading zeros
/// are ignored. Both must be usable (see above).
constexpr int compare_sequence_numbers(std::string_view a, std::string_view b) noexcept {
    const auto strip = [](std::string_view text) {
        const auto first = text.find_first_not_of('0');
        return first == std::string_view::npos ? std::string_view{} : text.substr(first);
    };
    a = strip(a);
    b = strip(b);
    if (a.size() != b.size())
        return a.size() < b.size() ? -1 : 1;
    const int order = a.compare(b);
    return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

}  // namespace kbatch
