// kbatch core: the fast path for events in the form Lambda writes them.
//
// Lambda's event source mappings write every batch of a source the same way: one "Records" array
// of records with the same keys, in the same order, strings mostly without escapes. An event in
// that form can be decoded in one forward pass that matches the known keys and scans only the
// values, with no tokenizer in front of it. On a 6 MB batch of 10,000 small Kinesis records that
// takes less than half the time of EventDecoder's general path (simdjson's structural index, then
// a walk that checks every token), and decoding is most of what kbatch adds to a batch.
//
// The pass reads the fields that source_fields.h describes, as the general path does. It does
// not depend on one serializer's spacing or key order: whitespace between tokens (Python's
// json.dumps writes ", " and ": "; others indent) costs a test per token, and each record's keys
// are expected in the order the record before had them, so any order that repeats costs nothing.
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
///   - an object whose only member is "Records", an array of at most kMaxRecords records, all of
///     one source (Kinesis, SQS, DynamoDB Streams);
///   - each record an object of its source's keys (source_fields.h) and no others, each at most
///     once, in any order, with whitespace anywhere JSON allows it;
///   - every record of SQS and DynamoDB Streams has its eventSource; a Kinesis record's, when it
///     has one, is "aws:kinesis";
///   - strings with or without escapes, except in base64 and keys of records; timestamps plain
///     non-negative decimals (at most 19 digits, no exponent); SizeBytes at most 19 digits;
///     DynamoDB images and ignored values any JSON nested at most kMaxSkimDepth deep;
///   - no record with a defect (data that is not base64, a missing or unusable identifier...).
/// Returns true with `batch` filled exactly as EventDecoder's general path fills it for the same
/// event: the same values (strings with escapes are unescaped into `arena`, where the general path
/// has them in simdjson's buffer; everything else at the same places). Returns false otherwise;
/// `batch` and `arena` are then in no particular state.
///
/// `event` must be followed by kLambdaFormReadAhead readable bytes. `arena` must have room for
/// event.size() bytes. The views in `batch` point into `event` and `arena`.
bool decode_lambda_form(std::string_view event, std::byte* arena, DecodedBatch& batch);

}  // namespace kbatch
