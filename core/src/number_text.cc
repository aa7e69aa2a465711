#include "number_text.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "text_scan.h"

namespace kbatch {

UnreadNumber judge_unread_number(std::string_view token, double* zero) {
    while (!token.empty() && is_json_space(token.back()))
        token.remove_suffix(1);
    const std::size_t size = token.size();
    const auto digits_end = [&token, size](std::size_t at) {
        while (at < size && token[at] >= '0' && token[at] <= '9')
            ++at;
        return at;
    };
    std::size_t at = 0;
    const bool negative = size > 0 && token[0] == '-';
    at += negative ? 1 : 0;
    const std::size_t int_begin = at, int_end = digits_end(at);
    if (int_end == int_begin || (token[int_begin] == '0' && int_end - int_begin > 1))
        return UnreadNumber::kMalformed;
    std::size_t fraction_begin = int_end, fraction_end = int_end;
    at = int_end;
    if (at < size && token[at] == '.') {
        fraction_begin = at + 1;
        fraction_end = digits_end(fraction_begin);
        if (fraction_end == fraction_begin)
            return UnreadNumber::kMalformed;
        at = fraction_end;
    }
    // Saturated: a larger exponent changes nothing below, and the sums cannot overflow.
    constexpr std::int64_t kExponentCap = 1'000'000'000'000;
    std::int64_t exponent = 0;
    if (at < size && (token[at] == 'e' || token[at] == 'E')) {
        ++at;
        const bool exponent_negative = at < size && token[at] == '-';
        if (at < size && (token[at] == '-' || token[at] == '+'))
            ++at;
        const std::size_t exponent_end = digits_end(at);
        if (exponent_end == at)
            return UnreadNumber::kMalformed;
        for (; at < exponent_end; ++at)
            exponent = std::min(exponent * 10 + (token[at] - '0'), kExponentCap);
        exponent = exponent_negative ? -exponent : exponent;
    }
    if (at != size)
        return UnreadNumber::kMalformed;
    // The power of ten of the first significant digit: the number is d.ddd... times 10^that.
    std::optional<std::int64_t> magnitude;
    for (std::size_t i = int_begin; i < int_end && !magnitude; ++i) {
        if (token[i] != '0')
            magnitude = static_cast<std::int64_t>(int_end - 1 - i) + exponent;
    }
    for (std::size_t i = fraction_begin; i < fraction_end && !magnitude; ++i) {
        if (token[i] != '0')
            magnitude = exponent - static_cast<std::int64_t>(i - fraction_begin + 1);
    }
    // Below 10^-324 is below half the smallest double (4.9e-324): it rounds to zero.
    if (!magnitude || *magnitude < -324) {
        *zero = negative ? -0.0 : 0.0;
        return UnreadNumber::kZero;
    }
    return UnreadNumber::kOutOfRange;
}

}  // namespace kbatch
