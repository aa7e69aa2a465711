// `kbatch event sqs|sqs-fifo|dynamodb`: sample events in Lambda's form, checked field by field
// against what each source's events carry (the MD5 recomputed here, the FIFO attributes, the
// DynamoDB images that each eventName implies).
#include <openssl/evp.h>

#include <array>
#include <set>
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace {

using kbatch::test::CommandResult;

std::string md5_hex(const std::string& text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    REQUIRE(EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_md5(), nullptr) == 1);
    std::string hex;
    for (unsigned int i = 0; i < size; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

nlohmann::json event_of(const std::vector<std::string>& args) {
    const CommandResult result = kbatch::test::run_kbatch(args);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
}

// Decimal digits only, compared as numbers of equal length.
bool increasing_decimal(const std::string& before, const std::string& after) {
    return before.size() < after.size() || (before.size() == after.size() && before < after);
}

}  // namespace

TEST_CASE("kbatch event sqs writes a standard queue's messages with their real md5OfBody") {
    const std::vector<std::string> args = {"event", "sqs", "--records", "6", "--seed", "5"};
    const std::string first = kbatch::test::run_kbatch(args).out;
    CHECK(kbatch::test::run_kbatch(args).out == first);  // the seed decides every byte
    const nlohmann::json event = event_of(args);
    const nlohmann::json& records = event["Records"];
    REQUIRE(records.size() == 6);
    std::set<std::string> ids;
    for (const nlohmann::json& message : records) {
        const std::string id = message["messageId"];
        CHECK(id.size() == 36);  // a UUID
        ids.insert(id);
        CHECK(message["md5OfBody"] == md5_hex(message["body"].get<std::string>()));
        CHECK(nlohmann::json::parse(message["body"].get<std::string>()).contains("id"));
        CHECK(message["eventSource"] == "aws:sqs");
        CHECK_FALSE(message["eventSourceARN"].get<std::string>().ends_with(".fifo"));
        CHECK_FALSE(message["attributes"].contains("MessageGroupId"));
        CHECK(message["attributes"]["ApproximateReceiveCount"] == "1");
    }
    CHECK(ids.size() == 6);
}

TEST_CASE("kbatch event sqs-fifo writes a FIFO queue's messages: groups and sequence numbers") {
    const nlohmann::json event = event_of({"event", "sqs-fifo", "--records", "20", "--seed", "2"});
    const nlohmann::json& records = event["Records"];
    REQUIRE(records.size() == 20);
    std::set<std::string> groups;
    std::string previous;
    for (const nlohmann::json& message : records) {
        CHECK(message["eventSourceARN"].get<std::string>().ends_with(".fifo"));
        const nlohmann::json& attributes = message["attributes"];
        groups.insert(attributes["MessageGroupId"].get<std::string>());
        const std::string sequence = attributes["SequenceNumber"];
        CHECK(sequence.size() == 20);
        CHECK(sequence.find_first_not_of("0123456789") == std::string::npos);
        if (!previous.empty())
            CHECK(increasing_decimal(previous, sequence));
        previous = sequence;
        CHECK(attributes.contains("MessageDeduplicationId"));
    }
    CHECK(groups.size() > 1);  // several groups in one batch, as FIFO batches have
}

TEST_CASE("kbatch event dynamodb writes stream records whose images match their eventName") {
    const nlohmann::json event = event_of({"event", "dynamodb", "--records", "30", "--seed", "9"});
    const nlohmann::json& records = event["Records"];
    REQUIRE(records.size() == 30);
    std::set<std::string> names;
    std::string previous;
    for (const nlohmann::json& record : records) {
        const std::string name = record["eventName"];
        names.insert(name);
        CHECK(record["eventSource"] == "aws:dynamodb");
        const nlohmann::json& dynamodb = record["dynamodb"];
        CHECK(dynamodb.contains("NewImage") == (name != "REMOVE"));
        CHECK(dynamodb.contains("OldImage") == (name != "INSERT"));
        const nlohmann::json& image =
            name == "REMOVE" ? dynamodb["OldImage"] : dynamodb["NewImage"];
        CHECK(image["Id"] == dynamodb["Keys"]["Id"]);
        CHECK(image["Customer"]["M"].contains("Name"));
        const std::string sequence = dynamodb["SequenceNumber"];
        if (!previous.empty())
            CHECK(increasing_decimal(previous, sequence));
        previous = sequence;
        CHECK(dynamodb["StreamViewType"] == "NEW_AND_OLD_IMAGES");
    }
    CHECK(names == std::set<std::string>{"INSERT", "MODIFY", "REMOVE"});
}
