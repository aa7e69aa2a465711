// kbatch core: the AVX2 base64 decoder. Each step takes 32 characters: two 16-entry lookups on
// the high and low nibbles say whether all 32 are in the alphabet, a third lookup turns them into
// their 6-bit values, and multiply-adds plus a shuffle pack 32 x 6 bits into 24 bytes. The first
// block holding anything else (padding, a bad character) and the short tail go to the scalar
// code, which is the reference and produces the exact error.
#include "base64_internal.h"

#if defined(__x86_64__)

#include <immintrin.h>

namespace kbatch::detail {
namespace {

// vpshufb looks up 16-entry tables within each 128-bit lane, so every table is in both.
__attribute__((target("avx2"))) inline __m256i both_lanes(__m128i table) {
    return _mm256_broadcastsi128_si256(table);
}

// Only the kernel is compiled for AVX2 (a target attribute, not -mavx2 for the file): with the
// flag on the whole file, inline functions from headers instantiated here could be compiled with
// AVX2 and picked by the linker for callers on CPUs without it.
__attribute__((target("avx2"))) std::size_t decode_blocks(const char* in, std::size_t size,
                                                          std::byte* out) {
    // Validation: a character c is in the alphabet iff (lo[c & 15] & hi[c >> 4]) == 0. Each bit
    // is a set of high nibbles; lo[] marks the low nibbles that are invalid for that set.
    //   0x01: 2x, where only '+' (2B) and '/' (2F) are valid
    //   0x02: 3x, digits 30..39
    //   0x04: 4x and 6x, letters x1..xF
    //   0x08: 5x and 7x, letters x0..xA
    //   0x10: every other high nibble (controls, 8x..Fx), never valid
    const __m256i invalid_by_lo = both_lanes(_mm_setr_epi8(  //
        0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,      // low nibble 0..7
        0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A));    // 8..F
    const __m256i set_by_hi = both_lanes(_mm_setr_epi8(      //
        0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,      // high nibble 0..7
        0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10));    // 8..F
    // Translation: value = c + shift[high nibble], except that '/' (2F) shares its high nibble
    // with '+' (2B) and needs another shift, so it looks up one entry lower (index 1).
    const __m256i shift_by_hi =
        both_lanes(_mm_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0));
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i slash = _mm256_set1_epi8('/');
    // Packing, per group of four values a b c d: a * 64 + b and c * 64 + d as 16-bit words, then
    // (a * 64 + b) * 4096 + (c * 64 + d) as a 32-bit word whose low three bytes are the output in
    // reverse order.
    const __m256i pair_weights = _mm256_set1_epi32(0x01400140);
    const __m256i quad_weights = _mm256_set1_epi32(0x00011000);
    // Reverses each group's three bytes and moves the 12 bytes of each 128-bit lane to its front;
    // the permute then closes the gap between the lanes.
    const __m256i reorder =
        both_lanes(_mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
    const __m256i join_lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);

    std::size_t i = 0;
    // Each step stores 32 bytes, 8 past its 24. Stopping 48 characters (36 bytes) before the end
    // keeps every store inside the bytes the scalar code writes next, so nothing is written past
    // the decoded size and out needs no extra room.
    for (; i + 48 <= size; i += 32) {
        const __m256i chars = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi32(chars, 4), nibble);
        const __m256i lo = _mm256_and_si256(chars, nibble);
        const __m256i invalid = _mm256_and_si256(_mm256_shuffle_epi8(invalid_by_lo, lo),
                                                 _mm256_shuffle_epi8(set_by_hi, hi));
        if (!_mm256_testz_si256(invalid, invalid))
            break;
        const __m256i shift_index = _mm256_add_epi8(hi, _mm256_cmpeq_epi8(chars, slash));
        const __m256i values =
            _mm256_add_epi8(chars, _mm256_shuffle_epi8(shift_by_hi, shift_index));
        const __m256i pairs = _mm256_maddubs_epi16(values, pair_weights);
        const __m256i quads = _mm256_madd_epi16(pairs, quad_weights);
        const __m256i bytes =
            _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(quads, reorder), join_lanes);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i / 4 * 3), bytes);
    }
    return i;
}

}  // namespace

bool cpu_has_avx2() {
    // libgcc's check also asks the OS (XGETBV) whether it saves the AVX registers.
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
}

std::size_t base64_decode_avx2(std::string_view encoded, std::byte* out,
                               std::optional<Base64Error>* error) {
    // A bad length is an error whatever the characters are: the scalar code reports it.
    if (encoded.size() % 4 != 0)
        return base64_decode_scalar(encoded, out, error);
    const std::size_t done = decode_blocks(encoded.data(), encoded.size(), out);
    return base64_decode_scalar_from(encoded, done, out, error);
}

}  // namespace kbatch::detail

#endif  // defined(__x86_64__)
