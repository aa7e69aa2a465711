// kbatch core: the one description of each event source's fields.
//
// Both decoders read an event through these tables: the general path (general_decoder.cc, over
// simdjson) and the fast path for Lambda's form (lambda_form_decoder.cc). A field is a key, the
// object it sits in, what its value is and the member of the source's fields struct (abi.hpp's
// KinesisRecordFields, SqsMessageFields, DynamoDbRecordFields) that it fills. Adding a field to a
// source is one line here (and its member in the SDK header); both paths then read it, check its
// type, report it missing or given twice, and the tests that compare the paths cover it.
//
// The tables are constexpr and the decoders walk them with templates (for_each_field_in,
// visit_key), so each field's key comparison and read compile to what a hand-written decoder has:
// a comparison with a constant of known length and a store to a fixed offset.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include <kbatch/abi.hpp>
#include <kbatch/dynamodb_record.hpp>
#include <kbatch/record.hpp>
#include <kbatch/sqs.hpp>

#include "decoded_batch.h"

/// Put after a lambda's parameters: the lambdas that the walks below are given run once per field,
/// and a call for each cost the general path a fifth of its time.
#define KBATCH_INLINE_LAMBDA __attribute__((always_inline))

namespace kbatch::fields {

/// The object a key sits in. A record's own keys are kRecord; the others are the objects that a
/// Kind::kObject field opens, and the entries of SQS's messageAttributes map.
enum class Section : std::uint8_t {
    kRecord,
    kKinesis,           // Kinesis: "kinesis"
    kAttributes,        // SQS: "attributes"
    kDynamoDb,          // DynamoDB Streams: "dynamodb"
    kUserIdentity,      // DynamoDB Streams: "userIdentity"
    kMessageAttribute,  // SQS: each value of "messageAttributes" (the last: KeyOrder counts on it)
};

/// What a field's value is, and so how it is read. For every kind, null counts as absent.
enum class Kind : std::uint8_t {
    kText,             // a string, escapes resolved
    kBase64,           // a string of base64, decoded into the decoder's arena
    kSeconds,          // a number: seconds since the epoch, as a double
    kSecondsOrMillis,  // the same, but milliseconds when kMillisecondsFrom or more (see below)
    kUnsigned,         // a non-negative integer below 2^64
    kRawObject,        // an object, kept as its JSON text (DynamoDB's typed images)
    kObject,           // an object whose keys are those of the section it opens
    kAttributeMap,     // SQS messageAttributes: name -> an object of kSqsAttributeFields
    kIgnored,          // any value, checked as JSON and not kept (stringListValues...)
};

/// Whether a record must have a field.
enum class Presence : std::uint8_t {
    kOptional,
    /// A missing key is a defect of the record ("Records[3].kinesis.data: missing"); for a
    /// kObject, it makes the event invalid ("Records[3].kinesis: missing"), as does a value of
    /// another type: without it the record is not one of its source at all.
    kRequired,
    /// Required, and the record's identifier (the itemIdentifier of Lambda's partial batch
    /// response): checked by the source's IdentifierRule, and a record that gives it twice with
    /// different values is left without one.
    kIdentifier,
};

/// What makes an identifier usable. Lambda fails the whole batch on an identifier it does not
/// know, so a record without a usable one cannot be reported and fails the invocation instead.
enum class IdentifierRule : std::uint8_t {
    kSequenceNumber,  // 1 to 128 decimal digits (Kinesis, DynamoDB Streams)
    kNonEmpty,        // any text but the empty string (SQS message ids)
};

/// One field of a source: where its key is, what its value is, and the member it fills.
template <class Fields>
struct Field {
    std::string_view key;
    Section section;
    Kind kind;
    Presence presence = Presence::kOptional;
    Section opens = Section::kRecord;  // kObject: the section of its keys
    // The member the value goes to: the one of the kind's type, the others null.
    std::string_view Fields::*text = nullptr;                            // kText, kRawObject
    std::span<const std::byte> Fields::*bytes = nullptr;                 // kBase64
    double Fields::*seconds = nullptr;                                   // kSeconds...
    std::uint64_t Fields::*count = nullptr;                              // kUnsigned
    std::span<const SqsMessageAttribute> Fields::*attributes = nullptr;  // kAttributeMap

    constexpr bool required() const { return presence != Presence::kOptional; }
};

// ---- Building a table ----------------------------------------------------------------------

template <class F>
constexpr Field<F> text(std::string_view key, Section section, std::string_view F::*member,
                        Presence presence = Presence::kOptional) {
    Field<F> field{key, section, Kind::kText, presence};
    field.text = member;
    return field;
}
template <class F>
constexpr Field<F> base64(std::string_view key, Section section,
                          std::span<const std::byte> F::*member,
                          Presence presence = Presence::kOptional) {
    Field<F> field{key, section, Kind::kBase64, presence};
    field.bytes = member;
    return field;
}
template <class F>
constexpr Field<F> seconds(std::string_view key, Section section, double F::*member,
                           Kind kind = Kind::kSeconds) {
    Field<F> field{key, section, kind};
    field.seconds = member;
    return field;
}
template <class F>
constexpr Field<F> count(std::string_view key, Section section, std::uint64_t F::*member) {
    Field<F> field{key, section, Kind::kUnsigned};
    field.count = member;
    return field;
}
template <class F>
constexpr Field<F> raw_object(std::string_view key, Section section, std::string_view F::*member) {
    Field<F> field{key, section, Kind::kRawObject};
    field.text = member;
    return field;
}
template <class F>
constexpr Field<F> object(std::string_view key, Section section, Section opens,
                          Presence presence = Presence::kOptional) {
    Field<F> field{key, section, Kind::kObject, presence};
    field.opens = opens;
    return field;
}
template <class F>
constexpr Field<F> attribute_map(std::string_view key, Section section,
                                 std::span<const SqsMessageAttribute> F::*member) {
    Field<F> field{key, section, Kind::kAttributeMap};
    field.attributes = member;
    return field;
}
template <class F>
constexpr Field<F> ignored(std::string_view key, Section section) {
    return Field<F>{key, section, Kind::kIgnored};
}

/// ApproximateCreationDateTime is seconds in DynamoDB Streams' own events, but milliseconds in
/// the records that DynamoDB writes to a Kinesis stream and in some SDKs' sample events
/// (aws-lambda-dotnet's dynamodb-with-ms-event.json: 1480642020000). A time of 10^11 seconds is
/// the year 5138 and 10^11 milliseconds is March 1973, before DynamoDB, so a value from 10^11
/// on is taken for milliseconds and made seconds (with the milliseconds as its fraction).
inline constexpr double kMillisecondsFrom = 1e11;
constexpr double seconds_or_milliseconds(double value) {
    return value >= kMillisecondsFrom ? value / 1000 : value;
}

// ---- The sources ---------------------------------------------------------------------------
// Each table lists a record's keys in the order Lambda writes them, a section's keys together:
// both decoders look for the key after the one they read first.

struct KinesisSource {
    using Fields = KinesisRecordFields;
    static constexpr Source kSource = Source::kKinesis;
    static constexpr IdentifierRule kIdentifierRule = IdentifierRule::kSequenceNumber;
    static constexpr std::array kFields = {
        object<Fields>("kinesis", Section::kRecord, Section::kKinesis, Presence::kRequired),
        text("eventSource", Section::kRecord, &Fields::event_source),
        text("eventVersion", Section::kRecord, &Fields::event_version),
        text("eventID", Section::kRecord, &Fields::event_id),
        text("eventName", Section::kRecord, &Fields::event_name),
        text("invokeIdentityArn", Section::kRecord, &Fields::invoke_identity_arn),
        text("awsRegion", Section::kRecord, &Fields::aws_region),
        text("eventSourceARN", Section::kRecord, &Fields::event_source_arn),
        text("kinesisSchemaVersion", Section::kKinesis, &Fields::kinesis_schema_version),
        text("partitionKey", Section::kKinesis, &Fields::partition_key, Presence::kRequired),
        text("sequenceNumber", Section::kKinesis, &Fields::sequence_number, Presence::kIdentifier),
        base64("data", Section::kKinesis, &Fields::data, Presence::kRequired),
        seconds("approximateArrivalTimestamp", Section::kKinesis, &Fields::approximate_arrival),
        text("encryptionType", Section::kKinesis, &Fields::encryption_type),
    };
};

/// The entries of an SQS message's messageAttributes (each value of the map).
struct SqsAttributeEntry {
    using Fields = SqsMessageAttribute;
    static constexpr std::array kFields = {
        text("stringValue", Section::kMessageAttribute, &Fields::string_value),
        base64("binaryValue", Section::kMessageAttribute, &Fields::binary_value),
        // Reserved by SQS and always empty; read only to check them.
        ignored<Fields>("stringListValues", Section::kMessageAttribute),
        ignored<Fields>("binaryListValues", Section::kMessageAttribute),
        text("dataType", Section::kMessageAttribute, &Fields::data_type),
    };
};

struct SqsSource {
    using Fields = SqsMessageFields;
    static constexpr Source kSource = Source::kSqs;
    static constexpr IdentifierRule kIdentifierRule = IdentifierRule::kNonEmpty;
    static constexpr std::array kFields = {
        text("messageId", Section::kRecord, &Fields::message_id, Presence::kIdentifier),
        text("receiptHandle", Section::kRecord, &Fields::receipt_handle),
        text("body", Section::kRecord, &Fields::body),
        object<Fields>("attributes", Section::kRecord, Section::kAttributes),
        attribute_map("messageAttributes", Section::kRecord, &Fields::message_attributes),
        text("md5OfMessageAttributes", Section::kRecord, &Fields::md5_of_message_attributes),
        text("md5OfBody", Section::kRecord, &Fields::md5_of_body),
        text("eventSource", Section::kRecord, &Fields::event_source),
        text("eventSourceARN", Section::kRecord, &Fields::event_source_arn),
        text("awsRegion", Section::kRecord, &Fields::aws_region),
        // A FIFO queue's order; a standard queue's skips the FIFO ones.
        text("ApproximateReceiveCount", Section::kAttributes, &Fields::approximate_receive_count),
        text("SentTimestamp", Section::kAttributes, &Fields::sent_timestamp),
        text("SequenceNumber", Section::kAttributes, &Fields::sequence_number),
        text("MessageGroupId", Section::kAttributes, &Fields::message_group_id),
        text("SenderId", Section::kAttributes, &Fields::sender_id),
        text("MessageDeduplicationId", Section::kAttributes, &Fields::message_deduplication_id),
        text("ApproximateFirstReceiveTimestamp", Section::kAttributes,
             &Fields::approximate_first_receive_timestamp),
        text("AWSTraceHeader", Section::kAttributes, &Fields::aws_trace_header),
        text("DeadLetterQueueSourceArn", Section::kAttributes,
             &Fields::dead_letter_queue_source_arn),
    };
};

struct DynamoDbSource {
    using Fields = DynamoDbRecordFields;
    static constexpr Source kSource = Source::kDynamoDb;
    static constexpr IdentifierRule kIdentifierRule = IdentifierRule::kSequenceNumber;
    static constexpr std::array kFields = {
        text("eventID", Section::kRecord, &Fields::event_id),
        text("eventName", Section::kRecord, &Fields::event_name),
        text("eventVersion", Section::kRecord, &Fields::event_version),
        text("eventSource", Section::kRecord, &Fields::event_source),
        text("awsRegion", Section::kRecord, &Fields::aws_region),
        object<Fields>("dynamodb", Section::kRecord, Section::kDynamoDb, Presence::kRequired),
        object<Fields>("userIdentity", Section::kRecord, Section::kUserIdentity),
        text("eventSourceARN", Section::kRecord, &Fields::event_source_arn),
        seconds("ApproximateCreationDateTime", Section::kDynamoDb, &Fields::approximate_creation,
                Kind::kSecondsOrMillis),
        raw_object("Keys", Section::kDynamoDb, &Fields::keys),
        raw_object("NewImage", Section::kDynamoDb, &Fields::new_image),
        raw_object("OldImage", Section::kDynamoDb, &Fields::old_image),
        text("SequenceNumber", Section::kDynamoDb, &Fields::sequence_number, Presence::kIdentifier),
        count("SizeBytes", Section::kDynamoDb, &Fields::size_bytes),
        text("StreamViewType", Section::kDynamoDb, &Fields::stream_view_type),
        text("type", Section::kUserIdentity, &Fields::user_identity_type),
        text("principalId", Section::kUserIdentity, &Fields::user_identity_principal_id),
    };
};

// ---- Walking a table -----------------------------------------------------------------------

/// A set of a table's fields, a bit per index: the keys a record has given so far.
using FieldSet = std::uint32_t;
template <std::size_t I>
inline constexpr FieldSet kBit = FieldSet{1} << I;

template <class Table>
inline constexpr std::size_t kFieldCount = Table::kFields.size();

/// The indices of `Table`'s fields in `section`, in table order.
template <class Table, Section S>
constexpr auto indices_in() {
    constexpr std::size_t size = [] {
        std::size_t n = 0;
        for (const auto& field : Table::kFields)
            n += field.section == S ? 1 : 0;
        return n;
    }();
    std::array<std::size_t, size> indices{};
    std::size_t next = 0;
    for (std::size_t i = 0; i < Table::kFields.size(); ++i) {
        if (Table::kFields[i].section == S)
            indices[next++] = i;
    }
    return indices;
}

/// The required fields of `section`, the identifier first (it decides what becomes of the record,
/// so its defect is the one reported), then in table order.
template <class Table, Section S>
constexpr auto required_in() {
    constexpr auto all = indices_in<Table, S>();
    constexpr std::size_t size = [all] {
        std::size_t n = 0;
        for (const std::size_t i : all)
            n += Table::kFields[i].required() && Table::kFields[i].kind != Kind::kObject ? 1 : 0;
        return n;
    }();
    std::array<std::size_t, size> required{};
    std::size_t next = 0;
    for (const Presence presence : {Presence::kIdentifier, Presence::kRequired}) {
        for (const std::size_t i : all) {
            if (Table::kFields[i].presence == presence && Table::kFields[i].kind != Kind::kObject)
                required[next++] = i;
        }
    }
    return required;
}

/// Whether `text` is field `I`'s key: a length test, then a comparison with a constant of that
/// length, inlined (a memcmp call per key cost the walk a tenth of its time).
template <class Table, std::size_t I>
[[gnu::always_inline]] inline bool key_is(std::string_view text) {
    constexpr std::string_view key = Table::kFields[I].key;
    if (text.size() != key.size())
        return false;
    if constexpr (key.size() < 8) {
        return __builtin_memcmp(text.data(), key.data(), key.size()) == 0;
    } else {
        std::uint64_t difference = 0;
        const auto word = [](const char* at) {
            std::uint64_t value = 0;
            __builtin_memcpy(&value, at, sizeof value);
            return value;
        };
        for (std::size_t i = 0; i + 8 <= key.size(); i += 8)
            difference |= word(text.data() + i) ^ word(key.data() + i);
        if constexpr (key.size() % 8 != 0)  // the last word overlaps the one before it
            difference |= word(text.data() + key.size() - 8) ^ word(key.data() + key.size() - 8);
        return difference == 0;
    }
}

namespace detail {
template <class Table, Section S, class Visit, std::size_t... K>
[[gnu::always_inline]] inline void for_each_field_in(Visit& visit, std::index_sequence<K...>) {
    constexpr auto indices = indices_in<Table, S>();
    (visit(std::integral_constant<std::size_t, indices[K]>{}), ...);
}
template <class Table, Section S, class Visit, std::size_t... K>
[[gnu::always_inline]] inline bool visit_key(std::string_view key, Visit& visit,
                                             std::index_sequence<K...>) {
    constexpr auto indices = indices_in<Table, S>();
    return ((key_is<Table, indices[K]>(key)
                 ? (visit(std::integral_constant<std::size_t, indices[K]>{}), true)
                 : false) ||
            ...);
}
// A switch with a case per index below kMaxFields, each calling `visit` for its index when
// `Wanted` says so: compiled to a jump table, where a fold of comparisons tested the indices one
// by one.
inline constexpr std::size_t kMaxFields = 32;
template <class Wanted, class Visit>
[[gnu::always_inline]] inline void switch_index(std::size_t index, Visit& visit) {
#define KBATCH_FIELD_CASE(I)                                 \
    case I:                                                  \
        if constexpr (Wanted::template wanted<I>())          \
            visit(std::integral_constant<std::size_t, I>{}); \
        break;
#define KBATCH_FIELD_CASES_8(I)                                                \
    KBATCH_FIELD_CASE(I)                                                       \
    KBATCH_FIELD_CASE(I + 1)                                                   \
    KBATCH_FIELD_CASE(I + 2)                                                   \
    KBATCH_FIELD_CASE(I + 3)                                                   \
    KBATCH_FIELD_CASE(I + 4) KBATCH_FIELD_CASE(I + 5) KBATCH_FIELD_CASE(I + 6) \
        KBATCH_FIELD_CASE(I + 7)
    switch (index) {
        KBATCH_FIELD_CASES_8(0)
        KBATCH_FIELD_CASES_8(8)
        KBATCH_FIELD_CASES_8(16)
        KBATCH_FIELD_CASES_8(24)
        default:
            break;
    }
#undef KBATCH_FIELD_CASES_8
#undef KBATCH_FIELD_CASE
}
static_assert(kMaxFields == 32);

template <class Table, Section S>
struct InSection {
    template <std::size_t I>
    static constexpr bool wanted() {
        return I < Table::kFields.size() && Table::kFields[I].section == S;
    }
};
template <class Table>
struct AnyField {
    template <std::size_t I>
    static constexpr bool wanted() {
        return I < Table::kFields.size();
    }
};
}  // namespace detail

/// Calls `visit(std::integral_constant<std::size_t, I>{})` for each field index I of `section`.
template <class Table, Section S, class Visit>
[[gnu::always_inline]] inline void for_each_field_in(Visit&& visit) {
    detail::for_each_field_in<Table, S>(visit,
                                        std::make_index_sequence<indices_in<Table, S>().size()>{});
}

/// Finds `key` among the keys of `section` and calls `visit` with the field's index as an
/// integral_constant; false when it is none of them. Each comparison is with a constant.
template <class Table, Section S, class Visit>
[[gnu::always_inline]] inline bool visit_key(std::string_view key, Visit&& visit) {
    return detail::visit_key<Table, S>(key, visit,
                                       std::make_index_sequence<indices_in<Table, S>().size()>{});
}

/// What find_key() answers for a key that is none of the section's.
inline constexpr std::size_t kNoField = static_cast<std::size_t>(-1);

/// The index of the field of `section` whose key is `key`, or kNoField.
template <class Table, Section S>
[[gnu::always_inline]] inline std::size_t find_key(std::string_view key) {
    std::size_t found = kNoField;
    visit_key<Table, S>(key, [&found](auto i) KBATCH_INLINE_LAMBDA { found = i; });
    return found;
}

/// Calls `visit` with `index` as an integral_constant if it is the index of a field of `section`.
template <class Table, Section S, class Visit>
[[gnu::always_inline]] inline void visit_index_in(std::size_t index, Visit&& visit) {
    static_assert(kFieldCount<Table> <= detail::kMaxFields);
    detail::switch_index<detail::InSection<Table, S>>(index, visit);
}

/// Calls `visit` with `index` (below the table's size) as an integral_constant.
template <class Table, class Visit>
[[gnu::always_inline]] inline void visit_index(std::size_t index, Visit&& visit) {
    static_assert(kFieldCount<Table> <= detail::kMaxFields);
    detail::switch_index<detail::AnyField<Table>>(index, visit);
}

/// Points each SQS message's message_attributes at its entries in batch.sqs_attributes, once that
/// has stopped growing. The decoders append the entries in message order and, while they still
/// may move, leave each message's span the right size (only the size is read here).
inline void point_sqs_attribute_spans(DecodedBatch& batch) {
    const std::span<const SqsMessageAttribute> all(batch.sqs_attributes);
    std::size_t next = 0;
    for (SqsMessageFields& message : batch.sqs) {
        const std::size_t size = message.message_attributes.size();
        message.message_attributes = all.subspan(next, size);
        next += size;
    }
}

/// The source named by an eventSource value, or nullopt for any other value.
constexpr std::optional<Source> source_of(std::string_view event_source) {
    for (const Source source : {Source::kKinesis, Source::kSqs, Source::kDynamoDb}) {
        if (event_source == event_source_value(source))
            return source;
    }
    return std::nullopt;
}

/// A record of `source`, as messages name it: "a Kinesis record", "an SQS message".
constexpr std::string_view record_noun(Source source) {
    switch (source) {
        case Source::kKinesis:
            return "a Kinesis record";
        case Source::kSqs:
            return "an SQS message";
        case Source::kDynamoDb:
            return "a DynamoDB stream record";
    }
    return "a record";
}

}  // namespace kbatch::fields
