// json_check's tests: the built libjson_check.so, loaded as the host loads it, over records made
// with the SDK's test helpers (<kbatch/testing.hpp>). No JSON event is written by hand.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <kbatch/testing.hpp>

namespace {

namespace kt = kbatch::testing;
using Strings = std::vector<std::string>;

const nlohmann::json kIdAndAmount = {{"required_fields", {"id", "amount"}}};

}  // namespace

TEST_CASE("passes objects with every required field and fails the rest, in event order") {
    kt::Plugin plugin(JSON_CHECK_PLUGIN, kIdAndAmount);
    const std::vector<kt::TestRecord> records = {
        {"1", R"({"id": 1, "amount": 9.5})"},
        {"2", R"({"id": 2})"},
        {"3", R"({"id": 3, "amount": 1, "note": "extra fields are fine"})"},
        {"4", R"({"amount": 4, "id": null})"},
        {"5", R"(["id", "amount"])"},
        {"6", "{not json"},
        {"7", ""},
    };
    const kt::BatchOutcome outcome = kt::run_batch(plugin.processor(), records);
    CHECK(outcome.failed_sequence_numbers() == Strings{"2", "4", "5", "6", "7"});
    CHECK(outcome.response() ==
          nlohmann::json::parse(R"({"batchItemFailures":[{"itemIdentifier":"2"},
              {"itemIdentifier":"4"},{"itemIdentifier":"5"},{"itemIdentifier":"6"},
              {"itemIdentifier":"7"}]})"));
    CHECK(outcome.reason("2") == "missing required field(s): amount");
    CHECK(outcome.reason("4") == "missing required field(s): id");
    CHECK(outcome.reason("5") == "the payload is a JSON array, not an object");
    CHECK(outcome.reason("6") == "the payload is not valid JSON");
    CHECK(outcome.reason("7") == "the payload is not valid JSON");
}

TEST_CASE("logs each failure with its sequence number and reason, never the payload") {
    kt::Plugin plugin(JSON_CHECK_PLUGIN, kIdAndAmount);
    const kt::BatchOutcome outcome =
        kt::run_batch(plugin.processor(),
                      {{"11", R"({"id": 1, "amount": 2})"}, {"12", R"({"secret": "do-not-log"})"}});
    CHECK(outcome.messages(kbatch::LogLevel::kWarn) ==
          Strings{"json_check: record 12: missing required field(s): id, amount"});
    for (const kt::LogLine& line : outcome.log)
        CHECK(line.message.find("do-not-log") == std::string::npos);
}

TEST_CASE("without required fields any JSON object passes") {
    kt::Plugin plugin(JSON_CHECK_PLUGIN);
    const auto records = kt::records_from_payloads({"{}", R"({"a": [1, 2]})", "42", "\"text\""});
    const kt::BatchOutcome outcome = kt::run_batch(plugin.processor(), records);
    CHECK(outcome.failed_sequence_numbers() ==
          Strings{kt::sequence_number(3), kt::sequence_number(4)});
    CHECK(outcome.reason(kt::sequence_number(3)) == "the payload is a JSON number, not an object");
}

TEST_CASE("payload bytes that are not UTF-8 fail as invalid JSON, not with an exception") {
    kt::Plugin plugin(JSON_CHECK_PLUGIN);
    const kt::BatchOutcome outcome =
        kt::run_batch(plugin.processor(), {{"1", std::string("{\"id\": \"\xff\xfe\"}")}});
    CHECK(outcome.reason("1") == "the payload is not valid JSON");
}

TEST_CASE("a wrong configuration is refused at load time with a ConfigError") {
    const std::vector<nlohmann::json> wrong = {
        nlohmann::json::array(),           // not an object
        {{"required_fields", "id"}},       // not an array
        {{"required_fields", {"id", 7}}},  // a name that is not a string
        {{"required_fields", {""}}},       // an empty name
        {{"required", {"id"}}},            // an unknown setting
    };
    for (const nlohmann::json& config : wrong) {
        INFO("config: " << config.dump());
        CHECK_THROWS_AS(kt::Plugin(JSON_CHECK_PLUGIN, config), kbatch::ConfigError);
    }
}
