// kbatch core: decoding an event of Kinesis, SQS or DynamoDB Streams into record views.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decoded_batch.h"
#include "status.h"

namespace kbatch {

/// Decodes the events of the three sources of partial batch responses (Kinesis, SQS, DynamoDB
/// Streams; which one is told by the records' eventSource, or a kinesis object). Reused across
/// invocations: after the first few batches its buffers are large enough and decoding allocates
/// nothing per record.
///
/// Ownership: the decoder owns the parser, the padded input copy and the arena that decoded
/// `data` is written to. Every view in batch() points into those buffers (or into the caller's
/// buffer for decode_in_place) and is valid until the next decode call or the decoder's end:
/// a string without JSON escapes is a view of the event text itself (it is its own unescaped
/// text), one with escapes a view of its unescaped copy in the parser or the arena, a DynamoDB
/// image a view of its JSON text, and decoded base64 (Kinesis data, SQS binary attributes) bytes
/// in the arena.
/// Decoding takes one of two paths. An event in the form Lambda writes (lambda_form_decoder.h:
/// the fields of its source, in any order, with any whitespace, no defective record) is read in
/// one pass over its text; any other event, or one that departs from that form anywhere, goes
/// through simdjson (general_decoder.h), which also explains what is wrong with an invalid event.
/// Both read the fields that source_fields.h describes, and give the same batch for the same
/// event.
/// Thread safety: none; one decoder per thread.
class EventDecoder {
  public:
    /// The two ways an event can be decoded.
    enum class Path { kLambdaForm, kGeneral };
    /// Whether to try the Lambda-form path before the general one: kGeneral only in tests that
    /// check the general path on events the fast one would take.
    enum class FastPath { kTry, kSkip };

    explicit EventDecoder(FastPath fast_path = FastPath::kTry);
    ~EventDecoder();
    EventDecoder(const EventDecoder&) = delete;
    EventDecoder& operator=(const EventDecoder&) = delete;

    /// Decodes `event`, copying it into an internal padded buffer first. On an error that makes
    /// the batch impossible to process (invalid JSON, no Records array, a record that is not an
    /// object, a missing kinesis or dynamodb object, records of two sources or of a source kbatch
    /// does not know, more than kMaxEventBytes or kMaxRecords) returns kInvalidEvent with a
    /// message naming the place, e.g. "Records[3].kinesis: missing"; batch() is then empty. A
    /// defect inside one record (a field of the wrong type, data that is not base64, a key the
    /// decoder reads given twice, a timestamp beyond a double's range, a missing identifier) is
    /// that record's RecordDefect instead, and the rest of the batch decodes; a record whose
    /// identifier is missing or unusable has an empty one (DecodedBatch::identifier).
    Status decode(std::string_view event);

    /// As decode(), but parses `event` where it is, growing its capacity for the parser's padding
    /// if needed (so the caller's reused buffer saves the copy). `event` must stay unchanged while
    /// the batch is in use.
    Status decode_in_place(std::string& event);

    /// The last decoded batch.
    const DecodedBatch& batch() const noexcept { return batch_; }

    /// The path that decoded the last event (kGeneral after an error).
    Path last_path() const noexcept { return last_path_; }

  private:
    Status decode_padded(const char* data, std::size_t size, std::size_t capacity);

    const FastPath fast_path_;
    Path last_path_ = Path::kGeneral;
    struct Parser;  // hides simdjson from the header
    std::unique_ptr<Parser> parser_;
    std::vector<char> padded_input_;
    std::vector<std::byte> arena_;
    DecodedBatch batch_;
};

}  // namespace kbatch
