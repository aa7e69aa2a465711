#include "sample_sources.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kbatch {
namespace {

constexpr const char* kEventTypes[] = {"order_created", "order_paid", "order_shipped",
                                       "order_cancelled"};

// The lowercase hex MD5 of `text`, as SQS writes md5OfBody.
std::string md5_hex(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_md5(), nullptr) != 1)
        throw std::runtime_error("MD5 is not available from OpenSSL");
    std::string hex;
    for (unsigned int i = 0; i < size; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

// A version-4 UUID from the random engine, as SQS message ids are.
std::string uuid(std::mt19937_64& random) {
    const std::uint64_t high = random();
    const std::uint64_t low = random();
    return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                       high & 0xfff, 0x8000 | ((low >> 48) & 0x3fff), low & 0xffffffffffffULL);
}

}  // namespace

std::string sample_sqs_event(const SampleEventOptions& options, bool fifo) {
    std::mt19937_64 random(options.seed);
    const std::string arn =
        fmt::format("arn:aws:sqs:us-east-1:123456789012:kbatch-sample{}", fifo ? ".fifo" : "");
    std::uint64_t sent_ms = 1767225600000 + random() % 86'400'000;
    // FIFO sequence numbers are 20 digits (beyond 64 bits): a fixed prefix and a counter.
    std::uint64_t fifo_sequence = random() % 100'000'000ULL;
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < options.records; ++i) {
        sent_ms += random() % 50;
        const std::string id = uuid(random);
        const std::string body =
            nlohmann::ordered_json{
                {"id", i + 1},
                {"type", kEventTypes[random() % std::size(kEventTypes)]},
                {"amount_cents", random() % 100'000},
            }
                .dump();
        nlohmann::ordered_json attributes = {
            {"ApproximateReceiveCount", "1"},
            {"SentTimestamp", std::to_string(sent_ms)},
            {"SenderId", "AIDAIENQZJOLO23YVJ4VO"},
            {"ApproximateFirstReceiveTimestamp", std::to_string(sent_ms + 3)},
        };
        if (fifo) {
            fifo_sequence += 1 + random() % 1000;
            attributes["SequenceNumber"] = fmt::format("18849496460{:09}", fifo_sequence);
            attributes["MessageGroupId"] = fmt::format("group-{}", random() % 4);
            attributes["MessageDeduplicationId"] = md5_hex(body);
        }
        records.push_back({
            {"messageId", id},
            {"receiptHandle", fmt::format("AQEB{:016x}{:016x}", random(), random())},
            {"body", body},
            {"attributes", std::move(attributes)},
            {"messageAttributes", nlohmann::ordered_json::object()},
            {"md5OfBody", md5_hex(body)},
            {"eventSource", "aws:sqs"},
            {"eventSourceARN", arn},
            {"awsRegion", "us-east-1"},
        });
    }
    return nlohmann::ordered_json{{"Records", std::move(records)}}.dump();
}

std::string sample_dynamodb_event(const SampleEventOptions& options) {
    std::mt19937_64 random(options.seed);
    const std::string arn =
        "arn:aws:dynamodb:us-east-1:123456789012:table/kbatch-sample/stream/"
        "2026-01-01T00:00:00.000";
    // 21 digits, as DynamoDB's: increasing.
    std::uint64_t sequence = 100'000'000'000ULL + random() % 1'000'000'000ULL;
    std::uint64_t created = 1767225600 + random() % 86'400;
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < options.records; ++i) {
        sequence += 1 + random() % 1000;
        created += random() % 2;
        const std::uint64_t id = 1 + random() % 1000;
        const char* name = kEventTypes[random() % std::size(kEventTypes)];
        const nlohmann::ordered_json keys = {{"Id", {{"N", std::to_string(id)}}}};
        const auto image = [&](std::uint64_t amount) {
            return nlohmann::ordered_json{
                {"Id", {{"N", std::to_string(id)}}},
                {"Type", {{"S", name}}},
                {"Amount", {{"N", std::to_string(amount)}}},
                {"Customer",
                 {{"M",
                   {{"Name", {{"S", fmt::format("customer-{}", id % 16)}}},
                    {"Vip", {{"BOOL", id % 7 == 0}}}}}}},
                {"Tags", {{"L", {{{"S", "sample"}}, {{"N", std::to_string(i + 1)}}}}}},
            };
        };
        const char* kinds[] = {"INSERT", "MODIFY", "REMOVE"};
        const std::string event_name = kinds[random() % 3];
        nlohmann::ordered_json dynamodb = {{"ApproximateCreationDateTime", created},
                                           {"Keys", keys}};
        if (event_name != "REMOVE")
            dynamodb["NewImage"] = image(random() % 100'000);
        if (event_name != "INSERT")
            dynamodb["OldImage"] = image(random() % 100'000);
        dynamodb["SequenceNumber"] = std::to_string(sequence);
        dynamodb["SizeBytes"] = 60 + random() % 200;
        dynamodb["StreamViewType"] = "NEW_AND_OLD_IMAGES";
        records.push_back({
            {"eventID", fmt::format("{:016x}{:016x}", random(), random())},
            {"eventName", event_name},
            {"eventVersion", "1.1"},
            {"eventSource", "aws:dynamodb"},
            {"awsRegion", "us-east-1"},
            {"dynamodb", std::move(dynamodb)},
            {"eventSourceARN", arn},
        });
    }
    return nlohmann::ordered_json{{"Records", std::move(records)}}.dump();
}

}  // namespace kbatch
