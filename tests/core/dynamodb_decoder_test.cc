// Decoding DynamoDB Streams events: every field of a record reaches its view on both of the
// decoder's paths (they must agree), the keys and images as the exact JSON text of the event,
// readable with kbatch::dynamodb::Item; and each defect a record can have, with its message.
// Expectations come from nlohmann/json's reading of the same JSON.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/dynamodb_record.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "both_paths.h"
#include "decoded_views.h"
#include "source_events.h"
#include "test_support.h"

namespace {

using kbatch::test::OrderedJson;

std::string string_or_empty(const OrderedJson& object, const char* key) {
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : "";
}

// An image as the record holds it: the event's text of it, which must parse to the JSON given.
void check_image(std::string_view text, const OrderedJson& record, const char* key) {
    INFO(key);
    const OrderedJson& dynamodb = record["dynamodb"];
    if (!dynamodb.contains(key) || dynamodb[key].is_null()) {
        CHECK(text.empty());
        return;
    }
    REQUIRE_FALSE(text.empty());
    CHECK(text.front() == '{');
    CHECK(text.back() == '}');
    CHECK(OrderedJson::parse(text) == dynamodb[key]);
}

// Every field of `actual` against the JSON it came from.
void check_record(const kbatch::DynamoDbRecord& actual, const OrderedJson& json) {
    CHECK(actual.event_id() == string_or_empty(json, "eventID"));
    CHECK(actual.event_name() == string_or_empty(json, "eventName"));
    CHECK(actual.event_version() == string_or_empty(json, "eventVersion"));
    CHECK(actual.event_source() == string_or_empty(json, "eventSource"));
    CHECK(actual.event_source_arn() == string_or_empty(json, "eventSourceARN"));
    CHECK(actual.aws_region() == string_or_empty(json, "awsRegion"));
    const OrderedJson& dynamodb = json["dynamodb"];
    CHECK(actual.sequence_number() == string_or_empty(dynamodb, "SequenceNumber"));
    CHECK(actual.item_identifier() == actual.sequence_number());
    CHECK(actual.stream_view_type() == string_or_empty(dynamodb, "StreamViewType"));
    CHECK(actual.size_bytes() ==
          (dynamodb.contains("SizeBytes") ? dynamodb["SizeBytes"].get<std::uint64_t>() : 0));
    double creation = 0;
    if (dynamodb.contains("ApproximateCreationDateTime"))
        creation = dynamodb["ApproximateCreationDateTime"].get<double>();
    // Milliseconds (a value from 1e11 on) are made seconds.
    if (creation >= 1e11)
        creation /= 1000;
    CHECK(std::bit_cast<std::uint64_t>(actual.approximate_creation()) ==
          std::bit_cast<std::uint64_t>(creation));
    check_image(actual.fields().keys, json, "Keys");
    check_image(actual.fields().new_image, json, "NewImage");
    check_image(actual.fields().old_image, json, "OldImage");
    const OrderedJson identity = json.contains("userIdentity") && json["userIdentity"].is_object()
                                     ? json["userIdentity"]
                                     : OrderedJson::object();
    CHECK(actual.user_identity_type() == string_or_empty(identity, "type"));
    CHECK(actual.user_identity_principal_id() == string_or_empty(identity, "principalId"));
}

std::string with_record(const std::function<void(OrderedJson&)>& change, std::size_t at = 1) {
    std::vector<OrderedJson> records;
    for (std::size_t i = 0; i < 3; ++i)
        records.push_back(kbatch::test::dynamodb_record_json(i));
    change(records[at]);
    return kbatch::test::lambda_event(records);
}

void require_defect(std::string_view event, std::size_t index, std::string_view reason) {
    kbatch::test::BothPaths paths;
    const kbatch::DecodedBatch& batch = paths.decode_ok(event);
    REQUIRE(batch.source == kbatch::Source::kDynamoDb);
    REQUIRE(batch.defects.size() == 1);
    CHECK(batch.defects[0].index == index);
    CHECK(batch.defects[0].reason == reason);
    CHECK_FALSE(paths.took_fast_path());
}

void require_invalid(std::string_view event, std::string_view message) {
    kbatch::test::BothPaths paths;
    CHECK(paths.decode(event) == "Kbatch.InvalidEvent: " + std::string(message));
}

// A random DynamoDB attribute value of any type, nested at most `depth` deep.
OrderedJson random_value(std::mt19937& engine, int depth) {
    const auto text = [&engine] { return kbatch::test::random_text(engine, engine() % 8); };
    switch (engine() % (depth > 0 ? 10 : 8)) {
        case 0:
            return {{"S", text()}};
        case 1:
            return {{"N", std::to_string(engine() % 100000) + ".5"}};
        case 2:
            return {{"B", kbatch::testing::base64_encode(text())}};
        case 3:
            return {{"BOOL", engine() % 2 == 0}};
        case 4:
            return {{"NULL", true}};
        case 5:
            return {{"SS", {text(), text()}}};
        case 6:
            return {{"NS", {"1", "2.5", "-3"}}};
        case 7:
            return {{"BS", OrderedJson::array()}};
        case 8: {
            OrderedJson map = OrderedJson::object();
            for (std::size_t i = engine() % 4; i > 0; --i)
                map[text()] = random_value(engine, depth - 1);
            return {{"M", map}};
        }
        default: {
            OrderedJson list = OrderedJson::array();
            for (std::size_t i = engine() % 4; i > 0; --i)
                list.push_back(random_value(engine, depth - 1));
            return {{"L", list}};
        }
    }
}

}  // namespace

TEST_CASE("every field of DynamoDB stream records reaches the view, on both paths") {
    std::vector<OrderedJson> records;
    for (std::size_t i = 0; i < 20; ++i)
        records.push_back(kbatch::test::dynamodb_record_json(i));
    records[1]["eventName"] = "INSERT";
    records[1]["dynamodb"].erase("OldImage");
    records[1]["dynamodb"]["StreamViewType"] = "NEW_IMAGE";
    records[2]["eventName"] = "REMOVE";  // a TTL delete: userIdentity, no NewImage
    records[2]["dynamodb"].erase("NewImage");
    records[2]["userIdentity"] = {{"type", "Service"}, {"principalId", "dynamodb.amazonaws.com"}};
    records[3]["dynamodb"]["ApproximateCreationDateTime"] = 1718035262.0;   // a fraction
    records[4]["dynamodb"]["ApproximateCreationDateTime"] = 1718035263123;  // milliseconds
    records[5]["dynamodb"]["NewImage"] = OrderedJson::object();             // an empty item
    records[6]["dynamodb"].erase("NewImage");                               // KEYS_ONLY
    records[6]["dynamodb"].erase("OldImage");
    records[6]["dynamodb"]["StreamViewType"] = "KEYS_ONLY";
    records[7]["userIdentity"] = nullptr;
    kbatch::test::BothPaths paths;
    const kbatch::DecodedBatch& batch = paths.decode_ok(kbatch::test::lambda_event(records));
    CHECK(paths.took_fast_path());
    REQUIRE(batch.source == kbatch::Source::kDynamoDb);
    REQUIRE(batch.size() == records.size());
    CHECK(batch.defects.empty());
    for (std::size_t i = 0; i < records.size(); ++i) {
        INFO("Records[" << i << "]");
        check_record(kbatch::test::dynamodb_at(batch, i), records[i]);
        CHECK(batch.identifier(i) == records[i]["dynamodb"]["SequenceNumber"].get<std::string>());
    }
    CHECK(kbatch::test::dynamodb_at(batch, 2).is_ttl_delete());
    CHECK_FALSE(kbatch::test::dynamodb_at(batch, 0).is_ttl_delete());
    CHECK(kbatch::test::dynamodb_at(batch, 4).approximate_creation() == 1718035263.123);
    CHECK_FALSE(kbatch::test::dynamodb_at(batch, 1).has_old_image());
    CHECK(kbatch::test::dynamodb_at(batch, 5).has_new_image());
}

TEST_CASE("the images are the event's own text, read by kbatch::dynamodb::Item") {
    const std::string event = kbatch::test::lambda_event(
        {kbatch::test::dynamodb_record_json(0), kbatch::test::dynamodb_record_json(1)});
    kbatch::test::BothPaths paths;
    const kbatch::DecodedBatch& batch = paths.decode_ok(event);
    const kbatch::DynamoDbRecord record = kbatch::test::dynamodb_at(batch, 1);
    // The text between "NewImage": and the key after it, exactly.
    const std::size_t second = event.find(R"("NewImage":)", event.find(R"("NewImage":)") + 1);
    const std::size_t start = second + std::string_view(R"("NewImage":)").size();
    const std::size_t end = event.find(R"(,"OldImage")", start);
    CHECK(record.fields().new_image == std::string_view(event).substr(start, end - start));
    auto pk = record.keys().find("pk");
    REQUIRE(pk.has_value());
    auto text = pk->as_string();
    REQUIRE(text.has_value());
    CHECK(*text == "customer#1001");
    auto total = record.new_image().find("total");
    REQUIRE(total.has_value());
    CHECK(total->number_text().value() == "101.95");
    auto status = record.old_image().find("status");
    REQUIRE(status.has_value());
    CHECK(*status->as_string() == "created");
}

TEST_CASE("ApproximateCreationDateTime: seconds, with a fraction, or milliseconds") {
    struct Case {
        std::string text;
        double seconds;
    };
    const std::vector<Case> cases = {
        {"1718035261", 1718035261.0},
        {"1718035262.0", 1718035262.0},
        {"1718035262.25", 1718035262.25},
        {"1.635734407123456789E9", 1.635734407123456789E9},  // aws-lambda-java-libs' form
        {"1480642020000", 1480642020.0},                     // aws-lambda-dotnet's milliseconds
        {"1718035263123", 1718035263.123},
        {"99999999999", 99999999999.0},  // the last value taken for seconds
        {"100000000000", 100000000.0},   // the first taken for milliseconds
        {"0", 0.0},
        {"null", 0.0},
    };
    kbatch::test::BothPaths paths;
    for (const Case& c : cases) {
        INFO(c.text);
        std::string event = with_record([](OrderedJson&) {});
        const std::string from = R"("ApproximateCreationDateTime":1718035262)";
        REQUIRE(event.find(from) != std::string::npos);
        event.replace(event.find(from), from.size(), R"("ApproximateCreationDateTime":)" + c.text);
        const kbatch::DecodedBatch& batch = paths.decode_ok(event);
        CHECK(kbatch::test::dynamodb_at(batch, 1).approximate_creation() == c.seconds);
    }
}

TEST_CASE("random DynamoDB records decode to what nlohmann/json reads, on both paths") {
    std::mt19937 engine(77);
    kbatch::test::BothPaths paths;
    for (int round = 0; round < 40; ++round) {
        INFO("round " << round);
        std::vector<OrderedJson> records;
        const std::size_t count = 1 + engine() % 20;
        for (std::size_t i = 0; i < count; ++i) {
            OrderedJson record = kbatch::test::dynamodb_record_json(i);
            for (const char* image : {"NewImage", "OldImage"}) {
                OrderedJson item = OrderedJson::object();
                for (std::size_t a = engine() % 6; a > 0; --a)
                    item[kbatch::test::random_text(engine, 1 + engine() % 5)] =
                        random_value(engine, 3);
                record["dynamodb"][image] = item;
            }
            record["dynamodb"]["SizeBytes"] = engine() % 400000;
            records.push_back(std::move(record));
        }
        const kbatch::DecodedBatch& batch = paths.decode_ok(kbatch::test::lambda_event(records));
        CHECK(paths.took_fast_path());
        REQUIRE(batch.size() == count);
        for (std::size_t i = 0; i < count; ++i) {
            INFO("Records[" << i << "]");
            check_record(kbatch::test::dynamodb_at(batch, i), records[i]);
        }
    }
}

TEST_CASE("a DynamoDB record's defects, with their messages") {
    // Without a usable SequenceNumber a failed record cannot be reported.
    require_defect(with_record([](OrderedJson& r) { r["dynamodb"].erase("SequenceNumber"); }), 1,
                   "Records[1].dynamodb.SequenceNumber: missing");
    require_defect(with_record([](OrderedJson& r) { r["dynamodb"]["SequenceNumber"] = 111; }), 1,
                   "Records[1].dynamodb.SequenceNumber: expected a string, got a number");
    require_defect(with_record([](OrderedJson& r) { r["dynamodb"]["SequenceNumber"] = "12a"; }), 1,
                   R"(Records[1].dynamodb.SequenceNumber: not a sequence number (1 to 128 )"
                   R"(decimal digits): "12a")");
    // The others keep the record's identifier.
    require_defect(with_record([](OrderedJson& r) { r["dynamodb"]["NewImage"] = "{}"; }), 1,
                   "Records[1].dynamodb.NewImage: expected an object, got a string");
    require_defect(with_record([](OrderedJson& r) { r["dynamodb"]["Keys"] = {1}; }), 1,
                   "Records[1].dynamodb.Keys: expected an object, got an array");
    require_defect(with_record([](OrderedJson& r) { r["dynamodb"]["SizeBytes"] = -5; }), 1,
                   "Records[1].dynamodb.SizeBytes: expected an unsigned integer, got -5");
    require_defect(with_record([](OrderedJson& r) { r["dynamodb"]["SizeBytes"] = 54.5; }), 1,
                   "Records[1].dynamodb.SizeBytes: expected an unsigned integer, got 54.5");
    require_defect(with_record([](OrderedJson& r) { r["dynamodb"]["SizeBytes"] = "54"; }), 1,
                   "Records[1].dynamodb.SizeBytes: expected a number, got a string");
    require_defect(
        with_record([](OrderedJson& r) { r["dynamodb"]["ApproximateCreationDateTime"] = "x"; }), 1,
        "Records[1].dynamodb.ApproximateCreationDateTime: expected a number, got a string");
    require_defect(with_record([](OrderedJson& r) { r["userIdentity"] = "Service"; }), 1,
                   "Records[1].userIdentity: expected an object, got a string");
    require_defect(with_record([](OrderedJson& r) {
                       r["userIdentity"] = {{"type", 1}};
                   }),
                   1, "Records[1].userIdentity.type: expected a string, got a number");
    require_defect(with_record([](OrderedJson& r) { r["eventName"] = {"MODIFY"}; }), 1,
                   "Records[1].eventName: expected a string, got an array");
    // 2^64: a number, but not one SizeBytes holds.
    std::string event = with_record([](OrderedJson& r) { r["dynamodb"]["SizeBytes"] = 7; });
    event.replace(event.find(R"("SizeBytes":7)"), 13, R"("SizeBytes":18446744073709551616)");
    require_defect(event, 1,
                   "Records[1].dynamodb.SizeBytes: expected an unsigned integer, got "
                   "18446744073709551616");
}

TEST_CASE("a DynamoDB record without a usable SequenceNumber has an empty identifier") {
    for (const auto& change : std::vector<std::function<void(OrderedJson&)>>{
             [](OrderedJson& r) { r["dynamodb"].erase("SequenceNumber"); },
             [](OrderedJson& r) { r["dynamodb"]["SequenceNumber"] = nullptr; },
             [](OrderedJson& r) { r["dynamodb"]["SequenceNumber"] = ""; },
         }) {
        kbatch::test::BothPaths paths;
        const kbatch::DecodedBatch& batch = paths.decode_ok(with_record(change));
        CHECK(batch.identifier(1).empty());
        CHECK_FALSE(batch.identifier(2).empty());
    }
}

TEST_CASE("a DynamoDB record without its dynamodb object makes the event invalid") {
    require_invalid(with_record([](OrderedJson& r) { r.erase("dynamodb"); }),
                    "Records[1].dynamodb: missing");
    require_invalid(with_record([](OrderedJson& r) { r["dynamodb"] = nullptr; }),
                    "Records[1].dynamodb: expected an object, got null");
    require_invalid(with_record([](OrderedJson& r) { r["dynamodb"] = "x"; }),
                    "Records[1].dynamodb: expected an object, got a string");
    // Invalid JSON inside an image is invalid JSON, kept or not.
    std::string event = with_record([](OrderedJson&) {});
    event.replace(event.find(R"("BOOL":false)"), 12, R"("BOOL":fals)");
    kbatch::test::BothPaths paths;
    CHECK_THAT(paths.decode(event), Catch::StartsWith("Kbatch.InvalidEvent: invalid JSON in "
                                                      "Records[1].dynamodb.NewImage"));
}
