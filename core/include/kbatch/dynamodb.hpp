// kbatch plugin SDK: a reader for DynamoDB attribute values in their JSON form (issue 13, point 3).
//
// A DynamoDB Streams record carries its item as JSON text in DynamoDB's typed form:
//
//     {"Id": {"N": "101"}, "Tags": {"SS": ["a", "b"]}, "Owner": {"M": {"Name": {"S": "Joe"}}}}
//
// kbatch::dynamodb::Item reads such text where it lies (the event's own bytes), lazily: nothing is
// parsed until it is asked for, and a plugin pays only for what it reads (and, to find a name, for
// skipping the attributes written before it). Only the C++20 standard library is used, so the
// header compiles into a plugin built with any flags, including -fno-exceptions.
//
//     kbatch::dynamodb::Item image(new_image_text);
//     auto id = image.find("Id");                   // Expected<AttributeValue>
//     if (!id) return kbatch::Result::failure(id.error().message());
//     auto digits = id->number_text();              // Expected<std::string_view>: "101"
//
// Errors are values. Every read that can fail returns Expected<T>: a T, or an Error saying what was
// wrong (malformed JSON, a type other than the one asked for, a missing name, bad base64, nesting
// too deep) and where (the attribute path, "Owner.Tags[2]", and the byte offset). Nothing here
// throws, except Expected::value(), which throws FormatError, a std::runtime_error: left uncaught
// in RecordProcessor::process, it fails the record with the message as the reason. Values rather
// than exceptions because an absent or odd attribute is often data, not failure (an OldImage
// without the attribute a new version added), because the header must work where exceptions are
// off, and because an Error costs nothing until its message is wanted.
//
// Safety: every read is bounds-checked against the text it was given; no input, however broken
// or truncated, makes the reader read outside it (tests/core/dynamodb_reader_test.cc tries every
// truncation of a sample under ASan). M and L nested more than kMaxDepth deep are refused.
//
// Allocation: none for finding a name (escaped or not), walking M, L and the sets, and reading S
// without escapes, N, BOOL and NULL. Allocation happens only where the caller asks for bytes that
// are not in the text: String::get of a string with escapes and AttributeValue::as_binary (into a
// buffer the caller passes and can reuse), String::str, and Error::message.
//
// Lifetime: every type here is a view of the text given to Item's constructor (a stream record's
// image: the event's bytes, which the host owns and keeps only during process()). Keep the text
// alive, unchanged, as long as any Item, AttributeValue, String, Values or Error made from it;
// copy what must outlive it.
// Thread safety: the views are immutable; any number of threads may read the same text at once.
//
// What is checked: whatever is read is read strictly (RFC 8259 strings and escapes, including
// surrogate pairs; DynamoDB's {"<type>": <value>} shape with exactly one known type). What is only
// skipped over to reach a later attribute is checked for balanced brackets and closed strings, so
// a defect in an attribute nobody reads may go unreported. Bytes of strings are passed through as
// they are: UTF-8 is not validated.
//
// Nothing here crosses the plugin boundary: the host hands a plugin the image as text, and the
// plugin's own copy of this header reads it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "kbatch/abi.hpp"

#if defined(__cpp_exceptions)
#include <stdexcept>
#endif

namespace kbatch::dynamodb {

/// How deep M and L may nest inside an item (DynamoDB itself allows 32). An item whose maps and
/// lists nest deeper is reported as Errc::kTooDeep when the too-deep part is reached.
inline constexpr int kMaxDepth = 64;

/// The ten DynamoDB attribute value types, by their JSON tags. NULL_ is "NULL" (NULL is a macro).
enum class Type : std::uint8_t { S, N, B, BOOL, NULL_, M, L, SS, NS, BS };

/// The JSON tag of a type: "S", "NULL", "BS"...
constexpr std::string_view type_name(Type type) noexcept {
    constexpr std::array<std::string_view, 10> names = {"S", "N", "B",  "BOOL", "NULL",
                                                        "M", "L", "SS", "NS",   "BS"};
    return names[static_cast<std::size_t>(type)];
}

/// What kind of error a read met. kOk is the code of "no error".
enum class Errc : std::uint8_t {
    kOk,
    kMalformed,  // the text is not JSON, or not DynamoDB's form of it
    kTooDeep,    // M and L nested deeper than kMaxDepth
    kWrongType,  // the attribute has another type than the one asked for
    kMissing,    // Item::find found no attribute of that name
    kBadBase64,  // a B or BS element is not base64
};

namespace detail {
class Scanner;
inline std::string describe_path(std::string_view root, std::size_t offset);
}  // namespace detail

/// What went wrong, and where. A small value that allocates nothing until message() is called.
/// A view: it points into the item's text (and, for kMissing, the name given to find()), which
/// must outlive it.
class Error {
  public:
    Error() = default;

    Errc code() const noexcept { return code_; }
    /// Byte offset into the text given to Item's constructor where the problem was found.
    std::size_t offset() const noexcept { return offset_; }
    /// For kWrongType: the type asked for and the type found.
    Type expected() const noexcept { return expected_; }
    Type found() const noexcept { return found_; }

    /// One line for a log or Result::failure, naming the attribute path, e.g.
    /// "Owner.Tags[2]: expected N, found S" or "Owner: malformed JSON at byte 57: expected ':'".
    /// The path is worked out only here, by walking the text up to offset().
    std::string message() const {
        std::string path =
            detail::describe_path(root_, code_ == Errc::kMissing ? offset_ + 1 : offset_);
        if (code_ == Errc::kMissing) {
            path += path.empty() ? "" : ".";
            path += name_;
        }
        std::string text = path.empty() ? std::string("item") : path;
        text += ": ";
        switch (code_) {
            case Errc::kOk:
                text += "no error";
                break;
            case Errc::kMalformed:
                text += "malformed JSON at byte " + std::to_string(offset_) + ": " + detail_;
                break;
            case Errc::kTooDeep:
                text += "maps and lists nested more than " + std::to_string(kMaxDepth) +
                        " deep (at byte " + std::to_string(offset_) + ")";
                break;
            case Errc::kWrongType:
                text += "expected ";
                text += type_name(expected_);
                text += ", found ";
                text += type_name(found_);
                break;
            case Errc::kMissing:
                text += "missing";
                break;
            case Errc::kBadBase64:
                text += "not valid base64 (at byte " + std::to_string(offset_) + ")";
                break;
        }
        return text;
    }

  private:
    friend class detail::Scanner;
    friend class AttributeValue;
    friend class Item;

    Error(Errc code, std::string_view root, std::size_t offset, const char* detail) noexcept
        : root_(root), offset_(offset), detail_(detail), code_(code) {}

    std::string_view root_;
    std::string_view name_;  // kMissing: the name looked for
    std::size_t offset_ = 0;
    const char* detail_ = "";  // kMalformed: what was expected (a string literal)
    Errc code_ = Errc::kOk;
    Type expected_ = Type::NULL_;
    Type found_ = Type::NULL_;
};

#if defined(__cpp_exceptions)
/// Thrown by Expected::value() when there is no value. what() is Error::message().
class FormatError : public std::runtime_error {
  public:
    explicit FormatError(const Error& error) : std::runtime_error(error.message()), error_(error) {}
    /// The error itself. Its views point into the item's text: read it while that lives.
    const Error& error() const noexcept { return error_; }

  private:
    Error error_;
};
#endif

/// A T or an Error, like C++23's std::expected. T is always a view (or bool, std::size_t), so an
/// Expected is cheap to copy and never allocates.
/// Unlike std::expected, *e and e-> on an error are defined: they give an empty T (an empty
/// string, an empty Item...), so a forgotten check reads nothing rather than undefined memory.
template <class T>
class [[nodiscard]] Expected {
  public:
    Expected(T value) noexcept : value_(value) {}      // NOLINT: implicit, as std::expected
    Expected(Error error) noexcept : error_(error) {}  // NOLINT

    bool has_value() const noexcept { return error_.code() == Errc::kOk; }
    explicit operator bool() const noexcept { return has_value(); }
    const T& operator*() const& noexcept { return value_; }
    /// On a temporary, a copy: `for (auto e : *value.as_list())` then iterates a live object
    /// rather than a reference into the Expected that died at the end of the statement.
    T operator*() && noexcept { return value_; }
    const T* operator->() const noexcept { return &value_; }
    /// The error; code() is Errc::kOk when there is a value.
    const Error& error() const noexcept { return error_; }
    T value_or(T fallback) const noexcept { return has_value() ? value_ : fallback; }
#if defined(__cpp_exceptions)
    /// The value, or throws FormatError: for plugins that let a bad record fail by exception.
    const T& value() const& {
        if (!has_value())
            throw FormatError(error_);
        return value_;
    }
    T value() && {
        if (!has_value())
            throw FormatError(error_);
        return value_;
    }
#endif

  private:
    T value_{};
    Error error_;
};

/// A JSON string as it is written in the text, between its quotes. Its escapes were checked when
/// it was found, so decoding it cannot fail.
class String {
  public:
    String() = default;

    /// The text between the quotes, escapes as written.
    std::string_view raw() const noexcept { return raw_; }
    /// Whether raw() contains a backslash, i.e. whether the text differs from raw().
    bool has_escapes() const noexcept { return escapes_; }

    /// The decoded text: raw() itself when there are no escapes (no allocation), else decoded into
    /// `buffer` (replacing its contents) and a view of it. Reuse one buffer to allocate once.
    std::string_view get(std::string& buffer) const {
        if (!escapes_)
            return raw_;
        buffer.clear();
        decode([&](std::string_view piece) {
            buffer.append(piece);
            return true;
        });
        return buffer;
    }
    /// The decoded text as a new string.
    std::string str() const {
        std::string text;
        return std::string(get(text));
    }
    /// Whether the decoded text equals `text`, decoding as it goes: never allocates.
    bool operator==(std::string_view text) const noexcept {
        if (!escapes_)
            return raw_ == text;
        std::size_t at = 0;
        const bool same = decode([&](std::string_view piece) noexcept {
            if (text.substr(at, piece.size()) != piece)
                return false;
            at += piece.size();
            return true;
        });
        return same && at == text.size();
    }

  private:
    friend class detail::Scanner;
    friend class AttributeValue;
    String(std::string_view raw, bool escapes) noexcept : raw_(raw), escapes_(escapes) {}

    static unsigned hex4(std::string_view s) noexcept {
        unsigned value = 0;
        for (char c : s) {
            value <<= 4;
            if (c >= '0' && c <= '9')
                value |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                value |= static_cast<unsigned>(c - 'a' + 10);
            else
                value |= static_cast<unsigned>(c - 'A' + 10);
        }
        return value;
    }

    // Calls sink(piece) for consecutive pieces of the decoded text; stops early, returning false,
    // when the sink does. Relies on the escapes having been checked by the scanner.
    template <class Sink>
    bool decode(Sink&& sink) const {
        std::size_t i = 0;
        while (i < raw_.size()) {
            std::size_t slash = raw_.find('\\', i);
            if (slash == std::string_view::npos)
                slash = raw_.size();
            if (slash > i && !sink(raw_.substr(i, slash - i)))
                return false;
            if (slash == raw_.size())
                break;
            const char kind = raw_[slash + 1];
            i = slash + 2;
            char simple = 0;
            switch (kind) {
                case 'b':
                    simple = '\b';
                    break;
                case 'f':
                    simple = '\f';
                    break;
                case 'n':
                    simple = '\n';
                    break;
                case 'r':
                    simple = '\r';
                    break;
                case 't':
                    simple = '\t';
                    break;
                case 'u':
                    break;
                default:
                    simple = kind;
                    break;  // " \ /
            }
            if (kind != 'u') {
                if (!sink(std::string_view(&simple, 1)))
                    return false;
                continue;
            }
            unsigned code = hex4(raw_.substr(i, 4));
            i += 4;
            if (code >= 0xD800 && code <= 0xDBFF) {  // a high surrogate; its low half follows
                code = 0x10000 + ((code - 0xD800) << 10) + (hex4(raw_.substr(i + 2, 4)) - 0xDC00);
                i += 6;
            }
            char utf8[4];
            std::size_t n = 0;
            if (code < 0x80) {
                utf8[n++] = static_cast<char>(code);
            } else if (code < 0x800) {
                utf8[n++] = static_cast<char>(0xC0 | (code >> 6));
                utf8[n++] = static_cast<char>(0x80 | (code & 0x3F));
            } else if (code < 0x10000) {
                utf8[n++] = static_cast<char>(0xE0 | (code >> 12));
                utf8[n++] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                utf8[n++] = static_cast<char>(0x80 | (code & 0x3F));
            } else {
                utf8[n++] = static_cast<char>(0xF0 | (code >> 18));
                utf8[n++] = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
                utf8[n++] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                utf8[n++] = static_cast<char>(0x80 | (code & 0x3F));
            }
            if (!sink(std::string_view(utf8, n)))
                return false;
        }
        return true;
    }

    std::string_view raw_;
    bool escapes_ = false;
};

class Item;
class Values;

/// One attribute value: a view of a {"<type>": <value>} object, or of one element of a set (an S, N
/// or B without the braces). Its shape and type were checked when it was found; what is inside an
/// M or L is read when asked for.
class AttributeValue {
  public:
    /// An empty view (type NULL_, no text), as held by an Expected with an error.
    AttributeValue() = default;

    Type type() const noexcept { return type_; }
    bool is_null() const noexcept { return type_ == Type::NULL_; }
    /// The value's JSON as written: "\"Joe\"" for an S, "[...]" for an L, "{...}" for an M.
    std::string_view json() const noexcept {
        return root_.substr(value_begin_, value_end_ - value_begin_);
    }

    /// S: the string. String::get gives its text without allocating when it has no escapes.
    inline Expected<String> as_string() const noexcept;
    /// N: the number exactly as written ("-1.5E+3"); DynamoDB numbers have up to 38 digits, more
    /// than any built-in type holds, so converting (std::from_chars...) is the caller's choice.
    inline Expected<std::string_view> number_text() const noexcept;
    /// BOOL.
    inline Expected<bool> as_bool() const noexcept;
    /// B: the decoded bytes, written into `buffer` (its contents replaced; reuse it to allocate
    /// once). The span views `buffer`.
    inline Expected<std::span<const std::byte>> as_binary(std::string& buffer) const;
    /// M: the map, read like the item.
    inline Expected<Item> as_map() const noexcept;
    /// L: the elements, each an AttributeValue.
    inline Expected<Values> as_list() const noexcept;
    /// SS, NS, BS: the elements, each an AttributeValue of type S, N or B respectively.
    inline Expected<Values> as_string_set() const noexcept;
    inline Expected<Values> as_number_set() const noexcept;
    inline Expected<Values> as_binary_set() const noexcept;

  private:
    friend class detail::Scanner;
    friend class Values;

    Error wrong_type(Type expected) const noexcept {
        Error error(Errc::kWrongType, root_, start_, "");
        error.expected_ = expected;
        error.found_ = type_;
        return error;
    }
    inline Expected<Values> elements(Type expected, Type element) const noexcept;

    std::string_view root_;
    std::size_t start_ = 0;        // the '{' of {"<type>": ...}, or a set element's '"'
    std::size_t value_begin_ = 0;  // the value's first byte
    std::size_t value_end_ = 0;    // one past its last
    Type type_ = Type::NULL_;
    bool escapes_ = false;     // S, N, B: the string has escapes
    bool flag_ = false;        // BOOL: the value
    std::uint16_t depth_ = 0;  // JSON nesting depth of the value (see detail::kMaxJsonDepth)
};

/// A name and its value: what iterating an Item gives.
struct Attribute {
    String name;
    AttributeValue value;
};

/// The iterator of Item and Values: an input iterator over Expected<Attribute> or
/// Expected<AttributeValue>. After an error it yields that error once, then ends. It holds a copy
/// of its range (a few words), so it stays valid when the Item or Values it came from does not.
template <class Range, class Element>
class ElementIterator {
  public:
    using iterator_concept = std::input_iterator_tag;
    using value_type = Expected<Element>;
    using difference_type = std::ptrdiff_t;

    ElementIterator() = default;
    const value_type& operator*() const noexcept { return current_; }
    const value_type* operator->() const noexcept { return &current_; }
    ElementIterator& operator++() noexcept {
        advance();
        return *this;
    }
    void operator++(int) noexcept { advance(); }
    friend bool operator==(const ElementIterator& it, std::default_sentinel_t) noexcept {
        return it.done_;
    }

  private:
    friend Range;
    explicit ElementIterator(const Range& range) noexcept : range_(range) { advance(); }
    void advance() noexcept {
        if (!current_.has_value() || done_) {
            done_ = true;
            return;
        }
        done_ = !range_.next(position_, first_, current_);
        first_ = false;
    }

    Range range_;
    std::size_t position_ = 0;  // where the next element (or ',' or the end) is looked for
    bool first_ = true;
    bool done_ = false;
    value_type current_{Element{}};
};

/// A map: the item itself, or an M. Iterates as Expected<Attribute>, in the order of the text.
class Item {
  public:
    using iterator = ElementIterator<Item, Attribute>;

    /// An empty item (no attributes).
    Item() noexcept : Item(std::string_view("{}")) {}
    /// Reads `json`, the text of a JSON object ({"Id": {"N": "101"}}, whitespace allowed around
    /// it). Nothing is read yet; `json` must outlive this Item and everything read from it.
    explicit Item(std::string_view json) noexcept : root_(json) {
        while (begin_ < root_.size() && is_space(root_[begin_]))
            ++begin_;
        if (begin_ + 3 <= root_.size() && root_.substr(begin_, 3) == "\xEF\xBB\xBF")
            begin_ += 3;  // a UTF-8 byte-order mark, as some saved events have
        while (begin_ < root_.size() && is_space(root_[begin_]))
            ++begin_;
    }

    /// The value of the first attribute named `name` (compared with the names' escapes decoded;
    /// without allocating). Errc::kMissing when there is none; `name` must then outlive the Error.
    /// Reads the attributes before it, so looking up every name of a large map one by one is
    /// quadratic: iterate instead.
    inline Expected<AttributeValue> find(std::string_view name) const noexcept;
    /// The number of attributes (reads them all).
    inline Expected<std::size_t> size() const noexcept;

    iterator begin() const noexcept { return iterator(*this); }
    std::default_sentinel_t end() const noexcept { return {}; }

  private:
    friend class detail::Scanner;
    friend class AttributeValue;
    friend iterator;
    static bool is_space(char c) noexcept {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
    inline bool next(std::size_t& position, bool first, Expected<Attribute>& out) const noexcept;

    std::string_view root_;
    std::size_t begin_ = 0;    // the '{'
    std::uint16_t depth_ = 1;  // its JSON nesting depth
};

/// The elements of an L (each an AttributeValue) or of an SS, NS or BS (each an AttributeValue of
/// type S, N or B). Iterates as Expected<AttributeValue>, in the order of the text.
class Values {
  public:
    using iterator = ElementIterator<Values, AttributeValue>;

    Values() = default;
    /// The number of elements (reads them all).
    inline Expected<std::size_t> size() const noexcept;
    iterator begin() const noexcept { return iterator(*this); }
    std::default_sentinel_t end() const noexcept { return {}; }

  private:
    friend class AttributeValue;
    friend iterator;
    inline bool next(std::size_t& position, bool first,
                     Expected<AttributeValue>& out) const noexcept;

    std::string_view root_ = "[]";
    std::size_t begin_ = 0;    // the '['
    std::uint16_t depth_ = 1;  // its JSON nesting depth
    bool of_values_ = true;    // L: {"<type>": ...} elements; else bare strings of type element_
    Type element_ = Type::S;
};

namespace detail {

/// The deepest JSON nesting accepted. The item's object is at depth 1, each M or L adds two (its
/// {"<type>": ...} and its own brackets), and a set inside the deepest map adds two more.
inline constexpr int kMaxJsonDepth = 2 * kMaxDepth + 3;
/// The deepest JSON nesting of an M's or L's own brackets: kMaxDepth levels of them.
inline constexpr int kMaxMapDepth = 2 * kMaxDepth + 1;

/// The parsing, over one text. Every function checks bounds before each read.
class Scanner {
  public:
    explicit Scanner(std::string_view text) noexcept : t_(text) {}

    Error malformed(std::size_t at, const char* what) const noexcept {
        return Error(Errc::kMalformed, t_, at, what);
    }
    Error too_deep(std::size_t at) const noexcept { return Error(Errc::kTooDeep, t_, at, ""); }
    Error missing(std::size_t item_begin, std::string_view name) const noexcept {
        Error error(Errc::kMissing, t_, item_begin, "");
        error.name_ = name;
        return error;
    }
    Error bad_base64(std::size_t at) const noexcept { return Error(Errc::kBadBase64, t_, at, ""); }

    std::size_t skip_space(std::size_t i) const noexcept {
        while (i < t_.size() && Item::is_space(t_[i]))
            ++i;
        return i;
    }
    bool at(std::size_t i, char c) const noexcept { return i < t_.size() && t_[i] == c; }

    static bool is_hex(char c) noexcept {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    // A string literal at t_[i] == '"', strictly: escapes and surrogate pairs checked, no raw
    // control characters. On success i is past the closing quote.
    bool string(std::size_t& i, String& out, Error& error) const noexcept {
        const std::size_t open = i;
        bool escapes = false;
        std::size_t j = i + 1;
        while (true) {
            if (j >= t_.size()) {
                error = malformed(j, "unterminated string");
                return false;
            }
            const unsigned char c = static_cast<unsigned char>(t_[j]);
            if (c == '"')
                break;
            if (c < 0x20) {
                error = malformed(j, "control character in a string");
                return false;
            }
            if (c != '\\') {
                ++j;
                continue;
            }
            escapes = true;
            if (j + 1 >= t_.size()) {
                error = malformed(j, "unterminated string");
                return false;
            }
            const char kind = t_[j + 1];
            if (kind != 'u') {
                if (kind != '"' && kind != '\\' && kind != '/' && kind != 'b' && kind != 'f' &&
                    kind != 'n' && kind != 'r' && kind != 't') {
                    error = malformed(j, "invalid escape in a string");
                    return false;
                }
                j += 2;
                continue;
            }
            unsigned code = 0;
            if (!hex_escape(j, code)) {
                error = malformed(j, "invalid \\u escape in a string");
                return false;
            }
            if (code >= 0xDC00 && code <= 0xDFFF) {
                error = malformed(j, "unpaired low surrogate in a string");
                return false;
            }
            if (code >= 0xD800 && code <= 0xDBFF) {
                unsigned low = 0;
                if (!hex_escape(j + 6, low) || low < 0xDC00 || low > 0xDFFF) {
                    error = malformed(j, "unpaired high surrogate in a string");
                    return false;
                }
                j += 6;
            }
            j += 6;
        }
        out = String(t_.substr(open + 1, j - open - 1), escapes);
        i = j + 1;
        return true;
    }

    // Skips any JSON value at t_[i], at JSON depth `depth` if it is an object or array. Loosely:
    // strings must close and brackets balance, nothing more. On success i is past it.
    bool skip(std::size_t& i, int depth, Error& error) const noexcept {
        if (i >= t_.size()) {
            error = malformed(i, "a value expected, the text ended");
            return false;
        }
        const char first = t_[i];
        if (first != '{' && first != '[') {
            if (first == '"') {
                String ignored;
                return string(i, ignored, error);
            }
            const std::size_t start = i;
            while (i < t_.size() && is_literal_char(t_[i]))
                ++i;
            if (i == start) {
                error = malformed(i, "a value expected");
                return false;
            }
            return true;
        }
        std::array<std::uint64_t, (kMaxJsonDepth + 64) / 64> is_array{};  // one bit per level
        int level = 0;
        while (true) {
            if (i >= t_.size()) {
                error = malformed(i, "unterminated object or array");
                return false;
            }
            const char c = t_[i];
            if (c == '"') {
                std::size_t j = i + 1;
                while (j < t_.size() && t_[j] != '"')
                    j += t_[j] == '\\' ? 2 : 1;
                if (j >= t_.size()) {
                    error = malformed(t_.size(), "unterminated string");
                    return false;
                }
                i = j + 1;
                continue;
            }
            if (c == '{' || c == '[') {
                if (depth + level > kMaxJsonDepth) {
                    error = too_deep(i);
                    return false;
                }
                const auto bit = static_cast<std::size_t>(level);
                if (c == '[')
                    is_array[bit / 64] |= std::uint64_t{1} << (bit % 64);
                else
                    is_array[bit / 64] &= ~(std::uint64_t{1} << (bit % 64));
                ++level;
            } else if (c == '}' || c == ']') {
                const auto bit = static_cast<std::size_t>(level - 1);
                const bool array = (is_array[bit / 64] >> (bit % 64)) & 1;
                if (array != (c == ']')) {
                    error = malformed(i, "mismatched bracket");
                    return false;
                }
                if (--level == 0) {
                    ++i;
                    return true;
                }
            }
            ++i;
        }
    }

    // A {"<type>": <value>} object at t_[i] (after space), at JSON depth `depth`.
    bool attribute_value(std::size_t& i, int depth, AttributeValue& out,
                         Error& error) const noexcept {
        if (!at(i, '{')) {
            error = malformed(i, "expected an attribute value {\"<type>\": ...}");
            return false;
        }
        if (depth > kMaxJsonDepth) {
            error = too_deep(i);
            return false;
        }
        AttributeValue value;
        value.root_ = t_;
        value.start_ = i;
        std::size_t j = skip_space(i + 1);
        String tag;
        if (!at(j, '"')) {
            error = malformed(j, "expected a type name (\"S\", \"N\", \"M\"...)");
            return false;
        }
        const std::size_t tag_at = j;
        if (!string(j, tag, error))
            return false;
        bool known = false;
        for (std::size_t k = 0; k < 10 && !known; ++k) {
            if (tag == type_name(static_cast<Type>(k))) {
                value.type_ = static_cast<Type>(k);
                known = true;
            }
        }
        if (!known) {
            error = malformed(tag_at, "unknown attribute value type");
            return false;
        }
        j = skip_space(j);
        if (!at(j, ':')) {
            error = malformed(j, "expected ':'");
            return false;
        }
        j = skip_space(j + 1);
        value.value_begin_ = j;
        value.depth_ = static_cast<std::uint16_t>(depth + 1);
        switch (value.type_) {
            case Type::S:
            case Type::N:
            case Type::B: {
                if (!at(j, '"')) {
                    error = malformed(j, "expected a string");
                    return false;
                }
                String text;
                if (!string(j, text, error))
                    return false;
                value.escapes_ = text.has_escapes();
                break;
            }
            case Type::BOOL:
            case Type::NULL_:
                if (t_.substr(j, 4) == "true") {
                    value.flag_ = true;
                    j += 4;
                } else if (t_.substr(j, 5) == "false") {
                    j += 5;
                } else {
                    error = malformed(j, "expected true or false");
                    return false;
                }
                if (j < t_.size() && is_literal_char(t_[j])) {
                    error = malformed(j, "expected true or false");
                    return false;
                }
                break;
            case Type::M:
                if (depth + 1 > kMaxMapDepth) {
                    error = too_deep(j);
                    return false;
                }
                if (!at(j, '{')) {
                    error = malformed(j, "expected '{' (an M is an object)");
                    return false;
                }
                if (!skip(j, depth + 1, error))
                    return false;
                break;
            default:  // L, SS, NS, BS
                if (value.type_ == Type::L && depth + 1 > kMaxMapDepth) {
                    error = too_deep(j);
                    return false;
                }
                if (!at(j, '[')) {
                    error = malformed(j, "expected '[' (an L or set is an array)");
                    return false;
                }
                if (!skip(j, depth + 1, error))
                    return false;
                break;
        }
        value.value_end_ = j;
        j = skip_space(j);
        if (at(j, ',')) {
            error = malformed(j, "an attribute value has exactly one type");
            return false;
        }
        if (!at(j, '}')) {
            error = malformed(j, "expected '}' after the attribute value");
            return false;
        }
        i = j + 1;
        out = value;
        return true;
    }

    // The separator before an element of the container that opens at `open` with `open_char`:
    // nothing before the first, ',' before the others. False (and `ended`) at the closing bracket.
    bool element_start(std::size_t& position, std::size_t open, bool first, char close, bool& ended,
                       Error& error) const noexcept {
        ended = false;
        if (first) {
            if (!at(open, close == '}' ? '{' : '[')) {
                error = malformed(open, close == '}' ? "expected '{'" : "expected '['");
                return false;
            }
            position = skip_space(open + 1);
            if (at(position, close)) {
                ended = true;
                return false;
            }
            return true;
        }
        position = skip_space(position);
        if (at(position, close)) {
            ended = true;
            return false;
        }
        if (!at(position, ',')) {
            error =
                malformed(position, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
            return false;
        }
        position = skip_space(position + 1);
        return true;
    }

  private:
    static bool is_literal_char(char c) noexcept {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-' || c == '+' || c == '.';
    }
    // A \uXXXX escape at t_[j] == '\\'.
    bool hex_escape(std::size_t j, unsigned& code) const noexcept {
        if (j + 6 > t_.size() || t_[j] != '\\' || t_[j + 1] != 'u')
            return false;
        code = 0;
        for (std::size_t k = j + 2; k < j + 6; ++k) {
            if (!is_hex(t_[k]))
                return false;
            const char c = t_[k];
            code = (code << 4) | static_cast<unsigned>(c <= '9'   ? c - '0'
                                                       : c <= 'F' ? c - 'A' + 10
                                                                  : c - 'a' + 10);
        }
        return true;
    }

    std::string_view t_;
};

/// The attribute path to `offset` ("Owner.Tags[2]"), worked out by walking `root` up to it: a
/// plain bracket walk, so it works on text that is malformed after the offset. Allocates.
inline std::string describe_path(std::string_view root, std::size_t offset) {
    struct Frame {
        bool object = false;
        std::string_view key;
        std::size_t index = 0;
    };
    std::array<Frame, kMaxJsonDepth + 2> stack{};
    std::size_t depth = 0;
    bool expect_key = false;
    const std::size_t end = offset < root.size() ? offset : root.size();
    for (std::size_t i = 0; i < end; ++i) {
        const char c = root[i];
        if (c == '"') {
            std::size_t j = i + 1;
            while (j < root.size() && root[j] != '"')
                j += root[j] == '\\' ? 2 : 1;
            if (j >= end)
                break;  // the offset is inside this string
            if (depth > 0 && stack[depth - 1].object && expect_key) {
                stack[depth - 1].key = root.substr(i + 1, j - i - 1);
                expect_key = false;
            }
            i = j;
        } else if (c == '{' || c == '[') {
            if (depth == stack.size())
                break;
            stack[depth++] = Frame{c == '{', {}, 0};
            expect_key = c == '{';
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                --depth;
            expect_key = false;
        } else if (c == ',' && depth > 0) {
            if (stack[depth - 1].object) {
                expect_key = true;
                stack[depth - 1].key = {};
            } else
                ++stack[depth - 1].index;
        }
    }
    // Odd depths are the item's and M's objects (whose keys are names) and L's and sets' arrays
    // (whose indexes count); even depths are {"<type>": ...} objects, whose key is the type.
    std::string path;
    for (std::size_t level = 0; level < depth; level += 2) {
        const Frame& frame = stack[level];
        if (frame.object && !frame.key.empty()) {
            if (!path.empty())
                path += '.';
            path += frame.key;
        } else if (!frame.object) {
            path += '[' + std::to_string(frame.index) + ']';
        }
    }
    return path;
}

// Standard base64 with padding, as DynamoDB writes B. Writes at most 3 bytes per 4 characters to
// `out`, which may be `in` itself (decoding runs behind reading). Returns the length, or -1.
inline std::ptrdiff_t decode_base64(std::string_view in, char* out) noexcept {
    if (in.size() % 4 != 0)
        return -1;
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        if (c == '+')
            return 62;
        if (c == '/')
            return 63;
        return -1;
    };
    std::size_t n = 0;
    for (std::size_t i = 0; i < in.size(); i += 4) {
        const bool last = i + 4 == in.size();
        const int pad = last ? (in[i + 3] == '=') + (in[i + 2] == '=' && in[i + 3] == '=') : 0;
        int v[4] = {};
        for (int k = 0; k < 4 - pad; ++k) {
            v[k] = value(in[i + static_cast<std::size_t>(k)]);
            if (v[k] < 0)
                return -1;
        }
        const std::uint32_t bits = (std::uint32_t(v[0]) << 18) | (std::uint32_t(v[1]) << 12) |
                                   (std::uint32_t(v[2]) << 6) | std::uint32_t(v[3]);
        out[n++] = static_cast<char>(bits >> 16);
        if (pad < 2)
            out[n++] = static_cast<char>((bits >> 8) & 0xFF);
        if (pad < 1)
            out[n++] = static_cast<char>(bits & 0xFF);
    }
    return static_cast<std::ptrdiff_t>(n);
}

}  // namespace detail

// ---- Definitions ---------------------------------------------------------------------------

inline Expected<String> AttributeValue::as_string() const noexcept {
    if (type_ != Type::S)
        return wrong_type(Type::S);
    return String(root_.substr(value_begin_ + 1, value_end_ - value_begin_ - 2), escapes_);
}

inline Expected<std::string_view> AttributeValue::number_text() const noexcept {
    if (type_ != Type::N)
        return wrong_type(Type::N);
    const std::string_view digits = root_.substr(value_begin_ + 1, value_end_ - value_begin_ - 2);
    // DynamoDB writes digits, sign, point and exponent only; anything else (escapes included)
    // would reach the caller's number conversion, so it is refused here.
    bool ok = !digits.empty();
    for (char c : digits)
        ok = ok &&
             ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E');
    if (!ok)
        return detail::Scanner(root_).malformed(value_begin_, "an N is not a number");
    return digits;
}

inline Expected<bool> AttributeValue::as_bool() const noexcept {
    if (type_ != Type::BOOL)
        return wrong_type(Type::BOOL);
    return flag_;
}

inline Expected<std::span<const std::byte>> AttributeValue::as_binary(std::string& buffer) const {
    if (type_ != Type::B)
        return wrong_type(Type::B);
    const String text(root_.substr(value_begin_ + 1, value_end_ - value_begin_ - 2), escapes_);
    std::ptrdiff_t size = -1;
    if (escapes_) {  // rare ("\/" for '/'): unescape into the buffer, then decode it in place
        text.get(buffer);
        size = detail::decode_base64(buffer, buffer.data());
    } else {
        buffer.resize(text.raw().size() / 4 * 3);
        size = detail::decode_base64(text.raw(), buffer.data());
    }
    if (size < 0) {
        buffer.clear();
        return detail::Scanner(root_).bad_base64(start_);
    }
    buffer.resize(static_cast<std::size_t>(size));
    return std::span<const std::byte>(reinterpret_cast<const std::byte*>(buffer.data()),
                                      buffer.size());
}

inline Expected<Item> AttributeValue::as_map() const noexcept {
    if (type_ != Type::M)
        return wrong_type(Type::M);
    Item item;
    item.root_ = root_;
    item.begin_ = value_begin_;
    item.depth_ = depth_;
    return item;
}

inline Expected<Values> AttributeValue::elements(Type expected, Type element) const noexcept {
    if (type_ != expected)
        return wrong_type(expected);
    Values values;
    values.root_ = root_;
    values.begin_ = value_begin_;
    values.depth_ = depth_;
    values.of_values_ = expected == Type::L;
    values.element_ = element;
    return values;
}

inline Expected<Values> AttributeValue::as_list() const noexcept {
    return elements(Type::L, Type::L);
}
inline Expected<Values> AttributeValue::as_string_set() const noexcept {
    return elements(Type::SS, Type::S);
}
inline Expected<Values> AttributeValue::as_number_set() const noexcept {
    return elements(Type::NS, Type::N);
}
inline Expected<Values> AttributeValue::as_binary_set() const noexcept {
    return elements(Type::BS, Type::B);
}

inline bool Item::next(std::size_t& position, bool first, Expected<Attribute>& out) const noexcept {
    const detail::Scanner scan(root_);
    Error error;
    bool ended = false;
    Attribute attribute;
    if (first && depth_ > detail::kMaxJsonDepth) {
        out = scan.too_deep(begin_);
        return true;
    }
    if (!scan.element_start(position, begin_, first, '}', ended, error)) {
        if (ended)
            return false;
        out = error;
        return true;
    }
    if (!scan.at(position, '"')) {
        out = scan.malformed(position, "expected an attribute name");
        return true;
    }
    if (!scan.string(position, attribute.name, error)) {
        out = error;
        return true;
    }
    position = scan.skip_space(position);
    if (!scan.at(position, ':')) {
        out = scan.malformed(position, "expected ':'");
        return true;
    }
    position = scan.skip_space(position + 1);
    if (!scan.attribute_value(position, depth_ + 1, attribute.value, error)) {
        out = error;
        return true;
    }
    out = attribute;
    return true;
}

inline Expected<AttributeValue> Item::find(std::string_view name) const noexcept {
    for (const Expected<Attribute>& attribute : *this) {
        if (!attribute)
            return attribute.error();
        if (attribute->name == name)
            return attribute->value;
    }
    return detail::Scanner(root_).missing(begin_, name);
}

inline Expected<std::size_t> Item::size() const noexcept {
    std::size_t count = 0;
    for (const Expected<Attribute>& attribute : *this) {
        if (!attribute)
            return attribute.error();
        ++count;
    }
    return count;
}

inline bool Values::next(std::size_t& position, bool first,
                         Expected<AttributeValue>& out) const noexcept {
    const detail::Scanner scan(root_);
    Error error;
    bool ended = false;
    if (!scan.element_start(position, begin_, first, ']', ended, error)) {
        if (ended)
            return false;
        out = error;
        return true;
    }
    AttributeValue value;
    if (of_values_) {
        if (!scan.attribute_value(position, depth_ + 1, value, error)) {
            out = error;
            return true;
        }
    } else {
        if (!scan.at(position, '"')) {
            out = scan.malformed(position, "expected a string (a set element)");
            return true;
        }
        const std::size_t start = position;
        String text;
        if (!scan.string(position, text, error)) {
            out = error;
            return true;
        }
        value.root_ = root_;
        value.start_ = start;
        value.value_begin_ = start;
        value.value_end_ = position;
        value.type_ = element_;
        value.escapes_ = text.has_escapes();
        value.depth_ = depth_;
    }
    out = value;
    return true;
}

inline Expected<std::size_t> Values::size() const noexcept {
    std::size_t count = 0;
    for (const Expected<AttributeValue>& value : *this) {
        if (!value)
            return value.error();
        ++count;
    }
    return count;
}

}  // namespace kbatch::dynamodb
