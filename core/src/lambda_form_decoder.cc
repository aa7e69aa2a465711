#include "lambda_form_decoder.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <simdjson.h>

#include "base64.h"
#include "text_scan.h"

namespace kbatch {
namespace {

// Whether the `N - 1` characters of the literal `text` are at `at`: a few word compares, inlined,
// since the length is known at compile time. Reads N - 1 bytes from `at`.
template <std::size_t N>
[[gnu::always_inline]] inline bool text_at(const char* at, const char (&text)[N]) {
    constexpr std::size_t size = N - 1;
    if constexpr (size < 8)
        return std::memcmp(at, text, size) == 0;
    std::uint64_t difference = 0;
    for (std::size_t i = 0; i + 8 <= size; i += 8)
        difference |= word_at(at + i) ^ word_at(text + i);
    if constexpr (size % 8 != 0)  // the last word overlaps the one before it
        difference |= word_at(at + size - 8) ^ word_at(text + size - 8);
    return difference == 0;
}

// The positions of the quotes and of the bytes that a plain string cannot have in the 32 bytes
// from `at`, a bit per byte. (32, not 64: most strings end in the first block, and a second
// block's work would be wasted on them.)
struct BlockMasks {
    std::uint32_t quotes;
    // Backslashes, and bytes below 0x20 as signed bytes: control characters (invalid in a JSON
    // string) and the bytes of multi-byte UTF-8 characters (0x80 and up, valid but checked apart).
    std::uint32_t unusual;
};
constexpr std::size_t kBlock = 32;

#if defined(__AVX2__)
[[gnu::always_inline]] inline BlockMasks scan_block(const char* at) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    const __m256i quotes = _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('"'));
    const __m256i unusual = _mm256_or_si256(_mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('\\')),
                                            _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), bytes));
    return {static_cast<std::uint32_t>(_mm256_movemask_epi8(quotes)),
            static_cast<std::uint32_t>(_mm256_movemask_epi8(unusual))};
}

// The digits '0' to '9' in the 32 bytes from `at`, a bit per byte.
[[gnu::always_inline]] inline std::uint32_t digit_mask(const char* at) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
    const __m256i digits = _mm256_and_si256(_mm256_cmpgt_epi8(bytes, _mm256_set1_epi8('0' - 1)),
                                            _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), bytes));
    return static_cast<std::uint32_t>(_mm256_movemask_epi8(digits));
}
#else
// Portable builds (and CPUs without AVX2) scan a byte at a time.
inline BlockMasks scan_block(const char* at) {
    BlockMasks masks{0, 0};
    for (std::size_t i = 0; i < kBlock; ++i) {
        const auto byte = static_cast<signed char>(at[i]);
        masks.quotes |= std::uint32_t{byte == '"'} << i;
        masks.unusual |= std::uint32_t{byte == '\\' || byte < 0x20} << i;
    }
    return masks;
}

inline std::uint32_t digit_mask(const char* at) {
    std::uint32_t mask = 0;
    for (std::size_t i = 0; i < 32; ++i)
        mask |= std::uint32_t{at[i] >= '0' && at[i] <= '9'} << i;
    return mask;
}
#endif

// 10^0 to 10^22: every one is a double exactly.
constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The fields of a record and of its kinesis object, each in Lambda's order: the reader expects
// each field to be followed by the next one and tries the others only when it is not.
enum RecordField : unsigned {
    kKinesis,
    kEventSource,
    kEventVersion,
    kEventId,
    kEventName,
    kInvokeIdentityArn,
    kAwsRegion,
    kEventSourceArn,
    kRecordFieldCount,
};
enum KinesisField : unsigned {
    kKinesisSchemaVersion,
    kPartitionKey,
    kSequenceNumber,
    kData,
    kApproximateArrivalTimestamp,
    kEncryptionType,
    kKinesisFieldCount,
};

// Where each string field goes (nullptr for the fields that are not plain strings).
constexpr std::string_view KinesisRecordFields::*kRecordStrings[kRecordFieldCount] = {
    nullptr,
    &KinesisRecordFields::event_source,
    &KinesisRecordFields::event_version,
    &KinesisRecordFields::event_id,
    &KinesisRecordFields::event_name,
    &KinesisRecordFields::invoke_identity_arn,
    &KinesisRecordFields::aws_region,
    &KinesisRecordFields::event_source_arn,
};
constexpr std::string_view KinesisRecordFields::*kKinesisStrings[kKinesisFieldCount] = {
    &KinesisRecordFields::kinesis_schema_version,
    &KinesisRecordFields::partition_key,
    &KinesisRecordFields::sequence_number,
    nullptr,
    nullptr,
    &KinesisRecordFields::encryption_type,
};
constexpr unsigned kRequiredKinesisFields =
    (1u << kSequenceNumber) | (1u << kPartitionKey) | (1u << kData);

// One forward pass over an event in Lambda's form. Every read checks that what it consumes ends
// before the event does: the read-ahead bytes after it are never taken for part of the event.
class LambdaFormReader {
  public:
    LambdaFormReader(std::string_view event, std::byte* arena, DecodedBatch& batch)
        : at_(event.data()), end_(event.data() + event.size()), arena_(arena), batch_(batch) {}

    bool read_event() {
        if (!take("{\"Records\":["))
            return false;
        if (!take(']')) {
            do {
                if (batch_.kinesis.size() == kMaxRecords)
                    return false;  // the general path says why this is refused
                if (!read_record())
                    return false;
                batch_.kinesis.emplace_back(fields_);
            } while (take(','));
            if (!take(']'))
                return false;
        }
        if (!take('}'))
            return false;
        for (; at_ != end_; ++at_) {
            if (!is_json_space(*at_))
                return false;
        }
        return true;
    }

  private:
    // Reads a record into fields_, which holds the record before until then.
    bool read_record() {
        if (!take('{'))
            return false;
        unsigned seen = 0;
        unsigned expected = kKinesis;
        do {
            unsigned field = expected;
            if (!take_record_key(field) && !take_any_record_key(field))
                return false;
            // A field twice is a defect of the record (EventWalker::note_duplicate), which the
            // general path reports. Checked on the bits the walk keeps anyway: no extra work.
            if ((seen & (1u << field)) != 0)
                return false;
            seen |= 1u << field;
            if (field == kKinesis) {
                if (!read_kinesis())
                    return false;
            } else if (!read_string(fields_.*kRecordStrings[field])) {
                return false;
            }
            expected = field + 1;
        } while (take(','));
        if (!take('}') || (seen & (1u << kKinesis)) == 0)
            return false;
        if (seen != record_fields_seen_) {
            clear_unseen(seen, kRecordStrings);
            record_fields_seen_ = seen;
        }
        return true;
    }

    bool read_kinesis() {
        if (!take('{'))
            return false;
        unsigned seen = 0;
        unsigned expected = kKinesisSchemaVersion;
        do {
            unsigned field = expected;
            if (!take_kinesis_key(field) && !take_any_kinesis_key(field))
                return false;
            if ((seen & (1u << field)) != 0)
                return false;  // as in read_record; two sequence numbers may even fail the batch
            seen |= 1u << field;
            bool read = false;
            if (field == kData) {
                read = read_string(encoded_data_);
            } else if (field == kApproximateArrivalTimestamp) {
                read = read_timestamp(fields_.approximate_arrival);
            } else {
                read = read_string(fields_.*kKinesisStrings[field]);
            }
            if (!read)
                return false;
            expected = field + 1;
        } while (take(','));
        if (!take('}') || (seen & kRequiredKinesisFields) != kRequiredKinesisFields)
            return false;
        if (seen != kinesis_fields_seen_) {
            clear_unseen(seen, kKinesisStrings);
            kinesis_fields_seen_ = seen;
        }
        if (!is_sequence_number(fields_.sequence_number))
            return false;
        // The arena holds as many bytes as the event, and base64 decodes to fewer bytes than its
        // text takes, so this always fits.
        std::optional<Base64Error> error;
        const std::size_t size = base64_decode(encoded_data_, arena_, &error);
        if (error)
            return false;
        fields_.data = std::span<const std::byte>(arena_, size);
        arena_ += size;
        return true;
    }

    // Empties the optional fields that a record does not have, which fields_ may still hold from
    // the record before. Only needed when a record has other fields than the one before.
    template <std::size_t N>
    [[gnu::noinline]] void clear_unseen(
        unsigned seen, std::string_view KinesisRecordFields::*const (&strings)[N]) {
        for (unsigned field = 0; field < N; ++field) {
            if ((seen & (1u << field)) == 0 && strings[field] != nullptr)
                fields_.*strings[field] = {};
        }
        if (N == kKinesisFieldCount && (seen & (1u << kApproximateArrivalTimestamp)) == 0)
            fields_.approximate_arrival = 0;
    }

    // Consumes the key of `field`, with its quotes and colon, if it is next.
    bool take_record_key(unsigned field) {
        switch (field) {
            case kKinesis:
                return take("\"kinesis\":");
            case kEventSource:
                return take("\"eventSource\":");
            case kEventVersion:
                return take("\"eventVersion\":");
            case kEventId:
                return take("\"eventID\":");
            case kEventName:
                return take("\"eventName\":");
            case kInvokeIdentityArn:
                return take("\"invokeIdentityArn\":");
            case kAwsRegion:
                return take("\"awsRegion\":");
            case kEventSourceArn:
                return take("\"eventSourceARN\":");
            default:
                return false;
        }
    }

    bool take_kinesis_key(unsigned field) {
        switch (field) {
            case kKinesisSchemaVersion:
                return take("\"kinesisSchemaVersion\":");
            case kPartitionKey:
                return take("\"partitionKey\":");
            case kSequenceNumber:
                return take("\"sequenceNumber\":");
            case kData:
                return take("\"data\":");
            case kApproximateArrivalTimestamp:
                return take("\"approximateArrivalTimestamp\":");
            case kEncryptionType:
                return take("\"encryptionType\":");
            default:
                return false;
        }
    }

    // The fields out of Lambda's order: each of them is tried.
    [[gnu::noinline]] bool take_any_record_key(unsigned& field) {
        return take_any_key(kRecordFieldCount, field,
                            [this](unsigned f) { return take_record_key(f); });
    }

    [[gnu::noinline]] bool take_any_kinesis_key(unsigned& field) {
        return take_any_key(kKinesisFieldCount, field,
                            [this](unsigned f) { return take_kinesis_key(f); });
    }

    template <typename TakeKey>
    static bool take_any_key(unsigned count, unsigned& field, TakeKey take_key) {
        for (field = 0; field < count; ++field) {
            if (take_key(field))
                return true;
        }
        return false;
    }

    // A string without escapes, taken as the view of the event text that it is. `field` holds
    // the same field of the record before, and its closing quote is looked for first where that
    // one's was: most strings have the same length in every record of a batch (one stream, one
    // region, one role; the sequence numbers of one shard). The end is then known before the
    // string's bytes are checked, and the processor reads on while it checks them, instead of
    // waiting on a scan for every string of the batch in turn.
    [[gnu::always_inline]] bool read_string(std::string_view& field) {
        if (at_ == end_ || *at_ != '"')
            return false;  // null, another type: the general path decides
        const char* const body = at_ + 1;
        const char* close = nullptr;
        if (field.size() < static_cast<std::size_t>(end_ - body) &&
            closes_at(body, body + field.size())) {
            close = body + field.size();
        } else {
            close = closing_quote(body);
            if (close == nullptr)
                return false;
        }
        field = std::string_view(body, static_cast<std::size_t>(close - body));
        at_ = close + 1;
        return true;
    }

    // Whether the string whose text starts at `body` is plain text closed by the quote at `close`
    // (which is before the event's end).
    [[gnu::always_inline]] static bool closes_at(const char* body, const char* close) {
        for (const char* block = body;; block += kBlock) {
            const BlockMasks masks = scan_block(block);
            const auto last = static_cast<std::size_t>(close - block);
            if (last < kBlock) {
                const std::uint32_t before = (std::uint32_t{1} << last) - 1;
                return (masks.quotes & ((before << 1) | 1)) == (std::uint32_t{1} << last) &&
                       (masks.unusual & before) == 0;
            }
            if ((masks.quotes | masks.unusual) != 0)
                return false;
        }
    }

    // The quote that closes the string whose text starts at `body`, or nullptr if the string has
    // an escape, a control character or invalid UTF-8, or is not closed before the event ends.
    [[gnu::always_inline]] const char* closing_quote(const char* body) const {
        for (const char* block = body; block < end_; block += kBlock) {
            const BlockMasks masks = scan_block(block);
            // The bits below the first quote; all of them when there is none.
            const std::uint32_t before_quote = (masks.quotes - 1) & ~masks.quotes;
            if ((masks.unusual & before_quote) != 0)
                return closing_quote_unusual(body);
            if (masks.quotes != 0) {
                const char* const quote = block + std::countr_zero(masks.quotes);
                return quote < end_ ? quote : nullptr;
            }
        }
        return nullptr;
    }

    // closing_quote() for a string with a byte that is not plain ASCII text, one byte at a time.
    [[gnu::noinline]] const char* closing_quote_unusual(const char* body) const {
        bool ascii = true;
        for (const char* at = body; at < end_; ++at) {
            const auto byte = static_cast<unsigned char>(*at);
            if (byte == '"') {
                // UTF-8 sequences never contain a quote, so checking the string's text alone
                // judges it as simdjson judges the whole event.
                const auto size = static_cast<std::size_t>(at - body);
                if (!ascii && !simdjson::validate_utf8(body, size))
                    return nullptr;
                return at;
            }
            if (byte == '\\' || byte < 0x20)
                return nullptr;
            ascii = ascii && byte < 0x80;
        }
        return nullptr;
    }

    // approximateArrivalTimestamp in the form Lambda writes it, seconds with milliseconds
    // ("1545084650.987"): a JSON number without sign or exponent, of at most 19 digits, whose
    // digits make at most 2^53. Its value is then digits / 10^decimals, both exact as doubles,
    // and a division rounds correctly: the same double as simdjson's (correctly rounded) parse.
    bool read_timestamp(double& out) {
        const std::uint32_t digits = digit_mask(at_);
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

    template <std::size_t N>
    [[gnu::always_inline]] bool take(const char (&text)[N]) {
        if (static_cast<std::size_t>(end_ - at_) < N - 1 || !text_at(at_, text))
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
    // strings tell where this one's probably end (read_string), and only the fields that the
    // record before had and this one has not need clearing.
    KinesisRecordFields fields_;
    std::string_view encoded_data_;  // its data, in base64
    unsigned record_fields_seen_ = 0;
    unsigned kinesis_fields_seen_ = 0;
    std::byte* arena_;  // next free byte
    DecodedBatch& batch_;
};

}  // namespace

bool decode_lambda_form(std::string_view event, std::byte* arena, DecodedBatch& batch) {
    batch.kinesis.clear();
    batch.defects.clear();
    return LambdaFormReader(event, arena, batch).read_event();
}

}  // namespace kbatch
