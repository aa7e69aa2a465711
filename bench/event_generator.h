// kbatch bench: seeded events of the sizes the benchmarks measure (Kinesis, SQS, DynamoDB Streams).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kbatch::bench {

/// The batch shapes of issues 6 and 13, all filled to just under Lambda's 6,291,456-byte payload
/// limit (checked).
enum class Shape {
    /// (a) 10,000 Kinesis records (Lambda's maximum) sharing out what is left as data: about 66
    /// bytes each (88 in base64). A record's other fields take some 540 bytes, so the "about 100
    /// bytes" of issue 6 would not fit 10,000 times under the limit; the record count was kept.
    kManySmall,
    /// (b) about 1,000 Kinesis records (961) with about 4.5 KB of data each.
    kFewLarge,
    /// "a-spaced": shape (a)'s records as Python's json.dumps writes them by default (", " and ": "
    /// separators, floats in their shortest form), in Lambda's key order. Some 30 bytes more a
    /// record: the last 364 records are left out to stay under the limit (9,636 with seed 1).
    kManySmallSpaced,
    /// "a-reordered": shape (a)'s records compact but with every object's keys sorted, as
    /// json.dumps(sort_keys=True, separators=(",", ":")) writes them (kinesis last, data before
    /// sequenceNumber). All 10,000 records.
    kManySmallReordered,
    /// "sqs": an SQS standard queue's batch with every field Lambda sends: UUID messageId, a
    /// receipt handle of realistic length (328 to 400 characters), a JSON body (an order, ~250
    /// bytes, so its quotes are escaped in the event), the four attributes, two message attributes
    /// (one String, one Binary), real MD5s of the body and of the message attributes. Such a
    /// message takes about 1.4 KB (its fields without the body some 1,100 bytes), so 10,000 of
    /// them cannot fit under the limit: the batch holds as many as do (4,501 with seed 1), the
    /// largest batch of such messages Lambda sends.
    kSqs,
    /// "dynamodb": a DynamoDB Streams batch of a table with NEW_AND_OLD_IMAGES: mostly MODIFY, some
    /// INSERT (no OldImage) and REMOVE (no NewImage; TTL deletes with their userIdentity); items
    /// with S, N, BOOL, NULL, SS, nested maps (M) and lists (L) of maps, and strings with escaped
    /// quotes. As many records as fit (2,636 with seed 1).
    kDynamoDb,
};

/// Every shape's name, in the order bench/compare reports them: "a", "b", "a-spaced",
/// "a-reordered", "sqs", "dynamodb".
std::span<const std::string_view> shape_names();

/// A shape's name (see shape_names()) to the shape; nullopt for anything else.
std::optional<Shape> parse_shape(std::string_view name);

/// What a generated event holds, for messages and checks.
struct EventStats {
    std::size_t records = 0;
    /// The bytes the per-record work reads, over all records: decoded Kinesis data, SQS bodies
    /// (the text as sent), DynamoDB NewImage JSON texts (a record without one adds nothing).
    std::size_t data_bytes = 0;
    /// The sum of those bytes (what `checksum` computes), a JSON text's whitespace left out.
    std::uint64_t data_sum = 0;
};

/// Generates an event of `shape` in the form Lambda delivers it (compact JSON in Lambda's key
/// order, every field of a real record) unless the shape is a re-serialised variant: Kinesis
/// sequence numbers as 56-digit decimal strings in increasing order, payloads that are JSON text
/// of varying length. The same seed gives the same bytes on every host.
///
/// Throws std::runtime_error if the event would not be within 1% under Lambda's payload limit.
std::string generate_event(Shape shape, std::uint64_t seed, EventStats* stats = nullptr);

}  // namespace kbatch::bench
