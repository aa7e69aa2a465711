#include "event_generator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "base64.h"
#include "generator_support.h"

namespace kbatch::bench {

// ---- What every generator shares ----------------------------------------------------------

std::string Random::uuid() {
    std::string out = hex(8) + '-' + hex(4) + "-4" + hex(3) + '-';
    out += "89ab"[below(4)];
    return out + hex(3) + '-' + hex(12);
}

void add_decimal(std::string& number, std::uint64_t increment) {
    for (std::size_t i = number.size(); i-- > 0 && increment > 0;) {
        const std::uint64_t sum = static_cast<std::uint64_t>(number[i] - '0') + increment % 10;
        number[i] = static_cast<char>('0' + sum % 10);
        increment = increment / 10 + sum / 10;
    }
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20)
                    out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
                else
                    out += c;
        }
    }
    return out + '"';
}

void append_object(std::string& out, JsonMembers members, const JsonForm& form) {
    if (form.sorted_keys) {
        std::stable_sort(members.begin(), members.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    out += '{';
    for (std::size_t i = 0; i < members.size(); ++i) {
        if (i > 0)
            out += form.comma;
        out += '"';
        out += members[i].first;
        out += '"';
        out += form.colon;
        out += members[i].second;
    }
    out += '}';
}

std::string records_event(const std::vector<std::string>& records, const JsonForm& form,
                          std::size_t limit, std::size_t* kept) {
    std::string out = fmt::format(R"({{"Records"{}[)", form.colon);
    constexpr std::string_view kEnd = "]}";
    std::size_t count = 0;
    for (const std::string& record : records) {
        const std::size_t separator = count > 0 ? form.comma.size() : 0;
        if (out.size() + separator + record.size() + kEnd.size() > limit)
            break;
        if (count > 0)
            out += form.comma;
        out += record;
        ++count;
    }
    *kept = count;
    return out += kEnd;
}

void check_just_under_limit(std::string_view shape, const std::string& event) {
    constexpr double kMinFill = 0.99;
    if (event.size() > kLambdaPayloadLimit ||
        static_cast<double>(event.size()) < kMinFill * static_cast<double>(kLambdaPayloadLimit)) {
        throw std::runtime_error(fmt::format(
            "generated event of shape {} is {} bytes, not just under Lambda's limit of {} bytes",
            shape, event.size(), kLambdaPayloadLimit));
    }
}

std::string iso_utc(std::uint64_t epoch_ms) {
    using namespace std::chrono;
    const sys_time<milliseconds> time{milliseconds(epoch_ms)};
    const sys_days day = floor<days>(time);
    const year_month_day date{day};
    const hh_mm_ss clock{time - day};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       clock.hours().count(), clock.minutes().count(), clock.seconds().count(),
                       clock.subseconds().count());
}

std::string decimal_cents(std::uint64_t cents) {
    if (cents % 100 == 0)
        return fmt::format("{}", cents / 100);
    if (cents % 10 == 0)
        return fmt::format("{}.{}", cents / 100, cents % 100 / 10);
    return fmt::format("{}.{:02}", cents / 100, cents % 100);
}

std::uint64_t byte_sum(std::string_view text) {
    std::uint64_t sum = 0;
    for (const char c : text)
        sum += static_cast<unsigned char>(c);
    return sum;
}

void count_payload(EventStats& stats, std::string_view payload, bool json_text) {
    stats.data_bytes += payload.size();
    for (const char c : payload) {
        const auto byte = static_cast<unsigned char>(c);
        if (!json_text || byte > 0x20)
            stats.data_sum += byte;
    }
}

// ---- Kinesis: shapes a and b, and shape a re-serialised ------------------------------------

namespace {

// "Just under" the limit: what is left over is less than one small record, and never more than
// this.
constexpr std::size_t kHeadroom = 256;

constexpr std::size_t kShapeARecords = 10'000;
constexpr std::size_t kShapeBDataBytes = 4'500;

// Lambda's form: compact, Lambda's key order, arrival times with three decimals.
constexpr JsonForm kLambdaForm{};
// Python's json.dumps(event): ", " and ": ", Lambda's order kept, floats as repr writes them.
constexpr JsonForm kPythonDefaultForm{", ", ": ", false, true};
// json.dumps(event, sort_keys=True, separators=(",", ":")).
constexpr JsonForm kSortedKeysForm{",", ":", true, true};

// The fields of one record other than its data.
struct Skeleton {
    std::string partition_key;
    std::string sequence_number;
    double arrival;
};

// What every record of one event shares: one stream, one shard, one function.
struct Stream {
    std::string account;
    std::string region;
    std::string stream;
    std::string shard_id;
};

// An arrival time as the form writes it. Lambda writes three decimals; a re-serialiser writes the
// double it read from them in the shortest text that reads back the same (Python's repr, "1.0"
// for a whole number).
std::string arrival_text(double arrival, const JsonForm& form) {
    std::string lambda = fmt::format("{:.3f}", arrival);
    if (!form.shortest_floats)
        return lambda;
    double read = 0;
    std::from_chars(lambda.data(), lambda.data() + lambda.size(), read);
    std::array<char, 32> buffer{};
    const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), read);
    std::string shortest(buffer.data(), end);
    if (shortest.find_first_of(".e") == std::string::npos)
        shortest += ".0";
    return shortest;
}

// One record, keys in Lambda's order (or sorted, if the form says so).
std::string record_text(const Stream& stream, const Skeleton& record, std::string_view data,
                        const JsonForm& form) {
    std::string kinesis;
    append_object(kinesis,
                  {{"kinesisSchemaVersion", R"("1.0")"},
                   {"partitionKey", json_string(record.partition_key)},
                   {"sequenceNumber", json_string(record.sequence_number)},
                   {"data", json_string(data)},
                   {"approximateArrivalTimestamp", arrival_text(record.arrival, form)}},
                  form);
    std::string out;
    append_object(
        out,
        {{"kinesis", std::move(kinesis)},
         {"eventSource", R"("aws:kinesis")"},
         {"eventVersion", R"("1.0")"},
         {"eventID", json_string(stream.shard_id + ':' + record.sequence_number)},
         {"eventName", R"("aws:kinesis:record")"},
         {"invokeIdentityArn", json_string("arn:aws:iam::" + stream.account + ":role/lambda-role")},
         {"awsRegion", json_string(stream.region)},
         {"eventSourceARN",
          json_string(fmt::format("arn:aws:kinesis:{}:{}:stream/{}", stream.region, stream.account,
                                  stream.stream))}},
        form);
    return out;
}

std::string event_text(const Stream& stream, const std::vector<Skeleton>& records,
                       const std::vector<std::string>& data) {
    std::string out = R"({"Records":[)";
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (i > 0)
            out += ',';
        out += record_text(stream, records[i], i < data.size() ? data[i] : std::string_view(),
                           kLambdaForm);
    }
    out += "]}";
    return out;
}

// A payload of exactly `size` bytes: a small JSON document, as producers usually send, padded
// with random text (its content does not change base64's cost, but the checksum sees it).
std::string payload(Random& random, std::size_t index, std::size_t size) {
    std::string text = fmt::format(R"({{"id":{},"device":"dev-{}","reading":{}.{},"note":")", index,
                                   random.hex(8), random.below(1000), random.below(100));
    if (text.size() + 2 > size) {
        text.clear();
        while (text.size() < size)
            text += random.alnum();
        return text;
    }
    while (text.size() + 2 < size)
        text += random.alnum();
    return text + "\"}";
}

// The records of shape a or b, before they are written: their fields, their data in base64 and
// the decoded data itself.
struct KinesisBatch {
    Stream stream;
    std::vector<Skeleton> records;
    std::vector<std::string> data;      // base64
    std::vector<std::string> payloads;  // decoded
};

KinesisBatch kinesis_batch(Shape shape, std::uint64_t seed) {
    Random random(seed);
    KinesisBatch batch;
    Stream& stream = batch.stream;
    stream.account = random.digits(12);
    static constexpr std::string_view kRegions[] = {"us-east-1", "eu-west-1", "us-west-2"};
    stream.region = kRegions[random.below(std::size(kRegions))];
    stream.stream = "stream-" + random.hex(4);
    stream.shard_id = fmt::format("shardId-{:012}", random.below(16));

    // A few dozen producers' keys (short ids: with UUIDs even less data would fit in shape a);
    // sequence numbers start like Kinesis's ("495...", 56 digits) and grow by uneven steps;
    // arrivals grow by up to a few milliseconds.
    std::vector<std::string> keys;
    for (int i = 0; i < 48; ++i) {
        keys.push_back(fmt::format("user-{:05}", random.below(100000)));
    }
    std::string sequence = "495";
    while (sequence.size() < 56)
        sequence += random.digit();
    double arrival = 1.7e9 + static_cast<double>(random.below(100'000'000));

    const auto skeleton = [&] {
        add_decimal(sequence, 1 + random.below(std::uint64_t{1} << 40));
        arrival += static_cast<double>(random.below(5000)) / 1000.0;
        return Skeleton{keys[random.below(keys.size())], sequence, arrival};
    };

    // The bytes every record takes without its data, measured on the event itself.
    const auto overhead = [&](const std::vector<Skeleton>& records) {
        return event_text(stream, records, {}).size();
    };
    std::vector<Skeleton>& records = batch.records;
    if (shape == Shape::kFewLarge) {
        // Add records while one more with kShapeBDataBytes of data still fits.
        const std::size_t encoded = (kShapeBDataBytes + 2) / 3 * 4;
        std::size_t size = overhead(records);
        for (;;) {
            Skeleton next = skeleton();
            const std::size_t grown = size + overhead({next}) - overhead({}) + 1 + encoded;
            if (grown + kHeadroom > kLambdaPayloadLimit)
                break;
            records.push_back(std::move(next));
            size = grown;
        }
    } else {
        for (std::size_t i = 0; i < kShapeARecords; ++i)
            records.push_back(skeleton());
    }

    // Share what is left of the limit out as data: a mean size that is a multiple of 3 (no base64
    // padding), varied by +-25% in pairs that cancel, so the total is known before encoding.
    const std::size_t budget = kLambdaPayloadLimit - kHeadroom - overhead(records);
    const std::size_t mean = budget / records.size() / 4 * 3;
    std::vector<std::size_t> sizes(records.size(), mean);
    for (std::size_t i = 0; i + 1 < sizes.size(); i += 2) {
        const std::size_t delta = 3 * random.below(mean / 12 + 1);
        sizes[i] += delta;
        sizes[i + 1] -= delta;
    }
    for (std::size_t i = 0; i < records.size(); ++i) {
        batch.payloads.push_back(payload(random, i, sizes[i]));
        batch.data.push_back(base64_encode(batch.payloads.back()));
    }
    return batch;
}

std::string generate_kinesis_event(Shape shape, std::uint64_t seed, EventStats& stats) {
    const bool variant = shape == Shape::kManySmallSpaced || shape == Shape::kManySmallReordered;
    const KinesisBatch batch = kinesis_batch(variant ? Shape::kManySmall : shape, seed);
    std::size_t kept = batch.records.size();
    std::string event;
    if (!variant) {
        event = event_text(batch.stream, batch.records, batch.data);
    } else {
        // The same records re-serialised, as many as fit.
        const JsonForm& form =
            shape == Shape::kManySmallSpaced ? kPythonDefaultForm : kSortedKeysForm;
        std::vector<std::string> records;
        for (std::size_t i = 0; i < batch.records.size(); ++i)
            records.push_back(record_text(batch.stream, batch.records[i], batch.data[i], form));
        event = records_event(records, form, kLambdaPayloadLimit, &kept);
    }
    stats.records = kept;
    for (std::size_t i = 0; i < kept; ++i)
        count_payload(stats, batch.payloads[i]);
    return event;
}

constexpr std::string_view kShapeNames[] = {"a", "b", "a-spaced", "a-reordered", "sqs", "dynamodb"};
constexpr Shape kShapes[] = {Shape::kManySmall,          Shape::kFewLarge, Shape::kManySmallSpaced,
                             Shape::kManySmallReordered, Shape::kSqs,      Shape::kDynamoDb};

}  // namespace

std::span<const std::string_view> shape_names() {
    return kShapeNames;
}

std::optional<Shape> parse_shape(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kShapeNames); ++i) {
        if (kShapeNames[i] == name)
            return kShapes[i];
    }
    return std::nullopt;
}

std::string generate_event(Shape shape, std::uint64_t seed, EventStats* stats) {
    EventStats totals;
    std::string event;
    switch (shape) {
        case Shape::kSqs:
            event = generate_sqs_event(seed, totals);
            break;
        case Shape::kDynamoDb:
            event = generate_dynamodb_event(seed, totals);
            break;
        default:
            event = generate_kinesis_event(shape, seed, totals);
            break;
    }
    const auto index = static_cast<std::size_t>(
        std::find(std::begin(kShapes), std::end(kShapes), shape) - std::begin(kShapes));
    check_just_under_limit(kShapeNames[index], event);
    if (stats != nullptr)
        *stats = totals;
    return event;
}

}  // namespace kbatch::bench
