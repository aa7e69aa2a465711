// The SIMD base64 decoders (core/src/base64_internal.h) against the scalar reference: on any input
// they must write the same bytes or report the same error (offset and text), and never write past
// base64_max_decoded_size. Inputs are seeded random texts of every length up to 300 and a few
// large ones, valid and corrupted at every position class.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "base64.h"
#include "base64_internal.h"
#include "test_support.h"

namespace {

using kbatch::test::random_bytes;

using DecodeFunction = std::size_t (*)(std::string_view, std::byte*,
                                       std::optional<kbatch::Base64Error>*);

struct Implementation {
    std::string_view name;
    DecodeFunction decode;
};

struct Decoded {
    std::optional<std::string> bytes;          // set on success
    std::optional<kbatch::Base64Error> error;  // set on failure
    bool overran = false;                      // wrote past base64_max_decoded_size
};

using namespace std::string_view_literals;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Bytes outside the alphabet, chosen next to its ranges (where a nibble-table mistake would show)
// plus '=', whitespace, controls and bytes with the high bit set. (A literal with ""sv: it holds a
// NUL.)
constexpr std::string_view kOutside = "=%@[`{:*,-._ \n\t\0\x7F\x80\xAB\xC1\xEF\xFF"sv;

bool in_alphabet(char c) {
    return kAlphabet.find(c) != std::string_view::npos;
}

// Runs one implementation into a buffer of exactly the documented size followed by guard bytes
// (32 of them: a full vector store past the end would land there).
Decoded decode_with(DecodeFunction decode, std::string_view text) {
    constexpr std::byte kGuard{0xA5};
    constexpr std::size_t kGuardSize = 32;
    const std::size_t room = kbatch::base64_max_decoded_size(text.size());
    std::vector<std::byte> buffer(room + kGuardSize, kGuard);
    Decoded result;
    const std::size_t size = decode(text, buffer.data(), &result.error);
    for (std::size_t i = room; i < buffer.size(); ++i)
        result.overran = result.overran || buffer[i] != kGuard;
    if (!result.error)
        result.bytes = std::string(reinterpret_cast<const char*>(buffer.data()), size);
    return result;
}

std::string describe(const Decoded& decoded) {
    std::string text = decoded.overran ? "(wrote past the end) " : "";
    if (decoded.error)
        return text + "error at " + std::to_string(decoded.error->offset) + ": " +
               decoded.error->what;
    return text + std::to_string(decoded.bytes->size()) + " bytes";
}

bool same(const Decoded& a, const Decoded& b) {
    if (a.overran || b.overran || a.bytes != b.bytes || a.error.has_value() != b.error.has_value())
        return false;
    return !a.error || (a.error->offset == b.error->offset && a.error->what == b.error->what);
}

// The implementations to compare with the scalar one on this CPU: the public entry point always,
// the AVX2 kernel where the CPU has it.
std::vector<Implementation> implementations_under_test() {
    std::vector<Implementation> list{{"base64_decode", &kbatch::base64_decode}};
#if defined(__x86_64__)
    if (kbatch::detail::cpu_has_avx2())
        list.push_back({"avx2", &kbatch::detail::base64_decode_avx2});
    else
        WARN("this CPU has no AVX2: the AVX2 decoder is not compared");
#else
    WARN("not x86-64: there is no SIMD decoder to compare");
#endif
    return list;
}

// Checks every implementation against the scalar one on `text` and returns the reference result.
// Only a disagreement makes a Catch2 assertion, so that hundreds of thousands of inputs stay fast
// and a failure names the input.
Decoded check_agreement(const std::vector<Implementation>& implementations, std::string_view text) {
    const Decoded reference = decode_with(&kbatch::detail::base64_decode_scalar, text);
    if (reference.overran)
        FAIL_CHECK("scalar decoder wrote past the end on \"" << text.substr(0, 300) << '"');
    for (const Implementation& implementation : implementations) {
        const Decoded decoded = decode_with(implementation.decode, text);
        if (!same(decoded, reference)) {
            // A broken kernel fails on most inputs: the first few say enough.
            static int reported = 0;
            REQUIRE(++reported <= 20);
            FAIL_CHECK(implementation.name << " disagrees with scalar on \"" << text.substr(0, 300)
                                           << "\" (length " << text.size() << "): "
                                           << describe(decoded) << " vs " << describe(reference));
        }
    }
    return reference;
}

// Characters drawn from the alphabet only (so every length and no padding).
std::string random_alphabet_text(std::mt19937& engine, std::size_t size) {
    std::uniform_int_distribution<std::size_t> index(0, kAlphabet.size() - 1);
    std::string text(size, 'A');
    for (char& c : text)
        c = kAlphabet[index(engine)];
    return text;
}

char random_outside(std::mt19937& engine) {
    std::uniform_int_distribution<std::size_t> index(0, kOutside.size() - 1);
    return kOutside[index(engine)];
}

// How many bytes encode to `encoded_size` characters (a multiple of 4) ending in `padding` '='.
std::size_t bytes_for_encoded_size(std::size_t encoded_size, std::size_t padding) {
    return encoded_size / 4 * 3 - padding;
}

}  // namespace

TEST_CASE("the character table used by the tests matches the alphabet") {
    // Guards the tests themselves: every byte in kOutside must really be outside the alphabet.
    for (char c : kOutside)
        CHECK_FALSE(in_alphabet(c));
    CHECK(kOutside.back() == '\xFF');  // not cut at the NUL
}

TEST_CASE("valid texts of every length 0..300 decode the same and round-trip") {
    const auto implementations = implementations_under_test();
    std::mt19937 engine(20240612);
    for (std::size_t size = 0; size <= 225; ++size) {  // encodings of 0..300 characters
        for (int trial = 0; trial < 8; ++trial) {
            const std::string bytes = random_bytes(engine, size);
            const std::string encoded = kbatch::base64_encode(bytes);
            REQUIRE(encoded.size() <= 300);
            const Decoded decoded = check_agreement(implementations, encoded);
            REQUIRE(decoded.bytes);
            CHECK(*decoded.bytes == bytes);
        }
    }
}

TEST_CASE("texts of alphabet characters of every length 0..300 give the same result") {
    // Lengths that are not a multiple of 4, and final groups with non-zero padding bits.
    const auto implementations = implementations_under_test();
    std::mt19937 engine(20240613);
    for (std::size_t size = 0; size <= 300; ++size) {
        for (int trial = 0; trial < 8; ++trial) {
            std::string text = random_alphabet_text(engine, size);
            check_agreement(implementations, text);
            if (size % 4 == 0 && size > 0) {
                // The same text with one and two '=' at the end (usually non-canonical bits).
                text[size - 1] = '=';
                check_agreement(implementations, text);
                text[size - 2] = '=';
                check_agreement(implementations, text);
            }
        }
    }
}

TEST_CASE("one character outside the alphabet at every position of lengths 0..300") {
    const auto implementations = implementations_under_test();
    std::mt19937 engine(20240614);
    for (std::size_t size = 4; size <= 300; size += 4) {
        for (std::size_t padding = 0; padding <= 2; ++padding) {
            const std::string valid =
                kbatch::base64_encode(random_bytes(engine, bytes_for_encoded_size(size, padding)));
            REQUIRE(valid.size() == size);
            // Every position: first block, middle, last block and the padding area.
            for (std::size_t position = 0; position < size; ++position) {
                std::string text = valid;
                text[position] = random_outside(engine);
                const Decoded decoded = check_agreement(implementations, text);
                // Only '=' in one of the last two places can leave the text valid.
                if (text[position] != '=' || position + 2 < size)
                    CHECK(decoded.error);
            }
        }
    }
}

TEST_CASE("every byte value at every position of a 32-character block") {
    // Covers the SIMD validation tables exhaustively: each of the 256 bytes in each lane, in the
    // first SIMD block of a long text and in the last characters (where the scalar tail runs).
    const auto implementations = implementations_under_test();
    std::mt19937 engine(20240615);
    const std::string valid = kbatch::base64_encode(random_bytes(engine, 96));  // 128 characters
    for (int value = 0; value < 256; ++value) {
        for (std::size_t position = 0; position < 32; ++position) {
            for (std::size_t base : {std::size_t{0}, std::size_t{32}, valid.size() - 32}) {
                std::string text = valid;
                text[base + position] = static_cast<char>(value);
                const Decoded decoded = check_agreement(implementations, text);
                CHECK(decoded.error.has_value() == !in_alphabet(static_cast<char>(value)));
            }
        }
    }
}

TEST_CASE("'=' in the middle, several bad characters, and bad padding") {
    const auto implementations = implementations_under_test();
    std::mt19937 engine(20240616);
    for (std::size_t size = 4; size <= 300; size += 4) {
        const std::string valid = kbatch::base64_encode(random_bytes(engine, size / 4 * 3));
        std::uniform_int_distribution<std::size_t> position(0, size - 1);
        for (int trial = 0; trial < 8; ++trial) {
            std::string text = valid;
            // A padded group followed by more text, as when two encodings are concatenated.
            const std::size_t end = position(engine) / 4 * 4;
            text.replace(end, std::min<std::size_t>(4, size - end), "Zg==");
            check_agreement(implementations, text);
            // Two bad characters: the first one must be reported.
            text = valid;
            text[position(engine)] = random_outside(engine);
            text[position(engine)] = random_outside(engine);
            check_agreement(implementations, text);
            // Three '=' at the end.
            text = valid;
            text.replace(size - 3, 3, "===");
            CHECK(check_agreement(implementations, text).error);
        }
    }
}

TEST_CASE("large texts: valid, corrupted near both ends and in the middle") {
    const auto implementations = implementations_under_test();
    std::mt19937 engine(20240617);
    // About one Kinesis record (4.5 KB), 64 KB and 1 MB, each with every padding.
    for (std::size_t size : {std::size_t{4500}, std::size_t{65536}, std::size_t{1} << 20}) {
        for (std::size_t extra = 0; extra < 3; ++extra) {
            const std::string bytes = random_bytes(engine, size + extra);
            const std::string valid = kbatch::base64_encode(bytes);
            const Decoded decoded = check_agreement(implementations, valid);
            REQUIRE(decoded.bytes);
            CHECK(*decoded.bytes == bytes);
            CHECK(kbatch::test::reference_base64_decode(valid) == bytes);
            const std::size_t n = valid.size();
            for (std::size_t position : {std::size_t{0}, std::size_t{31}, std::size_t{32}, n / 2,
                                         n - 49, n - 48, n - 47, n - 33, n - 32, n - 5, n - 1}) {
                std::string text = valid;
                text[position] = random_outside(engine);
                check_agreement(implementations, text);
            }
            // Not a multiple of 4: one character short.
            check_agreement(implementations, std::string_view(valid).substr(0, n - 1));
        }
    }
}

TEST_CASE("an offset into the text is decoded the same (unaligned input and output)") {
    // The kernels load and store without alignment; decode views starting at every offset of a
    // 64-byte cache line, into outputs at every offset too.
    const auto implementations = implementations_under_test();
    std::mt19937 engine(20240618);
    const std::string bytes = random_bytes(engine, 3000);
    const std::string valid = kbatch::base64_encode(bytes);
    for (const Implementation& implementation : implementations) {
        for (std::size_t shift = 0; shift < 64; ++shift) {
            const std::string text = std::string(shift, '#') + valid;
            std::vector<std::byte> out(kbatch::base64_max_decoded_size(valid.size()) + shift);
            std::optional<kbatch::Base64Error> error;
            const std::size_t size = implementation.decode(std::string_view(text).substr(shift),
                                                           out.data() + shift, &error);
            INFO(implementation.name << " shift " << shift);
            REQUIRE_FALSE(error);
            CHECK(std::string(reinterpret_cast<const char*>(out.data() + shift), size) == bytes);
        }
    }
}

TEST_CASE("base64_decode uses the fastest decoder the CPU has") {
#if defined(__x86_64__)
    const std::string_view expected = kbatch::detail::cpu_has_avx2() ? "avx2" : "scalar";
#else
    const std::string_view expected = "scalar";
#endif
    CHECK(kbatch::detail::base64_implementation_name() == expected);
}
