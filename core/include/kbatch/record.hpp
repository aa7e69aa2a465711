// kbatch plugin SDK: the read-only view of one Kinesis record.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "kbatch/abi.hpp"
#include "kbatch/detail/fields_view.hpp"

namespace kbatch {
inline namespace abi_v2 {

/// The fields of one record of a Kinesis event, as views: what crosses the plugin boundary
/// (BatchView, Source::kKinesis). Absent optional fields are empty. Whoever fills it owns the
/// memory the views point into. Fields are only ever appended (see abi.hpp).
struct KinesisRecordFields {
    std::string_view sequence_number;  // kinesis.sequenceNumber: decimal digits, kept as text
    std::string_view partition_key;    // kinesis.partitionKey
    std::span<const std::byte> data;   // kinesis.data, already base64-decoded
    double approximate_arrival = 0;    // kinesis.approximateArrivalTimestamp, epoch seconds
    std::string_view encryption_type;  // kinesis.encryptionType ("NONE", "KMS" or empty)
    std::string_view kinesis_schema_version;  // kinesis.kinesisSchemaVersion
    std::string_view event_id;                // eventID: "shardId-...:<sequence number>"
    std::string_view event_name;              // eventName
    std::string_view event_source;            // eventSource: "aws:kinesis"
    std::string_view event_source_arn;        // eventSourceARN: the stream
    std::string_view event_version;           // eventVersion
    std::string_view invoke_identity_arn;     // invokeIdentityArn
    std::string_view aws_region;              // awsRegion
};

/// One Kinesis record, as the plugin sees it.
///
/// Lifetime: a view of a KinesisRecordFields, which must outlive it; every string and byte it
/// returns points into memory that the host owns and reuses for the next batch, so it is valid
/// only during the process() call that received it. Copy what must outlive the call.
/// Thread safety: immutable; safe to read from several threads during the call.
class KinesisRecord : public detail::FieldsView<KinesisRecordFields> {
  public:
    using FieldsView::FieldsView;
    static constexpr Source kSource = Source::kKinesis;

    /// The record's sequence number (its itemIdentifier): a decimal string of up to 128 digits.
    /// Never convert it to an integer type; compare as text (equal length first) if order matters.
    std::string_view sequence_number() const noexcept { return fields().sequence_number; }
    std::string_view partition_key() const noexcept { return fields().partition_key; }
    /// The decoded payload bytes (not base64).
    std::span<const std::byte> data() const noexcept { return fields().data; }
    /// The same bytes as data(), as text. Not guaranteed to be UTF-8.
    std::string_view text() const noexcept {
        return {reinterpret_cast<const char*>(fields().data.data()), fields().data.size()};
    }
    /// When Kinesis received the record, in seconds since the epoch (fractional).
    double approximate_arrival() const noexcept { return fields().approximate_arrival; }
    std::string_view encryption_type() const noexcept { return fields().encryption_type; }
    std::string_view kinesis_schema_version() const noexcept {
        return fields().kinesis_schema_version;
    }
    std::string_view event_id() const noexcept { return fields().event_id; }
    std::string_view event_name() const noexcept { return fields().event_name; }
    std::string_view event_source() const noexcept { return fields().event_source; }
    std::string_view event_source_arn() const noexcept { return fields().event_source_arn; }
    std::string_view event_version() const noexcept { return fields().event_version; }
    std::string_view invoke_identity_arn() const noexcept { return fields().invoke_identity_arn; }
    std::string_view aws_region() const noexcept { return fields().aws_region; }
    /// The identifier Lambda's partial batch response names this record by.
    std::string_view item_identifier() const noexcept { return sequence_number(); }
};

}  // namespace abi_v2
}  // namespace kbatch
