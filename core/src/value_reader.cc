#include "value_reader.h"

#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "base64.h"
#include "general_decoder.h"
#include "ondemand_values.h"
#include "text_scan.h"

namespace kbatch::general {

using namespace ondemand_values;

namespace {

// A defect message quotes at most this much of the offending value.
constexpr std::size_t kMaxQuotedChars = 40;

}  // namespace

std::string Place::str() const {
    if (index == kNotARecord)
        return key.empty() ? std::string("the event") : std::string(key);
    std::string out = fmt::format("Records[{}]", index);
    if (!section.empty())
        fmt::format_to(std::back_inserter(out), ".{}", section);
    if (has_entry)
        fmt::format_to(std::back_inserter(out), ".{}", entry);
    if (!key.empty())
        fmt::format_to(std::back_inserter(out), ".{}", key);
    return out;
}

std::string quote(std::string_view text) {
    if (text.size() <= kMaxQuotedChars)
        return fmt::format("{:?}", text);
    return fmt::format("{:?}...", text.substr(0, kMaxQuotedChars));
}

// A number has no character to escape: its text is quoted as written.
std::string quote_number(ondemand::value& value) {
    std::string_view text = value.raw_json_token();
    while (!text.empty() && is_json_space(text.back()))
        text.remove_suffix(1);
    if (text.size() <= kMaxQuotedChars)
        return std::string(text);
    return fmt::format("{}...", text.substr(0, kMaxQuotedChars));
}

Status ValueReader::validate(ondemand::value& value, const Place& place, int depth) {
    if (depth > kMaxJsonDepth) {
        return invalid_event(fmt::format("invalid JSON in {}: nested deeper than {} levels",
                                         place.str(), kMaxJsonDepth));
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
                if (Status status = validate(field_value, place, depth + 1); !status.is_ok())
                    return status;
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
                if (Status status = validate(element, place, depth + 1); !status.is_ok())
                    return status;
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

Status ValueReader::validate_document_scalar(ondemand::json_type type) {
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

Status ValueReader::wrong_type_of_event(ondemand::value& value, const Place& place,
                                        ondemand::json_type type, std::string_view expected) {
    if (Status status = validate(value, place, 1); !status.is_ok())
        return status;
    return invalid_event(
        fmt::format("{}: expected {}, got {}", place.str(), expected, describe(type)));
}

Status ValueReader::wrong_type(ondemand::value& value, const Place& place, ondemand::json_type type,
                               std::string_view expected, int depth, std::string& defect) {
    if (Status status = validate(value, place, depth); !status.is_ok())
        return status;
    note(defect, place, fmt::format("expected {}, got {}", expected, describe(type)));
    return Status::ok();
}

void ValueReader::note(std::string& defect, const Place& place, std::string_view what) {
    if (defect.empty())
        defect = fmt::format("{}: {}", place.str(), what);
}

void ValueReader::note_duplicate(std::string& defect, const Place& object, std::string_view key) {
    note(defect, object, fmt::format("duplicate key {}", quote(key)));
}

Status ValueReader::invalid_json(simdjson::error_code error, const Place& place) {
    const char* location = nullptr;
    if (!doc_.current_location().get(location)) {
        return invalid_event(fmt::format("invalid JSON in {} near byte {}: {}", place.str(),
                                         location - input_, simdjson::error_message(error)));
    }
    return invalid_event(
        fmt::format("invalid JSON in {}: {}", place.str(), simdjson::error_message(error)));
}

Status ValueReader::invalid_event(std::string message) {
    return Status::error(ErrorKind::kInvalidEvent, std::move(message));
}

Status ValueReader::read_string(ondemand::value& value, const Place& where, std::string_view key,
                                std::string_view* out, int depth, std::string& defect) {
    // The usual case first, known from the value's first byte without asking simdjson for
    // its type.
    if (value.raw_json_token().starts_with('"')) {
        if (auto error = read_string_value(value, *out))
            return invalid_json(error, where.with_key(key));
        return Status::ok();
    }
    ondemand::json_type type;
    if (auto error = value.type().get(type))
        return invalid_json(error, where.with_key(key));
    if (type == ondemand::json_type::string) {
        if (auto error = read_string_value(value, *out))
            return invalid_json(error, where.with_key(key));
        return Status::ok();
    }
    if (type == ondemand::json_type::null) {
        if (Status status = validate(value, where.with_key(key), depth); !status.is_ok())
            return status;
        *out = {};
        return Status::ok();
    }
    return wrong_type(value, where.with_key(key), type, "a string", depth, defect);
}

Status ValueReader::read_number(ondemand::value& value, const Place& where, std::string_view key,
                                double* out, int depth, std::string& defect) {
    ondemand::json_type type;
    if (auto error = value.type().get(type))
        return invalid_json(error, where.with_key(key));
    if (type == ondemand::json_type::number) {
        double number = 0;
        bool out_of_range = false;
        if (auto error = read_double(value, &number, &out_of_range))
            return invalid_json(error, where.with_key(key));
        if (out_of_range) {
            note(defect, where.with_key(key),
                 fmt::format("{} is out of range", quote_number(value)));
        } else {
            *out = number;
        }
        return Status::ok();
    }
    if (type == ondemand::json_type::null)
        return validate(value, where.with_key(key), depth);
    return wrong_type(value, where.with_key(key), type, "a number", depth, defect);
}

Status ValueReader::read_unsigned(ondemand::value& value, const Place& where, std::string_view key,
                                  std::uint64_t* out, int depth, std::string& defect) {
    ondemand::json_type type;
    if (auto error = value.type().get(type))
        return invalid_json(error, where.with_key(key));
    if (type == ondemand::json_type::number) {
        std::uint64_t number = 0;
        if (value.get_uint64().get(number) == simdjson::SUCCESS) {
            *out = number;
            return Status::ok();
        }
        // Left where it is: read it as any number, which tells malformed JSON from a number
        // that is only not an unsigned integer.
        double as_double = 0;
        bool out_of_range = false;
        if (auto error = read_double(value, &as_double, &out_of_range))
            return invalid_json(error, where.with_key(key));
        note(defect, where.with_key(key),
             fmt::format("expected an unsigned integer, got {}", quote_number(value)));
        return Status::ok();
    }
    if (type == ondemand::json_type::null)
        return validate(value, where.with_key(key), depth);
    return wrong_type(value, where.with_key(key), type, "a number", depth, defect);
}

Status ValueReader::read_raw_object(ondemand::value& value, const Place& where,
                                    std::string_view key, std::string_view* out, int depth,
                                    std::string& defect) {
    ondemand::json_type type;
    if (auto error = value.type().get(type))
        return invalid_json(error, where.with_key(key));
    if (type == ondemand::json_type::null)
        return validate(value, where.with_key(key), depth);
    if (type != ondemand::json_type::object)
        return wrong_type(value, where.with_key(key), type, "an object", depth, defect);
    const char* const start = value.raw_json_token().data();
    if (Status status = validate(value, where.with_key(key), depth); !status.is_ok())
        return status;
    // The walk now stands on the token after the object (a record's object is never the
    // last token of the event): the object ends at the last '}' before it.
    const char* end = nullptr;
    if (auto error = doc_.current_location().get(end))
        return invalid_json(error, where.with_key(key));
    while (end > start && end[-1] != '}')
        --end;
    *out = std::string_view(start, static_cast<std::size_t>(end - start));
    return Status::ok();
}

Status ValueReader::read_base64(ondemand::value& value, const Place& where, std::string_view key,
                                std::span<const std::byte>* out, bool required, int depth,
                                std::string& defect) {
    ondemand::json_type type;
    if (auto error = value.type().get(type))
        return invalid_json(error, where.with_key(key));
    if (type == ondemand::json_type::null && !required)
        return validate(value, where.with_key(key), depth);
    if (type != ondemand::json_type::string)
        return wrong_type(value, where.with_key(key), type, "a string", depth, defect);
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
            return invalid_json(json_error, where.with_key(key));
        error.reset();
        size = base64_decode(encoded, arena_, &error);
    } else {
        ondemand::raw_json_string consumed;
        if (auto json_error = value.get_raw_json_string().get(consumed))
            return invalid_json(json_error, where.with_key(key));
    }
    if (error) {
        note(defect, where.with_key(key),
             fmt::format("not valid base64: {} at offset {}", error->what, error->offset));
        return Status::ok();
    }
    *out = std::span<const std::byte>(arena_, size);
    arena_ += size;
    return Status::ok();
}

}  // namespace kbatch::general
