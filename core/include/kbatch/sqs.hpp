// kbatch plugin SDK: the read-only view of one SQS message.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "kbatch/abi.hpp"
#include "kbatch/detail/fields_view.hpp"

namespace kbatch {
inline namespace abi_v2 {

/// One entry of an SQS message's messageAttributes. Crosses the plugin boundary.
struct SqsMessageAttribute {
    std::string_view name;
    std::string_view data_type;     // dataType: "String", "Number", "Binary", "Number.int"...
    std::string_view string_value;  // stringValue (String and Number types)
    std::span<const std::byte> binary_value;  // binaryValue, already base64-decoded (Binary types)
};

/// The fields of one message of an SQS event, as views: what crosses the plugin boundary
/// (BatchView, Source::kSqs). Absent fields are empty. The attributes are text, as SQS writes them.
/// Fields are only ever appended (see abi.hpp).
struct SqsMessageFields {
    std::string_view message_id;      // messageId: the itemIdentifier
    std::string_view receipt_handle;  // receiptHandle
    std::string_view body;            // body, the text as sent (JSON-unescaped, not base64)
    std::string_view md5_of_body;     // md5OfBody
    std::string_view md5_of_message_attributes;  // md5OfMessageAttributes; empty when none
    std::string_view event_source;               // eventSource: "aws:sqs"
    std::string_view event_source_arn;  // eventSourceARN: the queue (".fifo" for a FIFO queue)
    std::string_view aws_region;        // awsRegion
    // attributes.*
    std::string_view approximate_receive_count;               // ApproximateReceiveCount
    std::string_view sent_timestamp;                          // SentTimestamp: epoch milliseconds
    std::string_view sender_id;                               // SenderId
    std::string_view approximate_first_receive_timestamp;     // ApproximateFirstReceiveTimestamp
    std::string_view sequence_number;                         // SequenceNumber (FIFO)
    std::string_view message_group_id;                        // MessageGroupId (FIFO)
    std::string_view message_deduplication_id;                // MessageDeduplicationId (FIFO)
    std::string_view aws_trace_header;                        // AWSTraceHeader, when traced
    std::string_view dead_letter_queue_source_arn;            // DeadLetterQueueSourceArn
    std::span<const SqsMessageAttribute> message_attributes;  // in the event's order
};

/// One SQS message, as the plugin sees it.
///
/// Lifetime: a view of an SqsMessageFields, which must outlive it; every string and byte it
/// returns points into host memory reused for the next batch, so it is valid only during the
/// process() call that received it. Copy what must outlive the call.
/// Thread safety: immutable; safe to read from several threads during the call.
class SqsMessage : public detail::FieldsView<SqsMessageFields> {
  public:
    using FieldsView::FieldsView;
    static constexpr Source kSource = Source::kSqs;

    /// The message id (its itemIdentifier).
    std::string_view message_id() const noexcept { return fields().message_id; }
    std::string_view receipt_handle() const noexcept { return fields().receipt_handle; }
    /// The body as it was sent: text, not base64.
    std::string_view body() const noexcept { return fields().body; }
    std::string_view md5_of_body() const noexcept { return fields().md5_of_body; }
    std::string_view md5_of_message_attributes() const noexcept {
        return fields().md5_of_message_attributes;
    }
    std::string_view event_source() const noexcept { return fields().event_source; }
    std::string_view event_source_arn() const noexcept { return fields().event_source_arn; }
    std::string_view aws_region() const noexcept { return fields().aws_region; }

    /// The attributes SQS sets, as text ("" when absent).
    std::string_view approximate_receive_count() const noexcept {
        return fields().approximate_receive_count;
    }
    std::string_view sent_timestamp() const noexcept { return fields().sent_timestamp; }
    std::string_view sender_id() const noexcept { return fields().sender_id; }
    std::string_view approximate_first_receive_timestamp() const noexcept {
        return fields().approximate_first_receive_timestamp;
    }
    std::string_view sequence_number() const noexcept { return fields().sequence_number; }
    std::string_view message_group_id() const noexcept { return fields().message_group_id; }
    std::string_view message_deduplication_id() const noexcept {
        return fields().message_deduplication_id;
    }
    /// The X-Ray trace header of the message (attribute AWSTraceHeader); empty when not traced.
    std::string_view aws_trace_header() const noexcept { return fields().aws_trace_header; }
    std::string_view dead_letter_queue_source_arn() const noexcept {
        return fields().dead_letter_queue_source_arn;
    }

    /// ApproximateReceiveCount as a number: 1 on the first delivery; nullopt when absent or not a
    /// number.
    std::optional<std::uint64_t> receive_count() const noexcept {
        return parse_unsigned(fields().approximate_receive_count);
    }
    /// SentTimestamp as epoch milliseconds; nullopt when absent or not a number.
    std::optional<std::uint64_t> sent_timestamp_ms() const noexcept {
        return parse_unsigned(fields().sent_timestamp);
    }

    /// The message attributes, in the event's order.
    std::span<const SqsMessageAttribute> message_attributes() const noexcept {
        return fields().message_attributes;
    }
    /// The message attribute `name`, or null.
    const SqsMessageAttribute* message_attribute(std::string_view name) const noexcept {
        for (const SqsMessageAttribute& attribute : fields().message_attributes) {
            if (attribute.name == name)
                return &attribute;
        }
        return nullptr;
    }

    /// Whether the message came from a FIFO queue (its queue's ARN ends in ".fifo").
    bool from_fifo_queue() const noexcept { return fields().event_source_arn.ends_with(".fifo"); }
    /// The identifier Lambda's partial batch response names this message by.
    std::string_view item_identifier() const noexcept { return message_id(); }

  private:
    static std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        if (text.empty() || error != std::errc() || stop != end)
            return std::nullopt;
        return value;
    }
};

}  // namespace abi_v2
}  // namespace kbatch
