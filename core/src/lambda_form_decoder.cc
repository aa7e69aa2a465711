#include "lambda_form_decoder.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "base64.h"
#include "json_skim.h"
#include "json_string.h"
#include "source_fields.h"
#include "text_scan.h"

namespace kbatch {
namespace {

using fields::FieldSet;
using fields::Kind;
using fields::Section;
using json_string::closes_at;
using json_string::closing_quote;

// Whether the `Size` characters at `text` are at `at`: a few word compares, inlined, since the
// size is known at compile time and `text` is a constant. Reads `Size` bytes from `at`.
template <std::size_t Size>
[[gnu::always_inline]] inline bool equal_at(const char* at, const char* text) {
    if constexpr (Size < 8) {
        return std::memcmp(at, text, Size) == 0;
    } else {
        std::uint64_t difference = 0;
        for (std::size_t i = 0; i + 8 <= Size; i += 8)
            difference |= word_at(at + i) ^ word_at(text + i);
        if constexpr (Size % 8 != 0)  // the last word overlaps the one before it
            difference |= word_at(at + Size - 8) ^ word_at(text + Size - 8);
        return difference == 0;
    }
}

// A field's key between its quotes, as a constant array: what the reader compares the text with.
template <class Table, std::size_t I>
constexpr auto quoted_key() {
    constexpr std::string_view key = Table::kFields[I].key;
    std::array<char, key.size() + 2> quoted{};
    quoted[0] = '"';
    for (std::size_t i = 0; i < key.size(); ++i)
        quoted[i + 1] = key[i];
    quoted[key.size() + 1] = '"';
    return quoted;
}
template <class Table, std::size_t I>
inline constexpr auto kQuotedKey = quoted_key<Table, I>();

// 10^0 to 10^22: every one is a double exactly.
constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The order in which a table's keys come, learnt from the records read so far: which key
// followed each one, and which came first in each section. A batch's records nearly always have
// one order, whatever it is, so after the first record every key is found at the first try.
// Starts as the table's order, which is Lambda's.
template <class Table>
struct KeyOrder {
    static constexpr std::size_t kCount = fields::kFieldCount<Table>;
    static constexpr std::size_t kSections =
        static_cast<std::size_t>(Section::kMessageAttribute) + 1;  // the last Section
    static_assert(kCount <= 32, "FieldSet has a bit per field");

    KeyOrder() {
        for (std::size_t i = 0; i < kCount; ++i)
            next[i] = static_cast<std::uint8_t>(i + 1 < kCount ? i + 1 : 0);
        first.fill(0);
        for (std::size_t i = kCount; i-- > 0;)
            first[static_cast<std::size_t>(Table::kFields[i].section)] =
                static_cast<std::uint8_t>(i);
    }

    std::array<std::uint8_t, kCount> next{};
    std::array<std::uint8_t, kSections> first{};
};

// What became of reading an event as one source's.
enum class Outcome {
    kDecoded,
    kNotThisSource,  // its first record is not one of this source's (or not in Lambda's form)
    kRefused,        // not in Lambda's form: the general path decides
};

// One forward pass over an event in Lambda's form, as the events of source `Src`. Every read
// checks that what it consumes ends before the event does: the read-ahead bytes after it are
// never taken for part of the event. `kSpaced`: whether to allow whitespace between tokens; a
// compact reader, for the form Lambda itself writes, spends nothing on looking for it.
template <class Src, bool kSpaced>
class Reader {
  public:
    using Fields = typename Src::Fields;

    Reader(std::string_view event, std::byte* arena, DecodedBatch& batch)
        : at_(event.data()), end_(event.data() + event.size()), arena_(arena), batch_(batch) {}

    Outcome read_event() {
        batch_.source = Src::kSource;
        skip_space();
        if (!take('{'))
            return Outcome::kRefused;
        skip_space();
        if (!take_text("\"Records\""))
            return Outcome::kRefused;
        skip_space();
        if (!take(':'))
            return Outcome::kRefused;
        skip_space();
        if (!take('['))
            return Outcome::kRefused;
        skip_space();
        if (!take(']')) {
            std::size_t count = 0;
            do {
                skip_space();
                if (count == kMaxRecords)
                    return Outcome::kRefused;  // the general path says why this is refused
                if (!read_record())
                    return count == 0 ? Outcome::kNotThisSource : Outcome::kRefused;
                push();
                ++count;
                skip_space();
            } while (take(','));
            if (!take(']'))
                return Outcome::kRefused;
        }
        skip_space();
        if (!take('}'))
            return Outcome::kRefused;
        for (; at_ != end_; ++at_) {
            if (!is_json_space(*at_))
                return Outcome::kRefused;
        }
        if constexpr (Src::kSource == Source::kSqs)
            fields::point_sqs_attribute_spans(batch_);
        return Outcome::kDecoded;
    }

    /// Whether the reader stopped at whitespace: for a compact reader, the sign of an event
    /// spaced only after its first bytes.
    bool stopped_at_space() const { return at_ < end_ && is_json_space(*at_); }

  private:
    // Reads a record into fields_, which holds the record before until then.
    bool read_record() {
        FieldSet seen = 0;
        if (!read_object<Src, Section::kRecord>(fields_, seen))
            return false;
        if (seen != record_fields_seen_) {
            clear_unseen(seen);
            record_fields_seen_ = seen;
        }
        // A record with a defect (the general path notes it) is left to the general path.
        if ((seen & kRequired) != kRequired || !usable_identifier())
            return false;
        // And so is a record of another source than this reader's.
        constexpr std::string_view kName = event_source_value(Src::kSource);
        const std::string_view source = fields_.event_source;
        if constexpr (Src::kSource == Source::kKinesis) {
            if (source.empty())
                return true;  // its kinesis object says what it is
        }
        return source.size() == kName.size() && equal_at<kName.size()>(source.data(), kName.data());
    }

    void push() {
        if constexpr (Src::kSource == Source::kKinesis) {
            batch_.kinesis.push_back(fields_);
        } else if constexpr (Src::kSource == Source::kSqs) {
            batch_.sqs.push_back(fields_);
        } else {
            batch_.dynamodb.push_back(fields_);
        }
    }

    // Every required field of the table, objects included.
    static constexpr FieldSet kRequired = [] {
        FieldSet set = 0;
        for (std::size_t i = 0; i < Src::kFields.size(); ++i)
            set |= Src::kFields[i].required() ? FieldSet{1} << i : 0;
        return set;
    }();

    bool usable_identifier() const {
        constexpr std::size_t identifier = [] {
            for (std::size_t i = 0; i < Src::kFields.size(); ++i) {
                if (Src::kFields[i].presence == fields::Presence::kIdentifier)
                    return i;
            }
            return Src::kFields.size();
        }();
        static_assert(identifier < Src::kFields.size(), "every source has an identifier");
        const std::string_view text = fields_.*(Src::kFields[identifier].text);
        if constexpr (Src::kIdentifierRule == fields::IdentifierRule::kSequenceNumber) {
            return is_sequence_number(text);
        } else {
            return !text.empty();
        }
    }

    // Empties the fields that a record does not have, which fields_ may still hold from the
    // record before. Only needed when a record has other fields than the one before.
    [[gnu::noinline]] void clear_unseen(FieldSet seen) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (((seen & fields::kBit<I>) != 0 ? void() : clear<Src, I>(fields_)), ...);
        }
        (std::make_index_sequence<fields::kFieldCount<Src>>{});
    }

    template <class Table, std::size_t I>
    static void clear(typename Table::Fields& fields) {
        constexpr auto& field = Table::kFields[I];
        if constexpr (field.text != nullptr) {
            fields.*field.text = {};
        } else if constexpr (field.bytes != nullptr) {
            fields.*field.bytes = {};
        } else if constexpr (field.seconds != nullptr) {
            fields.*field.seconds = 0;
        } else if constexpr (field.count != nullptr) {
            fields.*field.count = 0;
        } else if constexpr (field.attributes != nullptr) {
            fields.*field.attributes = {};
        }
    }

    // Reads an object of `section` of table `Table` into `fields`, adding its keys to `seen`.
    template <class Table, Section S>
    bool read_object(typename Table::Fields& fields, FieldSet& seen) {
        if (!take('{'))
            return false;
        skip_space();
        if (take('}'))
            return true;
        std::size_t last = fields::kFieldCount<Table>;
        switch (read_in_table_order<Table, S>(fields, seen, &last)) {
            case Straight::kClosed:
                return true;
            case Straight::kFailed:
                return false;
            case Straight::kLeft:
                break;
        }
        // The rest in the order the records before had them.
        KeyOrder<Table>& order = key_order<Table>();
        std::uint8_t* expected = last == fields::kFieldCount<Table>
                                     ? &order.first[static_cast<std::size_t>(S)]
                                     : &order.next[last];
        do {
            skip_space();
            std::size_t field = fields::kFieldCount<Table>;
            bool read = false;
            // The key the order says, then (out of the way) every key of the section.
            fields::visit_index_in<Table, S>(*expected, [&](auto i) KBATCH_INLINE_LAMBDA {
                if (take_key<Table, i>()) {
                    field = i;
                    read = read_field<Table, i>(fields, seen);
                }
            });
            if (field == fields::kFieldCount<Table>) {
                field = find_key<Table, S>();
                if (field == fields::kFieldCount<Table>)
                    return false;  // a key this source does not have
                *expected = static_cast<std::uint8_t>(field);
                fields::visit_index<Table>(field, [&](auto i) KBATCH_INLINE_LAMBDA {
                    read = read_field<Table, i>(fields, seen);
                });
            }
            if (!read)
                return false;
            expected = &order.next[field];
            skip_space();
        } while (take(','));
        return take('}');
    }

    // How far reading an object's keys in the table's order got.
    enum class Straight {
        kClosed,  // to the object's end
        kFailed,  // to a value or a separator that is not Lambda's form
        kLeft,    // to a key that is not next in the table's order (at it, not consumed)
    };

    // Reads the keys of an object of `section` (after its '{') in the table's order, which is
    // Lambda's, one after the other in straight code: no jump through a table per key. A key
    // the record does not have is passed over when it is optional. `*last` is the last field
    // read. Whatever is left, in another order, read_object's loop reads.
    template <class Table, Section S>
    [[gnu::always_inline]] Straight read_in_table_order(typename Table::Fields& fields,
                                                        FieldSet& seen, std::size_t* last) {
        Straight result = Straight::kLeft;
        bool stop = false;
        fields::for_each_field_in<Table, S>([&](auto i) KBATCH_INLINE_LAMBDA {
            if (stop)
                return;
            if (!take_key<Table, i>()) {
                stop = Table::kFields[i].required();  // an optional one may just be absent
                return;
            }
            *last = i;
            if (!read_field<Table, i>(fields, seen)) {
                result = Straight::kFailed;
                stop = true;
                return;
            }
            skip_space();
            if (take(',')) {
                skip_space();
                return;
            }
            result = take('}') ? Straight::kClosed : Straight::kFailed;
            stop = true;
        });
        return result;
    }

    template <class Table>
    KeyOrder<Table>& key_order() {
        if constexpr (std::is_same_v<Table, fields::SqsAttributeEntry>) {
            return entry_order_;
        } else {
            return order_;
        }
    }

    // The key of `section` at at_, consumed with its quotes; the field's index, or the table's
    // size when it is none of them. Out of the way: after the first record it is rarely needed.
    template <class Table, Section S>
    [[gnu::noinline]] std::size_t find_key() {
        std::size_t found = fields::kFieldCount<Table>;
        fields::for_each_field_in<Table, S>([&](auto i) KBATCH_INLINE_LAMBDA {
            if (found == fields::kFieldCount<Table> && take_key<Table, i>())
                found = i;
        });
        return found;
    }

    // Consumes the key of field `I` of `Table` with its quotes, if it is next, and the colon
    // after it; consumes nothing if they are not both there.
    template <class Table, std::size_t I>
    [[gnu::always_inline]] bool take_key() {
        constexpr auto& quoted = kQuotedKey<Table, I>;
        if (static_cast<std::size_t>(end_ - at_) <= quoted.size() ||
            !equal_at<quoted.size()>(at_, quoted.data())) {
            return false;
        }
        const char* const key = at_;
        at_ += quoted.size();
        if (!take(':')) {  // Lambda's form, and Python's ": ", have the colon right after it
            if constexpr (kSpaced) {
                skip_space();
                if (take(':')) {
                    skip_space();
                    return true;
                }
            } else if (stopped_at_space()) {
                return false;  // where the spaced reader takes over; no key starts here
            }
            at_ = key;  // not a key of this section after all
            return false;
        }
        skip_space();
        return true;
    }

    // Reads the value of field `I` of `Table` (at_ is at it) into `fields`. A field given twice
    // is a defect, which the general path reports.
    template <class Table, std::size_t I>
    [[gnu::always_inline]] bool read_field(typename Table::Fields& fields, FieldSet& seen) {
        constexpr auto& field = Table::kFields[I];
        if ((seen & fields::kBit<I>) != 0)
            return false;
        seen |= fields::kBit<I>;
        if constexpr (field.kind == Kind::kText) {
            return read_text(fields.*field.text);
        } else if constexpr (field.kind == Kind::kBase64) {
            return read_base64(fields.*field.bytes, field.required());
        } else if constexpr (field.kind == Kind::kSeconds) {
            return read_seconds(fields.*field.seconds);
        } else if constexpr (field.kind == Kind::kSecondsOrMillis) {
            if (!read_seconds(fields.*field.seconds))
                return false;
            fields.*field.seconds = fields::seconds_or_milliseconds(fields.*field.seconds);
            return true;
        } else if constexpr (field.kind == Kind::kUnsigned) {
            return read_unsigned(fields.*field.count);
        } else if constexpr (field.kind == Kind::kRawObject) {
            return read_raw_object(fields.*field.text);
        } else if constexpr (field.kind == Kind::kObject) {
            if (take_null())
                return !field.required();
            return read_object<Table, field.opens>(fields, seen);
        } else if constexpr (field.kind == Kind::kAttributeMap) {
            return read_attribute_map(fields.*field.attributes);
        } else {
            static_assert(field.kind == Kind::kIgnored);
            return skim();
        }
    }

    // A string, unescaped, or null (absent). `field` holds the same field of the record before,
    // and its closing quote is looked for first where that one's was: most strings have the same
    // length in every record of a batch (one stream, one region, one role; the sequence numbers
    // of one shard). The end is then known before the string's bytes are checked, and the
    // processor reads on while it checks them, instead of waiting on a scan for every string of
    // the batch in turn.
    [[gnu::always_inline]] bool read_text(std::string_view& field) {
        if (at_ == end_ || *at_ != '"') {
            if (!take_null())
                return false;  // another type: the general path decides
            field = {};
            return true;
        }
        const char* const body = at_ + 1;
        const char* close = nullptr;
        if (field.size() < static_cast<std::size_t>(end_ - body) &&
            closes_at(body, body + field.size())) {
            close = body + field.size();
        } else {
            close = closing_quote(body, end_);
            if (close == nullptr)
                return read_escaped_text(field);
        }
        field = std::string_view(body, static_cast<std::size_t>(close - body));
        at_ = close + 1;
        return true;
    }

    // A string with escapes (an SQS body of JSON, say): unescaped into the arena, as simdjson
    // unescapes it for the general path. It takes no more bytes there than in the event.
    [[gnu::noinline]] bool read_escaped_text(std::string_view& field) {
        std::size_t size = 0;
        const char* const close = json_string::unescape(at_ + 1, end_, arena_, &size);
        if (close == nullptr)
            return false;
        field = std::string_view(reinterpret_cast<const char*>(arena_), size);
        arena_ += size;
        at_ = close + 1;
        return true;
    }

    // Base64 text without escapes, decoded into the arena; null for an optional one (absent).
    bool read_base64(std::span<const std::byte>& field, bool required) {
        if (at_ == end_ || *at_ != '"') {
            if (required || !take_null())
                return false;
            field = {};
            return true;
        }
        const char* const body = at_ + 1;
        const char* const close = closing_quote(body, end_);
        if (close == nullptr)
            return false;
        // The arena holds as many bytes as the event, and base64 decodes to fewer bytes than its
        // text takes, so this always fits.
        std::optional<Base64Error> error;
        const std::size_t size = base64_decode(
            std::string_view(body, static_cast<std::size_t>(close - body)), arena_, &error);
        if (error)
            return false;
        field = std::span<const std::byte>(arena_, size);
        arena_ += size;
        at_ = close + 1;
        return true;
    }

    // Seconds in the form Lambda writes them, with or without a fraction ("1545084650.987",
    // "1718035261"): a JSON number without sign or exponent, of at most 19 digits, whose digits
    // make at most 2^53. Its value is then digits / 10^decimals, both exact as doubles, and a
    // division rounds correctly: the same double as simdjson's (correctly rounded) parse. null is
    // absent (zero).
    bool read_seconds(double& out) {
        if (take_null()) {
            out = 0;
            return true;
        }
        const std::uint32_t digits = json_string::digit_mask(at_);
        const int whole = std::countr_one(digits);
        if (whole == 0 || whole > 19 || (at_[0] == '0' && whole > 1))
            return false;  // not a number, too long, or a leading zero (not JSON)
        // A fraction that runs past the 32 bytes compared counts at least 32 - whole - 1 digits
        // here, over 19 in all: refused below, as it should be.
        int decimals = 0;
        if (at_[whole] == '.') {
            decimals = std::countr_one(digits >> (whole + 1));
            if (decimals == 0)
                return false;
        }
        const int count = whole + decimals;
        const char* const after = at_ + count + (decimals != 0 ? 1 : 0);
        // At most 19 digits (exact in 64 bits), all of them in the event (digits read past its
        // end, in the read-ahead, put `after` past it), and no exponent after them.
        if (count > 19 || after > end_ || (after != end_ && (*after == 'e' || *after == 'E')))
            return false;
        std::uint64_t value = 0;
        for (int i = 0; i < whole; ++i)
            value = value * 10 + static_cast<std::uint64_t>(at_[i] - '0');
        for (int i = whole + 1; i <= count; ++i)
            value = value * 10 + static_cast<std::uint64_t>(at_[i] - '0');
        if (value > (std::uint64_t{1} << 53))
            return false;
        out = static_cast<double>(value) / kPowersOfTen[decimals];
        at_ = after;
        return true;
    }

    // A non-negative integer of at most 19 digits (below 2^64, as simdjson's get_uint64 reads
    // it), or null (absent, zero).
    bool read_unsigned(std::uint64_t& out) {
        if (take_null()) {
            out = 0;
            return true;
        }
        const int count = std::countr_one(json_string::digit_mask(at_));
        if (count == 0 || count > 19 || (at_[0] == '0' && count > 1))
            return false;
        const char* const after = at_ + count;
        if (after > end_ || (after != end_ && (*after == '.' || *after == 'e' || *after == 'E')))
            return false;
        std::uint64_t value = 0;
        for (int i = 0; i < count; ++i)
            value = value * 10 + static_cast<std::uint64_t>(at_[i] - '0');
        out = value;
        at_ = after;
        return true;
    }

    // An object kept as its text (a DynamoDB image), checked whole; null is absent.
    bool read_raw_object(std::string_view& field) {
        if (at_ != end_ && *at_ == '{') {
            const char* const start = at_;
            if (!skim())
                return false;
            field = std::string_view(start, static_cast<std::size_t>(at_ - start));
            return true;
        }
        if (!take_null())
            return false;
        field = {};
        return true;
    }

    // SQS's messageAttributes: each entry appended to batch_.sqs_attributes (see
    // point_sqs_attribute_spans), `field` spanning this message's. null is absent.
    bool read_attribute_map(std::span<const SqsMessageAttribute>& field) {
        if (take_null()) {
            field = {};
            return true;
        }
        if (!take('{'))
            return false;
        const std::size_t first = batch_.sqs_attributes.size();
        skip_space();
        if (!take('}')) {
            do {
                skip_space();
                SqsMessageAttribute attribute{};
                if (at_ == end_ || *at_ != '"' || !read_text(attribute.name))
                    return false;
                skip_space();
                if (!take(':'))
                    return false;
                skip_space();
                FieldSet seen = 0;
                if (!read_object<fields::SqsAttributeEntry, Section::kMessageAttribute>(attribute,
                                                                                        seen)) {
                    return false;
                }
                batch_.sqs_attributes.push_back(attribute);
                skip_space();
            } while (take(','));
            if (!take('}'))
                return false;
        }
        field = std::span<const SqsMessageAttribute>(batch_.sqs_attributes).subspan(first);
        return true;
    }

    // Any JSON value, checked and passed over.
    bool skim() {
        const char* const after = skim_value(at_, end_);
        if (after == nullptr)
            return false;
        at_ = after;
        return true;
    }

    bool take_null() {
        if (static_cast<std::size_t>(end_ - at_) < 4 || std::memcmp(at_, "null", 4) != 0)
            return false;
        at_ += 4;
        return true;
    }

    // Whitespace: none in the compact reader. In the spaced one, a single space (Python's ", "
    // and ": ") costs a test or two; a run of them (indentation) a scan 32 bytes at a time.
    [[gnu::always_inline]] void skip_space() {
        if constexpr (kSpaced) {
            if (static_cast<unsigned char>(*at_) <= ' ' && at_ < end_) {
                if (*at_ == ' ' && static_cast<unsigned char>(at_[1]) > ' ') {
                    ++at_;
                } else {
                    skip_more_space();
                }
            }
        }
    }

    void skip_more_space() {
        while (at_ < end_) {
            const std::uint32_t mask = json_string::non_space_mask(at_);
            if (mask != 0) {
                at_ += std::countr_zero(mask);
                break;
            }
            at_ += json_string::kBlock;
        }
        if (at_ > end_)
            at_ = end_;
    }

    template <std::size_t N>
    [[gnu::always_inline]] bool take_text(const char (&text)[N]) {
        if (static_cast<std::size_t>(end_ - at_) < N - 1 || !equal_at<N - 1>(at_, text))
            return false;
        at_ += N - 1;
        return true;
    }

    [[gnu::always_inline]] bool take(char c) {
        if (at_ == end_ || *at_ != c)
            return false;
        ++at_;
        return true;
    }

    const char* at_;
    const char* const end_;
    // The record being read. Until a field is read, it holds the record before's: that one's
    // strings tell where this one's probably end (read_text), and only the fields that the
    // record before had and this one has not need clearing.
    Fields fields_{};
    FieldSet record_fields_seen_ = 0;
    KeyOrder<Src> order_;
    KeyOrder<fields::SqsAttributeEntry> entry_order_;
    std::byte* arena_;  // next free byte
    DecodedBatch& batch_;
};

// Reads `event` as each source's in turn: a record of another source is told by its first keys,
// so a wrong guess costs a few comparisons. Sets `*at_space` when a reader that gave up
// stopped at whitespace.
template <bool kSpaced>
bool read_any(std::string_view event, std::byte* arena, DecodedBatch& batch, bool* at_space) {
    const auto read = [&]<class Src>(Src) {
        batch.clear();
        Reader<Src, kSpaced> reader(event, arena, batch);
        const Outcome outcome = reader.read_event();
        *at_space = *at_space || reader.stopped_at_space();
        return outcome;
    };
    Outcome outcome = read(fields::KinesisSource{});
    if (outcome == Outcome::kNotThisSource)
        outcome = read(fields::SqsSource{});
    if (outcome == Outcome::kNotThisSource)
        outcome = read(fields::DynamoDbSource{});
    return outcome == Outcome::kDecoded;
}

}  // namespace

bool decode_lambda_form(std::string_view event, std::byte* arena, DecodedBatch& batch) {
    // A serializer that spaces its output does so from its first bytes: '{"Records": [' or
    // "{\n". An event compact there is read as compact, unless that stops at whitespace.
    const std::size_t head =
        event.size() < json_string::kBlock ? event.size() : json_string::kBlock;
    const std::uint32_t in_event = head == json_string::kBlock ? ~0u : (1u << head) - 1;
    bool at_space = false;
    if ((~json_string::non_space_mask(event.data()) & in_event) != 0)
        return read_any<true>(event, arena, batch, &at_space);
    return read_any<false>(event, arena, batch, &at_space) ||
           (at_space && read_any<true>(event, arena, batch, &at_space));
}

}  // namespace kbatch
