// Malformed and unusual events, each with its expected verdict, checked four ways: in process,
// through `kbatch invoke`, through kbatch-runtime against a (scripted) Runtime API, and through
// `kbatch serve` with the real kbatch-runtime behind it. The plugin fails records whose data
// contains "FAIL", so verdicts mix successes and failures.
#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "invocation_handler.h"
#include "runtime_process.h"
#include "scripted_runtime_api.h"
#include "support/http_client.h"
#include "support/serve_process.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace kbatch::test {
namespace {

using namespace std::chrono_literals;

// What an event must come to: the failed records' sequence numbers in order, or a failed
// invocation with this errorType and a message containing `message`.
struct Verdict {
    std::vector<std::string> failed;
    std::string error_type;
    std::string message;
    bool is_error() const { return !error_type.empty(); }
};

Verdict fails(std::vector<std::size_t> indexes) {
    Verdict verdict;
    for (const std::size_t index : indexes)
        verdict.failed.push_back(kt::sequence_number(index));
    return verdict;
}
Verdict invalid(std::string message) {
    return Verdict{{}, "Kbatch.InvalidEvent", std::move(message)};
}
Verdict unidentifiable(std::string message) {
    return Verdict{{}, "Kbatch.UnidentifiableFailure", std::move(message)};
}

struct Row {
    std::string name;
    std::string event;
    Verdict expected;
};

// Three records; the second one's data contains FAIL.
nlohmann::json three_records() {
    nlohmann::json records = nlohmann::json::array();
    for (std::size_t i = 0; i < 3; ++i) {
        records.push_back(kt::record_json(
            kt::TestRecord{kt::sequence_number(i), i == 1 ? "FAIL 1" : fmt::format("ok {}", i)}));
    }
    return records;
}

// The three records with one change made to them.
std::string changed(const std::function<void(nlohmann::json&)>& change) {
    nlohmann::json records = three_records();
    change(records);
    return event_from_records(records);
}

// The three records with `text` written as the last member of record `index` (of its kinesis
// object with `in_kinesis`): text that a JSON library would not write, such as a key twice or a
// number beyond a double. `replaced`, if given, is a member taken out first.
std::string with_text(std::size_t index, bool in_kinesis, std::string_view text,
                      std::string_view replaced = "") {
    std::string event = changed([&](nlohmann::json& r) {
        nlohmann::json& object = in_kinesis ? r[index]["kinesis"] : r[index];
        if (!replaced.empty())
            object.erase(std::string(replaced));
        object["zzPlaceholder"] = 0;  // keys sorted: it comes last
    });
    const std::string_view placeholder = R"("zzPlaceholder":0)";
    return event.replace(event.find(placeholder), placeholder.size(), text);
}

std::string many_records(std::size_t count) {
    nlohmann::json records = nlohmann::json::array();
    for (std::size_t i = 0; i < count; ++i)
        records.push_back(kt::record_json(kt::TestRecord{kt::sequence_number(i), "ok"}));
    return event_from_records(records);
}

std::vector<Row> table() {
    const std::string good = event_from_records(three_records());
    std::vector<Row> rows = {
        // The event as a whole.
        {"a good event", good, fails({1})},
        {"truncated JSON", good.substr(0, good.size() / 2), invalid("invalid JSON")},
        {"invalid JSON", R"({"Records": [}})", invalid("invalid JSON")},
        {"an empty body", "", invalid("the request body is empty")},
        {"whitespace only", " \n\t ", invalid("the request body is empty")},
        {"the event is an array", "[]", invalid("the event: expected an object, got an array")},
        {"the event is a string", R"("Records")",
         invalid("the event: expected an object, got a string")},
        {"no Records", R"({"records": []})", invalid("Records: missing")},
        {"Records is null", R"({"Records": null})",
         invalid("Records: expected an array, got null")},
        {"Records is an object", R"({"Records": {}})",
         invalid("Records: expected an array, got an object")},
        {"Records appears twice", R"({"Records": [], "Records": []})",
         invalid("Records: appears more than once")},
        {"an empty Records", R"({"Records": []})", fails({})},
        {"content after the event", good + " {}", invalid("unexpected content after the event")},
        {"a UTF-8 byte-order mark", "\xEF\xBB\xBF" + good, fails({1})},
        {"non-UTF-8 bytes in a string",
         changed([](nlohmann::json& r) { r[0]["awsRegion"] = "PLACEHOLDER"; }),
         invalid("invalid JSON")},
        {"10,001 records", many_records(10'001), invalid("more than 10000 records")},
        {"a body over 6 MB",
         R"({"Records": [], "padding": ")" + std::string(6 * 1024 * 1024, 'x') + "\"}",
         invalid("over Lambda's invocation limit")},
        {"a deeply nested document",
         R"({"deep": )" + std::string(2000, '[') + std::string(2000, ']') + R"(, "Records": [])",
         invalid("nested deeper than")},
        {"invalid JSON inside an unknown field", R"({"window": {"start": tru}, "Records": []})",
         invalid("invalid JSON in window")},
        // One record's shape.
        {"a record that is a number", changed([](nlohmann::json& r) { r[1] = 7; }),
         invalid("Records[1]: expected an object, got a number")},
        {"a record that is null", changed([](nlohmann::json& r) { r[2] = nullptr; }),
         invalid("Records[2]: expected an object, got null")},
        {"a missing kinesis object", changed([](nlohmann::json& r) { r[2].erase("kinesis"); }),
         invalid("Records[2].kinesis: missing")},
        {"an SQS event sent to a Kinesis function",
         R"({"Records": [{"messageId": "m1", "body": "x", "eventSource": "aws:sqs"}]})",
         // (Without the quotes around aws:sqs, which JSON escapes in the runtime's post.)
         Verdict{{}, "Kbatch.UnsupportedEventSource", "the event holds SQS records (eventSource"}},
        {"kinesis is a string", changed([](nlohmann::json& r) { r[0]["kinesis"] = "x"; }),
         invalid("Records[0].kinesis: expected an object, got a string")},
        // Sequence numbers: without a usable one a failed record cannot be reported.
        {"a sequence number that is a number",
         changed([](nlohmann::json& r) { r[2]["kinesis"]["sequenceNumber"] = 4956; }),
         unidentifiable("Records[2].kinesis.sequenceNumber: expected a string, got a number")},
        {"a missing sequence number",
         changed([](nlohmann::json& r) { r[0]["kinesis"].erase("sequenceNumber"); }),
         unidentifiable("Records[0].kinesis.sequenceNumber: missing")},
        {"an empty sequence number",
         changed([](nlohmann::json& r) { r[0]["kinesis"]["sequenceNumber"] = ""; }),
         unidentifiable("Records[0].kinesis.sequenceNumber: not a sequence number")},
        {"a sequence number with letters",
         changed([](nlohmann::json& r) { r[0]["kinesis"]["sequenceNumber"] = "49x"; }),
         unidentifiable("not a sequence number")},
        {"a sequence number of 129 digits", changed([](nlohmann::json& r) {
             r[0]["kinesis"]["sequenceNumber"] = std::string(129, '4');
         }),
         unidentifiable("not a sequence number")},
        {"a repeated sequence number is reported once", changed([](nlohmann::json& r) {
             r[2]["kinesis"]["sequenceNumber"] = kt::sequence_number(1);
             r[2]["kinesis"]["data"] = "RkFJTCAy";  // "FAIL 2"
         }),
         fails({1})},
        {"out-of-order sequence numbers stay in event order", changed([](nlohmann::json& r) {
             std::swap(r[0], r[1]);
             r[1]["kinesis"]["data"] = "RkFJTCAw";  // "FAIL 0", now second
         }),
         fails({1, 0})},
        // Data and the other fields: the record fails on its own, the rest goes on.
        {"data that is not base64",
         changed([](nlohmann::json& r) { r[0]["kinesis"]["data"] = "not base64!"; }),
         fails({0, 1})},
        {"data without padding",
         changed([](nlohmann::json& r) { r[2]["kinesis"]["data"] = "b2sgMg"; }), fails({1, 2})},
        {"empty data is zero bytes",
         changed([](nlohmann::json& r) { r[0]["kinesis"]["data"] = ""; }), fails({1})},
        {"data that is a number", changed([](nlohmann::json& r) { r[0]["kinesis"]["data"] = 12; }),
         fails({0, 1})},
        {"missing data", changed([](nlohmann::json& r) { r[2]["kinesis"].erase("data"); }),
         fails({1, 2})},
        {"binary (non-UTF-8) data is fine",
         changed([](nlohmann::json& r) { r[0]["kinesis"]["data"] = "//79"; }), fails({1})},
        {"a partition key that is a number",
         changed([](nlohmann::json& r) { r[0]["kinesis"]["partitionKey"] = 1; }), fails({0, 1})},
        {"a missing partition key",
         changed([](nlohmann::json& r) { r[0]["kinesis"].erase("partitionKey"); }), fails({0, 1})},
        {"a timestamp that is a string",
         changed([](nlohmann::json& r) { r[0]["kinesis"]["approximateArrivalTimestamp"] = "now"; }),
         fails({0, 1})},
        {"an eventSourceARN that is an object", changed([](nlohmann::json& r) {
             r[2]["eventSourceARN"] = {{"a", 1}};
         }),
         fails({1, 2})},
        {"null optional fields", changed([](nlohmann::json& r) {
             r[0]["kinesis"]["encryptionType"] = nullptr;
             r[0]["eventVersion"] = nullptr;
         }),
         fails({1})},
        {"unknown fields everywhere", changed([](nlohmann::json& r) {
             r[0]["extra"] = {1, 2, 3};
             r[0]["kinesis"]["extra"] = {{"nested", true}};
         }),
         fails({1})},
    };
    // Text edits that a JSON library would not write.
    std::string escaped = good;
    for (const auto& [plain, with_escapes] : std::vector<std::pair<std::string, std::string>>{
             {"\"sequenceNumber\"", "\"sequence\\u004Eumber\""},
             {"\"Records\"", "\"\\u0052ecords\""},
             {"\"kinesis\"", "\"kin\\u0065sis\""}}) {
        for (std::size_t at = escaped.find(plain); at != std::string::npos;
             at = escaped.find(plain, at)) {
            escaped.replace(at, plain.size(), with_escapes);
        }
    }
    rows.push_back({"escapes inside keys", escaped, fails({1})});
    std::string slash_escaped =
        changed([](nlohmann::json& r) { r[0]["kinesis"]["data"] = "Pz8/Pw=="; });
    slash_escaped.replace(slash_escaped.find("Pz8/Pw=="), 8, "Pz8\\/Pw==");  // "????" with "\/"
    rows.push_back({"a base64 string written with \\/", slash_escaped, fails({1})});
    // Bytes no JSON library writes, put in by hand into the row that holds the placeholder.
    const auto placeholder_row = std::find_if(rows.begin(), rows.end(), [](const Row& row) {
        return row.event.find("PLACEHOLDER") != std::string::npos;
    });
    REQUIRE(placeholder_row != rows.end());
    std::string& non_utf8 = placeholder_row->event;
    non_utf8.replace(non_utf8.find("PLACEHOLDER"), 11, "\xFF\xFE");
    // Numbers beyond a double: valid JSON; a defect only where the record needs the number.
    rows.push_back({"a timestamp of 1e309",
                    with_text(0, true, R"("approximateArrivalTimestamp":1e309)",
                              "approximateArrivalTimestamp"),
                    fails({0, 1})});
    rows.push_back({"a timestamp of -1e309",
                    with_text(2, true, R"("approximateArrivalTimestamp":-1e309)",
                              "approximateArrivalTimestamp"),
                    fails({1, 2})});
    rows.push_back({"a timestamp of 1e-400 is zero",
                    with_text(0, true, R"("approximateArrivalTimestamp":1e-400)",
                              "approximateArrivalTimestamp"),
                    fails({1})});
    rows.push_back({"a timestamp with an exponent of 20 digits",
                    with_text(0, true, R"("approximateArrivalTimestamp":1e99999999999999999999)",
                              "approximateArrivalTimestamp"),
                    fails({0, 1})});
    rows.push_back(
        {"1e309 in an unknown field", with_text(2, false, R"("extra":[1e309])"), fails({1})});
    rows.push_back({"1e309 for a sequence number",
                    with_text(2, true, R"("sequenceNumber":1e309)", "sequenceNumber"),
                    unidentifiable("Records[2].kinesis.sequenceNumber: expected a string")});
    // A key twice inside a record: that record's defect. A sequence number given twice is
    // reported only when both say the same number.
    rows.push_back({"an eventID twice",
                    with_text(2, false, R"("eventID":"shardId-000000000000:1")"), fails({1, 2})});
    rows.push_back({"data twice", with_text(0, true, R"("data":"b2sgMA==")"), fails({0, 1})});
    rows.push_back({"the same sequence number twice",
                    with_text(0, true, R"("sequenceNumber":")" + kt::sequence_number(0) + "\""),
                    fails({0, 1})});
    rows.push_back(
        {"two different sequence numbers in a record",
         with_text(2, true, R"("sequenceNumber":")" + kt::sequence_number(7) + "\""),
         // (No quotes in the messages looked for: kbatch-runtime posts them JSON-escaped.)
         unidentifiable("Records[2].kinesis: duplicate key")});
    rows.push_back(
        {"two kinesis objects in a record",
         with_text(0, false, R"("kinesis":{"sequenceNumber":"1","partitionKey":"p","data":""})"),
         unidentifiable("with different values")});
    return rows;
}

const nlohmann::json kPluginConfig = {{"needle", "FAIL"}};

TEST_CASE("the table has the cases the issue asks for") {
    CHECK(table().size() >= 30);
}

TEST_CASE("bad input in process") {
    kt::Plugin plugin(stub_path("fails_on_substring"), kPluginConfig);
    InvocationHandler handler;
    for (const Row& row : table()) {
        INFO(row.name);
        kt::TestContext context;
        std::string response;
        const Status status =
            handler.handle(row.event, plugin.processor(), context.context(), &response);
        if (row.expected.is_error()) {
            REQUIRE_FALSE(status.is_ok());
            CHECK(error_type_name(status.kind()) == row.expected.error_type);
            CHECK_THAT(status.message(), Catch::Contains(row.expected.message));
        } else {
            REQUIRE(status.is_ok());
            CHECK(item_identifiers(response) == row.expected.failed);
        }
    }
}

TEST_CASE("bad input through kbatch invoke") {
    TempDir dir;
    for (const Row& row : table()) {
        INFO(row.name);
        write_file(dir / "event.json", row.event);
        const CommandResult result = run_kbatch(
            {"invoke", "--data-file", (dir / "event.json").string(), "--plugin",
             stub_path("fails_on_substring").string(), "--config", kPluginConfig.dump()});
        INFO(result.err);
        if (row.expected.is_error()) {
            CHECK(result.exit_code == 1);
            CHECK(result.out.empty());
            CHECK_THAT(result.err, Catch::Contains(row.expected.error_type) &&
                                       Catch::Contains(row.expected.message));
        } else {
            CHECK(result.exit_code == 0);
            CHECK(item_identifiers(result.out) == row.expected.failed);
        }
    }
}

TEST_CASE("bad input through kbatch-runtime") {
    const std::vector<Row> rows = table();
    std::vector<NextStep> script;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        NextStep step;
        step.request_id = fmt::format("row-{}", i);
        step.body = rows[i].event;
        script.push_back(step);
    }
    ScriptedRuntimeApi api(script);
    const RuntimeExit exit =
        run_with_environment(KBATCH_TEST_RUNTIME_BINARY,
                             {"AWS_LAMBDA_RUNTIME_API=" + api.address(),
                              "_HANDLER=" + stub_path("fails_on_substring").string(),
                              "KBATCH_PLUGIN_CONFIG=" + kPluginConfig.dump()},
                             60s);
    INFO(exit.output);
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        INFO(rows[i].name);
        const std::string prefix = fmt::format("/2018-06-01/runtime/invocation/row-{}/", i);
        if (rows[i].expected.is_error()) {
            CHECK(posts[i].target == prefix + "error");
            CHECK(posts[i].error_type_header == rows[i].expected.error_type);
            CHECK_THAT(posts[i].body, Catch::Contains(rows[i].expected.message));
        } else {
            CHECK(posts[i].target == prefix + "response");
            CHECK(item_identifiers(posts[i].body) == rows[i].expected.failed);
        }
    }
}

TEST_CASE("bad input through kbatch serve") {
    serve_test::ServeProcess serve({"--plugin", stub_path("fails_on_substring").string(),
                                    "--config", kPluginConfig.dump(), "--timeout", "60"});
    for (const Row& row : table()) {
        INFO(row.name);
        const serve_test::HttpResult answer = serve_test::invoke(serve.port(), row.event, 60s);
        REQUIRE(answer.ok);
        INFO(answer.body);
        if (row.event.size() > 6291456) {
            // Lambda refuses an invocation payload over its limit before any runtime sees it,
            // and so does serve: the same verdict (the invocation fails as a whole, naming the
            // limit), told the way Lambda tells it.
            CHECK(answer.status == 413);
            CHECK_THAT(answer.body, Catch::Contains("6291456"));
        } else if (row.expected.is_error()) {
            CHECK(answer.status == 200);
            CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
            const nlohmann::json error = nlohmann::json::parse(answer.body);
            CHECK(error.value("errorType", "") == row.expected.error_type);
            CHECK_THAT(error.value("errorMessage", ""), Catch::Contains(row.expected.message));
        } else {
            CHECK(answer.status == 200);
            CHECK(answer.header("X-Amz-Function-Error").empty());
            CHECK(item_identifiers(answer.body) == row.expected.failed);
        }
    }
    // One runtime answered them all: no bad input crashed it.
    CHECK(serve.runtime_pids().size() == 1);
    CHECK(serve.stop() == 0);
}

}  // namespace
}  // namespace kbatch::test
