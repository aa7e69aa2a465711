#include "event_decoder.h"

#include <algorithm>

#include <fmt/format.h>
#include <simdjson.h>

#include "base64.h"
#include "cpu_support.h"
#include "sequence_number.h"

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

// Names a place in the event for messages, e.g. Records[3].kinesis.data. Formatted only when an
// error is reported, so the happy path builds no strings.
struct Place {
    std::size_t index;
    std::string_view section;  // "" for a record's own fields, "kinesis." inside its kinesis object
    std::string_view key;

    std::string str() const { return fmt::format("Records[{}].{}{}", index, section, key); }
};

// Walks one parsed document and fills a DecodedBatch. Errors that make the event unusable return
// a non-OK Status; a record's own problems become its defect and the walk goes on.
class EventWalker {
  public:
    EventWalker(ondemand::document& doc, const char* input, std::byte* arena, DecodedBatch& batch)
        : doc_(doc), input_(input), arena_(arena), batch_(batch) {}

    Status walk_event() {
        ondemand::json_type type;
        if (auto error = doc_.type().get(type))
            return invalid_json(error, "the event");
        if (type != ondemand::json_type::object) {
            return invalid_event(
                fmt::format("the event: expected an object, got {}", describe(type)));
        }
        ondemand::object event;
        if (auto error = doc_.get_object().get(event))
            return invalid_json(error, "the event");
        bool seen_records = false;
        for (auto field_result : event) {
            ondemand::field field;
            std::string_view key;
            if (auto error = std::move(field_result).get(field))
                return invalid_json(error, "the event");
            if (auto error = field.unescaped_key().get(key))
                return invalid_json(error, "the event");
            if (key != "Records")
                continue;  // time-window fields and the like are not ours
            if (seen_records)
                return invalid_event("Records: appears more than once");
            seen_records = true;
            Status status = walk_records(field.value());
            if (!status.is_ok())
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
    Status walk_records(ondemand::value value) {
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, "Records");
        if (type != ondemand::json_type::array) {
            return invalid_event(fmt::format("Records: expected an array, got {}", describe(type)));
        }
        ondemand::array records;
        if (auto error = value.get_array().get(records))
            return invalid_json(error, "Records");
        std::size_t index = 0;
        for (auto record_result : records) {
            ondemand::value record;
            if (auto error = std::move(record_result).get(record)) {
                return invalid_json(error, fmt::format("Records[{}]", index));
            }
            Status status = walk_record(record, index);
            if (!status.is_ok())
                return status;
            ++index;
        }
        return Status::ok();
    }

    Status walk_record(ondemand::value value, std::size_t index) {
        ondemand::json_type type;
        if (auto error = value.type().get(type)) {
            return invalid_json(error, fmt::format("Records[{}]", index));
        }
        if (type != ondemand::json_type::object) {
            return invalid_event(
                fmt::format("Records[{}]: expected an object, got {}", index, describe(type)));
        }
        ondemand::object record;
        if (auto error = value.get_object().get(record)) {
            return invalid_json(error, fmt::format("Records[{}]", index));
        }
        KinesisRecordFields fields;
        std::string defect;
        bool seen_kinesis = false;
        for (auto field_result : record) {
            ondemand::field field;
            std::string_view key;
            if (auto error = std::move(field_result).get(field)) {
                return invalid_json(error, fmt::format("Records[{}]", index));
            }
            if (auto error = field.unescaped_key().get(key)) {
                return invalid_json(error, fmt::format("Records[{}]", index));
            }
            const Place place{index, "", key};
            std::string_view* target = nullptr;
            if (key == "kinesis") {
                seen_kinesis = true;
                Status status = walk_kinesis(field.value(), index, fields, defect);
                if (!status.is_ok())
                    return status;
                continue;
            } else if (key == "eventID") {
                target = &fields.event_id;
            } else if (key == "eventName") {
                target = &fields.event_name;
            } else if (key == "eventSource") {
                target = &fields.event_source;
            } else if (key == "eventSourceARN") {
                target = &fields.event_source_arn;
            } else if (key == "eventVersion") {
                target = &fields.event_version;
            } else if (key == "invokeIdentityArn") {
                target = &fields.invoke_identity_arn;
            } else if (key == "awsRegion") {
                target = &fields.aws_region;
            } else {
                continue;  // unknown fields are ignored
            }
            ondemand::value field_value = field.value();
            Status status = read_string(field_value, place, target, defect);
            if (!status.is_ok())
                return status;
        }
        if (!seen_kinesis) {
            return invalid_event(fmt::format("Records[{}].kinesis: missing", index));
        }
        batch_.records.emplace_back(fields);
        if (!defect.empty())
            batch_.defects.push_back(RecordDefect{index, std::move(defect)});
        return Status::ok();
    }

    Status walk_kinesis(ondemand::value value, std::size_t index, KinesisRecordFields& fields,
                        std::string& defect) {
        const Place kinesis_place{index, "", "kinesis"};
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, kinesis_place.str());
        if (type != ondemand::json_type::object) {
            return invalid_event(
                fmt::format("{}: expected an object, got {}", kinesis_place.str(), describe(type)));
        }
        ondemand::object kinesis;
        if (auto error = value.get_object().get(kinesis)) {
            return invalid_json(error, kinesis_place.str());
        }
        bool seen_sequence_number = false, seen_partition_key = false, seen_data = false;
        for (auto field_result : kinesis) {
            ondemand::field field;
            std::string_view key;
            if (auto error = std::move(field_result).get(field))
                return invalid_json(error, kinesis_place.str());
            if (auto error = field.unescaped_key().get(key)) {
                return invalid_json(error, kinesis_place.str());
            }
            const Place place{index, "kinesis.", key};
            ondemand::value field_value = field.value();
            Status status = Status::ok();
            if (key == "sequenceNumber") {
                seen_sequence_number = true;
                status = read_string(field_value, place, &fields.sequence_number, defect);
            } else if (key == "partitionKey") {
                seen_partition_key = true;
                status = read_string(field_value, place, &fields.partition_key, defect);
            } else if (key == "data") {
                seen_data = true;
                status = read_data(field_value, place, &fields.data, defect);
            } else if (key == "approximateArrivalTimestamp") {
                status = read_number(field_value, place, &fields.approximate_arrival, defect);
            } else if (key == "encryptionType") {
                status = read_string(field_value, place, &fields.encryption_type, defect);
            } else if (key == "kinesisSchemaVersion") {
                status = read_string(field_value, place, &fields.kinesis_schema_version, defect);
            }
            if (!status.is_ok())
                return status;
        }
        if (!seen_sequence_number)
            note(defect, Place{index, "kinesis.", "sequenceNumber"}, "missing");
        if (!seen_partition_key)
            note(defect, Place{index, "kinesis.", "partitionKey"}, "missing");
        if (!seen_data)
            note(defect, Place{index, "kinesis.", "data"}, "missing");
        if (seen_sequence_number && defect.empty() &&
            !is_usable_sequence_number(fields.sequence_number)) {
            note(defect, Place{index, "kinesis.", "sequenceNumber"},
                 fmt::format("not a sequence number (1 to {} decimal digits): {}",
                             kMaxSequenceNumberDigits, quote(fields.sequence_number)));
        }
        return Status::ok();
    }

    // Reads a string. null counts as absent. Another type is a defect of the record; a malformed
    // value is invalid JSON.
    Status read_string(ondemand::value& value, const Place& place, std::string_view* out,
                       std::string& defect) {
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, place.str());
        if (type == ondemand::json_type::null) {
            *out = {};
            return Status::ok();
        }
        if (type != ondemand::json_type::string) {
            note(defect, place, fmt::format("expected a string, got {}", describe(type)));
            return Status::ok();
        }
        if (auto error = value.get_string().get(*out))
            return invalid_json(error, place.str());
        return Status::ok();
    }

    Status read_number(ondemand::value& value, const Place& place, double* out,
                       std::string& defect) {
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, place.str());
        if (type == ondemand::json_type::null)
            return Status::ok();
        if (type != ondemand::json_type::number) {
            note(defect, place, fmt::format("expected a number, got {}", describe(type)));
            return Status::ok();
        }
        if (auto error = value.get_double().get(*out))
            return invalid_json(error, place.str());
        return Status::ok();
    }

    // Reads the base64 text (JSON escapes already resolved) and decodes it into the arena.
    Status read_data(ondemand::value& value, const Place& place, std::span<const std::byte>* out,
                     std::string& defect) {
        std::string_view encoded;
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, place.str());
        if (type != ondemand::json_type::string) {
            note(defect, place, fmt::format("expected a string, got {}", describe(type)));
            return Status::ok();
        }
        if (auto error = value.get_string().get(encoded))
            return invalid_json(error, place.str());
        std::optional<Base64Error> error;
        // The arena holds as many bytes as the event, and unescaped base64 decodes to fewer bytes
        // than its JSON text takes, so the write below always fits.
        const std::size_t size = base64_decode(encoded, arena_, &error);
        if (error) {
            note(defect, place,
                 fmt::format("not valid base64: {} at offset {}", error->what, error->offset));
            return Status::ok();
        }
        *out = std::span<const std::byte>(arena_, size);
        arena_ += size;
        return Status::ok();
    }

    // Keeps the first defect of a record: it is the one the user fixes first.
    static void note(std::string& defect, const Place& place, std::string_view what) {
        if (defect.empty())
            defect = fmt::format("{}: {}", place.str(), what);
    }

    static std::string quote(std::string_view text) {
        if (text.size() <= kMaxQuotedChars)
            return fmt::format("{:?}", text);
        return fmt::format("{:?}...", text.substr(0, kMaxQuotedChars));
    }

    Status invalid_json(simdjson::error_code error, std::string_view where) {
        const char* location = nullptr;
        if (!doc_.current_location().get(location)) {
            return invalid_event(fmt::format("invalid JSON in {} near byte {}: {}", where,
                                             location - input_, simdjson::error_message(error)));
        }
        return invalid_event(
            fmt::format("invalid JSON in {}: {}", where, simdjson::error_message(error)));
    }

    static Status invalid_event(std::string message) {
        return Status::error(ErrorKind::kInvalidEvent, std::move(message));
    }

    ondemand::document& doc_;
    const char* input_;
    std::byte* arena_;  // next free byte
    DecodedBatch& batch_;
};

}  // namespace

#define KBATCH_STRINGIFY_INNER(x) #x
#define KBATCH_STRINGIFY(x) KBATCH_STRINGIFY_INNER(x)

std::string_view decoder_implementation_name() {
    // The implementation this file was compiled for (not libsimdjson's own default).
    return KBATCH_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);
}

EventDecoder::EventDecoder() : parser_(std::make_unique<Parser>()) {}
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
    batch_.records.clear();
    batch_.defects.clear();
    const char* const input = data;
    if (std::string_view(data, size).starts_with(kByteOrderMark)) {
        data += kByteOrderMark.size();
        size -= kByteOrderMark.size();
        capacity -= kByteOrderMark.size();
    }
    if (arena_.size() < size)
        arena_.resize(std::max(size, arena_.size() * 2));

    ondemand::document doc;
    if (auto error = parser_->parser.iterate(data, size, capacity).get(doc)) {
        return Status::error(ErrorKind::kInvalidEvent,
                             fmt::format("invalid JSON: {}", simdjson::error_message(error)));
    }
    EventWalker walker(doc, input, arena_.data(), batch_);
    Status status = walker.walk_event();
    if (!status.is_ok()) {
        batch_.records.clear();
        batch_.defects.clear();
    }
    return status;
}

}  // namespace kbatch
