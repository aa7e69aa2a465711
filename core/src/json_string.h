// kbatch core: finding where a JSON string ends, and unescaping one, for the fast path
// (lambda_form_decoder.cc) and the skim of whole values (json_skim.cc). Included only by files
// compiled with the decoder's SIMD flags.
//
// Every function here reads in blocks of 32 bytes and may read up to 32 bytes past the text it is
// given (`end`), never acting on them: the fast path's kLambdaFormReadAhead covers that.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace kbatch::json_string {

/// The positions of the quotes and of the bytes that a plain string cannot have in the 32 bytes
/// from `at`, a bit per byte. (32, not 64: most strings end in the first block, and a second
/// block's work would be wasted on them.)
struct BlockMasks {
    std::uint32_t quotes;
    // Backslashes, and bytes below 0x20 as signed bytes: control characters (invalid in a JSON
    // string) and the bytes of multi-byte UTF-8 characters (0x80 and up, valid but checked apart).
    std::uint32_t unusual;
};
inline constexpr std::size_t kBlock = 32;

#if defined(__AVX2__)
[[gnu::always_inline]] inline BlockMasks scan_block(const char* at) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    const __m256i quotes = _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('"'));
    const __m256i unusual = _mm256_or_si256(_mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('\\')),
                                            _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), bytes));
    return {static_cast<std::uint32_t>(_mm256_movemask_epi8(quotes)),
            static_cast<std::uint32_t>(_mm256_movemask_epi8(unusual))};
}

/// The digits '0' to '9' in the 32 bytes from `at`, a bit per byte.
[[gnu::always_inline]] inline std::uint32_t digit_mask(const char* at) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    const __m256i digits = _mm256_and_si256(_mm256_cmpgt_epi8(bytes, _mm256_set1_epi8('0' - 1)),
                                            _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), bytes));
    return static_cast<std::uint32_t>(_mm256_movemask_epi8(digits));
}

/// The bytes that are not JSON whitespace in the 32 bytes from `at`, a bit per byte.
[[gnu::always_inline]] inline std::uint32_t non_space_mask(const char* at) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    const __m256i space =
        _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(' ')),
                                        _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('\n'))),
                        _mm256_or_si256(_mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('\t')),
                                        _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('\r'))));
    return ~static_cast<std::uint32_t>(_mm256_movemask_epi8(space));
}
#else
// Portable builds (and CPUs without AVX2) scan a byte at a time.
inline BlockMasks scan_block(const char* at) {
    BlockMasks masks{0, 0};
    for (std::size_t i = 0; i < kBlock; ++i) {
        const auto byte = static_cast<signed char>(at[i]);
        masks.quotes |= std::uint32_t{byte == '"'} << i;
        masks.unusual |= std::uint32_t{byte == '\\' || byte < 0x20} << i;
    }
    return masks;
}

inline std::uint32_t digit_mask(const char* at) {
    std::uint32_t mask = 0;
    for (std::size_t i = 0; i < kBlock; ++i)
        mask |= std::uint32_t{at[i] >= '0' && at[i] <= '9'} << i;
    return mask;
}

inline std::uint32_t non_space_mask(const char* at) {
    std::uint32_t mask = 0;
    for (std::size_t i = 0; i < kBlock; ++i) {
        const char c = at[i];
        mask |= std::uint32_t{c != ' ' && c != '\n' && c != '\t' && c != '\r'} << i;
    }
    return mask;
}
#endif

/// closing_quote() for a string with a byte that is not plain ASCII text: a byte at a time, and
/// nullptr for a backslash (the caller unescapes such strings, or refuses them).
const char* closing_quote_unusual(const char* body, const char* end);

/// The quote that closes the string whose text starts at `body`, or nullptr if the string has
/// an escape, a control character or invalid UTF-8, or is not closed before `end`.
[[gnu::always_inline]] inline const char* closing_quote(const char* body, const char* end) {
    for (const char* block = body; block < end; block += kBlock) {
        const BlockMasks masks = scan_block(block);
        // The bits below the first quote; all of them when there is none.
        const std::uint32_t before_quote = (masks.quotes - 1) & ~masks.quotes;
        if ((masks.unusual & before_quote) != 0)
            return closing_quote_unusual(body, end);
        if (masks.quotes != 0) {
            const char* const quote = block + std::countr_zero(masks.quotes);
            return quote < end ? quote : nullptr;
        }
    }
    return nullptr;
}

/// Whether the string whose text starts at `body` is plain text closed by the quote at `close`
/// (which is before the event's end).
[[gnu::always_inline]] inline bool closes_at(const char* body, const char* close) {
    for (const char* block = body;; block += kBlock) {
        const BlockMasks masks = scan_block(block);
        const auto last = static_cast<std::size_t>(close - block);
        if (last < kBlock) {
            const std::uint32_t before = (std::uint32_t{1} << last) - 1;
            return (masks.quotes & ((before << 1) | 1)) == (std::uint32_t{1} << last) &&
                   (masks.unusual & before) == 0;
        }
        if ((masks.quotes | masks.unusual) != 0)
            return false;
    }
}

/// Reads the string whose text starts at `body` (after its opening quote) as simdjson's
/// get_string() does, writing its unescaped bytes from `out`. Returns its closing quote, with
/// `*written` the number of bytes written (never more than the string's text takes), or nullptr
/// when simdjson would refuse it (an invalid escape, a lone surrogate, a control character,
/// invalid UTF-8) or it is not closed before `end`.
const char* unescape(const char* body, const char* end, std::byte* out, std::size_t* written);

/// Checks the string whose text starts at `body` as unescape() does, writing nothing: returns
/// its closing quote, or nullptr.
const char* check_string(const char* body, const char* end);

}  // namespace kbatch::json_string
