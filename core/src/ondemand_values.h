// kbatch core: reading simdjson on-demand values the way the general decoder needs: keys and
// strings as views of the event text where they have no escapes, numbers that no double holds
// told apart from malformed ones. Included by general_decoder.cc only, which is compiled with the
// decoder's SIMD flags (simdjson's on-demand types depend on them).
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

#include <simdjson.h>

#include "number_text.h"
#include "text_scan.h"

namespace kbatch::ondemand_values {

namespace ondemand = simdjson::ondemand;

/// A JSON type as messages name it: "an array", "a number", "null"...
inline std::string_view describe(ondemand::json_type type) {
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
inline simdjson::simdjson_result<std::string_view> unescape_key(ondemand::field& field,
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

// A value's raw text, for a document (an event that is a scalar) as for a value.
inline std::string_view raw_token(ondemand::value& value) {
    return value.raw_json_token();
}
inline std::string_view raw_token(ondemand::document& doc) {
    std::string_view token;
    if (doc.raw_json_token().get(token) != simdjson::SUCCESS)
        return {};
    return token;
}

// read_double() for a number simdjson refused (`error`): as judge_unread_number() finds it.
// Apart from read_double, which runs on every timestamp, so that it stays small enough to inline.
[[gnu::noinline]] inline simdjson::error_code judge_refused_number(std::string_view token,
                                                                   simdjson::error_code error,
                                                                   double* out,
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

}  // namespace kbatch::ondemand_values
