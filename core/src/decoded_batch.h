// kbatch core: what decoding an event produces, whichever decoder produced it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <kbatch/abi.hpp>
#include <kbatch/dynamodb_record.hpp>
#include <kbatch/record.hpp>
#include <kbatch/sqs.hpp>

namespace kbatch {

/// Lambda's limits: an invocation payload of at most 6 MB (6,291,456 bytes) and a batch of at
/// most 10,000 records. An event beyond either did not come from Lambda; it is refused rather
/// than allowed to grow the buffers without bound.
inline constexpr std::size_t kMaxEventBytes = 6 * 1024 * 1024;
inline constexpr std::size_t kMaxRecords = 10'000;

/// A record that decoded badly on its own (invalid base64, a field of the wrong type...). It fails
/// without reaching the plugin; the rest of the batch goes on.
struct RecordDefect {
    std::size_t index;   // position of the record in the event's Records array
    std::string reason;  // "Records[3].kinesis.data: not valid base64: invalid character '%' at 5"
};

/// One decoded event: the records of its one source, in event order, and the defects among them.
/// Only the vector of `source` is filled; the others are empty. The views point into the
/// decoder's buffers (see EventDecoder) and are valid until its next decode.
struct DecodedBatch {
    Source source = Source::kKinesis;
    std::vector<KinesisRecordFields> kinesis;
    std::vector<SqsMessageFields> sqs;
    std::vector<DynamoDbRecordFields> dynamodb;
    /// Where the SQS messages' message_attributes spans point.
    std::vector<SqsMessageAttribute> sqs_attributes;
    std::vector<RecordDefect> defects;  // sorted by index; at most one per record

    /// The number of records.
    std::size_t size() const noexcept {
        switch (source) {
            case Source::kKinesis:
                return kinesis.size();
            case Source::kSqs:
                return sqs.size();
            case Source::kDynamoDb:
                return dynamodb.size();
        }
        return 0;
    }
    bool empty() const noexcept { return size() == 0; }

    /// The identifier Lambda's partial batch response names record `index` by: the Kinesis
    /// sequence number, the SQS message id, the DynamoDB SequenceNumber. Empty when the record has
    /// none (a defect says why).
    std::string_view identifier(std::size_t index) const noexcept {
        switch (source) {
            case Source::kKinesis:
                return kinesis[index].sequence_number;
            case Source::kSqs:
                return sqs[index].message_id;
            case Source::kDynamoDb:
                return dynamodb[index].sequence_number;
        }
        return {};
    }

    /// Whether the batch came from an SQS FIFO queue (its queue ARN ends in ".fifo"): then order
    /// holds per MessageGroupId and a failure stops the messages after it.
    bool fifo() const noexcept {
        return source == Source::kSqs && !sqs.empty() &&
               sqs.front().event_source_arn.ends_with(".fifo");
    }

    /// The batch as it crosses the plugin boundary.
    BatchView view() const noexcept {
        BatchView view;
        view.source = source;
        switch (source) {
            case Source::kKinesis:
                view.records = kinesis.data();
                view.count = kinesis.size();
                view.record_size = sizeof(KinesisRecordFields);
                break;
            case Source::kSqs:
                view.records = sqs.data();
                view.count = sqs.size();
                view.record_size = sizeof(SqsMessageFields);
                break;
            case Source::kDynamoDb:
                view.records = dynamodb.data();
                view.count = dynamodb.size();
                view.record_size = sizeof(DynamoDbRecordFields);
                break;
        }
        return view;
    }

    /// Empties the batch for the next event, keeping the vectors' capacity.
    void clear() noexcept {
        source = Source::kKinesis;
        kinesis.clear();
        sqs.clear();
        dynamodb.clear();
        sqs_attributes.clear();
        defects.clear();
    }
};

}  // namespace kbatch
