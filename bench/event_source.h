// kbatch bench: which event source an event file comes from, so that each contender knows what to
// read (a function is attached to one event source mapping, and knows it too).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kbatch::bench {

/// The event sources the benchmarks know.
enum class EventSource { kKinesis, kSqs, kDynamoDb };

/// "aws:kinesis", "aws:sqs", "aws:dynamodb".
std::string_view event_source_name(EventSource source);

/// The source named by the first record's eventSource. Throws std::runtime_error, saying what it
/// found, for an event that is not JSON, has no records, or names another source.
EventSource detect_event_source(std::string_view event);

}  // namespace kbatch::bench
