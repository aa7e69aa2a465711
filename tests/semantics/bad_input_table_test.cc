// Malformed and unusual events, each with its expected verdict, checked four ways: in process,
// through `kbatch invoke`, through kbatch-runtime against a (scripted) Runtime API, and through
// `kbatch serve` with the real kbatch-runtime behind it. Two tables: Kinesis events, whose plugin
// fails records whose data contains "FAIL", and SQS and DynamoDB Streams events, whose plugin
// (stub_multi_source) fails records whose payload contains "fail"; so verdicts mix successes and
// failures.
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
// The same, for records named by their identifiers (SQS message ids, DynamoDB sequence numbers).
Verdict reports(std::vector<std::string> identifiers) {
    return Verdict{std::move(identifiers), "", ""};
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

// ---- SQS and DynamoDB Streams --------------------------------------------------------------
// Events in Lambda's form (kt::sqs_message_json, kt::dynamodb_record_json: keys in Lambda's
// order, so that the rows go through the decoder's fast path as far as it reads), one thing
// changed in each. Verdicts follow README's "Sources": a record with a defect (a field of the wrong
// type) fails on its own and is reported by its identifier, as a failure of the plugin would be;
// without a usable identifier it cannot be reported (Lambda fails the whole batch on an unknown
// one), so the invocation fails with Kbatch.UnidentifiableFailure; an event that is not one
// source's records at all is Kbatch.InvalidEvent. Expected messages hold no quotes: kbatch-runtime
// posts them JSON-escaped.

using OrderedJson = nlohmann::ordered_json;

// Three messages m0, m1, m2 of a standard queue (or, `fifo`, of a FIFO queue, in the message
// groups A, B, A); m1's body contains "fail". m0 has a String message attribute.
OrderedJson three_messages(bool fifo = false) {
    OrderedJson records = OrderedJson::array();
    const char* groups[] = {"A", "B", "A"};
    for (std::size_t i = 0; i < 3; ++i) {
        kt::TestSqsMessage message{fmt::format("m{}", i),
                                   i == 1 ? R"({"op":"fail"})" : fmt::format(R"({{"op":{}}})", i)};
        if (fifo)
            message.message_group_id = groups[i];
        if (i == 0)
            message.string_attributes = {{"priority", "high"}};
        records.push_back(kt::sqs_message_json(message));
    }
    return records;
}

// DynamoDB Streams sequence numbers as the service writes them (26 digits, growing).
const std::vector<std::string> kStreamSequence = {
    "48400700000000070567822101", "48400800000000070567822254", "48400900000000070567823318"};

// Three INSERTs of items pk=item#0..2; the second one's NewImage contains "fail".
OrderedJson three_stream_records() {
    OrderedJson records = OrderedJson::array();
    for (std::size_t i = 0; i < 3; ++i) {
        const std::string key = fmt::format(R"({{"pk":{{"S":"item#{}"}}}})", i);
        const std::string image = fmt::format(R"({{"pk":{{"S":"item#{}"}},"status":{{"S":"{}"}}}})",
                                              i, i == 1 ? "fail" : "ok");
        records.push_back(kt::dynamodb_record_json(
            kt::TestDynamoDbRecord{kStreamSequence[i], "INSERT", key, image}));
    }
    return records;
}

// `records` with one change made to them, as an event.
std::string event_with(OrderedJson records, const std::function<void(OrderedJson&)>& change) {
    change(records);
    return OrderedJson{{"Records", std::move(records)}}.dump();
}
std::string sqs_changed(const std::function<void(OrderedJson&)>& change) {
    return event_with(three_messages(), change);
}
std::string fifo_changed(const std::function<void(OrderedJson&)>& change) {
    return event_with(three_messages(/*fifo=*/true), change);
}
std::string stream_changed(const std::function<void(OrderedJson&)>& change) {
    return event_with(three_stream_records(), change);
}

std::vector<Row> source_table() {
    const auto& seq = kStreamSequence;
    const auto nothing = [](OrderedJson&) {};
    std::vector<Row> rows = {
        // SQS, standard queue: every message that did not succeed is reported.
        {"SQS: a good event", sqs_changed(nothing), reports({"m1"})},
        {"SQS: a missing messageId", sqs_changed([](OrderedJson& r) { r[0].erase("messageId"); }),
         unidentifiable("Records[0].messageId: missing")},
        {"SQS: a messageId that is a number",
         sqs_changed([](OrderedJson& r) { r[2]["messageId"] = 42; }),
         unidentifiable("Records[2].messageId: expected a string, got a number")},
        {"SQS: an empty messageId", sqs_changed([](OrderedJson& r) { r[1]["messageId"] = ""; }),
         unidentifiable("Records[1].messageId: empty")},
        {"SQS: a null messageId", sqs_changed([](OrderedJson& r) { r[1]["messageId"] = nullptr; }),
         unidentifiable("Records[1].messageId")},
        {"SQS: a messageId that is an object", sqs_changed([](OrderedJson& r) {
             r[0]["messageId"] = {{"id", "m0"}};
         }),
         unidentifiable("Records[0].messageId: expected a string, got an object")},
        {"SQS: a message attribute's stringValue that is a number", sqs_changed([](OrderedJson& r) {
             r[0]["messageAttributes"]["priority"]["stringValue"] = 2;
         }),
         reports({"m0", "m1"})},
        {"SQS: a message attribute that is a string",
         sqs_changed([](OrderedJson& r) { r[2]["messageAttributes"]["priority"] = "high"; }),
         reports({"m1", "m2"})},
        {"SQS: messageAttributes that is an array", sqs_changed([](OrderedJson& r) {
             r[2]["messageAttributes"] = {1, 2};
         }),
         reports({"m1", "m2"})},
        {"SQS: a binaryValue that is not base64", sqs_changed([](OrderedJson& r) {
             r[0]["messageAttributes"]["blob"] = {{"binaryValue", "AAE%"}, {"dataType", "Binary"}};
         }),
         reports({"m0", "m1"})},
        {"SQS: a body that is an object", sqs_changed([](OrderedJson& r) {
             r[2]["body"] = {{"op", 2}};
         }),
         reports({"m1", "m2"})},
        {"SQS: attributes that is a string",
         sqs_changed([](OrderedJson& r) { r[0]["attributes"] = "x"; }), reports({"m0", "m1"})},
        {"SQS: an attribute that is a number",
         sqs_changed([](OrderedJson& r) { r[2]["attributes"]["SentTimestamp"] = 1718; }),
         reports({"m1", "m2"})},
        {"SQS: a repeated messageId is reported once", sqs_changed([](OrderedJson& r) {
             r[2]["messageId"] = "m1";
             r[2]["body"] = "fail again";
         }),
         reports({"m1"})},
        {"SQS: unknown fields everywhere", sqs_changed([](OrderedJson& r) {
             r[0]["extra"] = {1, 2, 3};
             r[0]["attributes"]["Extra"] = {{"nested", true}};
         }),
         reports({"m1"})},
        {"SQS: a record naming another source",
         sqs_changed([](OrderedJson& r) { r[2]["eventSource"] = "aws:dynamodb"; }),
         invalid("Records[2] is a DynamoDB stream record but Records[0] is an SQS message")},
        {"SQS: an unknown eventSource",
         sqs_changed([](OrderedJson& r) { r[0]["eventSource"] = "aws:s3"; }),
         invalid("Records[0] has eventSource")},
        // SQS, FIFO queue: stop at the first failure and report it and every message after it.
        {"SQS FIFO: a good event", fifo_changed(nothing), reports({"m1", "m2"})},
        {"SQS FIFO: a defect in the first message stops the batch",
         fifo_changed(
             [](OrderedJson& r) { r[0]["messageAttributes"]["priority"]["stringValue"] = 2; }),
         reports({"m0", "m1", "m2"})},
        {"SQS FIFO: a missing messageId after the failure",
         fifo_changed([](OrderedJson& r) { r[2].erase("messageId"); }),
         unidentifiable("Records[2].messageId: missing")},
        // DynamoDB Streams: the failed records' sequence numbers.
        {"DynamoDB: a good event", stream_changed(nothing), reports({seq[1]})},
        {"DynamoDB: no SequenceNumber",
         stream_changed([](OrderedJson& r) { r[0]["dynamodb"].erase("SequenceNumber"); }),
         unidentifiable("Records[0].dynamodb.SequenceNumber: missing")},
        {"DynamoDB: a SequenceNumber that is a number",
         stream_changed([](OrderedJson& r) { r[2]["dynamodb"]["SequenceNumber"] = 484009; }),
         unidentifiable("Records[2].dynamodb.SequenceNumber: expected a string, got a number")},
        {"DynamoDB: a SequenceNumber with letters",
         stream_changed([](OrderedJson& r) { r[0]["dynamodb"]["SequenceNumber"] = "4840x"; }),
         unidentifiable("Records[0].dynamodb.SequenceNumber: not a sequence number")},
        {"DynamoDB: an empty SequenceNumber",
         stream_changed([](OrderedJson& r) { r[0]["dynamodb"]["SequenceNumber"] = ""; }),
         unidentifiable("Records[0].dynamodb.SequenceNumber: not a sequence number")},
        {"DynamoDB: Keys that is not an object", stream_changed([](OrderedJson& r) {
             r[0]["dynamodb"]["Keys"] = {1, 2};
         }),
         reports({seq[0], seq[1]})},
        {"DynamoDB: Keys that is a string",
         stream_changed([](OrderedJson& r) { r[2]["dynamodb"]["Keys"] = "item#2"; }),
         reports({seq[1], seq[2]})},
        {"DynamoDB: a NewImage that is a string",
         stream_changed([](OrderedJson& r) { r[0]["dynamodb"]["NewImage"] = "x"; }),
         reports({seq[0], seq[1]})},
        {"DynamoDB: a SizeBytes below zero",
         stream_changed([](OrderedJson& r) { r[2]["dynamodb"]["SizeBytes"] = -5; }),
         reports({seq[1], seq[2]})},
        {"DynamoDB: an ApproximateCreationDateTime that is a string",
         stream_changed(
             [](OrderedJson& r) { r[0]["dynamodb"]["ApproximateCreationDateTime"] = "now"; }),
         reports({seq[0], seq[1]})},
        {"DynamoDB: a userIdentity that is a string",
         stream_changed([](OrderedJson& r) { r[2]["userIdentity"] = "dynamodb"; }),
         reports({seq[1], seq[2]})},
        {"DynamoDB: a missing dynamodb object",
         stream_changed([](OrderedJson& r) { r[2].erase("dynamodb"); }),
         invalid("Records[2].dynamodb: missing")},
        {"DynamoDB: a dynamodb object that is a string",
         stream_changed([](OrderedJson& r) { r[1]["dynamodb"] = "x"; }),
         invalid("Records[1].dynamodb: expected an object, got a string")},
        {"DynamoDB: a repeated SequenceNumber is reported once", stream_changed([](OrderedJson& r) {
             r[2]["dynamodb"]["SequenceNumber"] = kStreamSequence[1];
             r[2]["dynamodb"]["NewImage"]["status"]["S"] = "fail";
         }),
         reports({seq[1]})},
        {"DynamoDB: a record naming another source",
         stream_changed([](OrderedJson& r) { r[1]["eventSource"] = "aws:sqs"; }),
         invalid("Records[1] is an SQS message but Records[0] is a DynamoDB stream record")},
    };
    return rows;
}

// One table and the plugin it is run with.
struct Suite {
    std::string plugin;  // a stub's name
    nlohmann::json config;
    std::vector<Row> rows;
};

Suite kinesis_suite() {
    return {"fails_on_substring", {{"needle", "FAIL"}}, table()};
}
Suite source_suite() {
    return {"multi_source", nlohmann::json::object(), source_table()};
}

TEST_CASE("the table has the cases the issue asks for") {
    CHECK(table().size() >= 30);
    CHECK(source_table().size() >= 30);
}

void check_in_process(const Suite& suite) {
    kt::Plugin plugin(stub_path(suite.plugin), suite.config);
    InvocationHandler handler;
    for (const Row& row : suite.rows) {
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

void check_through_invoke(const Suite& suite) {
    TempDir dir;
    for (const Row& row : suite.rows) {
        INFO(row.name);
        write_file(dir / "event.json", row.event);
        const CommandResult result =
            run_kbatch({"invoke", "--data-file", (dir / "event.json").string(), "--plugin",
                        stub_path(suite.plugin).string(), "--config", suite.config.dump()});
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

void check_through_runtime(const Suite& suite) {
    const std::vector<Row>& rows = suite.rows;
    std::vector<NextStep> script;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        NextStep step;
        step.request_id = fmt::format("row-{}", i);
        step.body = rows[i].event;
        script.push_back(step);
    }
    ScriptedRuntimeApi api(script);
    const RuntimeExit exit = run_with_environment(
        KBATCH_TEST_RUNTIME_BINARY,
        {"AWS_LAMBDA_RUNTIME_API=" + api.address(), "_HANDLER=" + stub_path(suite.plugin).string(),
         "KBATCH_PLUGIN_CONFIG=" + suite.config.dump()},
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

void check_through_serve(const Suite& suite) {
    serve_test::ServeProcess serve({"--plugin", stub_path(suite.plugin).string(), "--config",
                                    suite.config.dump(), "--timeout", "60"});
    for (const Row& row : suite.rows) {
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

TEST_CASE("bad input in process") {
    check_in_process(kinesis_suite());
}
TEST_CASE("bad input through kbatch invoke") {
    check_through_invoke(kinesis_suite());
}
TEST_CASE("bad input through kbatch-runtime") {
    check_through_runtime(kinesis_suite());
}
TEST_CASE("bad input through kbatch serve") {
    check_through_serve(kinesis_suite());
}

TEST_CASE("SQS and DynamoDB bad input in process") {
    check_in_process(source_suite());
}
TEST_CASE("SQS and DynamoDB bad input through kbatch invoke") {
    check_through_invoke(source_suite());
}
TEST_CASE("SQS and DynamoDB bad input through kbatch-runtime") {
    check_through_runtime(source_suite());
}
TEST_CASE("SQS and DynamoDB bad input through kbatch serve") {
    check_through_serve(source_suite());
}

}  // namespace
}  // namespace kbatch::test
