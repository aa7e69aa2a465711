// kbatch core: reading one value of a record on the general path (simdjson on-demand), checked,
// as source_fields.h's kinds say: strings, numbers, unsigned integers, base64, objects kept as
// text. A value of the wrong type is the record's defect, with its place ("Records[3].kinesis.data:
// expected a string, got a number"); malformed JSON anywhere is an invalid event. The walk of the
// event's structure (general_decoder.cc) builds on it. Included by the general decoder only,
// which is compiled with the decoder's SIMD flags (simdjson's on-demand types depend on them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "decoded_batch.h"
#include "status.h"

namespace kbatch::general {

namespace ondemand = simdjson::ondemand;

/// The index of no record: a place in the event itself.
inline constexpr std::size_t kNotARecord = static_cast<std::size_t>(-1);

/// Names a place in the event for messages: "the event", "Records", "Records[3]",
/// "Records[3].kinesis.data", "Records[3].messageAttributes.trace.binaryValue". Formatted only
/// when an error is reported, so the happy path builds no strings.
struct Place {
    Place() = default;
    /// Record `record`, or its object `object` ("kinesis").
    explicit Place(std::size_t record, std::string_view object = {})
        : index(record), section(object) {}
    /// A member of the event itself ("Records", "window").
    static Place member(std::string_view name) {
        Place place;
        place.key = name;
        return place;
    }
    /// The entry `name` of record `record`'s map `map` ("messageAttributes").
    static Place entry_of(std::size_t record, std::string_view map, std::string_view name) {
        Place place(record, map);
        place.entry = name;
        place.has_entry = true;
        return place;
    }

    std::size_t index = kNotARecord;
    std::string_view section;  // the key of the object the place is in: "kinesis"; "" for none
    std::string_view entry;    // in "messageAttributes", the attribute's name
    bool has_entry = false;
    std::string_view key;

    Place with_key(std::string_view field_key) const {
        Place place = *this;
        place.key = field_key;
        return place;
    }

    /// "Records[3].kinesis.data".
    std::string str() const;
};

/// `text` quoted for a message, cut after 40 characters.
std::string quote(std::string_view text);
/// A number's text as written, cut as quote() cuts a string.
std::string quote_number(ondemand::value& value);

/// The part of the walk that does not depend on the source: the document, errors, validation,
/// and the reading of each kind of value.
class ValueReader {
  public:
    ValueReader(ondemand::document& doc, const char* input, std::byte* arena, DecodedBatch& batch)
        : doc_(doc), input_(input), arena_(arena), batch_(batch) {}

  protected:
    // Checks that a value the walk does not use is valid JSON, reading every part of it.
    Status validate(ondemand::value& value, const Place& place, int depth);

    // The same for a whole document that is a scalar (an event that is not an object).
    Status validate_document_scalar(ondemand::json_type type);

    // A part of the event's structure has the wrong type: the event cannot be processed. The
    // value is checked first, so that malformed JSON is called that, not a wrong type.
    Status wrong_type_of_event(ondemand::value& value, const Place& place, ondemand::json_type type,
                               std::string_view expected);

    // A value of the wrong type in a record: checked, then the record's defect.
    Status wrong_type(ondemand::value& value, const Place& place, ondemand::json_type type,
                      std::string_view expected, int depth, std::string& defect);

    // Keeps the first defect of a record: it is the one the user fixes first.
    static void note(std::string& defect, const Place& place, std::string_view what);

    // A key that the walk reads appears twice inside a record. RFC 8259 leaves the meaning of
    // duplicate names open, and taking the last value silently (as simdjson's walk would) lets
    // the record be half one thing, half another: an eventID that contradicts the sequence
    // number. So it is a defect of that record, which then fails without reaching the plugin;
    // the first value stays (it is not used, except for the identifier). Keys the walk does not
    // read may repeat: their values are ignored anyway. (A second "Records" is a fault of the
    // event's structure and fails the invocation: walk_event.)
    [[gnu::cold, gnu::noinline]] static void note_duplicate(std::string& defect,
                                                            const Place& object,
                                                            std::string_view key);

    Status invalid_json(simdjson::error_code error, const Place& place);

    static Status invalid_event(std::string message);

    // Reads a string. null counts as absent. Another type is a defect of the record; a malformed
    // value is invalid JSON.
    Status read_string(ondemand::value& value, const Place& where, std::string_view key,
                       std::string_view* out, int depth, std::string& defect);

    // Reads a number (integer, decimal or with an exponent) as a double. null counts as absent. A
    // number beyond a double's range is a defect of the record, as the same number written as a
    // string is: valid JSON that this record alone has wrong (one too small for a double is zero).
    Status read_number(ondemand::value& value, const Place& where, std::string_view key,
                       double* out, int depth, std::string& defect);

    // Reads a non-negative integer below 2^64. null counts as absent. Any other number (negative,
    // with a fraction or an exponent, too large) is a defect of the record.
    Status read_unsigned(ondemand::value& value, const Place& where, std::string_view key,
                         std::uint64_t* out, int depth, std::string& defect);

    // Keeps an object as its JSON text, from its '{' to its '}', after checking all of it.
    // null counts as absent; another type is a defect.
    Status read_raw_object(ondemand::value& value, const Place& where, std::string_view key,
                           std::string_view* out, int depth, std::string& defect);

    // Decodes the base64 text into the arena. Base64 has no character JSON must escape, so the
    // text is decoded straight from the event buffer, never copied; only text that base64 refuses
    // and that has an escape in it (some writers send "\/" for '/') is unescaped and decoded again.
    // null counts as absent, unless the value is required (Kinesis's data).
    Status read_base64(ondemand::value& value, const Place& where, std::string_view key,
                       std::span<const std::byte>* out, bool required, int depth,
                       std::string& defect);

    ondemand::document& doc_;
    const char* input_;
    std::byte* arena_;  // next free byte
    DecodedBatch& batch_;
};

}  // namespace kbatch::general
