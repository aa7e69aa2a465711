// kbatch bench: seeded Kinesis events of the sizes the benchmarks measure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kbatch::bench {

/// The two batch shapes of issue 6, both filled to just under Lambda's 6,291,456-byte payload
/// limit: the decoder's cost per record dominates (a), base64 dominates (b).
enum class Shape {
    /// (a) 10,000 records (Lambda's maximum) sharing out what is left as data: about 66 bytes
    /// each (88 in base64). A record's other fields take some 540 bytes, so the "about 100 bytes"
    /// of issue 6 would not fit 10,000 times under the limit; the record count was kept.
    kManySmall,
    /// (b) about 1,000 records (961) with about 4.5 KB of data each.
    kFewLarge,
};

/// "a" or "b" to a shape; nullopt for anything else.
std::optional<Shape> parse_shape(std::string_view name);

/// What a generated event holds, for messages and checks.
struct EventStats {
    std::size_t records = 0;
    std::size_t data_bytes = 0;  // decoded payload bytes over all records
    std::uint64_t data_sum = 0;  // the sum of every decoded payload byte (what `checksum` computes)
};

/// Generates a Kinesis event of `shape` as Lambda delivers it (compact JSON, every field of a real
/// record, sequence numbers as 56-digit decimal strings in increasing order, payloads that are
/// JSON text of varying length). The same seed gives the same bytes on every host.
///
/// Throws std::runtime_error if the event would not be within 1% under Lambda's payload limit:
/// a shape that drifted from "just under the limit" would quietly measure something else.
std::string generate_event(Shape shape, std::uint64_t seed, EventStats* stats = nullptr);

}  // namespace kbatch::bench
