// kbatch plugin SDK: the read-only view of one DynamoDB Streams record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kbatch/abi.hpp"
#include "kbatch/detail/fields_view.hpp"
#include "kbatch/dynamodb.hpp"

namespace kbatch {
inline namespace abi_v2 {

/// The fields of one record of a DynamoDB Streams event, as views: what crosses the plugin
/// boundary (BatchView, Source::kDynamoDb). Absent fields are empty. Keys and images are the JSON
/// text of the event's maps (DynamoDB's typed form), read lazily by kbatch::dynamodb::Item.
/// Fields are only ever appended (see abi.hpp).
struct DynamoDbRecordFields {
    std::string_view event_id;          // eventID
    std::string_view event_name;        // eventName: INSERT, MODIFY or REMOVE
    std::string_view event_version;     // eventVersion
    std::string_view event_source;      // eventSource: "aws:dynamodb"
    std::string_view event_source_arn;  // eventSourceARN: the stream
    std::string_view aws_region;        // awsRegion
    // dynamodb.*
    std::string_view sequence_number;   // SequenceNumber: the itemIdentifier, decimal digits
    std::string_view keys;              // Keys: the JSON text of the map ("" when absent)
    std::string_view new_image;         // NewImage: the JSON text of the map ("" when absent)
    std::string_view old_image;         // OldImage: the JSON text of the map ("" when absent)
    std::string_view stream_view_type;  // StreamViewType: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE...
    double approximate_creation = 0;    // ApproximateCreationDateTime: epoch seconds, fractional
    std::uint64_t size_bytes = 0;       // SizeBytes
    // userIdentity.* (a TTL delete: type "Service", principalId "dynamodb.amazonaws.com")
    std::string_view user_identity_type;
    std::string_view user_identity_principal_id;
};

/// One DynamoDB Streams record, as the plugin sees it.
///
/// Lifetime: a view of a DynamoDbRecordFields, which must outlive it; everything it returns,
/// the Items included, points into host memory reused for the next batch, so it is valid only
/// during the process() call that received it. Copy what must outlive the call.
/// Thread safety: immutable; safe to read from several threads during the call.
class DynamoDbRecord : public detail::FieldsView<DynamoDbRecordFields> {
  public:
    using FieldsView::FieldsView;
    static constexpr Source kSource = Source::kDynamoDb;

    std::string_view event_id() const noexcept { return fields().event_id; }
    /// "INSERT", "MODIFY" or "REMOVE".
    std::string_view event_name() const noexcept { return fields().event_name; }
    std::string_view event_version() const noexcept { return fields().event_version; }
    std::string_view event_source() const noexcept { return fields().event_source; }
    std::string_view event_source_arn() const noexcept { return fields().event_source_arn; }
    std::string_view aws_region() const noexcept { return fields().aws_region; }
    /// The stream record's sequence number (its itemIdentifier): decimal digits, kept as text.
    std::string_view sequence_number() const noexcept { return fields().sequence_number; }
    /// The item's key attributes, its image after the change and before it, read lazily (see
    /// kbatch/dynamodb.hpp). An image the stream view type leaves out is an empty Item.
    dynamodb::Item keys() const noexcept { return item(fields().keys); }
    dynamodb::Item new_image() const noexcept { return item(fields().new_image); }
    dynamodb::Item old_image() const noexcept { return item(fields().old_image); }
    /// Whether the record carries the image at all (the stream's view type decides).
    bool has_new_image() const noexcept { return !fields().new_image.empty(); }
    bool has_old_image() const noexcept { return !fields().old_image.empty(); }
    std::string_view stream_view_type() const noexcept { return fields().stream_view_type; }
    /// When the change was made, in seconds since the epoch (fractional where the event carries
    /// milliseconds).
    double approximate_creation() const noexcept { return fields().approximate_creation; }
    std::uint64_t size_bytes() const noexcept { return fields().size_bytes; }
    /// Who made the change: for a TTL delete, type "Service" and principal
    /// "dynamodb.amazonaws.com"; empty for a change made by a user.
    std::string_view user_identity_type() const noexcept { return fields().user_identity_type; }
    std::string_view user_identity_principal_id() const noexcept {
        return fields().user_identity_principal_id;
    }
    /// Whether this is a REMOVE made by DynamoDB's time to live.
    bool is_ttl_delete() const noexcept {
        return fields().event_name == "REMOVE" && fields().user_identity_type == "Service" &&
               fields().user_identity_principal_id == "dynamodb.amazonaws.com";
    }
    /// The identifier Lambda's partial batch response names this record by.
    std::string_view item_identifier() const noexcept { return sequence_number(); }

  private:
    static dynamodb::Item item(std::string_view json) noexcept {
        return json.empty() ? dynamodb::Item() : dynamodb::Item(json);
    }
};

}  // namespace abi_v2
}  // namespace kbatch
