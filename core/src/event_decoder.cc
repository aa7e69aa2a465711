#include "event_decoder.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

#include "base64.h"
#include "cpu_support.h"
#include "lambda_form_decoder.h"
#include "sequence_number.h"
#include "text_scan.h"

namespace kbatch {

namespace ondemand = simdjson::ondemand;

struct EventDecoder::Parser {
    ondemand::parser parser;
};

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
// A defect message quotes at most this much of the offending value.
constexpr std::size_t kMaxQuotedChars = 40;

std::string_view describe(ondemand::json_type type) {
    switch (type) {
        case ondemand::json_type::array:
            return "an array";
        case ondemand::json_type::object:
            return "an object";
        case ondemand::json_type::number:
            return "a number";
        case ondemand::json_type::string:
            return "a string";
        case ondemand::json_type::boolean:
            return "a boolean";
        case ondemand::json_type::null:
            return "null";
    }
    return "an unknown value";
}

// JSON nested deeper than this is refused: nothing in a Kinesis event comes close, and the
// validation of skipped values recurses.
constexpr int kMaxDepth = 256;
constexpr std::size_t kNotARecord = static_cast<std::size_t>(-1);

// Names a place in the event for messages: "the event", "Records", "Records[3]",
// "Records[3].kinesis.data". Formatted only when an error is reported, so the happy path builds
// no strings.
struct Place {
    std::size_t index = kNotARecord;
    std::string_view section;  // "" for a record's own fields, "kinesis." inside its kinesis object
    std::string_view key;

    std::string str() const {
        if (index == kNotARecord)
            return key.empty() ? std::string("the event") : std::string(key);
        if (section.empty() && key.empty())
            return fmt::format("Records[{}]", index);
        return fmt::format("Records[{}].{}{}", index, section, key);
    }
};

// A key's raw JSON text, between its quotes, escapes not resolved. Found from where its value
// starts, with no scan of the key: between the two are only the closing quote, the colon and
// spaces, which simdjson has checked when it gave out the field.
[[gnu::always_inline]] inline std::string_view raw_key(ondemand::field& field) {
    const char* const start = field.key().raw();
    const char* end = field.value().raw_json_token().data();
    while (*end != ':')
        --end;
    while (*end != '"')
        --end;
    return {start, static_cast<std::size_t>(end - start)};
}

// Resolves the escapes of a key that has any (which also checks them: a bad escape is invalid
// JSON). A raw key without a backslash is already its text: JSON strings without escapes are
// verbatim. The names the walk looks for have no escapes, so the callers compare raw keys first
// and come here only for a key that is none of them: unescaping every key into simdjson's string
// buffer took half the decode time of an event of small records.
// Takes and returns the key by value: a key kept in memory for a reference made the hot loops
// copy it with a wide load right after two narrow stores, a store-forwarding stall per field.
simdjson::simdjson_result<std::string_view> unescape_key(ondemand::field& field,
                                                         std::string_view key) {
    if (!has_backslash(key))
        return key;
    return field.unescaped_key();
}

// Compares with a name whose length is known at compile time, so the comparison is inlined.
template <std::size_t N>
[[gnu::always_inline]] inline bool is(std::string_view key, const char (&name)[N]) {
    return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
}

// The fields the walk reads, by key.
enum class EventKey { kOther, kRecords };
enum class RecordKey {
    kOther,
    kKinesis,
    kEventId,
    kEventName,
    kEventSource,
    kEventSourceArn,
    kEventVersion,
    kInvokeIdentityArn,
    kAwsRegion,
};
enum class KinesisKey {
    kOther,
    kSequenceNumber,
    kPartitionKey,
    kData,
    kApproximateArrivalTimestamp,
    kEncryptionType,
    kKinesisSchemaVersion,
};

EventKey event_key(std::string_view key) {
    return is(key, "Records") ? EventKey::kRecords : EventKey::kOther;
}

[[gnu::always_inline]] inline RecordKey record_key(std::string_view key) {
    switch (key.size()) {  // one comparison of text per key
        case 7:
            return is(key, "kinesis")   ? RecordKey::kKinesis
                   : is(key, "eventID") ? RecordKey::kEventId
                                        : RecordKey::kOther;
        case 9:
            return is(key, "eventName")   ? RecordKey::kEventName
                   : is(key, "awsRegion") ? RecordKey::kAwsRegion
                                          : RecordKey::kOther;
        case 11:
            return is(key, "eventSource") ? RecordKey::kEventSource : RecordKey::kOther;
        case 12:
            return is(key, "eventVersion") ? RecordKey::kEventVersion : RecordKey::kOther;
        case 14:
            return is(key, "eventSourceARN") ? RecordKey::kEventSourceArn : RecordKey::kOther;
        case 17:
            return is(key, "invokeIdentityArn") ? RecordKey::kInvokeIdentityArn : RecordKey::kOther;
        default:
            return RecordKey::kOther;
    }
}

[[gnu::always_inline]] inline KinesisKey kinesis_key(std::string_view key) {
    switch (key.size()) {
        case 4:
            return is(key, "data") ? KinesisKey::kData : KinesisKey::kOther;
        case 12:
            return is(key, "partitionKey") ? KinesisKey::kPartitionKey : KinesisKey::kOther;
        case 14:
            return is(key, "sequenceNumber")   ? KinesisKey::kSequenceNumber
                   : is(key, "encryptionType") ? KinesisKey::kEncryptionType
                                               : KinesisKey::kOther;
        case 20:
            return is(key, "kinesisSchemaVersion") ? KinesisKey::kKinesisSchemaVersion
                                                   : KinesisKey::kOther;
        case 27:
            return is(key, "approximateArrivalTimestamp") ? KinesisKey::kApproximateArrivalTimestamp
                                                          : KinesisKey::kOther;
        default:
            return KinesisKey::kOther;
    }
}

// A key's bit in the set of keys a record has given (EventWalker::walk_record).
template <typename Key>
constexpr unsigned bit_of(Key key) {
    return 1u << static_cast<unsigned>(key);
}

// Whether `key` appears in its record for the first time, adding it to `seen`. Called with a
// constant `key` in each case of the walk's switch, where it is a test and an or: one test before
// the switch needs the key's number, which the switch otherwise never computes (each branch of
// record_key() jumps straight to its case), and it cost the walk half again as many added
// instructions.
template <typename Key>
[[gnu::always_inline]] inline bool first_time(unsigned& seen, Key key) {
    const bool first = (seen & bit_of(key)) == 0;
    seen |= bit_of(key);
    return first;
}

// The text between the quotes of a string value, as it is in the event buffer (escapes not
// resolved), or empty when the value cannot be a well-formed string (the caller then falls back
// to simdjson, which reports the error). `value` must have been seen to start with a quote; it is
// not consumed.
[[gnu::always_inline]] inline std::string_view raw_string_body(ondemand::value& value) {
    // The raw token runs up to the next token: drop the spaces after the closing quote.
    std::string_view token = value.raw_json_token();
    while (token.size() > 1 && token.back() != '"')
        token.remove_suffix(1);
    if (token.size() < 2)
        return {};
    return token.substr(1, token.size() - 2);
}

// Reads a string value, unescaped. Without escapes (the usual case) the result is a view of the
// event buffer itself, which the caller keeps unchanged while the batch is in use; with escapes, a
// view of simdjson's unescaped copy in the parser's string buffer, valid until the next parse.
// Either lives as long as the batch. Only a string with escapes needs checking (an invalid escape
// is invalid JSON): simdjson's first pass has checked the rest (UTF-8, no raw control
// characters, closing quote). `value` must start with a quote.
[[gnu::always_inline]] inline simdjson::error_code read_string_value(ondemand::value& value,
                                                                     std::string_view& out) {
    const std::string_view body = raw_string_body(value);
    if (body.data() == nullptr || has_backslash(body))
        return value.get_string().get(out);
    out = body;
    ondemand::raw_json_string consumed;
    return value.get_raw_json_string().get(consumed);
}

// The usual case of a string field, inline in the walk: a string without escapes, taken as the
// view of the event text that it is. False for anything else, which read_string() then reads
// (and reports, if it is wrong).
[[gnu::always_inline]] inline bool read_plain_string(ondemand::value& value,
                                                     std::string_view& out) {
    if (!value.raw_json_token().starts_with('"'))
        return false;
    const std::string_view body = raw_string_body(value);
    if (body.data() == nullptr || has_backslash(body))
        return false;
    ondemand::raw_json_string consumed;
    if (value.get_raw_json_string().get(consumed) != simdjson::SUCCESS)
        return false;
    out = body;
    return true;
}

// What a well-formed JSON number is when simdjson's get_double() refuses it.
enum class UnreadNumber { kZero, kOutOfRange, kMalformed };

// simdjson refuses both a malformed number ("1.", "01", "1e") and a well-formed one whose double
// would be infinite (1e309, -1e309, 1.7976931348623159e308) or whose exponent has too many digits
// for it to read (1e-99999999999999999999). The first is invalid JSON, the rest valid JSON with a
// value no double holds, and an event must not be refused as invalid for one of those in a field
// that only one record needs. So the number's text (`token`: raw, spaces after it allowed) is
// checked against JSON's grammar here, and a well-formed number is judged by its magnitude:
// zero, or below every double (it rounds to zero, as simdjson rounds 1e-400), is kZero with
// `*zero` the zero of its sign; anything else is kOutOfRange (simdjson reads every other finite
// value, however many digits it has).
UnreadNumber judge_unread_number(std::string_view token, double* zero) {
    while (!token.empty() && is_json_space(token.back()))
        token.remove_suffix(1);
    const std::size_t size = token.size();
    const auto digits_end = [&token, size](std::size_t at) {
        while (at < size && token[at] >= '0' && token[at] <= '9')
            ++at;
        return at;
    };
    std::size_t at = 0;
    const bool negative = size > 0 && token[0] == '-';
    at += negative ? 1 : 0;
    const std::size_t int_begin = at, int_end = digits_end(at);
    if (int_end == int_begin || (token[int_begin] == '0' && int_end - int_begin > 1))
        return UnreadNumber::kMalformed;
    std::size_t fraction_begin = int_end, fraction_end = int_end;
    at = int_end;
    if (at < size && token[at] == '.') {
        fraction_begin = at + 1;
        fraction_end = digits_end(fraction_begin);
        if (fraction_end == fraction_begin)
            return UnreadNumber::kMalformed;
        at = fraction_end;
    }
    // Saturated: a larger exponent changes nothing below, and the sums cannot overflow.
    constexpr std::int64_t kExponentCap = 1'000'000'000'000;
    std::int64_t exponent = 0;
    if (at < size && (token[at] == 'e' || token[at] == 'E')) {
        ++at;
        const bool exponent_negative = at < size && token[at] == '-';
        if (at < size && (token[at] == '-' || token[at] == '+'))
            ++at;
        const std::size_t exponent_end = digits_end(at);
        if (exponent_end == at)
            return UnreadNumber::kMalformed;
        for (; at < exponent_end; ++at)
            exponent = std::min(exponent * 10 + (token[at] - '0'), kExponentCap);
        exponent = exponent_negative ? -exponent : exponent;
    }
    if (at != size)
        return UnreadNumber::kMalformed;
    // The power of ten of the first significant digit: the number is d.ddd... times 10^that.
    std::optional<std::int64_t> magnitude;
    for (std::size_t i = int_begin; i < int_end && !magnitude; ++i) {
        if (token[i] != '0')
            magnitude = static_cast<std::int64_t>(int_end - 1 - i) + exponent;
    }
    for (std::size_t i = fraction_begin; i < fraction_end && !magnitude; ++i) {
        if (token[i] != '0')
            magnitude = exponent - static_cast<std::int64_t>(i - fraction_begin + 1);
    }
    // Below 10^-324 is below half the smallest double (4.9e-324): it rounds to zero.
    if (!magnitude || *magnitude < -324) {
        *zero = negative ? -0.0 : 0.0;
        return UnreadNumber::kZero;
    }
    return UnreadNumber::kOutOfRange;
}

// A value's raw text, for a document (an event that is a scalar) as for a value.
std::string_view raw_token(ondemand::value& value) {
    return value.raw_json_token();
}
std::string_view raw_token(ondemand::document& doc) {
    std::string_view token;
    if (doc.raw_json_token().get(token) != simdjson::SUCCESS)
        return {};
    return token;
}

// read_double() for a number simdjson refused (`error`): as judge_unread_number() finds it.
// Apart from read_double, which runs on every timestamp, so that it stays small enough to inline.
[[gnu::noinline]] simdjson::error_code judge_refused_number(std::string_view token,
                                                            simdjson::error_code error, double* out,
                                                            bool* out_of_range) {
    switch (judge_unread_number(token, out)) {
        case UnreadNumber::kZero:
            break;
        case UnreadNumber::kOutOfRange:
            *out_of_range = true;
            break;
        case UnreadNumber::kMalformed:
            return error;
    }
    // simdjson leaves a number it refuses where it is; the walk skips it as an unread value.
    return simdjson::SUCCESS;
}

// Reads a number as get_double() does, but tells a valid number that no double holds (SUCCESS
// with `*out_of_range` set) from a malformed one (simdjson's error). `Value` is a value or a
// document.
template <typename Value>
[[gnu::always_inline]] inline simdjson::error_code read_double(Value& value, double* out,
                                                               bool* out_of_range) {
    *out_of_range = false;
    const simdjson::error_code error = value.get_double().get(*out);
    if (error == simdjson::SUCCESS) [[likely]]
        return error;
    return judge_refused_number(raw_token(value), error, out, out_of_range);
}

// Walks one parsed document and fills a DecodedBatch. Errors that make the event unusable return
// a non-OK Status; a record's own problems become its defect and the walk goes on.
//
// simdjson's on-demand parser checks a value only when it is read. So every value the walk does
// not read (unknown fields, a value of the wrong type) is still checked by validate(): an event
// with invalid JSON anywhere is refused as a whole, never half-accepted.
class EventWalker {
  public:
    EventWalker(ondemand::document& doc, const char* input, std::byte* arena, DecodedBatch& batch)
        : doc_(doc), input_(input), arena_(arena), batch_(batch) {}

    Status walk_event() {
        const Place event_place;
        ondemand::json_type type;
        if (auto error = doc_.type().get(type))
            return invalid_json(error, event_place);
        if (type != ondemand::json_type::object) {
            if (Status status = validate_document_scalar(type); !status.is_ok())
                return status;
            return invalid_event(
                fmt::format("the event: expected an object, got {}", describe(type)));
        }
        ondemand::object event;
        if (auto error = doc_.get_object().get(event))
            return invalid_json(error, event_place);
        bool seen_records = false;
        for (auto field_result : event) {
            if (auto error = field_result.error())
                return invalid_json(error, event_place);
            // Used where it is: a copy of the field costs more than reading it.
            ondemand::field& field = field_result.value_unsafe();
            std::string_view key = raw_key(field);
            EventKey which = event_key(key);
            if (which == EventKey::kOther) {
                auto unescaped = unescape_key(field, key);
                if (auto error = unescaped.error())
                    return invalid_json(error, event_place);
                key = unescaped.value_unsafe();
                which = event_key(key);
            }
            ondemand::value& value = field.value();
            if (which != EventKey::kRecords) {
                // Time-window fields and the like are not ours, but must be valid JSON.
                if (Status status = validate(value, Place{kNotARecord, "", key}, 1);
                    !status.is_ok()) {
                    return status;
                }
                continue;
            }
            if (seen_records)
                return invalid_event("Records: appears more than once");
            seen_records = true;
            if (Status status = walk_records(value); !status.is_ok())
                return status;
        }
        if (!seen_records)
            return invalid_event("Records: missing");
        // simdjson's on-demand walk stops after the event's closing brace; anything after it is
        // still there for the asking.
        const char* trailing = nullptr;
        if (doc_.current_location().get(trailing) == simdjson::SUCCESS) {
            return invalid_event(fmt::format(
                "invalid JSON: unexpected content after the event at byte {}", trailing - input_));
        }
        return Status::ok();
    }

  private:
    Status walk_records(ondemand::value& value) {
        const Place records_place{kNotARecord, "", "Records"};
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, records_place);
        if (type != ondemand::json_type::array) {
            return wrong_type_of_event(value, records_place, type, "an array");
        }
        ondemand::array records;
        if (auto error = value.get_array().get(records))
            return invalid_json(error, records_place);
        std::size_t index = 0;
        for (auto record_result : records) {
            if (index == kMaxRecords) {
                return invalid_event(
                    fmt::format("Records: more than {} records, the most Lambda puts in one batch",
                                kMaxRecords));
            }
            if (auto error = record_result.error())
                return invalid_json(error, Place{index, "", ""});
            // simdjson's values are used where they are and passed by reference throughout:
            // copying one right after simdjson wrote it stalls on store forwarding.
            ondemand::value& record = record_result.value_unsafe();
            if (Status status = walk_record(record, index); !status.is_ok())
                return status;
            ++index;
        }
        return Status::ok();
    }

    // A key that the walk reads appears twice inside a record. RFC 8259 leaves the meaning of
    // duplicate names open, and taking the last value silently (as simdjson's walk would) lets
    // the record be half one thing, half another: an eventID that contradicts the sequence
    // number. So it is a defect of that record, which then fails without reaching the plugin;
    // the first value stays (it is not used, except for the sequence number). Keys the walk
    // does not read may repeat: their values are ignored anyway. (A second "Records" is a fault
    // of the event's structure and fails the invocation: walk_event.)
    [[gnu::cold, gnu::noinline]] static void note_duplicate(std::string& defect,
                                                            const Place& object,
                                                            std::string_view key) {
        note(defect, object, fmt::format("duplicate key {}", quote(key)));
    }

    Status walk_record(ondemand::value& value, std::size_t index) {
        const Place record_place{index, "", ""};
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, record_place);
        if (type != ondemand::json_type::object) {
            return wrong_type_of_event(value, record_place, type, "an object");
        }
        ondemand::object record;
        if (auto error = value.get_object().get(record))
            return invalid_json(error, record_place);
        KinesisRecordFields fields;
        std::string defect;
        unsigned seen = 0;          // bit_of() each RecordKey given
        unsigned seen_kinesis = 0;  // bit_of() each KinesisKey given, in any kinesis object
        for (auto field_result : record) {
            if (auto error = field_result.error())
                return invalid_json(error, record_place);
            // Used where it is: a copy of the field costs more than reading it.
            ondemand::field& field = field_result.value_unsafe();
            std::string_view key = raw_key(field);
            RecordKey which = record_key(key);
            if (which == RecordKey::kOther) {
                auto unescaped = unescape_key(field, key);
                if (auto error = unescaped.error())
                    return invalid_json(error, record_place);
                key = unescaped.value_unsafe();
                which = record_key(key);
            }
            const Place place{index, "", key};
            ondemand::value& field_value = field.value();
            std::string_view* target = nullptr;  // stays null for a key given again
            switch (which) {
                case RecordKey::kKinesis: {
                    // A second kinesis object is walked too: it must be an object, and if it
                    // gives the sequence number again, that one must agree (walk_kinesis).
                    if (!first_time(seen, RecordKey::kKinesis)) [[unlikely]]
                        note_duplicate(defect, record_place, key);
                    Status status = walk_kinesis(field_value, index, fields, seen_kinesis, defect);
                    if (!status.is_ok())
                        return status;
                    continue;
                }
                case RecordKey::kEventId:
                    if (first_time(seen, RecordKey::kEventId))
                        target = &fields.event_id;
                    break;
                case RecordKey::kEventName:
                    if (first_time(seen, RecordKey::kEventName))
                        target = &fields.event_name;
                    break;
                case RecordKey::kEventSource:
                    if (first_time(seen, RecordKey::kEventSource))
                        target = &fields.event_source;
                    break;
                case RecordKey::kEventSourceArn:
                    if (first_time(seen, RecordKey::kEventSourceArn))
                        target = &fields.event_source_arn;
                    break;
                case RecordKey::kEventVersion:
                    if (first_time(seen, RecordKey::kEventVersion))
                        target = &fields.event_version;
                    break;
                case RecordKey::kInvokeIdentityArn:
                    if (first_time(seen, RecordKey::kInvokeIdentityArn))
                        target = &fields.invoke_identity_arn;
                    break;
                case RecordKey::kAwsRegion:
                    if (first_time(seen, RecordKey::kAwsRegion))
                        target = &fields.aws_region;
                    break;
                case RecordKey::kOther:
                    if (Status status = validate(field_value, place, 2); !status.is_ok())
                        return status;
                    continue;  // unknown fields are ignored
            }
            if (target == nullptr) [[unlikely]] {
                note_duplicate(defect, record_place, key);
                if (Status status = validate(field_value, place, 2); !status.is_ok())
                    return status;
                continue;
            }
            if (read_plain_string(field_value, *target))
                continue;
            Status status = read_string(field_value, place, target, defect);
            if (!status.is_ok())
                return status;
        }
        if ((seen & bit_of(RecordKey::kKinesis)) == 0)
            return invalid_event(missing_kinesis(index, fields.event_source));
        batch_.kinesis.emplace_back(fields);
        if (!defect.empty())
            batch_.defects.push_back(RecordDefect{index, std::move(defect)});
        return Status::ok();
    }

    // Walks a record's kinesis object. `seen_in_record` has the bit_of() each KinesisKey that the
    // record has given already (a record may have two kinesis objects, a defect, and then the
    // second's keys repeat the first's).
    Status walk_kinesis(ondemand::value& value, std::size_t index, KinesisRecordFields& fields,
                        unsigned& seen_in_record, std::string& defect) {
        const Place kinesis_place{index, "", "kinesis"};
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, kinesis_place);
        if (type != ondemand::json_type::object) {
            return wrong_type_of_event(value, kinesis_place, type, "an object");
        }
        ondemand::object kinesis;
        if (auto error = value.get_object().get(kinesis))
            return invalid_json(error, kinesis_place);
        unsigned seen = seen_in_record;  // a local: the calls below cannot change it
        for (auto field_result : kinesis) {
            if (auto error = field_result.error())
                return invalid_json(error, kinesis_place);
            // Used where it is: a copy of the field costs more than reading it.
            ondemand::field& field = field_result.value_unsafe();
            std::string_view key = raw_key(field);
            KinesisKey which = kinesis_key(key);
            if (which == KinesisKey::kOther) {
                auto unescaped = unescape_key(field, key);
                if (auto error = unescaped.error())
                    return invalid_json(error, kinesis_place);
                key = unescaped.value_unsafe();
                which = kinesis_key(key);
            }
            const Place place{index, "kinesis.", key};
            ondemand::value& field_value = field.value();
            Status status = Status::ok();
            switch (which) {
                case KinesisKey::kSequenceNumber:
                    if (!first_time(seen, KinesisKey::kSequenceNumber)) [[unlikely]] {
                        status = repeated_kinesis_field(which, field_value, place, fields, defect);
                    } else if (!read_plain_string(field_value, fields.sequence_number)) {
                        status = read_string(field_value, place, &fields.sequence_number, defect);
                    }
                    break;
                case KinesisKey::kPartitionKey:
                    if (!first_time(seen, KinesisKey::kPartitionKey)) [[unlikely]] {
                        status = repeated_kinesis_field(which, field_value, place, fields, defect);
                    } else if (!read_plain_string(field_value, fields.partition_key)) {
                        status = read_string(field_value, place, &fields.partition_key, defect);
                    }
                    break;
                case KinesisKey::kData:
                    if (!first_time(seen, KinesisKey::kData)) [[unlikely]] {
                        status = repeated_kinesis_field(which, field_value, place, fields, defect);
                    } else {
                        status = read_data(field_value, place, &fields.data, defect);
                    }
                    break;
                case KinesisKey::kApproximateArrivalTimestamp:
                    if (!first_time(seen, KinesisKey::kApproximateArrivalTimestamp)) [[unlikely]] {
                        status = repeated_kinesis_field(which, field_value, place, fields, defect);
                    } else {
                        status =
                            read_number(field_value, place, &fields.approximate_arrival, defect);
                    }
                    break;
                case KinesisKey::kEncryptionType:
                    if (!first_time(seen, KinesisKey::kEncryptionType)) [[unlikely]] {
                        status = repeated_kinesis_field(which, field_value, place, fields, defect);
                    } else {
                        status = read_string(field_value, place, &fields.encryption_type, defect);
                    }
                    break;
                case KinesisKey::kKinesisSchemaVersion:
                    if (!first_time(seen, KinesisKey::kKinesisSchemaVersion)) [[unlikely]] {
                        status = repeated_kinesis_field(which, field_value, place, fields, defect);
                    } else {
                        status =
                            read_string(field_value, place, &fields.kinesis_schema_version, defect);
                    }
                    break;
                case KinesisKey::kOther:
                    status = validate(field_value, place, 3);
                    break;
            }
            if (!status.is_ok())
                return status;
        }
        seen_in_record = seen;
        const auto has = [seen](KinesisKey key) { return (seen & bit_of(key)) != 0; };
        if (!has(KinesisKey::kSequenceNumber))
            note(defect, Place{index, "kinesis.", "sequenceNumber"}, "missing");
        if (!has(KinesisKey::kPartitionKey))
            note(defect, Place{index, "kinesis.", "partitionKey"}, "missing");
        if (!has(KinesisKey::kData))
            note(defect, Place{index, "kinesis.", "data"}, "missing");
        if (has(KinesisKey::kSequenceNumber) && defect.empty() &&
            !is_sequence_number(fields.sequence_number)) {
            note(defect, Place{index, "kinesis.", "sequenceNumber"},
                 fmt::format("not a sequence number (1 to {} decimal digits): {}",
                             kMaxSequenceNumberDigits, quote(fields.sequence_number)));
        }
        return Status::ok();
    }

    // A key of the kinesis object given again in the record (`place` names it): noted, and its
    // value checked. Out of the walk's way: it runs on defective records only.
    [[gnu::cold, gnu::noinline]] Status repeated_kinesis_field(KinesisKey which,
                                                               ondemand::value& value,
                                                               const Place& place,
                                                               KinesisRecordFields& fields,
                                                               std::string& defect) {
        note_duplicate(defect, Place{place.index, "", "kinesis"}, place.key);
        if (which == KinesisKey::kSequenceNumber)
            return check_repeated_sequence_number(value, place, fields, defect);
        return validate(value, place, 3);
    }

    // A record gives its sequence number twice (the duplicate has been noted). The record fails,
    // and a failed record is reported by its sequence number, which Lambda checkpoints at.
    // When both say the same number (after unescaping) it is unambiguous and the record is
    // reported by it like any other defect. When they differ, either may be the wrong one:
    // reporting one could name another record of the batch, or a number past this record's,
    // and Lambda would then take unprocessed records for done. So the record is left without a
    // sequence number, and run_batch fails the invocation with Kbatch.UnidentifiableFailure:
    // Lambda retries the whole batch, as it would on an identifier it does not know. The same
    // holds for a sequence number that is null or not a string the second time.
    [[gnu::cold, gnu::noinline]] Status check_repeated_sequence_number(ondemand::value& value,
                                                                       const Place& place,
                                                                       KinesisRecordFields& fields,
                                                                       std::string& defect) {
        // A value that is not a string leaves `again` empty, which no usable number equals (and
        // a defect of its type is not noted: the duplicate, noted first, is the record's).
        std::string_view again;
        if (!read_plain_string(value, again)) {
            if (Status status = read_string(value, place, &again, defect); !status.is_ok())
                return status;
        }
        if (again != fields.sequence_number) {
            fields.sequence_number = {};
            // Replaces any defect noted before: this one decides what happens to the batch.
            defect = fmt::format("Records[{}].kinesis: duplicate key {} with different values",
                                 place.index, quote(place.key));
        }
        return Status::ok();
    }

    // Reads a string. null counts as absent. Another type is a defect of the record; a malformed
    // value is invalid JSON.
    Status read_string(ondemand::value& value, const Place& place, std::string_view* out,
                       std::string& defect) {
        // The usual case first, known from the value's first byte without asking simdjson for
        // its type.
        if (value.raw_json_token().starts_with('"')) {
            if (auto error = read_string_value(value, *out))
                return invalid_json(error, place);
            return Status::ok();
        }
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, place);
        if (type == ondemand::json_type::string) {
            if (auto error = read_string_value(value, *out))
                return invalid_json(error, place);
            return Status::ok();
        }
        if (Status status = validate(value, place, 3); !status.is_ok())
            return status;
        if (type == ondemand::json_type::null) {
            *out = {};
        } else {
            note(defect, place, fmt::format("expected a string, got {}", describe(type)));
        }
        return Status::ok();
    }

    // Reads a number (integer, decimal or with an exponent). null counts as absent. A number
    // beyond a double's range is a defect of the record, as the same number written as a string
    // is: valid JSON that this record alone has wrong (one too small for a double is zero).
    Status read_number(ondemand::value& value, const Place& place, double* out,
                       std::string& defect) {
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, place);
        if (type == ondemand::json_type::number) {
            double number = 0;
            bool out_of_range = false;
            if (auto error = read_double(value, &number, &out_of_range))
                return invalid_json(error, place);
            if (out_of_range) {
                note(defect, place, fmt::format("{} is out of range", quote_number(value)));
            } else {
                *out = number;
            }
            return Status::ok();
        }
        if (Status status = validate(value, place, 3); !status.is_ok())
            return status;
        if (type != ondemand::json_type::null) {
            note(defect, place, fmt::format("expected a number, got {}", describe(type)));
        }
        return Status::ok();
    }

    // Decodes the base64 text into the arena. Base64 has no character JSON must escape, so the
    // text is decoded straight from the event buffer, never copied; only text that base64 refuses
    // and that has an escape in it (some writers send "\/" for '/') is unescaped and decoded again.
    Status read_data(ondemand::value& value, const Place& place, std::span<const std::byte>* out,
                     std::string& defect) {
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, place);
        if (type != ondemand::json_type::string) {
            if (Status status = validate(value, place, 3); !status.is_ok())
                return status;
            note(defect, place, fmt::format("expected a string, got {}", describe(type)));
            return Status::ok();
        }
        std::optional<Base64Error> error;
        // The arena holds as many bytes as the event, and base64 decodes to fewer bytes than its
        // JSON text takes, so the writes below always fit.
        const std::string_view raw = raw_string_body(value);
        std::size_t size = 0;
        if (raw.data() != nullptr)
            size = base64_decode(raw, arena_, &error);
        if (raw.data() == nullptr || (error && has_backslash(raw))) {
            std::string_view encoded;
            if (auto json_error = value.get_string().get(encoded))
                return invalid_json(json_error, place);
            error.reset();
            size = base64_decode(encoded, arena_, &error);
        } else {
            ondemand::raw_json_string consumed;
            if (auto json_error = value.get_raw_json_string().get(consumed))
                return invalid_json(json_error, place);
        }
        if (error) {
            note(defect, place,
                 fmt::format("not valid base64: {} at offset {}", error->what, error->offset));
            return Status::ok();
        }
        *out = std::span<const std::byte>(arena_, size);
        arena_ += size;
        return Status::ok();
    }

    // Checks that a value the walk does not use is valid JSON, reading every part of it.
    Status validate(ondemand::value& value, const Place& place, int depth) {
        if (depth > kMaxDepth) {
            return invalid_event(fmt::format("invalid JSON in {}: nested deeper than {} levels",
                                             place.str(), kMaxDepth));
        }
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, place);
        simdjson::error_code error = simdjson::SUCCESS;
        switch (type) {
            case ondemand::json_type::object: {
                ondemand::object object;
                if ((error = value.get_object().get(object)))
                    break;
                for (auto field_result : object) {
                    if ((error = field_result.error()))
                        break;
                    ondemand::field& field = field_result.value_unsafe();
                    // Only the escapes need checking; the key itself is of no use here.
                    std::string_view key = raw_key(field);
                    if ((error = unescape_key(field, key).error()))
                        break;
                    ondemand::value& field_value = field.value();
                    if (Status status = validate(field_value, place, depth + 1); !status.is_ok()) {
                        return status;
                    }
                }
                break;
            }
            case ondemand::json_type::array: {
                ondemand::array array;
                if ((error = value.get_array().get(array)))
                    break;
                for (auto element_result : array) {
                    ondemand::value element;
                    if ((error = std::move(element_result).get(element)))
                        break;
                    if (Status status = validate(element, place, depth + 1); !status.is_ok()) {
                        return status;
                    }
                }
                break;
            }
            case ondemand::json_type::string: {
                std::string_view text;
                error = read_string_value(value, text);
                break;
            }
            case ondemand::json_type::number: {
                double number = 0;
                bool out_of_range = false;  // valid JSON all the same
                error = read_double(value, &number, &out_of_range);
                break;
            }
            case ondemand::json_type::boolean: {
                bool flag = false;
                error = value.get_bool().get(flag);
                break;
            }
            case ondemand::json_type::null: {
                bool is_null = false;
                error = value.is_null().get(is_null);
                if (!error && !is_null)
                    error = simdjson::N_ATOM_ERROR;
                break;
            }
        }
        if (error)
            return invalid_json(error, place);
        return Status::ok();
    }

    // The same for a whole document that is a scalar (an event that is not an object).
    Status validate_document_scalar(ondemand::json_type type) {
        simdjson::error_code error = simdjson::SUCCESS;
        if (type == ondemand::json_type::null) {
            bool is_null = false;
            error = doc_.is_null().get(is_null);
            if (!error && !is_null)
                error = simdjson::N_ATOM_ERROR;
        } else if (type == ondemand::json_type::boolean) {
            bool flag = false;
            error = doc_.get_bool().get(flag);
        } else if (type == ondemand::json_type::number) {
            double number = 0;
            bool out_of_range = false;
            error = read_double(doc_, &number, &out_of_range);
        } else if (type == ondemand::json_type::string) {
            std::string_view text;
            error = doc_.get_string().get(text);
        }
        if (error)
            return invalid_json(error, Place{});
        return Status::ok();
    }

    // A part of the event's structure has the wrong type: the event cannot be processed. The
    // value is checked first, so that malformed JSON is called that, not a wrong type.
    Status wrong_type_of_event(ondemand::value& value, const Place& place, ondemand::json_type type,
                               std::string_view expected) {
        if (Status status = validate(value, place, 1); !status.is_ok())
            return status;
        return invalid_event(
            fmt::format("{}: expected {}, got {}", place.str(), expected, describe(type)));
    }

    // Keeps the first defect of a record: it is the one the user fixes first.
    static void note(std::string& defect, const Place& place, std::string_view what) {
        if (defect.empty())
            defect = fmt::format("{}: {}", place.str(), what);
    }

    // A record without a kinesis object: say what it is when its eventSource says so. An SQS or
    // DynamoDB event sent to a Kinesis function would otherwise read "kinesis: missing", which
    // hides that the whole event is of another source.
    static std::string missing_kinesis(std::size_t index, std::string_view event_source) {
        constexpr std::string_view kOnlyKinesis = "this kbatch host handles Kinesis events only";
        if (event_source.empty() || event_source == "aws:kinesis")
            return fmt::format("Records[{}].kinesis: missing", index);
        if (event_source == "aws:sqs") {
            return fmt::format(
                "Records[{}] is an SQS message (eventSource \"aws:sqs\"), not a "
                "Kinesis record: {}",
                index, kOnlyKinesis);
        }
        if (event_source == "aws:dynamodb") {
            return fmt::format(
                "Records[{}] is a DynamoDB stream record (eventSource "
                "\"aws:dynamodb\"), not a Kinesis record: {}",
                index, kOnlyKinesis);
        }
        return fmt::format("Records[{}] has eventSource {} and no kinesis object: {}", index,
                           quote(event_source), kOnlyKinesis);
    }

    static std::string quote(std::string_view text) {
        if (text.size() <= kMaxQuotedChars)
            return fmt::format("{:?}", text);
        return fmt::format("{:?}...", text.substr(0, kMaxQuotedChars));
    }

    // A number's text as written (it has no character to escape), cut as quote() cuts a string.
    static std::string quote_number(ondemand::value& value) {
        std::string_view text = value.raw_json_token();
        while (!text.empty() && is_json_space(text.back()))
            text.remove_suffix(1);
        if (text.size() <= kMaxQuotedChars)
            return std::string(text);
        return fmt::format("{}...", text.substr(0, kMaxQuotedChars));
    }

    Status invalid_json(simdjson::error_code error, const Place& place) {
        const char* location = nullptr;
        if (!doc_.current_location().get(location)) {
            return invalid_event(fmt::format("invalid JSON in {} near byte {}: {}", place.str(),
                                             location - input_, simdjson::error_message(error)));
        }
        return invalid_event(
            fmt::format("invalid JSON in {}: {}", place.str(), simdjson::error_message(error)));
    }

    static Status invalid_event(std::string message) {
        return Status::error(ErrorKind::kInvalidEvent, std::move(message));
    }

    ondemand::document& doc_;
    const char* input_;
    std::byte* arena_;  // next free byte
    DecodedBatch& batch_;
};

// The shape of a document's brackets, found by a plain scan. Used only to explain an error:
// simdjson reports both content after the event and excessive nesting as a broken document.
struct BracketScan {
    int max_depth = 0;
    bool unclosed = false;                // the input ends inside the first value: truncated
    std::optional<std::size_t> trailing;  // where non-space content starts after the first value
};

BracketScan scan_brackets(std::string_view json) {
    BracketScan scan;
    std::size_t at = 0;
    while (at < json.size() && is_json_space(json[at]))
        ++at;
    if (at == json.size() || (json[at] != '{' && json[at] != '['))
        return scan;
    int depth = 0;
    bool in_string = false;
    for (; at < json.size(); ++at) {
        const char c = json[at];
        if (in_string) {
            if (c == '\\') {
                ++at;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            scan.max_depth = std::max(scan.max_depth, ++depth);
        } else if ((c == '}' || c == ']') && --depth == 0) {
            break;
        }
    }
    if (at >= json.size()) {
        scan.unclosed = true;
        return scan;
    }
    for (++at; at < json.size(); ++at) {
        if (!is_json_space(json[at])) {
            scan.trailing = at;
            break;
        }
    }
    return scan;
}

}  // namespace

#define KBATCH_STRINGIFY_INNER(x) #x
#define KBATCH_STRINGIFY(x) KBATCH_STRINGIFY_INNER(x)

std::string_view decoder_implementation_name() {
    // The implementation this file was compiled for (not libsimdjson's own default).
    return KBATCH_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);
}

EventDecoder::EventDecoder(FastPath fast_path)
    : fast_path_(fast_path), parser_(std::make_unique<Parser>()) {}
EventDecoder::~EventDecoder() = default;

Status EventDecoder::decode(std::string_view event) {
    // Grow only: the buffer is reused, so steady-state batches copy without allocating.
    const std::size_t needed = event.size() + simdjson::SIMDJSON_PADDING;
    if (padded_input_.size() < needed)
        padded_input_.resize(std::max(needed, padded_input_.size() * 2));
    std::copy(event.begin(), event.end(), padded_input_.begin());
    return decode_padded(padded_input_.data(), event.size(), padded_input_.size());
}

Status EventDecoder::decode_in_place(std::string& event) {
    const std::size_t size = event.size();
    const std::size_t needed = size + simdjson::SIMDJSON_PADDING;
    if (event.capacity() < needed)
        event.reserve(needed);
    return decode_padded(event.data(), size, event.capacity());
}

Status EventDecoder::decode_padded(const char* data, std::size_t size, std::size_t capacity) {
    batch_.kinesis.clear();
    batch_.defects.clear();
    if (size > kMaxEventBytes) {
        return Status::error(
            ErrorKind::kInvalidEvent,
            fmt::format("the event is {} bytes, over Lambda's invocation limit of {}", size,
                        kMaxEventBytes));
    }
    const char* const input = data;
    if (std::string_view(data, size).starts_with(kByteOrderMark)) {
        data += kByteOrderMark.size();
        size -= kByteOrderMark.size();
        capacity -= kByteOrderMark.size();
    }
    if (arena_.size() < size)
        arena_.resize(std::max(size, arena_.size() * 2));

    static_assert(simdjson::SIMDJSON_PADDING >= kLambdaFormReadAhead);
    if (fast_path_ == FastPath::kTry &&
        decode_lambda_form(std::string_view(data, size), arena_.data(), batch_)) {
        last_path_ = Path::kLambdaForm;
        return Status::ok();
    }
    last_path_ = Path::kGeneral;
    batch_.kinesis.clear();
    batch_.defects.clear();

    // Said plainly: `curl --data-binary @missing.json` sends an empty body without a word, and
    // simdjson's "Empty: no JSON found" does not point at that.
    if (std::string_view(data, size).find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return Status::error(ErrorKind::kInvalidEvent,
                             "the event is empty: the request body is empty (was the file that "
                             "should have been sent there?)");
    }
    ondemand::document doc;
    if (auto error = parser_->parser.iterate(data, size, capacity).get(doc)) {
        return Status::error(ErrorKind::kInvalidEvent,
                             fmt::format("invalid JSON: {}", simdjson::error_message(error)));
    }
    EventWalker walker(doc, input, arena_.data(), batch_);
    Status status = walker.walk_event();
    if (!status.is_ok()) {
        const BracketScan scan = scan_brackets(std::string_view(data, size));
        if (scan.max_depth > kMaxDepth) {
            status =
                Status::error(ErrorKind::kInvalidEvent,
                              fmt::format("invalid JSON: nested deeper than {} levels", kMaxDepth));
        } else if (scan.unclosed) {
            // simdjson's location for a cut document is wherever its index ran out, often the
            // first byte; the useful fact is that the end is missing.
            status = Status::error(
                ErrorKind::kInvalidEvent,
                fmt::format("invalid JSON: the event ends at byte {} before its closing bracket "
                            "(truncated?)",
                            size + static_cast<std::size_t>(data - input)));
        } else if (scan.trailing) {
            status = Status::error(
                ErrorKind::kInvalidEvent,
                fmt::format("invalid JSON: unexpected content after the event at byte {}",
                            *scan.trailing + static_cast<std::size_t>(data - input)));
        }
        batch_.kinesis.clear();
        batch_.defects.clear();
    }
    return status;
}

}  // namespace kbatch
