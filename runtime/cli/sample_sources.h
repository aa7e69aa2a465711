// kbatch CLI: sample SQS and DynamoDB Streams events for `kbatch event sqs|sqs-fifo|dynamodb`, as
// sample_event.h (core) gives the Kinesis one. Here rather than in core because an SQS message
// carries the MD5 of its body, which needs OpenSSL, and only the CLI should link it.
#pragma once

#include <string>

#include "sample_event.h"

namespace kbatch {

/// An SQS event of `options.records` messages (at most kMaxRecords), compact and in Lambda's
/// field order. Bodies are small JSON objects, md5OfBody their real MD5. With `fifo`, the queue's
/// ARN ends in ".fifo" and each message carries SequenceNumber, MessageGroupId (one of four
/// groups, from the seed) and MessageDeduplicationId.
std::string sample_sqs_event(const SampleEventOptions& options, bool fifo);

/// A DynamoDB Streams event of `options.records` records (NEW_AND_OLD_IMAGES): INSERTs, MODIFYs
/// and REMOVEs of items with a number key, a string, a map and a list, sequence numbers that
/// increase.
std::string sample_dynamodb_event(const SampleEventOptions& options);

}  // namespace kbatch
