// kbatch core: what decoding an event produces, whichever decoder produced it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <kbatch/record.hpp>

namespace kbatch {

/// Lambda's limits: an invocation payload of at most 6 MB (6,291,456 bytes) and a Kinesis batch of
/// at most 10,000 records. An event beyond either did not come from Lambda; it is refused rather
/// than allowed to grow the buffers without bound.
inline constexpr std::size_t kMaxEventBytes = 6 * 1024 * 1024;
inline constexpr std::size_t kMaxRecords = 10'000;

/// A record that decoded badly on its own (invalid base64, a field of the wrong type...). It fails
/// without reaching the plugin; the rest of the batch goes on.
struct RecordDefect {
    std::size_t index;   // position of the record in the event's Records array
    std::string reason;  // "Records[3].kinesis.data: not valid base64: invalid character '%' at 5"
};

/// One decoded event: the records in event order and the defects among them.
struct DecodedBatch {
    std::vector<KinesisRecord> records;
    std::vector<RecordDefect> defects;  // sorted by index; at most one per record
};

}  // namespace kbatch
