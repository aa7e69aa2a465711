// Every Kinesis, SQS and DynamoDB Streams event saved from the peer projects
// (../shared/fixtures/peer-events, see its SOURCES.md) decodes to what those files say, on both
// of the decoder's paths. Expected values are read from each file with
// nlohmann/json and the tests' own base64 decoder, never from kbatch.
//
// An extra cross-check: the files sit beside the repository, not in it, so a user's clone has
// none and these tests report themselves skipped. The forms they exercise (byte-order mark,
// tabs, exponent timestamps, encryption types, order) are covered by event_decoder_test with the
// project's own events.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "both_paths.h"
#include "decoded_views.h"
#include "event_decoder.h"
#include "invocation_handler.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace {
namespace fs = std::filesystem;

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
// Not an event but the mustache template behind `sam local generate-event kinesis get-records`.
constexpr std::string_view kSamTemplate = "aws-sam-cli/Kinesis.json";

struct Fixture {
    std::string
        name;  // path relative to the fixtures folder, e.g. "aws-lambda-go/kinesis-event.json"
    std::string bytes;  // the file exactly
    nlohmann::json json;
};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

nlohmann::json parse_fixture(std::string_view bytes) {
    if (bytes.starts_with(kByteOrderMark))
        bytes.remove_prefix(kByteOrderMark.size());
    return nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
}

Fixture load_fixture(std::string_view name) {
    Fixture fixture{
        std::string(name), kbatch::test::read_file(kbatch::test::fixtures_dir() / name), {}};
    fixture.json = parse_fixture(fixture.bytes);
    REQUIRE(fixture.json.is_object());
    return fixture;
}

// A Kinesis event: a JSON object with a Records array, in a file named for Kinesis or holding
// records from aws:kinesis (the TypeScript dynamodb-stream.json is DynamoDB-through-Kinesis).
bool is_kinesis_event(const std::string& name, const nlohmann::json& json) {
    if (!json.is_object() || !json.contains("Records") || !json["Records"].is_array())
        return false;
    if (lower(name).find("kinesis") != std::string::npos)
        return true;
    for (const nlohmann::json& record : json["Records"]) {
        if (record.is_object() && record.value("eventSource", "") == "aws:kinesis")
            return true;
    }
    return false;
}

// Every Kinesis event under the fixtures folder except the SAM template, sorted by name.
std::vector<Fixture> kinesis_events() {
    const fs::path root = kbatch::test::fixtures_dir();
    INFO("the peer fixtures belong at " << root
                                        << " (../shared/fixtures/peer-events beside the "
                                           "repository)");
    REQUIRE(fs::is_directory(root));
    std::vector<Fixture> events;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json")
            continue;
        const std::string name = entry.path().lexically_relative(root).generic_string();
        if (name == kSamTemplate)
            continue;
        std::string bytes = kbatch::test::read_file(entry.path());
        nlohmann::json json = parse_fixture(bytes);
        if (is_kinesis_event(name, json))
            events.push_back({name, std::move(bytes), std::move(json)});
    }
    std::sort(events.begin(), events.end(),
              [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
    return events;
}

std::string string_or_empty(const nlohmann::json& object, const char* key) {
    if (!object.contains(key) || object[key].is_null())
        return {};
    return object[key].get<std::string>();
}

// Fails every record; the reason is irrelevant here.
class FailsEverything final : public kbatch::RecordProcessor {
  public:
    kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context&) override {
        return kbatch::Result::failure("failed on purpose");
    }
};

// Fails the records whose data is not JSON, as the Powertools "getting started" handler does.
class FailsNonJson final : public kbatch::RecordProcessor {
  public:
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        if (nlohmann::json::accept(record.text()))
            return kbatch::Result::ok();
        return kbatch::Result::failure("not JSON");
    }
};

std::string respond(const Fixture& fixture, kbatch::RecordProcessor& processor) {
    kbatch::InvocationHandler handler;
    kt::TestContext context;
    std::string response;
    const kbatch::Status status = handler.handle(
        fixture.bytes, kbatch::ProcessorHandle::borrow(processor), context.context(), &response);
    INFO(fixture.name << ": " << status.to_string());
    REQUIRE(status.is_ok());
    return response;
}

// The events whose first record has eventSource `source` ("aws:sqs", "aws:dynamodb"), sorted
// by name. Read with nlohmann::ordered_json, which keeps keys in the file's order (SQS message
// attributes come out in that order).
struct OrderedFixture {
    std::string name;
    std::string bytes;
    nlohmann::ordered_json json;
};
std::vector<OrderedFixture> events_of(std::string_view source) {
    const fs::path root = kbatch::test::fixtures_dir();
    REQUIRE(fs::is_directory(root));
    std::vector<OrderedFixture> events;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json")
            continue;
        std::string bytes = kbatch::test::read_file(entry.path());
        std::string_view text = bytes;
        if (text.starts_with(kByteOrderMark))
            text.remove_prefix(kByteOrderMark.size());
        auto json = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (!json.is_object() || !json.contains("Records") || !json["Records"].is_array() ||
            json["Records"].empty() || !json["Records"][0].is_object() ||
            json["Records"][0].value("eventSource", "") != source) {
            continue;
        }
        events.push_back({entry.path().lexically_relative(root).generic_string(), std::move(bytes),
                          std::move(json)});
    }
    std::sort(events.begin(), events.end(),
              [](const OrderedFixture& a, const OrderedFixture& b) { return a.name < b.name; });
    return events;
}

std::string text_or_empty(const nlohmann::ordered_json& object, const char* key) {
    if (!object.is_object() || !object.contains(key) || !object[key].is_string())
        return {};
    return object[key].get<std::string>();
}

std::string bytes_text(std::span<const std::byte> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

TEST_CASE("the peer fixtures hold the Kinesis events this suite relies on") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    // Guards the discovery below: if it silently found nothing, every other check would pass.
    std::set<std::string> names;
    for (const Fixture& fixture : kinesis_events())
        names.insert(fixture.name);
    for (const char* expected : {
             "aws-lambda-dotnet/kinesis-event.json",
             "aws-lambda-dotnet/kinesis-timewindow-event.json",
             "aws-lambda-go/kinesis-event.json",
             "aws-lambda-go/kinesis-time-window-event.json",
             "aws-lambda-java-libs/kinesis_event.json",
             "aws-lambda-java-libs/kinesis_event_roundtrip.json",
             "aws-lambda-java-libs/kinesis_time_window_event.json",
             "aws-lambda-rust-runtime/example-kinesis-event-encrypted.json",
             "powertools-lambda-java-serialization/kinesis_event.json",
             "powertools-lambda-java/kinesis_event.json",
             "powertools-lambda-java/kinesis_event_big.json",
             "powertools-lambda-java/kinesis_invalid_messages.json",
             "powertools-lambda-python/getting_started_kinesis_event.json",
             "powertools-lambda-python/kinesisStreamCloudWatchLogsEvent.json",
             "powertools-lambda-python/kinesisStreamEvent.json",
             "powertools-lambda-typescript/dynamodb-stream.json",
         }) {
        CHECK(names.count(expected) == 1);
    }
    // Responses are not events.
    CHECK(names.count("aws-lambda-dotnet/kinesis-batchitemfailures-response.json") == 0);
    CHECK(names.count("powertools-lambda-python/getting_started_kinesis_response.json") == 0);
}

TEST_CASE("every peer Kinesis event decodes to the records its JSON holds") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    for (const Fixture& fixture : kinesis_events()) {
        INFO(fixture.name);
        kbatch::EventDecoder decoder;
        const kbatch::Status status = decoder.decode(fixture.bytes);
        INFO(status.to_string());
        REQUIRE(status.is_ok());
        const kbatch::DecodedBatch& batch = decoder.batch();
        const nlohmann::json& records = fixture.json["Records"];
        REQUIRE(batch.kinesis.size() == records.size());
        CHECK(batch.defects.empty());
        for (std::size_t i = 0; i < records.size(); ++i) {
            INFO("Records[" << i << "]");
            const nlohmann::json& expected = records[i];
            const nlohmann::json& kinesis = expected["kinesis"];
            const kbatch::KinesisRecord& actual = kbatch::test::kinesis_at(batch, i);
            CHECK(actual.sequence_number() == kinesis["sequenceNumber"].get<std::string>());
            CHECK(actual.partition_key() == kinesis["partitionKey"].get<std::string>());
            const auto data =
                kbatch::test::reference_base64_decode(kinesis["data"].get<std::string>());
            REQUIRE(data);
            CHECK(actual.text() == *data);
            CHECK(actual.data().size() == data->size());
            CHECK(actual.approximate_arrival() ==
                  kinesis["approximateArrivalTimestamp"].get<double>());
            CHECK(actual.encryption_type() == string_or_empty(kinesis, "encryptionType"));
            CHECK(actual.kinesis_schema_version() ==
                  string_or_empty(kinesis, "kinesisSchemaVersion"));
            CHECK(actual.event_id() == string_or_empty(expected, "eventID"));
            CHECK(actual.event_name() == string_or_empty(expected, "eventName"));
            CHECK(actual.event_source() == string_or_empty(expected, "eventSource"));
            CHECK(actual.event_source_arn() == string_or_empty(expected, "eventSourceARN"));
            CHECK(actual.event_version() == string_or_empty(expected, "eventVersion"));
            CHECK(actual.invoke_identity_arn() == string_or_empty(expected, "invokeIdentityArn"));
            CHECK(actual.aws_region() == string_or_empty(expected, "awsRegion"));
        }
    }
}

TEST_CASE(
    "every peer Kinesis event, all failed, reports each sequence number once in event order") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    for (const Fixture& fixture : kinesis_events()) {
        INFO(fixture.name);
        std::vector<std::string> expected;
        for (const nlohmann::json& record : fixture.json["Records"]) {
            const auto sequence_number = record["kinesis"]["sequenceNumber"].get<std::string>();
            if (std::find(expected.begin(), expected.end(), sequence_number) == expected.end()) {
                expected.push_back(sequence_number);
            }
        }
        FailsEverything processor;
        CHECK(kbatch::test::item_identifiers(respond(fixture, processor)) == expected);
    }
}

TEST_CASE("a UTF-8 byte-order mark is skipped (aws-lambda-dotnet)") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    const Fixture dotnet = load_fixture("aws-lambda-dotnet/kinesis-event.json");
    REQUIRE(std::string_view(dotnet.bytes).starts_with(kByteOrderMark));  // the premise
    // Its content is the Go fixture's: the records must be the same.
    const Fixture go = load_fixture("aws-lambda-go/kinesis-event.json");
    kbatch::EventDecoder dotnet_decoder, go_decoder;
    REQUIRE(dotnet_decoder.decode(dotnet.bytes).is_ok());
    REQUIRE(go_decoder.decode(go.bytes).is_ok());
    const auto a = kbatch::test::kinesis_records(dotnet_decoder.batch());
    const auto b = kbatch::test::kinesis_records(go_decoder.batch());
    REQUIRE(a.size() == 2);
    REQUIRE(b.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(a[i].sequence_number() == b[i].sequence_number());
        CHECK(a[i].text() == b[i].text());
        CHECK(a[i].approximate_arrival() == b[i].approximate_arrival());
        CHECK(a[i].event_source_arn() == b[i].event_source_arn());
    }
    CHECK(a[0].text() == "Hello World");
}

TEST_CASE("tabs and no trailing newline (aws-lambda-go)") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    const Fixture go = load_fixture("aws-lambda-go/kinesis-event.json");
    REQUIRE(go.bytes.find('\t') != std::string::npos);  // the premise
    REQUIRE(go.bytes.back() == '}');
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode(go.bytes).is_ok());
    const auto records = kbatch::test::kinesis_records(decoder.batch());
    REQUIRE(records.size() == 2);
    CHECK(records[0].sequence_number() ==
          "49568167373333333333333333333333333333333333333333333333");
    CHECK(records[1].sequence_number() ==
          "49568167373333333334444444444444444444444444444444444444");
    CHECK(records[0].text() == "Hello World");
    CHECK(records[1].text() == "Hello World");
    CHECK(records[0].approximate_arrival() == 1480641523.477);
}

TEST_CASE("timestamps in exponent form and as integers (aws-lambda-java-libs)") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    // 1.4285376E9 (the Java round-trip file), 1428537600 (the original) and 1.607497475E9.
    struct Case {
        const char* name;
        double expected;
    };
    for (const Case& c :
         {Case{"aws-lambda-java-libs/kinesis_event_roundtrip.json", 1428537600.0},
          Case{"aws-lambda-java-libs/kinesis_event.json", 1428537600.0},
          Case{"aws-lambda-java-libs/kinesis_time_window_event.json", 1607497475.0}}) {
        INFO(c.name);
        const Fixture fixture = load_fixture(c.name);
        kbatch::EventDecoder decoder;
        REQUIRE(decoder.decode(fixture.bytes).is_ok());
        REQUIRE(decoder.batch().kinesis.size() == 1);
        CHECK(kbatch::test::kinesis_at(decoder.batch(), 0).approximate_arrival() == c.expected);
    }
    const Fixture roundtrip = load_fixture("aws-lambda-java-libs/kinesis_event_roundtrip.json");
    REQUIRE(roundtrip.bytes.find("1.4285376E9") != std::string::npos);  // the premise
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode(roundtrip.bytes).is_ok());
    CHECK(kbatch::test::kinesis_at(decoder.batch(), 0).text() == "Hello, this is a test 123.");
    CHECK(kbatch::test::kinesis_at(decoder.batch(), 0).encryption_type() == "NONE");
}

TEST_CASE("encryptionType KMS and a missing encryptionType (aws-lambda-rust-runtime)") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    const Fixture rust =
        load_fixture("aws-lambda-rust-runtime/example-kinesis-event-encrypted.json");
    REQUIRE_FALSE(rust.json["Records"][1]["kinesis"].contains("encryptionType"));  // the premise
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode(rust.bytes).is_ok());
    REQUIRE(decoder.batch().kinesis.size() == 2);
    CHECK(decoder.batch().defects.empty());
    CHECK(kbatch::test::kinesis_at(decoder.batch(), 0).encryption_type() == "KMS");
    CHECK(kbatch::test::kinesis_at(decoder.batch(), 1).encryption_type().empty());
}

TEST_CASE("records out of sequence order stay in event order") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    // CloudWatch Logs through Kinesis: the first record has the higher sequence number; its data
    // is gzip (binary), which must come through byte for byte.
    const Fixture logs =
        load_fixture("powertools-lambda-python/kinesisStreamCloudWatchLogsEvent.json");
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode(logs.bytes).is_ok());
    const auto records = kbatch::test::kinesis_records(decoder.batch());
    REQUIRE(records.size() == 2);
    CHECK(records[0].sequence_number() ==
          "49635052289529725553291405521504870233219489715332317186");
    CHECK(records[1].sequence_number() ==
          "49635052289529725553291405520881064510298312199003701250");
    CHECK(records[0].sequence_number() > records[1].sequence_number());  // same length: text order
    CHECK(records[0].text().starts_with("\x1F\x8B"));

    // Powertools Java's big event: 13 records, ...961 sixth, after ...966.
    const Fixture big = load_fixture("powertools-lambda-java/kinesis_event_big.json");
    REQUIRE(decoder.decode(big.bytes).is_ok());
    REQUIRE(decoder.batch().kinesis.size() == 13);
    CHECK(kbatch::test::kinesis_at(decoder.batch(), 4).sequence_number() ==
          "49545115243490985018280067714973144582180062593244200966");
    CHECK(kbatch::test::kinesis_at(decoder.batch(), 5).sequence_number() ==
          "49545115243490985018280067714973144582180062593244200961");
    FailsEverything processor;
    const auto identifiers = kbatch::test::item_identifiers(respond(big, processor));
    REQUIRE(identifiers.size() == 13);
    CHECK(identifiers[5] == "49545115243490985018280067714973144582180062593244200961");
}

TEST_CASE("a repeated sequence number is reported once (powertools-lambda-java-serialization)") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    const Fixture twins = load_fixture("powertools-lambda-java-serialization/kinesis_event.json");
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode(twins.bytes).is_ok());
    const auto records = kbatch::test::kinesis_records(decoder.batch());
    REQUIRE(records.size() == 2);
    CHECK(records[0].sequence_number() == records[1].sequence_number());  // the premise
    CHECK(records[0].text() == R"({"id":1234, "name":"product", "price":42})");
    CHECK(records[1].text() == R"({"id":12345, "name":"product5", "price":45})");

    FailsEverything processor;
    kbatch::InvocationHandler handler;
    kt::TestContext context;
    std::string response;
    REQUIRE(handler
                .handle(twins.bytes, kbatch::ProcessorHandle::borrow(processor), context.context(),
                        &response)
                .is_ok());
    CHECK(handler.report().failures.size() == 2);      // both failed...
    CHECK(kbatch::test::item_identifiers(response) ==  // ...and are reported once
          std::vector<std::string>{"49545115243490985018280067714973144582180062593244200961"});
}

TEST_CASE("Powertools' getting-started event gives Powertools' own response") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    // The handler in Powertools' example fails records whose data is not JSON; its saved
    // response is the answer.
    const Fixture event =
        load_fixture("powertools-lambda-python/getting_started_kinesis_event.json");
    const Fixture expected =
        load_fixture("powertools-lambda-python/getting_started_kinesis_response.json");
    FailsNonJson processor;
    CHECK(nlohmann::json::parse(respond(event, processor)) == expected.json);
}

TEST_CASE("the SAM template's placeholders are defects that make the batch unidentifiable") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    // "{{{data}}}" is not base64 and "{{{sequence}}}" is not a sequence number: the record cannot
    // be processed and cannot be reported, so the invocation fails and Lambda retries it.
    const Fixture sam = load_fixture(std::string(kSamTemplate));
    kbatch::EventDecoder decoder;
    const kbatch::Status decoded = decoder.decode(sam.bytes);
    INFO(decoded.to_string());
    REQUIRE(decoded.is_ok());  // it is valid JSON with a Records array
    REQUIRE(decoder.batch().kinesis.size() == 1);
    REQUIRE(decoder.batch().defects.size() == 1);
    CHECK(decoder.batch().defects[0].index == 0);
    CHECK(
        decoder.batch().defects[0].reason ==
        "Records[0].kinesis.data: not valid base64: length 10 is not a multiple of 4 at offset 10");

    FailsEverything processor;
    kbatch::InvocationHandler handler;
    kt::TestContext context;
    std::string response;
    const kbatch::Status status = handler.handle(
        sam.bytes, kbatch::ProcessorHandle::borrow(processor), context.context(), &response);
    REQUIRE_FALSE(status.is_ok());
    CHECK(status.kind() == kbatch::ErrorKind::kUnidentifiableFailure);
    CHECK_THAT(status.to_string(),
               Catch::StartsWith("Kbatch.UnidentifiableFailure: Records[0] failed and has no "
                                 "usable sequence number"));
    CHECK(response.empty());
}

// ---- SQS and DynamoDB Streams ----------------------------------------------------------------

TEST_CASE("the peer fixtures hold the SQS and DynamoDB events this suite relies on") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    std::vector<std::string> sqs, dynamodb;
    for (const OrderedFixture& fixture : events_of("aws:sqs"))
        sqs.push_back(fixture.name);
    for (const OrderedFixture& fixture : events_of("aws:dynamodb"))
        dynamodb.push_back(fixture.name);
    CHECK(sqs == std::vector<std::string>{"aws-lambda-go/sqs-event.json",
                                          "aws-lambda-java-libs/sqs_event_nobody.json",
                                          "powertools-lambda-python/sqsEvent.json"});
    // (The rust runtime's DynamoDB file is one record, not an event: it has no Records.)
    CHECK(dynamodb == std::vector<std::string>{"aws-lambda-dotnet/dynamodb-with-ms-event.json",
                                               "aws-lambda-go/dynamodb-event.json",
                                               "aws-lambda-java-libs/dynamo_event.json"});
}

TEST_CASE("every peer SQS event decodes to the messages its JSON holds, field by field") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    // A peer's own defect: Powertools' sample gives a binaryValue that is not base64. The message
    // decodes with that defect, and fails without reaching the plugin.
    const std::map<std::string, std::pair<std::size_t, std::string>> defective = {
        {"powertools-lambda-python/sqsEvent.json",
         {0,
          "Records[0].messageAttributes.testAttr.binaryValue: not valid base64: length 9 is not "
          "a multiple of 4 at offset 9"}},
    };
    for (const OrderedFixture& fixture : events_of("aws:sqs")) {
        INFO(fixture.name);
        kbatch::test::BothPaths paths;
        const kbatch::DecodedBatch& batch = paths.decode_ok(fixture.bytes);
        REQUIRE(batch.source == kbatch::Source::kSqs);
        const auto& records = fixture.json["Records"];
        REQUIRE(batch.sqs.size() == records.size());
        const auto known = defective.find(fixture.name);
        if (known != defective.end()) {
            REQUIRE(batch.defects.size() == 1);
            CHECK(batch.defects[0].index == known->second.first);
            CHECK(batch.defects[0].reason == known->second.second);
        } else {
            CHECK(batch.defects.empty());
        }
        for (std::size_t i = 0; i < records.size(); ++i) {
            INFO("Records[" << i << "]");
            const auto& expected = records[i];
            const kbatch::SqsMessage actual = kbatch::test::sqs_at(batch, i);
            CHECK(actual.message_id() == expected["messageId"].get<std::string>());
            CHECK(batch.identifier(i) == expected["messageId"].get<std::string>());
            CHECK(actual.receipt_handle() == text_or_empty(expected, "receiptHandle"));
            CHECK(actual.body() == text_or_empty(expected, "body"));
            CHECK(actual.md5_of_body() == text_or_empty(expected, "md5OfBody"));
            CHECK(actual.md5_of_message_attributes() ==
                  text_or_empty(expected, "md5OfMessageAttributes"));
            CHECK(actual.event_source() == "aws:sqs");
            CHECK(actual.event_source_arn() == text_or_empty(expected, "eventSourceARN"));
            CHECK(actual.aws_region() == text_or_empty(expected, "awsRegion"));
            const auto& attributes = expected["attributes"];
            CHECK(actual.approximate_receive_count() ==
                  text_or_empty(attributes, "ApproximateReceiveCount"));
            CHECK(actual.sent_timestamp() == text_or_empty(attributes, "SentTimestamp"));
            CHECK(actual.sender_id() == text_or_empty(attributes, "SenderId"));
            CHECK(actual.approximate_first_receive_timestamp() ==
                  text_or_empty(attributes, "ApproximateFirstReceiveTimestamp"));
            CHECK(actual.message_group_id() == text_or_empty(attributes, "MessageGroupId"));
            CHECK(actual.aws_trace_header() == text_or_empty(attributes, "AWSTraceHeader"));
            CHECK_FALSE(actual.from_fifo_queue());
            const auto& map = expected["messageAttributes"];
            if (known != defective.end() && known->second.first == i)
                continue;  // its attributes stop at the defect
            REQUIRE(actual.message_attributes().size() == map.size());
            std::size_t a = 0;
            for (auto it = map.begin(); it != map.end(); ++it, ++a) {
                INFO("messageAttributes." << it.key());
                const kbatch::SqsMessageAttribute& attribute = actual.message_attributes()[a];
                CHECK(attribute.name == it.key());
                CHECK(attribute.data_type == text_or_empty(it.value(), "dataType"));
                CHECK(attribute.string_value == text_or_empty(it.value(), "stringValue"));
                const auto binary =
                    kbatch::test::reference_base64_decode(text_or_empty(it.value(), "binaryValue"));
                REQUIRE(binary);
                CHECK(bytes_text(attribute.binary_value) == *binary);
            }
        }
    }
}

TEST_CASE("every peer DynamoDB event decodes to the records its JSON holds, field by field") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    for (const OrderedFixture& fixture : events_of("aws:dynamodb")) {
        INFO(fixture.name);
        kbatch::test::BothPaths paths;
        const kbatch::DecodedBatch& batch = paths.decode_ok(fixture.bytes);
        REQUIRE(batch.source == kbatch::Source::kDynamoDb);
        const auto& records = fixture.json["Records"];
        REQUIRE(batch.dynamodb.size() == records.size());
        CHECK(batch.defects.empty());
        for (std::size_t i = 0; i < records.size(); ++i) {
            INFO("Records[" << i << "]");
            const auto& expected = records[i];
            const auto& dynamodb = expected["dynamodb"];
            const kbatch::DynamoDbRecord actual = kbatch::test::dynamodb_at(batch, i);
            CHECK(actual.event_id() == text_or_empty(expected, "eventID"));
            CHECK(actual.event_name() == text_or_empty(expected, "eventName"));
            CHECK(actual.event_version() == text_or_empty(expected, "eventVersion"));
            CHECK(actual.event_source() == "aws:dynamodb");
            CHECK(actual.event_source_arn() == text_or_empty(expected, "eventSourceARN"));
            CHECK(actual.aws_region() == text_or_empty(expected, "awsRegion"));
            CHECK(actual.sequence_number() == dynamodb["SequenceNumber"].get<std::string>());
            CHECK(batch.identifier(i) == dynamodb["SequenceNumber"].get<std::string>());
            CHECK(actual.stream_view_type() == text_or_empty(dynamodb, "StreamViewType"));
            CHECK(actual.size_bytes() == dynamodb["SizeBytes"].get<std::uint64_t>());
            // Seconds; milliseconds (dotnet's first record) made seconds.
            const double written = dynamodb["ApproximateCreationDateTime"].get<double>();
            CHECK(actual.approximate_creation() == (written >= 1e11 ? written / 1000 : written));
            for (const char* image : {"Keys", "NewImage", "OldImage"}) {
                INFO(image);
                const std::string_view text =
                    image == std::string_view("Keys")       ? actual.fields().keys
                    : image == std::string_view("NewImage") ? actual.fields().new_image
                                                            : actual.fields().old_image;
                if (dynamodb.contains(image)) {
                    CHECK(nlohmann::ordered_json::parse(text) == dynamodb[image]);
                } else {
                    CHECK(text.empty());
                }
            }
            const auto& identity = expected.contains("userIdentity") ? expected["userIdentity"]
                                                                     : nlohmann::ordered_json();
            CHECK(actual.user_identity_type() == text_or_empty(identity, "type"));
            CHECK(actual.user_identity_principal_id() == text_or_empty(identity, "principalId"));
        }
    }
    // The milliseconds, spelt out: dotnet's test expects 2016-12-02T01:27:00Z for both records.
    const OrderedFixture dotnet = [] {
        for (OrderedFixture& fixture : events_of("aws:dynamodb")) {
            if (fixture.name == "aws-lambda-dotnet/dynamodb-with-ms-event.json")
                return fixture;
        }
        FAIL("aws-lambda-dotnet/dynamodb-with-ms-event.json is missing");
        return OrderedFixture{};
    }();
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode(dotnet.bytes).is_ok());
    CHECK(kbatch::test::dynamodb_at(decoder.batch(), 0).approximate_creation() == 1480642020.0);
    CHECK(kbatch::test::dynamodb_at(decoder.batch(), 1).approximate_creation() == 1480642020.0);
}
