// kbatch core: small scans over event text that both decoders run on every record, written to be
// inlined (eight bytes at a time) rather than called.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sequence_number.h"

namespace kbatch {

inline constexpr std::uint64_t kEachByte = 0x0101010101010101;

/// JSON's whitespace: space, tab, line feed, carriage return.
constexpr bool is_json_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Eight bytes from `at`, in memory order. `at` needs eight readable bytes, not alignment.
[[gnu::always_inline]] inline std::uint64_t word_at(const char* at) {
    std::uint64_t word = 0;
    std::memcpy(&word, at, sizeof word);
    return word;
}

/// Whether `text` has a backslash: checked on every string the walk reads, most of them short, so
/// eight bytes at a time inline rather than a call to memchr.
[[gnu::always_inline]] inline bool has_backslash(std::string_view text) {
    const char* at = text.data();
    std::size_t left = text.size();
    for (; left >= 8; at += 8, left -= 8) {
        const std::uint64_t x = word_at(at) ^ (kEachByte * '\\');  // a zero byte where '\\' was
        if (((x - kEachByte) & ~x & (kEachByte * 0x80)) != 0)
            return true;
    }
    for (; left > 0; ++at, --left) {
        if (*at == '\\')
            return true;
    }
    return false;
}

/// is_usable_sequence_number(), eight digits at a time: it runs on every record's 56 or so digits.
[[gnu::always_inline]] inline bool is_sequence_number(std::string_view text) {
    if (text.empty() || text.size() > kMaxSequenceNumberDigits)
        return false;
    const char* at = text.data();
    std::size_t left = text.size();
    for (; left >= 8; at += 8, left -= 8) {
        // '0'..'9' is 0x30..0x39: the high nibble is 3, before and after adding 6.
        const std::uint64_t word = word_at(at);
        constexpr std::uint64_t kHighNibbles = kEachByte * 0xF0;
        if (((word & kHighNibbles) | (((word + kEachByte * 6) & kHighNibbles) >> 4)) !=
            kEachByte * 0x33) {
            return false;
        }
    }
    for (; left > 0; ++at, --left) {
        if (*at < '0' || *at > '9')
            return false;
    }
    return true;
}

}  // namespace kbatch
