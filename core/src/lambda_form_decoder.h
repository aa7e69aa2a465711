// kbatch core: the fast path for events in the exact form Lambda writes them.
//
// Lambda's event source mapping writes every Kinesis batch the same way: compact JSON, one
// "Records" array, each record's fields in one order, strings without escapes. An event in that
// form can be decoded in one forward pass that matches the known text and scans only the values,
// with no tokenizer in front of it. On a 6 MB batch of 10,000 small records that takes less than
// half the time of EventDecoder's general path (simdjson's structural index, then a walk that
// checks every token), and decoding is most of what kbatch adds to a batch.
//
// The fast path only ever accepts: anything unusual, valid or not, sends the event to the general
// path, which accepts every valid event and explains every invalid one. So its answer for an event
// it accepts must be exactly the general path's, which the tests and a differential fuzzer check.
#pragma once

#include <cstddef>
#include <string_view>

#include "decoded_batch.h"

namespace kbatch {

/// How many bytes after the event decode_lambda_form() may read (it never acts on them). The
/// general path's parser needs its padding after the event anyway, and this is no more.
inline constexpr std::size_t kLambdaFormReadAhead = 64;

/// Decodes `event` if it is in Lambda's form:
///   - compact JSON: no whitespace except after the event's closing brace;
///   - an object whose only member is "Records", an array of at most kMaxRecords records;
///   - each record an object of "kinesis" and any of eventSource, eventVersion, eventID,
///     eventName, invokeIdentityArn, awsRegion, eventSourceARN, each at most once, in any order
///     (Lambda's order is tried first);
///   - "kinesis" an object of sequenceNumber, partitionKey and data, and any of
///     kinesisSchemaVersion, approximateArrivalTimestamp, encryptionType, each at most once;
///   - every string value a string without escapes, every approximateArrivalTimestamp a plain
///     non-negative decimal (at most 19 digits, no exponent);
///   - no record with a defect: data is valid base64 and sequenceNumber a usable sequence number.
/// Returns true with `batch` filled exactly as EventDecoder's general path fills it for the same
/// event: the same views of the event text and the same decoded bytes at the same places in
/// `arena`. Returns false otherwise; `batch` and `arena` are then in no particular state.
///
/// `event` must be followed by kLambdaFormReadAhead readable bytes. `arena` must have room for
/// event.size() bytes. The views in `batch` point into `event` and `arena`.
bool decode_lambda_form(std::string_view event, std::byte* arena, DecodedBatch& batch);

}  // namespace kbatch
