// SQS messages and DynamoDB Streams records as Lambda writes them, for the decoder's tests, and
// the same events written by other serializers (spaced, indented, keys in another order).
//
// The records are built with nlohmann::ordered_json, which keeps keys in the order given: Lambda's
// order (events/*.json, the AWS documentation's examples). Expectations in the tests are read
// back from these JSON values with nlohmann, never from kbatch's decoder.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kbatch::test {

using OrderedJson = nlohmann::ordered_json;

/// Message `index` of a standard queue (or, `fifo`, a FIFO queue "kbatch-orders.fifo"): every
/// field Lambda sends, the attributes SQS sets (and on FIFO queues the group, deduplication id
/// and sequence number), a String, a Number and a Binary message attribute, and a JSON body
/// (whose quotes JSON escapes). Its messageId is "<index>-" and 34 more hexadecimal digits.
OrderedJson sqs_message_json(std::size_t index, bool fifo = false);

/// Record `index` of a DynamoDB stream, a MODIFY with NEW_AND_OLD_IMAGES: Keys, both images with
/// every attribute type (nested M and L included), ApproximateCreationDateTime in seconds, a
/// SequenceNumber of 26 digits that grows with `index`, SizeBytes.
OrderedJson dynamodb_record_json(std::size_t index);

/// {"Records": records}, as Lambda writes it: compact, keys in their order.
std::string lambda_event(const std::vector<OrderedJson>& records);

/// `json` as Python's json.dumps writes it by default: ", " between members and ": " after keys.
std::string python_spaced(const OrderedJson& json);

/// `json` with the keys of every object in the reverse of their order.
OrderedJson reversed_keys(const OrderedJson& json);

/// `json` with the keys of every object shuffled by `engine` (seeded: a failure repeats).
OrderedJson shuffled_keys(const OrderedJson& json, std::mt19937& engine);

/// Seeded random text of `size` code points: ASCII, the characters JSON escapes (quotes,
/// backslashes, control characters), and two-, three- and four-byte UTF-8 characters.
std::string random_text(std::mt19937& engine, std::size_t size);

}  // namespace kbatch::test
