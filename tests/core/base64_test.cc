// kbatch's strict base64 decoder (core/src/base64.h): Kinesis sends padded standard base64, so
// anything else must be refused with the offending character's offset.
#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "base64.h"
#include "test_support.h"

namespace {

struct Decoded {
    std::optional<std::string> bytes;          // set on success
    std::optional<kbatch::Base64Error> error;  // set on failure
};

// Runs kbatch::base64_decode into a buffer of exactly the documented size, with a guard byte
// after it so that writing past base64_max_decoded_size is caught.
Decoded decode(std::string_view text) {
    constexpr std::byte kGuard{0xA5};
    std::vector<std::byte> buffer(kbatch::base64_max_decoded_size(text.size()) + 1, kGuard);
    Decoded result;
    const std::size_t size = kbatch::base64_decode(text, buffer.data(), &result.error);
    REQUIRE(buffer.back() == kGuard);
    REQUIRE(size <= kbatch::base64_max_decoded_size(text.size()));
    if (!result.error)
        result.bytes = std::string(reinterpret_cast<const char*>(buffer.data()), size);
    return result;
}

}  // namespace

TEST_CASE("RFC 4648 test vectors decode and encode") {
    // RFC 4648 section 10.
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        INFO(encoded);
        CHECK(kbatch::base64_encode(plain) == encoded);
        const Decoded decoded = decode(encoded);
        REQUIRE(decoded.bytes);
        CHECK(*decoded.bytes == plain);
    }
    // The payload of events/example.json, and the characters at both ends of the alphabet.
    CHECK(decode("SGVsbG8gV29ybGQ=").bytes == std::optional<std::string>("Hello World"));
    CHECK(decode("+/8=").bytes == std::optional<std::string>("\xFB\xFF"));
    CHECK(decode("AAAA").bytes == std::optional<std::string>(std::string(3, '\0')));
}

TEST_CASE("every length from 0 to 64 round-trips, seeded random bytes") {
    std::mt19937 engine(20240611);
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::size_t length = 0; length <= 64; ++length) {
        for (int trial = 0; trial < 20; ++trial) {
            std::string bytes;
            for (std::size_t i = 0; i < length; ++i)
                bytes += static_cast<char>(byte(engine));
            const std::string encoded = kbatch::base64_encode(bytes);
            INFO("length " << length << " encoded " << encoded);
            CHECK(encoded.size() == (length + 2) / 3 * 4);
            // The encoder is checked against the tests' own decoder, the decoder against the bytes.
            CHECK(kbatch::test::reference_base64_decode(encoded) == bytes);
            const Decoded decoded = decode(encoded);
            REQUIRE(decoded.bytes);
            CHECK(*decoded.bytes == bytes);
        }
    }
}

TEST_CASE("a length that is not a multiple of 4 is refused at the end of the text") {
    for (std::string_view text : {"A", "AB", "ABC", "ABCDE", "Zm9vYg=", "Zm9vYg"}) {
        INFO(text);
        const Decoded decoded = decode(text);
        REQUIRE(decoded.error);
        CHECK(decoded.error->offset == text.size());
        CHECK(decoded.error->what ==
              "length " + std::to_string(text.size()) + " is not a multiple of 4");
    }
}

TEST_CASE("a character outside the alphabet is refused with its offset") {
    struct Case {
        std::string_view text;
        std::size_t offset;
        std::string_view what;
    };
    const Case cases[] = {
        {"%GVsbG8=", 0, "invalid character '%'"},
        {"SGVs%G8=", 4, "invalid character '%'"},
        {"SGVsbG8gV29y%GQ=", 12, "invalid character '%'"},
        {"SGVsbG-_", 6, "invalid character '-'"},  // the URL-safe alphabet is not Kinesis's
        {"SGVs bG8", 4, "invalid character ' '"},  // no whitespace
        {"SGVsbG8\n", 7, "invalid byte 0x0A"},
        {"SGVsbG\xC3\xA9", 6, "invalid byte 0xC3"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const Decoded decoded = decode(c.text);
        REQUIRE(decoded.error);
        CHECK(decoded.error->offset == c.offset);
        CHECK(decoded.error->what == c.what);
    }
}

TEST_CASE("'=' anywhere but the last two places is refused") {
    struct Case {
        std::string_view text;
        std::size_t offset;
    };
    const Case cases[] = {
        {"Zg==Zm8=", 2},               // a padded group followed by more text
        {"Z===", 1},                   // three '='
        {"====", 0},     {"Zm=v", 2},  // '=' before a letter
        {"=m9v", 0},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const Decoded decoded = decode(c.text);
        REQUIRE(decoded.error);
        CHECK(decoded.error->offset == c.offset);
        CHECK(decoded.error->what == "invalid character '='");
    }
}

TEST_CASE("non-zero padding bits are refused, so every byte string has one encoding") {
    // "Zh==" and "Zm9=" carry bits that no output byte uses; the canonical forms are "Zg==" and
    // "Zm8=". The offset names the last character before the padding.
    struct Case {
        std::string_view text;
        std::size_t offset;
    };
    for (const Case& c : {Case{"Zh==", 1}, Case{"Zm9=", 2}, Case{"QR==", 1}, Case{"Zm9vYmF=", 6}}) {
        INFO(c.text);
        CHECK_FALSE(kbatch::test::reference_base64_decode(c.text));
        const Decoded decoded = decode(c.text);
        REQUIRE(decoded.error);
        CHECK(decoded.error->offset == c.offset);
        CHECK(decoded.error->what == "non-zero padding bits in the final group");
    }
}

TEST_CASE("a successful decode clears an error left from an earlier one") {
    std::optional<kbatch::Base64Error> error = kbatch::Base64Error{3, "stale"};
    std::byte out[3];
    CHECK(kbatch::base64_decode("Zm9v", out, &error) == 3);
    CHECK_FALSE(error);
}
