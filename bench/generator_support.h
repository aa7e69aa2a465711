// kbatch bench: what the event generators of every source share (internal to bench/).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event_generator.h"

namespace kbatch::bench {

/// Lambda's invocation payload limit, which every generated event is just under.
inline constexpr std::size_t kLambdaPayloadLimit = 6'291'456;

/// Draws with engine() % n rather than std::uniform_int_distribution, whose algorithm the standard
/// leaves open: a seed must give the same event with any standard library.
class Random {
  public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}
    std::uint64_t below(std::uint64_t n) { return engine_() % n; }
    /// True with probability `percent` / 100.
    bool percent(std::uint64_t percent) { return below(100) < percent; }
    char digit() { return static_cast<char>('0' + below(10)); }
    char alnum() { return pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"); }
    char upper_alnum() { return pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"); }
    std::string digits(std::size_t count) {
        return text(count, [this] { return digit(); });
    }
    std::string hex(std::size_t count) {
        return text(count, [this] { return pick("0123456789abcdef"); });
    }
    std::string upper_alnums(std::size_t count) {
        return text(count, [this] { return upper_alnum(); });
    }
    /// A random version-4 UUID, in its usual lower-case text form.
    std::string uuid();
    /// One of `choices`.
    template <typename T, std::size_t N>
    const T& one_of(const T (&choices)[N]) {
        return choices[below(N)];
    }

  private:
    char pick(std::string_view chars) { return chars[below(chars.size())]; }
    template <typename Draw>
    std::string text(std::size_t count, Draw draw) {
        std::string out;
        for (std::size_t i = 0; i < count; ++i)
            out += draw();
        return out;
    }

    std::mt19937_64 engine_;
};

/// Adds `increment` to a decimal string in place. Sequence numbers stay text end to end, as
/// kbatch treats them (they exceed every integer type).
void add_decimal(std::string& number, std::uint64_t increment);

/// How an event's JSON text is written: Lambda's own form, or as another serializer re-writes it.
struct JsonForm {
    std::string_view comma = ",";  // between members, and between elements
    std::string_view colon = ":";  // between a key and its value
    bool sorted_keys = false;      // members in key order (Python's sort_keys=True)
    bool shortest_floats = false;  // fractions as Python's repr writes them, not Lambda's
};

/// `text` as a JSON string, escaped as Lambda and JSON.stringify escape (\" \\ \n and so on,
/// \u00XX for other control characters; UTF-8 as it is), so that a JavaScript round trip gives
/// the same bytes.
std::string json_string(std::string_view text);

/// The members of one JSON object: keys with their values already written as JSON.
using JsonMembers = std::vector<std::pair<std::string_view, std::string>>;

/// Appends `{"key":value,...}` in `form` (sorted by key when the form says so).
void append_object(std::string& out, JsonMembers members, const JsonForm& form);

/// `{"Records":[...]}` in `form`, from records already written: as many of them, from the first,
/// as fit within `limit` bytes. Sets `*kept` to how many that was.
std::string records_event(const std::vector<std::string>& records, const JsonForm& form,
                          std::size_t limit, std::size_t* kept);

/// Throws std::runtime_error unless `event` is just under Lambda's limit (within 1%): a shape that
/// drifted from "just under the limit" would quietly measure something else.
void check_just_under_limit(std::string_view shape, const std::string& event);

/// `epoch_ms` as ISO 8601 UTC with milliseconds: "2026-11-27T10:00:00.123Z".
std::string iso_utc(std::uint64_t epoch_ms);

/// A decimal amount of cents as JavaScript writes the number: 19.9, 20, 19.95.
std::string decimal_cents(std::uint64_t cents);

/// The sum of every byte of `text` (what the checksum plugin computes over a payload).
std::uint64_t byte_sum(std::string_view text);

/// Adds one record's payload (the bytes the per-record work reads) to `stats`. A JSON payload
/// (a DynamoDB image) sums without its whitespace, as bench/byte_sum.h's sum_json_text_bytes.
void count_payload(EventStats& stats, std::string_view payload, bool json_text = false);

/// The SQS shape and the DynamoDB Streams shape (sqs_event_generator.cc,
/// dynamodb_event_generator.cc).
std::string generate_sqs_event(std::uint64_t seed, EventStats& stats);
std::string generate_dynamodb_event(std::uint64_t seed, EventStats& stats);

}  // namespace kbatch::bench
