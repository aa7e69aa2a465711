// libFuzzer target: the SIMD base64 decoder against the scalar reference
// (core/src/base64_internal.h) on any input. It aborts when they differ in the bytes written or in
// the error (offset and text), when a decode succeeds but re-encoding does not give back the text
// (the decoder is strict, so every valid text is the one encoding of its bytes), or (through ASan)
// when either writes past base64_max_decoded_size.
//
// Arbitrary bytes are almost never valid base64, which would leave the SIMD kernel little to do,
// so each input is also tried mapped onto the alphabet: most bytes become a base64 character, a
// few become '=' or another character outside it, and the length is cut to a multiple of 4.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base64.h"
#include "base64_internal.h"

namespace {

using DecodeFunction = std::size_t (*)(std::string_view, std::byte*,
                                       std::optional<kbatch::Base64Error>*);

struct Decoded {
    std::string bytes;
    std::optional<kbatch::Base64Error> error;
};

Decoded decode_with(DecodeFunction decode, std::string_view text) {
    // Exactly the documented room, on the heap, so that ASan sees a write past it.
    std::vector<std::byte> out(kbatch::base64_max_decoded_size(text.size()));
    Decoded result;
    const std::size_t size = decode(text, out.data(), &result.error);
    if (!result.error)
        result.bytes.assign(reinterpret_cast<const char*>(out.data()), size);
    return result;
}

[[noreturn]] void fail(std::string_view what, std::string_view text, const Decoded& a,
                       const Decoded& b) {
    std::fprintf(stderr, "base64 differential: %.*s on a text of %zu characters\n",
                 static_cast<int>(what.size()), what.data(), text.size());
    for (const Decoded* d : {&a, &b}) {
        if (d->error)
            std::fprintf(stderr, "  error at %zu: %s\n", d->error->offset, d->error->what.c_str());
        else
            std::fprintf(stderr, "  %zu bytes\n", d->bytes.size());
    }
    std::abort();
}

void check(DecodeFunction candidate, std::string_view text) {
    const Decoded reference = decode_with(&kbatch::detail::base64_decode_scalar, text);
    const Decoded decoded = decode_with(candidate, text);
    if (reference.error.has_value() != decoded.error.has_value())
        fail("one decoder failed, the other did not", text, decoded, reference);
    if (reference.error && (reference.error->offset != decoded.error->offset ||
                            reference.error->what != decoded.error->what))
        fail("the errors differ", text, decoded, reference);
    if (!reference.error && reference.bytes != decoded.bytes)
        fail("the decoded bytes differ", text, decoded, reference);
    if (!reference.error && kbatch::base64_encode(reference.bytes) != text)
        fail("re-encoding does not give the text back", text, decoded, reference);
}

// Bytes 0xF0..0xFF stand for these; every other byte for the alphabet character at its low six
// bits.
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kOthers[16] = {'=', '=', '=',  '=',  '%', '@', '[',    '`',
                              '{', ':', '\0', '\n', ' ', '-', '\x80', '\xFF'};

std::string onto_alphabet(std::string_view input) {
    std::string text(input.size() / 4 * 4, 'A');
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(input[i]);
        text[i] = byte >= 0xF0 ? kOthers[byte - 0xF0] : kAlphabet[byte & 0x3F];
    }
    return text;
}

DecodeFunction candidate() {
#if defined(__x86_64__)
    if (kbatch::detail::cpu_has_avx2())
        return &kbatch::detail::base64_decode_avx2;
    std::fprintf(stderr, "base64 differential: no AVX2 on this CPU, checking base64_decode\n");
#endif
    return &kbatch::base64_decode;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const DecodeFunction decode = candidate();
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check(decode, input);
    check(decode, onto_alphabet(input));
    return 0;
}
