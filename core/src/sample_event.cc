#include "sample_event.h"

#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base64.h"

namespace kbatch {
namespace {

constexpr const char* kStreamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/kbatch-sample";
constexpr const char* kShard = "shardId-000000000000";
constexpr const char* kEventTypes[] = {"order_created", "order_paid", "order_shipped",
                                       "order_cancelled"};

}  // namespace

std::string sample_kinesis_event(const SampleEventOptions& options) {
    std::mt19937_64 random(options.seed);
    // 56 digits, as Kinesis's: a fixed prefix, 20 digits from the seed, a 32-digit counter.
    const std::uint64_t shard_part = random() % 10'000'000'000'000'000'000ULL;
    std::uint64_t counter = random() % 1'000'000'000'000ULL;
    double arrival = 1767225600.0 + static_cast<double>(random() % 86'400'000) / 1000.0;

    // Built as text, not a JSON document, so that the field order is Lambda's and the output is
    // compact; every value is either fixed text or escaped by nlohmann.
    std::string event = R"({"Records":[)";
    for (std::size_t i = 0; i < options.records; ++i) {
        counter += 1 + random() % 1000;
        arrival += static_cast<double>(random() % 50) / 1000.0;
        const std::string sequence = fmt::format("4959{:020}{:032}", shard_part, counter);
        const nlohmann::ordered_json payload = {
            {"id", i + 1},
            {"type", kEventTypes[random() % std::size(kEventTypes)]},
            {"amount_cents", random() % 100'000},
        };
        const std::string partition_key = fmt::format("customer-{}", random() % 16);
        if (i != 0)
            event += ',';
        event += fmt::format(
            R"({{"kinesis":{{"kinesisSchemaVersion":"1.0","partitionKey":"{}","sequenceNumber":"{}",)"
            R"("data":"{}","approximateArrivalTimestamp":{:.3f}}},"eventSource":"aws:kinesis",)"
            R"("eventVersion":"1.0","eventID":"{}:{}","eventName":"aws:kinesis:record",)"
            R"("invokeIdentityArn":"arn:aws:iam::123456789012:role/kbatch-sample",)"
            R"("awsRegion":"us-east-1","eventSourceARN":"{}"}})",
            partition_key, sequence, base64_encode(payload.dump()), arrival, kShard, sequence,
            kStreamArn);
    }
    return event + "]}";
}

}  // namespace kbatch
