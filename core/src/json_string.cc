#include "json_string.h"

#include <cstring>

#include <simdjson.h>

namespace kbatch::json_string {
namespace {

// Where a string's plain run ends in the 32 bytes from `at`: a bit per quote, backslash or
// control character, and apart from them, a bit per byte of a multi-byte UTF-8 character.
struct RunMasks {
    std::uint32_t stops;
    std::uint32_t non_ascii;
};

#if defined(__AVX2__)
inline RunMasks scan_run(const char* at) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    // As signed bytes, the controls are 0 to 0x1F and the UTF-8 bytes negative.
    const __m256i controls = _mm256_and_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), bytes),
                                              _mm256_cmpgt_epi8(bytes, _mm256_set1_epi8(-1)));
    const __m256i stops =
        _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('"')),
                                        _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('\\'))),
                        controls);
    return {static_cast<std::uint32_t>(_mm256_movemask_epi8(stops)),
            static_cast<std::uint32_t>(_mm256_movemask_epi8(bytes))};
}
#else
inline RunMasks scan_run(const char* at) {
    RunMasks masks{0, 0};
    for (std::size_t i = 0; i < kBlock; ++i) {
        const auto byte = static_cast<unsigned char>(at[i]);
        masks.stops |= std::uint32_t{byte == '"' || byte == '\\' || byte < 0x20} << i;
        masks.non_ascii |= std::uint32_t{byte >= 0x80} << i;
    }
    return masks;
}
#endif

// The value of the four hex digits at `at`, or -1.
int hex4(const char* at) {
    int value = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = at[i];
        int digit = 0;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            digit = c - 'A' + 10;
        } else {
            return -1;
        }
        value = value * 16 + digit;
    }
    return value;
}

// Writes `code_point` as UTF-8 at `out`; returns the bytes written.
std::size_t put_utf8(std::uint32_t code_point, std::byte* out) {
    const auto byte = [](std::uint32_t bits) { return static_cast<std::byte>(bits); };
    if (code_point < 0x80) {
        out[0] = byte(code_point);
        return 1;
    }
    if (code_point < 0x800) {
        out[0] = byte(0xC0 | (code_point >> 6));
        out[1] = byte(0x80 | (code_point & 0x3F));
        return 2;
    }
    if (code_point < 0x10000) {
        out[0] = byte(0xE0 | (code_point >> 12));
        out[1] = byte(0x80 | ((code_point >> 6) & 0x3F));
        out[2] = byte(0x80 | (code_point & 0x3F));
        return 3;
    }
    out[0] = byte(0xF0 | (code_point >> 18));
    out[1] = byte(0x80 | ((code_point >> 12) & 0x3F));
    out[2] = byte(0x80 | ((code_point >> 6) & 0x3F));
    out[3] = byte(0x80 | (code_point & 0x3F));
    return 4;
}

// The escape at `at` (a backslash), as simdjson reads it: the character it stands for, written
// at `*out` when kWrite. Returns what follows the escape, or nullptr for an escape simdjson
// refuses: an unknown letter, bad hex digits, a surrogate that is not half of a pair.
template <bool kWrite>
const char* read_escape(const char* at, const char* end, std::byte** out) {
    if (end - at < 2)
        return nullptr;
    char simple = 0;
    switch (at[1]) {
        case '"':
            simple = '"';
            break;
        case '\\':
            simple = '\\';
            break;
        case '/':
            simple = '/';
            break;
        case 'b':
            simple = '\b';
            break;
        case 'f':
            simple = '\f';
            break;
        case 'n':
            simple = '\n';
            break;
        case 'r':
            simple = '\r';
            break;
        case 't':
            simple = '\t';
            break;
        case 'u':
            break;
        default:
            return nullptr;
    }
    if (simple != 0) {
        if constexpr (kWrite)
            *(*out)++ = static_cast<std::byte>(simple);
        return at + 2;
    }
    if (end - at < 6)
        return nullptr;
    const int first = hex4(at + 2);
    if (first < 0)
        return nullptr;
    auto code_point = static_cast<std::uint32_t>(first);
    at += 6;
    if (code_point >= 0xD800 && code_point < 0xDC00) {
        // A high surrogate stands only before a low one, in one more escape.
        if (end - at < 6 || at[0] != '\\' || at[1] != 'u')
            return nullptr;
        const int second = hex4(at + 2);
        if (second < 0xDC00 || second > 0xDFFF)
            return nullptr;
        code_point =
            (((code_point - 0xD800) << 10) | (static_cast<std::uint32_t>(second) - 0xDC00)) +
            0x10000;
        at += 6;
    } else if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
        return nullptr;
    }
    if constexpr (kWrite)
        *out += put_utf8(code_point, *out);
    return at;
}

// unescape() and check_string(), which differ only in writing.
template <bool kWrite>
const char* read_string(const char* body, const char* end, std::byte* out, std::size_t* written) {
    std::byte* to = out;
    bool ascii = true;
    const char* at = body;
    while (at < end) {
        const RunMasks masks = scan_run(at);
        const std::size_t run = masks.stops != 0 ? std::countr_zero(masks.stops) : kBlock;
        const auto left = static_cast<std::size_t>(end - at);
        const std::size_t take = run < left ? run : left;
        const std::uint32_t taken = take == kBlock ? ~0u : (std::uint32_t{1} << take) - 1;
        ascii = ascii && (masks.non_ascii & taken) == 0;
        if constexpr (kWrite) {
            std::memcpy(to, at, take);
            to += take;
        }
        at += take;
        if (take == kBlock)
            continue;
        if (at == end)
            return nullptr;
        if (*at == '"') {
            // UTF-8 sequences never contain a quote or a backslash, so checking the string's
            // text, escapes and all, judges it as simdjson judges the whole event.
            if (!ascii && !simdjson::validate_utf8(body, static_cast<std::size_t>(at - body)))
                return nullptr;
            if constexpr (kWrite)
                *written = static_cast<std::size_t>(to - out);
            return at;
        }
        if (*at != '\\')
            return nullptr;  // a control character
        at = read_escape<kWrite>(at, end, &to);
        if (at == nullptr)
            return nullptr;
    }
    return nullptr;
}

}  // namespace

const char* closing_quote_unusual(const char* body, const char* end) {
    bool ascii = true;
    for (const char* at = body; at < end; ++at) {
        const auto byte = static_cast<unsigned char>(*at);
        if (byte == '"') {
            // UTF-8 sequences never contain a quote, so checking the string's text alone
            // judges it as simdjson judges the whole event.
            const auto size = static_cast<std::size_t>(at - body);
            if (!ascii && !simdjson::validate_utf8(body, size))
                return nullptr;
            return at;
        }
        if (byte == '\\' || byte < 0x20)
            return nullptr;
        ascii = ascii && byte < 0x80;
    }
    return nullptr;
}

const char* unescape(const char* body, const char* end, std::byte* out, std::size_t* written) {
    return read_string<true>(body, end, out, written);
}

const char* check_string(const char* body, const char* end) {
    return read_string<false>(body, end, nullptr, nullptr);
}

}  // namespace kbatch::json_string
