#include "general_decoder.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "ondemand_values.h"
#include "sequence_number.h"
#include "source_fields.h"
#include "text_scan.h"
#include "value_reader.h"

namespace kbatch {
namespace {

namespace ondemand = simdjson::ondemand;
using namespace ondemand_values;
using fields::FieldSet;
using fields::Kind;
using fields::Presence;
using fields::Section;

using general::kNotARecord;
using general::Place;
using general::quote;
using general::ValueReader;

// Whether `key` appears in its record for the first time, adding it to `seen`. Called with a
// constant bit in each field's code, where it is a test and an or.
[[gnu::always_inline]] inline bool first_time(FieldSet& seen, FieldSet bit) {
    const bool first = (seen & bit) == 0;
    seen |= bit;
    return first;
}

// The depth at which a section's values lie, for validate()'s limit: the event is 0, Records 1.
constexpr int depth_of(Section section) {
    switch (section) {
        case Section::kRecord:
            return 2;
        case Section::kMessageAttribute:
            return 4;
        default:
            return 3;
    }
}

// Which source the records name, found before the walk by a shallow look at them, so that the
// walk reads every record with its source's table: the first record that names a source names
// the batch's.
struct Detected {
    Source source = Source::kKinesis;  // when no record names one: a Kinesis event, as ever
    std::size_t first = kNotARecord;   // the record that named it
};

// What a record says its source is: its eventSource (the first given, when a non-empty string);
// without one, a "kinesis" object makes it a Kinesis record.
struct Naming {
    std::string_view event_source;
    bool kinesis_key = false;
};

// The walk of one event of source `Src` (a table of source_fields.h). Errors that make the event
// unusable return a non-OK Status; a record's own problems become its defect and the walk goes
// on.
//
// simdjson's on-demand parser checks a value only when it is read. So every value the walk does
// not read (unknown fields, a value of the wrong type) is still checked by validate(): an event
// with invalid JSON anywhere is refused as a whole, never half-accepted.
template <class Src>
class Walker : public ValueReader {
  public:
    using Fields = typename Src::Fields;

    Walker(ondemand::document& doc, const char* input, std::byte* arena, DecodedBatch& batch,
           const Detected& detected)
        : ValueReader(doc, input, arena, batch), detected_(detected) {}

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
            if (!is(key, "Records")) {
                auto unescaped = unescape_key(field, key);
                if (auto error = unescaped.error())
                    return invalid_json(error, event_place);
                key = unescaped.value_unsafe();
            }
            ondemand::value& value = field.value();
            if (!is(key, "Records")) {
                // Time-window fields and the like are not ours, but must be valid JSON.
                if (Status status = validate(value, Place::member(key), 1); !status.is_ok()) {
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
        if constexpr (Src::kSource == Source::kSqs)
            fields::point_sqs_attribute_spans(batch_);
        return Status::ok();
    }

  private:
    Status walk_records(ondemand::value& value) {
        const Place records_place = Place::member("Records");
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, records_place);
        if (type != ondemand::json_type::array)
            return wrong_type_of_event(value, records_place, type, "an array");
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
                return invalid_json(error, Place(index));
            // simdjson's values are used where they are and passed by reference throughout:
            // copying one right after simdjson wrote it stalls on store forwarding.
            ondemand::value& record = record_result.value_unsafe();
            if (Status status = walk_record(record, index); !status.is_ok())
                return status;
            ++index;
        }
        return Status::ok();
    }

    Status walk_record(ondemand::value& value, std::size_t index) {
        const Place record_place(index);
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, record_place);
        if (type != ondemand::json_type::object)
            return wrong_type_of_event(value, record_place, type, "an object");
        ondemand::object record;
        if (auto error = value.get_object().get(record))
            return invalid_json(error, record_place);
        Fields fields{};
        std::string defect;
        FieldSet seen = 0;
        Naming naming;
        Status status =
            walk_object<Src, Section::kRecord>(record, record_place, fields, seen, defect, naming);
        if (!status.is_ok())
            return status;
        naming.event_source = fields.event_source;
        if (status = check_source(index, naming); !status.is_ok())
            return status;
        // A record without the object of its source is not one of its records at all.
        fields::for_each_field_in<Src, Section::kRecord>([&](auto i) KBATCH_INLINE_LAMBDA {
            constexpr auto& field = Src::kFields[i];
            if constexpr (field.kind == Kind::kObject && field.required()) {
                if (status.is_ok() && (seen & fields::kBit<i>) == 0)
                    status =
                        invalid_event(fmt::format("Records[{}].{}: missing", index, field.key));
            }
        });
        if (!status.is_ok())
            return status;
        push(fields);
        if (!defect.empty())
            batch_.defects.push_back(RecordDefect{index, std::move(defect)});
        return Status::ok();
    }

    void push(const Fields& fields) {
        if constexpr (Src::kSource == Source::kKinesis) {
            batch_.kinesis.push_back(fields);
        } else if constexpr (Src::kSource == Source::kSqs) {
            batch_.sqs.push_back(fields);
        } else {
            batch_.dynamodb.push_back(fields);
        }
    }

    // An event holds the records of one source: a record that names another, or a source kbatch
    // does not know, makes it invalid, said plainly (an S3 notification sent to a stream's
    // function would otherwise read "Records[0].kinesis: missing").
    Status check_source(std::size_t index, const Naming& naming) const {
        // The usual answer first: the batch's own source, a comparison with a constant.
        constexpr std::string_view kOwn = event_source_value(Src::kSource);
        if (naming.event_source.size() == kOwn.size() &&
            __builtin_memcmp(naming.event_source.data(), kOwn.data(), kOwn.size()) == 0) {
            return Status::ok();
        }
        std::optional<Source> named;
        if (!naming.event_source.empty()) {
            named = fields::source_of(naming.event_source);
            if (!named) {
                return invalid_event(fmt::format(
                    "Records[{}] has eventSource {}: kbatch handles aws:kinesis, aws:sqs and "
                    "aws:dynamodb",
                    index, quote(naming.event_source)));
            }
        } else if (naming.kinesis_key) {
            named = Source::kKinesis;
        }
        if (!named || *named == Src::kSource)
            return Status::ok();
        if (detected_.first == kNotARecord || detected_.first == index) {
            return invalid_event(fmt::format("Records[{}] is {}, not {}: an event holds one source",
                                             index, fields::record_noun(*named),
                                             fields::record_noun(Src::kSource)));
        }
        return invalid_event(fmt::format(
            "Records[{}] is {} but Records[{}] is {}: an event holds one source", index,
            fields::record_noun(*named), detected_.first, fields::record_noun(Src::kSource)));
    }

    // Walks the keys of an object of `section` of table `Table` into `fields`. `where` names the
    // object. `seen` has the fields the record has given already (a record may repeat an object:
    // a defect, and then the second one's keys repeat the first's).
    template <class Table, Section S>
    Status walk_object(ondemand::object& object, const Place& where, typename Table::Fields& fields,
                       FieldSet& seen, std::string& defect, Naming& naming) {
        for (auto field_result : object) {
            if (auto error = field_result.error())
                return invalid_json(error, where);
            // Used where it is: a copy of the field costs more than reading it.
            ondemand::field& field = field_result.value_unsafe();
            std::string_view key = raw_key(field);
            ondemand::value& value = field.value();
            // The names the walk looks for have no escapes, so raw keys are compared first and
            // only a key that is none of them is unescaped: unescaping every key into simdjson's
            // string buffer took half the decode time of an event of small records.
            std::size_t index = fields::find_key<Table, S>(key);
            if (index == fields::kNoField && has_backslash(key)) {
                auto unescaped = unescape_key(field, key);
                if (auto error = unescaped.error())
                    return invalid_json(error, where);
                key = unescaped.value_unsafe();
                index = fields::find_key<Table, S>(key);
            }
            if (index != fields::kNoField) {
                // The usual field first, inline: a string without escapes, given for the first
                // time, taken as the view of the event text that it is.
                const FieldSet bit = FieldSet{1} << index;
                std::string_view Table::Fields::*const text = kPlainText<Table>[index];
                if (text != nullptr && (seen & bit) == 0 &&
                    read_plain_string(value, fields.*text)) {
                    seen |= bit;
                    continue;
                }
                // Any other through its own reader: a call, its Status built where it is
                // returned (assigned from a lambda, it cost a tenth of the walk).
                Status status = (this->*kReaders<Table>[index])(value, where, key, fields, seen,
                                                                defect, naming);
                if (!status.is_ok())
                    return status;
                continue;
            }
            // Unknown keys are ignored; a record of another source may show itself by one.
            if constexpr (S == Section::kRecord && Src::kSource != Source::kKinesis) {
                if (is(key, "kinesis"))
                    naming.kinesis_key = true;
            }
            Status status = validate(value, where.with_key(key), depth_of(S));
            if (!status.is_ok())
                return status;
        }
        finish_section<Table, S>(where, fields, seen, defect);
        return Status::ok();
    }

    // After an object of `section`: its required fields that the record has not given are
    // missing, and the identifier, if it is there, must be usable.
    template <class Table, Section S>
    static void finish_section(const Place& where, const typename Table::Fields& fields,
                               FieldSet seen, std::string& defect) {
        for (const std::size_t i : fields::required_in<Table, S>()) {
            if ((seen & (FieldSet{1} << i)) == 0)
                note(defect, where.with_key(Table::kFields[i].key), "missing");
        }
        fields::for_each_field_in<Table, S>([&](auto i) KBATCH_INLINE_LAMBDA {
            constexpr auto& field = Table::kFields[i];
            if constexpr (field.presence == Presence::kIdentifier) {
                if ((seen & fields::kBit<i>) != 0 && defect.empty())
                    check_identifier(where.with_key(field.key), fields.*field.text, defect);
            }
        });
    }

    static void check_identifier(const Place& place, std::string_view identifier,
                                 std::string& defect) {
        if constexpr (Src::kIdentifierRule == fields::IdentifierRule::kSequenceNumber) {
            if (!is_sequence_number(identifier)) {
                note(defect, place,
                     fmt::format("not a sequence number (1 to {} decimal digits): {}",
                                 kMaxSequenceNumberDigits, quote(identifier)));
            }
        } else if (identifier.empty()) {
            note(defect, place, "empty");
        }
    }

    // Each field's reader, by index, and the member of each plain text field.
    template <class Table>
    using FieldReader = Status (Walker::*)(ondemand::value&, const Place&, std::string_view,
                                           typename Table::Fields&, FieldSet&, std::string&,
                                           Naming&);
    template <class Table, std::size_t... I>
    static constexpr auto readers(std::index_sequence<I...>) {
        return std::array<FieldReader<Table>, sizeof...(I)>{&Walker::read_field<Table, I>...};
    }
    template <class Table>
    static constexpr auto kReaders =
        readers<Table>(std::make_index_sequence<fields::kFieldCount<Table>>{});
    template <class Table>
    static constexpr auto kPlainText = [] {
        std::array<std::string_view Table::Fields::*, fields::kFieldCount<Table>> members{};
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (Table::kFields[i].kind == Kind::kText)
                members[i] = Table::kFields[i].text;
        }
        return members;
    }();

    // Reads the value of field `I` of `Table`, found under `key` in the object `where` names.
    template <class Table, std::size_t I>
    Status read_field(ondemand::value& value, const Place& where, std::string_view key,
                      typename Table::Fields& fields, FieldSet& seen, std::string& defect,
                      Naming& naming) {
        constexpr auto& field = Table::kFields[I];
        constexpr int depth = depth_of(field.section);
        if (!first_time(seen, fields::kBit<I>)) [[unlikely]]
            return read_again<Table, I>(value, where, key, fields, seen, defect, naming);
        // The place is built only for a message: copying the key into one on every field
        // stalled the walk (narrow stores, then a wide load of them).
        if constexpr (field.kind == Kind::kText) {
            if (read_plain_string(value, fields.*field.text))
                return Status::ok();
            return read_string(value, where, key, &(fields.*field.text), depth, defect);
        } else if constexpr (field.kind == Kind::kBase64) {
            return read_base64(value, where, key, &(fields.*field.bytes), field.required(), depth,
                               defect);
        } else if constexpr (field.kind == Kind::kSeconds) {
            return read_number(value, where, key, &(fields.*field.seconds), depth, defect);
        } else if constexpr (field.kind == Kind::kSecondsOrMillis) {
            Status status = read_number(value, where, key, &(fields.*field.seconds), depth, defect);
            fields.*field.seconds = fields::seconds_or_milliseconds(fields.*field.seconds);
            return status;
        } else if constexpr (field.kind == Kind::kUnsigned) {
            return read_unsigned(value, where, key, &(fields.*field.count), depth, defect);
        } else if constexpr (field.kind == Kind::kRawObject) {
            return read_raw_object(value, where, key, &(fields.*field.text), depth, defect);
        } else if constexpr (field.kind == Kind::kObject) {
            return read_section<Table, field.opens>(value, where.with_key(key), field.required(),
                                                    fields, seen, defect, naming);
        } else if constexpr (field.kind == Kind::kAttributeMap) {
            return read_attribute_map(value, where.with_key(key), &(fields.*field.attributes),
                                      defect);
        } else {
            static_assert(field.kind == Kind::kIgnored);
            return validate(value, where.with_key(key), depth);
        }
    }

    // A field the record has given already (`where` names its object): noted, and its value
    // checked. A repeated object is walked again, its keys then repeats too. Out of the walk's
    // way: it runs on defective records only.
    template <class Table, std::size_t I>
    [[gnu::cold, gnu::noinline]] Status read_again(ondemand::value& value, const Place& where,
                                                   std::string_view key,
                                                   typename Table::Fields& fields, FieldSet& seen,
                                                   std::string& defect, Naming& naming) {
        constexpr auto& field = Table::kFields[I];
        note_duplicate(defect, where, key);
        if constexpr (field.kind == Kind::kObject) {
            return read_section<Table, field.opens>(value, where.with_key(key), field.required(),
                                                    fields, seen, defect, naming);
        } else if constexpr (field.presence == Presence::kIdentifier) {
            return check_repeated_identifier(value, where, key, depth_of(field.section),
                                             fields.*field.text, defect);
        } else {
            return validate(value, where.with_key(key), depth_of(field.section));
        }
    }

    // A record gives its identifier twice (the duplicate has been noted). The record fails, and
    // a failed record is reported by its identifier: for Kinesis and DynamoDB the sequence number
    // Lambda checkpoints at. When both say the same (after unescaping) it is unambiguous and the
    // record is reported by it like any other defect. When they differ, either may be the wrong
    // one: reporting one could name another record of the batch, or a number past this record's,
    // and Lambda would then take unprocessed records for done. So the record is left without an
    // identifier, and the runner fails the invocation (Kbatch.UnidentifiableFailure): Lambda
    // retries the whole batch, as it would on an identifier it does not know. The same holds for
    // an identifier that is null or not a string the second time.
    Status check_repeated_identifier(ondemand::value& value, const Place& where,
                                     std::string_view key, int depth, std::string_view& identifier,
                                     std::string& defect) {
        // A value that is not a string leaves `again` empty, which no usable identifier equals
        // (and a defect of its type is not noted: the duplicate, noted first, is the record's).
        std::string_view again;
        if (!read_plain_string(value, again)) {
            if (Status status = read_string(value, where, key, &again, depth, defect);
                !status.is_ok()) {
                return status;
            }
        }
        if (again != identifier) {
            identifier = {};
            // Replaces any defect noted before: this one decides what happens to the batch.
            defect =
                fmt::format("{}: duplicate key {} with different values", where.str(), quote(key));
        }
        return Status::ok();
    }

    // An object that opens section `S` (the field at `place`). A required one (a record's
    // kinesis or dynamodb) of another type makes the event invalid; an optional one is a defect
    // of the record, or absent when null.
    template <class Table, Section S>
    Status read_section(ondemand::value& value, const Place& place, bool required,
                        typename Table::Fields& fields, FieldSet& seen, std::string& defect,
                        Naming& naming) {
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, place);
        if (type != ondemand::json_type::object) {
            if (required)
                return wrong_type_of_event(value, place, type, "an object");
            if (type == ondemand::json_type::null)
                return validate(value, place, depth_of(Section::kRecord));
            return wrong_type(value, place, type, "an object", depth_of(Section::kRecord), defect);
        }
        ondemand::object object;
        if (auto error = value.get_object().get(object))
            return invalid_json(error, place);
        const Place where(place.index, place.key);
        return walk_object<Table, S>(object, where, fields, seen, defect, naming);
    }

    // SQS's messageAttributes: each entry is appended to batch_.sqs_attributes, and `out` spans
    // this message's entries. null counts as absent.
    Status read_attribute_map(ondemand::value& value, const Place& place,
                              std::span<const SqsMessageAttribute>* out, std::string& defect) {
        constexpr int depth = depth_of(Section::kRecord);
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, place);
        if (type == ondemand::json_type::null)
            return validate(value, place, depth);
        if (type != ondemand::json_type::object)
            return wrong_type(value, place, type, "an object", depth, defect);
        ondemand::object map;
        if (auto error = value.get_object().get(map))
            return invalid_json(error, place);
        const std::size_t first = batch_.sqs_attributes.size();
        for (auto entry_result : map) {
            if (auto error = entry_result.error())
                return invalid_json(error, place);
            ondemand::field& entry = entry_result.value_unsafe();
            std::string_view name = raw_key(entry);
            auto unescaped = unescape_key(entry, name);
            if (auto error = unescaped.error())
                return invalid_json(error, place);
            name = unescaped.value_unsafe();
            const Place where = Place::entry_of(place.index, place.key, name);
            ondemand::value& entry_value = entry.value();
            if (Status status = read_attribute(entry_value, where, name, defect); !status.is_ok())
                return status;
        }
        // The entries' storage may move while later messages grow it; the views are pointed at
        // it once it stops growing (point_sqs_attribute_spans). Until then only the size counts.
        *out = std::span<const SqsMessageAttribute>(batch_.sqs_attributes).subspan(first);
        return Status::ok();
    }

    // One value of messageAttributes: an object of kSqsAttributeFields, or a defect.
    Status read_attribute(ondemand::value& value, const Place& where, std::string_view name,
                          std::string& defect) {
        constexpr int depth = depth_of(Section::kMessageAttribute) - 1;
        ondemand::json_type type;
        if (auto error = value.type().get(type))
            return invalid_json(error, where);
        if (type != ondemand::json_type::object)
            return wrong_type(value, where, type, "an object", depth, defect);
        ondemand::object object;
        if (auto error = value.get_object().get(object))
            return invalid_json(error, where);
        SqsMessageAttribute attribute{};
        attribute.name = name;
        FieldSet seen = 0;
        Naming unused;
        Status status = walk_object<fields::SqsAttributeEntry, Section::kMessageAttribute>(
            object, where, attribute, seen, defect, unused);
        if (!status.is_ok())
            return status;
        batch_.sqs_attributes.push_back(attribute);
        return Status::ok();
    }

    const Detected& detected_;
};

// Finds the source the records name: the first record that names one (eventSource, or a kinesis
// object) decides, in a shallow pass that reads only the keys of the records it looks at
// (nearly always the first one). It checks nothing: the walk after it does. Returns false when
// it met an error, after which simdjson's iterator cannot be rewound.
bool detect_source(ondemand::document& doc, Detected& detected) {
    ondemand::object event;
    if (doc.get_object().get(event))
        return false;
    for (auto event_field : event) {
        std::string_view key;
        if (event_field.error() || event_field.value_unsafe().unescaped_key().get(key))
            return false;
        if (key != "Records")
            continue;
        ondemand::array records;
        if (event_field.value_unsafe().value().get_array().get(records))
            return false;
        std::size_t index = 0;
        for (auto record_value : records) {
            ondemand::object record;
            if (record_value.get_object().get(record))
                return false;
            std::string_view event_source;
            bool source_given = false, kinesis = false;
            for (auto record_field : record) {
                if (record_field.error() || record_field.value_unsafe().unescaped_key().get(key))
                    return false;
                if (key == "eventSource" && !source_given) {
                    source_given = true;  // the first is the one the walk keeps
                    std::string_view text;
                    if (record_field.value_unsafe().value().get_string().get(text) ==
                        simdjson::SUCCESS) {
                        event_source = text;
                    }
                } else if (key == "kinesis") {
                    kinesis = true;
                }
            }
            if (!event_source.empty() || kinesis) {
                const std::optional<Source> named = fields::source_of(event_source);
                detected.source = named ? *named : Source::kKinesis;
                detected.first = index;
                return true;
            }
            ++index;
        }
        return true;  // the walk reports a second Records
    }
    return true;
}

template <class Src>
Status walk(ondemand::document& doc, const char* input, std::byte* arena, DecodedBatch& batch,
            const Detected& detected) {
    batch.source = Src::kSource;
    return Walker<Src>(doc, input, arena, batch, detected).walk_event();
}

}  // namespace

Status decode_general(ondemand::parser& parser, const char* data, std::size_t size,
                      std::size_t capacity, const char* input, std::byte* arena,
                      DecodedBatch& batch) {
    batch.clear();
    ondemand::document doc;
    if (auto error = parser.iterate(data, size, capacity).get(doc)) {
        return Status::error(ErrorKind::kInvalidEvent,
                             fmt::format("invalid JSON: {}", simdjson::error_message(error)));
    }
    Detected detected;
    if (detect_source(doc, detected)) {
        doc.rewind();
    } else if (auto error = parser.iterate(data, size, capacity).get(doc)) {
        // An error abandons simdjson's iterator; the walk explains it from a fresh one.
        return Status::error(ErrorKind::kInvalidEvent,
                             fmt::format("invalid JSON: {}", simdjson::error_message(error)));
    }
    switch (detected.source) {
        case Source::kKinesis:
            return walk<fields::KinesisSource>(doc, input, arena, batch, detected);
        case Source::kSqs:
            return walk<fields::SqsSource>(doc, input, arena, batch, detected);
        case Source::kDynamoDb:
            return walk<fields::DynamoDbSource>(doc, input, arena, batch, detected);
    }
    return Status::ok();
}

}  // namespace kbatch
