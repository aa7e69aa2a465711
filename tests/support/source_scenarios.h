// SQS (standard and FIFO) and DynamoDB Streams batches with the answer Lambda must get, for the
// end-to-end tests that run them through kbatch-runtime (tests/host) and `kbatch serve`
// (tests/serve). The plugin is the shipped json_check; each expected answer is worked out by hand
// from what json_check fails and the rules of README's "Sources" (and events/README.md for the
// sample events), never from kbatch's output:
//   - SQS standard queue: every message that did not succeed is reported; under
//     stop-on-first-failure that is the failed message and every message after it (not processed,
//     and Lambda deletes every message it is not told about).
//   - SQS FIFO queue: report-all and stop-on-first-failure both stop at the first failure and
//     report it and every message after it; skip-group-on-error reports the failed message and
//     every later message of its MessageGroupId, and the other groups go on.
//   - DynamoDB Streams, as Kinesis: report-all reports every failed record, stop-on-first-failure
//     the first (the lowest sequence number: Lambda checkpoints there and delivers everything
//     after it again), skip-group-on-error the failed record and every later record of its item.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace kbatch::test {

/// One batch, how it is run and what Lambda must be told.
struct SourceScenario {
    std::string name;
    std::string event;                  // the invocation's payload
    nlohmann::json config;              // json_check's configuration
    std::string failure_mode;           // KBATCH_FAILURE_MODE, `--failure-mode`
    std::vector<std::string> expected;  // the itemIdentifiers, in event order
};

/// The scenarios, several per source and failure mode.
inline std::vector<SourceScenario> source_scenarios() {
    namespace kt = kbatch::testing;
    const std::string fifo_example = read_file(events_dir() / "sqs-fifo-example.json");
    const std::string sqs_example = read_file(events_dir() / "sqs-example.json");
    const std::string dynamodb_example = read_file(events_dir() / "dynamodb-example.json");
    const nlohmann::json no_config = nlohmann::json::object();

    // events/sqs-fifo-example.json: m1/A, m2/B, m3/A, m4/B, m5/C; m2's body is JSON cut short,
    // so json_check fails it and only it (events/README.md).
    const std::string m1 = "ca69c850-2dab-4c38-b6dd-f67141ee0001";
    const std::string m2 = "b6cacd83-3e98-40d7-af1f-66e008f60002";
    const std::string m3 = "c5395b3c-dc59-4653-8364-1b8ccfad0003";
    const std::string m4 = "75dc3402-158a-4062-8e91-aeedb1530004";
    const std::string m5 = "e8b705be-2a71-41c4-a9b0-1b2c70300005";

    // events/sqs-example.json, a standard queue: message 3's body is "Hello from SQS!", the only
    // one that is not JSON.
    const std::string sqs3 = "ab842659-2f9c-4bfb-8626-f177402c041e";
    const std::string sqs4 = "dd00d072-805e-4d19-b828-a23235be60e4";

    // A standard queue's six messages; json_check, requiring an orderId, fails s2 (not JSON), s4
    // (orderId null counts as missing) and s6 (an array, not an object).
    const auto s = [](int n) { return "6f0f3b1e-4b4e-4a51-9c3d-5e7a0000000" + std::to_string(n); };
    const std::string standard = kt::sqs_event_json({
        {s(1), R"({"orderId":"o-1"})"},
        {s(2), "not JSON"},
        {s(3), R"({"orderId":"o-3","total":"1.50"})"},
        {s(4), R"({"orderId":null})"},
        {s(5), R"({"orderId":"o-5"})"},
        {s(6), R"([{"orderId":"o-6"}])"},
    });

    // A FIFO queue's six messages in groups A, B, C, B, C, A; json_check fails f2 (B) and f3 (C).
    const auto f = [](int n) { return "a1b2c3d4-0000-4fff-8fff-fifo0000000" + std::to_string(n); };
    const std::string fifo = kt::sqs_event_json({
        {f(1), R"({"orderId":"o-1"})", "A"},
        {f(2), R"({"order":"o-2"})", "B"},
        {f(3), "{", "C"},
        {f(4), R"({"orderId":"o-4"})", "B"},
        {f(5), R"({"orderId":"o-5"})", "C"},
        {f(6), R"({"orderId":"o-6"})", "A"},
    });

    // A DynamoDB stream's six records of items a, b and c; json_check, requiring status, fails
    // d2 (b's INSERT) and d5 (c's INSERT). d4 changes b after its failed INSERT; d6 removes a
    // (its OldImage is checked).
    const auto d = [](int n) { return "4840070000000007056782210" + std::to_string(n); };
    const auto key = [](const char* item) {
        return std::string(R"({"pk":{"S":")") + item + R"("}})";
    };
    const auto image = [](const char* item, const char* status) {
        std::string text = std::string(R"({"pk":{"S":")") + item + R"("})";
        if (status != nullptr)
            text += std::string(R"(,"status":{"S":")") + status + R"("})";
        return text + "}";
    };
    const std::string stream = kt::dynamodb_event_json({
        {d(1), "INSERT", key("a"), image("a", "created")},
        {d(2), "INSERT", key("b"), image("b", nullptr)},
        {d(3), "MODIFY", key("a"), image("a", "paid"), image("a", "created")},
        {d(4), "MODIFY", key("b"), image("b", "paid"), image("b", nullptr)},
        {d(5), "INSERT", key("c"), image("c", nullptr)},
        {d(6), "REMOVE", key("a"), "", image("a", "paid")},
    });

    // events/dynamodb-example.json: INSERT, MODIFY and REMOVE of customer#1001, then the TTL
    // REMOVE of session#7f3a. Requiring paid_at, json_check fails the INSERT (its NewImage has
    // none) and the TTL REMOVE (its OldImage has none); the MODIFY's NewImage and the REMOVE's
    // OldImage have it.
    const nlohmann::json paid_at_required = {{"required_fields", {"paid_at"}}};
    const std::string insert = "48400600000000070567821937", modify = "48400700000000070567822101",
                      remove = "48400800000000070567822254", ttl = "48400900000000070567823318";

    const nlohmann::json order_id = {{"required_fields", {"orderId"}}};
    const nlohmann::json status = {{"required_fields", {"status"}}};
    std::vector<SourceScenario> all;
    const auto add = [&all](std::string name, const std::string& event,
                            const nlohmann::json& config, std::string mode,
                            std::vector<std::string> expected) {
        all.push_back({std::move(name), event, config, std::move(mode), std::move(expected)});
    };
    add("the FIFO sample, report-all", fifo_example, no_config, "report-all", {m2, m3, m4, m5});
    add("the FIFO sample, stop-on-first-failure", fifo_example, no_config, "stop-on-first-failure",
        {m2, m3, m4, m5});
    add("the FIFO sample, skip-group-on-error", fifo_example, no_config, "skip-group-on-error",
        {m2, m4});
    add("a FIFO batch, report-all", fifo, order_id, "report-all", {f(2), f(3), f(4), f(5), f(6)});
    add("a FIFO batch, skip-group-on-error", fifo, order_id, "skip-group-on-error",
        {f(2), f(3), f(4), f(5)});
    add("the standard sample, report-all", sqs_example, no_config, "report-all", {sqs3});
    add("the standard sample, stop-on-first-failure", sqs_example, no_config,
        "stop-on-first-failure", {sqs3, sqs4});
    add("a standard batch, report-all", standard, order_id, "report-all", {s(2), s(4), s(6)});
    add("a standard batch, stop-on-first-failure", standard, order_id, "stop-on-first-failure",
        {s(2), s(3), s(4), s(5), s(6)});
    // A standard queue's messages have no MessageGroupId, so a failure holds none back.
    add("a standard batch, skip-group-on-error", standard, order_id, "skip-group-on-error",
        {s(2), s(4), s(6)});
    add("a stream batch, report-all", stream, status, "report-all", {d(2), d(5)});
    add("a stream batch, stop-on-first-failure", stream, status, "stop-on-first-failure", {d(2)});
    add("a stream batch, skip-group-on-error", stream, status, "skip-group-on-error",
        {d(2), d(4), d(5)});
    add("the DynamoDB sample, report-all", dynamodb_example, paid_at_required, "report-all",
        {insert, ttl});
    add("the DynamoDB sample, stop-on-first-failure", dynamodb_example, paid_at_required,
        "stop-on-first-failure", {insert});
    add("the DynamoDB sample, skip-group-on-error", dynamodb_example, paid_at_required,
        "skip-group-on-error", {insert, modify, remove, ttl});
    return all;
}

/// The scenarios that one plugin configuration and failure mode run, so that a test runs each
/// group on one runtime, several sources in turn (as one plugin instance serves them on Lambda):
/// keyed by the configuration's JSON text and the failure mode.
inline std::map<std::pair<std::string, std::string>, std::vector<SourceScenario>>
source_scenarios_by_run() {
    std::map<std::pair<std::string, std::string>, std::vector<SourceScenario>> groups;
    for (SourceScenario& scenario : source_scenarios())
        groups[{scenario.config.dump(), scenario.failure_mode}].push_back(std::move(scenario));
    return groups;
}

}  // namespace kbatch::test
