#include "event_generator.h"

#include <random>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "base64.h"
#include "event_decoder.h"

namespace kbatch::bench {
namespace {

// "Just under" the limit: what is left over is less than one small record, and never more than
// this. The generator refuses anything that ends up further below.
constexpr std::size_t kHeadroom = 256;
constexpr double kMinFill = 0.99;

constexpr std::size_t kShapeARecords = 10'000;
constexpr std::size_t kShapeBDataBytes = 4'500;

// Draws with engine() % n rather than std::uniform_int_distribution, whose algorithm the standard
// leaves open: a seed must give the same event with any standard library.
class Random {
  public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}
    std::uint64_t below(std::uint64_t n) { return engine_() % n; }
    char digit() { return static_cast<char>('0' + below(10)); }
    char alnum() {
        static constexpr std::string_view kChars =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return kChars[below(kChars.size())];
    }
    std::string hex(std::size_t count) {
        std::string out;
        for (std::size_t i = 0; i < count; ++i)
            out += "0123456789abcdef"[below(16)];
        return out;
    }

  private:
    std::mt19937_64 engine_;
};

// Adds `increment` to a decimal string in place. Sequence numbers stay text end to end, as
// kbatch treats them (they exceed every integer type).
void add_decimal(std::string& number, std::uint64_t increment) {
    for (std::size_t i = number.size(); i-- > 0 && increment > 0;) {
        const std::uint64_t sum = static_cast<std::uint64_t>(number[i] - '0') + increment % 10;
        number[i] = static_cast<char>('0' + sum % 10);
        increment = increment / 10 + sum / 10;
    }
}

// The fields of one record other than its data.
struct Skeleton {
    std::string partition_key;
    std::string sequence_number;
    double arrival;
};

// What every record of one event shares: one stream, one shard, one function.
struct Source {
    std::string account;
    std::string region;
    std::string stream;
    std::string shard_id;
};

// One record as Lambda writes it, keys in Lambda's order.
void append_record(std::string& out, const Source& source, const Skeleton& record,
                   std::string_view data) {
    fmt::format_to(std::back_inserter(out),
                   R"({{"kinesis":{{"kinesisSchemaVersion":"1.0","partitionKey":"{}",)"
                   R"("sequenceNumber":"{}","data":"{}","approximateArrivalTimestamp":{:.3f}}},)"
                   R"("eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"{}:{}",)"
                   R"("eventName":"aws:kinesis:record",)"
                   R"("invokeIdentityArn":"arn:aws:iam::{}:role/lambda-role",)"
                   R"("awsRegion":"{}","eventSourceARN":"arn:aws:kinesis:{}:{}:stream/{}"}})",
                   record.partition_key, record.sequence_number, data, record.arrival,
                   source.shard_id, record.sequence_number, source.account, source.region,
                   source.region, source.account, source.stream);
}

std::string event_text(const Source& source, const std::vector<Skeleton>& records,
                       const std::vector<std::string>& data) {
    std::string out = R"({"Records":[)";
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (i > 0)
            out += ',';
        append_record(out, source, records[i], i < data.size() ? data[i] : std::string_view());
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

}  // namespace

std::optional<Shape> parse_shape(std::string_view name) {
    if (name == "a")
        return Shape::kManySmall;
    if (name == "b")
        return Shape::kFewLarge;
    return std::nullopt;
}

std::string generate_event(Shape shape, std::uint64_t seed, EventStats* stats) {
    Random random(seed);
    Source source;
    for (int i = 0; i < 12; ++i)
        source.account += random.digit();
    static constexpr std::string_view kRegions[] = {"us-east-1", "eu-west-1", "us-west-2"};
    source.region = kRegions[random.below(std::size(kRegions))];
    source.stream = "stream-" + random.hex(4);
    source.shard_id = fmt::format("shardId-{:012}", random.below(16));

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
        return event_text(source, records, {}).size();
    };
    std::vector<Skeleton> records;
    if (shape == Shape::kManySmall) {
        for (std::size_t i = 0; i < kShapeARecords; ++i)
            records.push_back(skeleton());
    } else {
        // Add records while one more with kShapeBDataBytes of data still fits.
        const std::size_t encoded = (kShapeBDataBytes + 2) / 3 * 4;
        std::size_t size = overhead(records);
        for (;;) {
            Skeleton next = skeleton();
            const std::size_t grown = size + overhead({next}) - overhead({}) + 1 + encoded;
            if (grown + kHeadroom > kMaxEventBytes)
                break;
            records.push_back(std::move(next));
            size = grown;
        }
    }

    // Share what is left of the limit out as data: a mean size that is a multiple of 3 (no base64
    // padding), varied by +-25% in pairs that cancel, so the total is known before encoding.
    const std::size_t budget = kMaxEventBytes - kHeadroom - overhead(records);
    const std::size_t mean = budget / records.size() / 4 * 3;
    std::vector<std::size_t> sizes(records.size(), mean);
    for (std::size_t i = 0; i + 1 < sizes.size(); i += 2) {
        const std::size_t delta = 3 * random.below(mean / 12 + 1);
        sizes[i] += delta;
        sizes[i + 1] -= delta;
    }

    std::vector<std::string> data;
    EventStats totals{records.size(), 0, 0};
    for (std::size_t i = 0; i < records.size(); ++i) {
        const std::string bytes = payload(random, i, sizes[i]);
        for (const char c : bytes)
            totals.data_sum += static_cast<unsigned char>(c);
        totals.data_bytes += bytes.size();
        data.push_back(base64_encode(bytes));
    }
    std::string event = event_text(source, records, data);

    if (event.size() > kMaxEventBytes ||
        static_cast<double>(event.size()) < kMinFill * static_cast<double>(kMaxEventBytes)) {
        throw std::runtime_error(
            fmt::format("generated event is {} bytes, not just under Lambda's limit of {} bytes",
                        event.size(), kMaxEventBytes));
    }
    if (stats != nullptr)
        *stats = totals;
    return event;
}

}  // namespace kbatch::bench
