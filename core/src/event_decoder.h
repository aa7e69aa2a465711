// kbatch core: decoding a Kinesis event into record views.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kbatch/record.hpp>

#include "status.h"

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

/// Decodes Kinesis events. Reused across invocations: after the first few batches its buffers are
/// large enough and decoding allocates nothing per record.
///
/// Ownership: the decoder owns the parser, the padded input copy and the arena that decoded
/// `data` is written to. Every view in batch() points into those buffers (or into the caller's
/// buffer for decode_in_place) and is valid until the next decode call or the decoder's end:
/// a string without JSON escapes is a view of the event text itself (it is its own unescaped
/// text), one with escapes a view of its unescaped copy in the parser, and `data` the decoded
/// bytes in the arena.
/// Thread safety: none; one decoder per thread.
class EventDecoder {
  public:
    EventDecoder();
    ~EventDecoder();
    EventDecoder(const EventDecoder&) = delete;
    EventDecoder& operator=(const EventDecoder&) = delete;

    /// Decodes `event`, copying it into an internal padded buffer first. On an error that makes
    /// the batch impossible to process (invalid JSON, no Records array, a record that is not an
    /// object, a missing kinesis object, more than kMaxEventBytes or kMaxRecords) returns
    /// kInvalidEvent with a message naming the place, e.g. "Records[3].kinesis: missing";
    /// batch() is then empty.
    Status decode(std::string_view event);

    /// As decode(), but parses `event` where it is, growing its capacity for the parser's padding
    /// if needed (so the caller's reused buffer saves the copy). `event` must stay unchanged while
    /// the batch is in use.
    Status decode_in_place(std::string& event);

    /// The last decoded batch.
    const DecodedBatch& batch() const noexcept { return batch_; }

  private:
    Status decode_padded(const char* data, std::size_t size, std::size_t capacity);

    struct Parser;  // hides simdjson from the header
    std::unique_ptr<Parser> parser_;
    std::vector<char> padded_input_;
    std::vector<std::byte> arena_;
    DecodedBatch batch_;
};

}  // namespace kbatch
