// kbatch core: the base64 decoder's implementations, one per instruction set. base64_decode
// (base64.h) picks one when first called; the tests and the differential fuzzer call them
// directly to check that they agree byte for byte and error for error.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "base64.h"

namespace kbatch::detail {

/// The reference decoder: plain C++, the contract of base64_decode on every CPU.
std::size_t base64_decode_scalar(std::string_view encoded, std::byte* out,
                                 std::optional<Base64Error>* error);

/// Finishes a decode that a faster kernel started: `encoded.size()` is a multiple of 4, the first
/// `start` characters (a multiple of 4) are known to be in the alphabet and their
/// start / 4 * 3 bytes are already in `out`. Gives the same result and error as
/// base64_decode_scalar(encoded, out, error), offsets counted from the start of `encoded`.
std::size_t base64_decode_scalar_from(std::string_view encoded, std::size_t start, std::byte* out,
                                      std::optional<Base64Error>* error);

#if defined(__x86_64__)
/// Whether this CPU (and OS) can run base64_decode_avx2.
bool cpu_has_avx2();

/// The AVX2 decoder (base64_avx2.cc). Call it only when cpu_has_avx2().
std::size_t base64_decode_avx2(std::string_view encoded, std::byte* out,
                               std::optional<Base64Error>* error);
#endif

/// The implementation base64_decode uses on this CPU: "avx2" or "scalar" (for logs and benchmarks).
std::string_view base64_implementation_name();

}  // namespace kbatch::detail
