// The partial batch response: the one piece of output Lambda reads. Its shape is a contract: the
// keys exactly "batchItemFailures" and "itemIdentifier", every identifier once, in event order.
// A wrong key or an empty identifier makes Lambda fail the whole batch.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "batch_runner.h"
#include "response_writer.h"
#include "test_support.h"

namespace {

// A report whose failures have these sequence numbers (views into `storage`).
kbatch::BatchReport report_of(const std::vector<std::string>& storage) {
    kbatch::BatchReport report;
    report.records = storage.size();
    for (std::size_t i = 0; i < storage.size(); ++i) {
        report.failures.push_back({i, storage[i], "reason " + std::to_string(i)});
    }
    return report;
}

}  // namespace

TEST_CASE("nothing failed: an empty list, exactly") {
    const kbatch::BatchReport report;
    CHECK(kbatch::write_batch_response(report) == R"({"batchItemFailures":[]})");
    CHECK(kbatch::test::item_identifiers(kbatch::write_batch_response(report, true)).empty());
}

TEST_CASE("the exact bytes for two failures") {
    const std::vector<std::string> storage = {
        "49568167373333333333333333333333333333333333333333333333",
        "49568167373333333334444444444444444444444444444444444444"};
    CHECK(kbatch::write_batch_response(report_of(storage)) ==
          R"({"batchItemFailures":[)"
          R"({"itemIdentifier":"49568167373333333333333333333333333333333333333333333333"},)"
          R"({"itemIdentifier":"49568167373333333334444444444444444444444444444444444444"}]})");
}

TEST_CASE("identifiers follow event order, not numeric or text order") {
    const std::vector<std::string> storage = {"9", "100", "10", "2"};
    CHECK(kbatch::test::item_identifiers(kbatch::write_batch_response(report_of(storage))) ==
          storage);
}

TEST_CASE("a repeated sequence number is reported once, where it first failed") {
    const std::vector<std::string> storage = {"5", "7", "5", "8", "7", "5"};
    CHECK(kbatch::test::item_identifiers(kbatch::write_batch_response(report_of(storage))) ==
          std::vector<std::string>{"5", "7", "8"});
}

TEST_CASE("identifiers stay strings of up to 128 digits, never numbers") {
    const std::vector<std::string> storage = {std::string(128, '9'), "0001"};
    const std::string response = kbatch::write_batch_response(report_of(storage));
    const nlohmann::json json = nlohmann::json::parse(response);
    CHECK(json["batchItemFailures"][0]["itemIdentifier"].is_string());
    CHECK(kbatch::test::item_identifiers(response) == storage);
}

TEST_CASE("the reasons are not sent to Lambda") {
    // Reasons can hold payload text; they belong in logs, never in the response.
    const std::vector<std::string> storage = {"1"};
    kbatch::BatchReport report = report_of(storage);
    report.failures[0].reason = "secret payload";
    const std::string response = kbatch::write_batch_response(report);
    CHECK(response.find("secret") == std::string::npos);
    CHECK(response == R"({"batchItemFailures":[{"itemIdentifier":"1"}]})");
}

TEST_CASE("pretty output is the same document, indented") {
    const std::vector<std::string> storage = {"3", "1", "3"};
    const std::string compact = kbatch::write_batch_response(report_of(storage));
    const std::string pretty = kbatch::write_batch_response(report_of(storage), true);
    CHECK(pretty.find('\n') != std::string::npos);
    CHECK(compact.find('\n') == std::string::npos);
    CHECK(nlohmann::json::parse(pretty) == nlohmann::json::parse(compact));
    CHECK(kbatch::test::item_identifiers(pretty) == std::vector<std::string>{"3", "1"});
}

TEST_CASE("a reused writer and string give the same bytes as a fresh one, batch after batch") {
    // The handler keeps one writer and one response string for every invocation.
    kbatch::ResponseWriter writer;
    std::string out = "stale text that must go";
    const std::vector<std::vector<std::string>> batches = {
        {"1", "2", "1"}, {}, {"30", "30", "30"}, {"9", "8", "7", "6", "5", "9"}, {"4"}};
    for (const auto& storage : batches) {
        for (const bool pretty : {false, true}) {
            const kbatch::BatchReport report = report_of(storage);
            writer.write(report, out, pretty);
            CHECK(out == kbatch::write_batch_response(report, pretty));
            CHECK(nlohmann::json::parse(out) ==
                  nlohmann::json::parse(kbatch::write_batch_response(report, !pretty)));
        }
    }
}

TEST_CASE("the output is what nlohmann::json would write, compact and indented") {
    // The response used to be an nlohmann::json document; its text is kept byte for byte.
    const std::vector<std::string> storage = {"3", "1", "3", "2"};
    nlohmann::json failures = nlohmann::json::array();
    for (const char* id : {"3", "1", "2"})
        failures.push_back({{"itemIdentifier", id}});
    const nlohmann::json expected = {{"batchItemFailures", failures}};
    CHECK(kbatch::write_batch_response(report_of(storage)) == expected.dump());
    CHECK(kbatch::write_batch_response(report_of(storage), true) == expected.dump(2));
    const nlohmann::json empty = {{"batchItemFailures", nlohmann::json::array()}};
    CHECK(kbatch::write_batch_response(kbatch::BatchReport{}, true) == empty.dump(2));
}

TEST_CASE("10,000 failures, many repeated, each reported once in event order") {
    std::vector<std::string> storage;
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < 10'000; ++i) {
        storage.push_back(std::to_string((i * 7919) % 6007));
        if (i < 6007)
            expected.push_back(storage.back());
    }
    CHECK(kbatch::test::item_identifiers(kbatch::write_batch_response(report_of(storage))) ==
          expected);
}

TEST_CASE("an identifier that is not plain digits is still written as valid JSON") {
    // run_batch never lets one through, but the writer does not rely on it for valid output.
    const std::vector<std::string> storage = {"a\"b\\c\n\x01"};
    const nlohmann::json json =
        nlohmann::json::parse(kbatch::write_batch_response(report_of(storage)));
    CHECK(json["batchItemFailures"][0]["itemIdentifier"] == storage[0]);
}
