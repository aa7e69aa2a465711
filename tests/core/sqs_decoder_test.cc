// Decoding SQS events: every field of a message reaches its view, on both of the decoder's paths
// (they must agree), whatever the JSON looks like; and each defect a message can have, with its
// message. Expectations come from nlohmann/json's reading of the same JSON.
#include <cstddef>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/sqs.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "both_paths.h"
#include "decoded_views.h"
#include "source_events.h"
#include "test_support.h"

namespace {

using kbatch::test::OrderedJson;

std::string text_of(std::span<const std::byte> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string string_or_empty(const OrderedJson& object, const char* key) {
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : "";
}

// Every field of `message` against the JSON it came from.
void check_message(const kbatch::SqsMessage& message, const OrderedJson& json) {
    CHECK(message.message_id() == json["messageId"].get<std::string>());
    CHECK(message.item_identifier() == json["messageId"].get<std::string>());
    CHECK(message.receipt_handle() == string_or_empty(json, "receiptHandle"));
    CHECK(message.body() == string_or_empty(json, "body"));
    CHECK(message.md5_of_body() == string_or_empty(json, "md5OfBody"));
    CHECK(message.md5_of_message_attributes() == string_or_empty(json, "md5OfMessageAttributes"));
    CHECK(message.event_source() == string_or_empty(json, "eventSource"));
    CHECK(message.event_source_arn() == string_or_empty(json, "eventSourceARN"));
    CHECK(message.aws_region() == string_or_empty(json, "awsRegion"));
    const OrderedJson attributes =
        json.contains("attributes") ? json["attributes"] : OrderedJson::object();
    CHECK(message.approximate_receive_count() ==
          string_or_empty(attributes, "ApproximateReceiveCount"));
    CHECK(message.sent_timestamp() == string_or_empty(attributes, "SentTimestamp"));
    CHECK(message.sender_id() == string_or_empty(attributes, "SenderId"));
    CHECK(message.approximate_first_receive_timestamp() ==
          string_or_empty(attributes, "ApproximateFirstReceiveTimestamp"));
    CHECK(message.sequence_number() == string_or_empty(attributes, "SequenceNumber"));
    CHECK(message.message_group_id() == string_or_empty(attributes, "MessageGroupId"));
    CHECK(message.message_deduplication_id() ==
          string_or_empty(attributes, "MessageDeduplicationId"));
    CHECK(message.aws_trace_header() == string_or_empty(attributes, "AWSTraceHeader"));
    CHECK(message.dead_letter_queue_source_arn() ==
          string_or_empty(attributes, "DeadLetterQueueSourceArn"));
    const OrderedJson map =
        json.contains("messageAttributes") && json["messageAttributes"].is_object()
            ? json["messageAttributes"]
            : OrderedJson::object();
    REQUIRE(message.message_attributes().size() == map.size());
    std::size_t i = 0;
    for (auto it = map.begin(); it != map.end(); ++it, ++i) {
        const kbatch::SqsMessageAttribute& attribute = message.message_attributes()[i];
        INFO("attribute " << it.key());
        CHECK(attribute.name == it.key());
        CHECK(attribute.data_type == string_or_empty(it.value(), "dataType"));
        CHECK(attribute.string_value == string_or_empty(it.value(), "stringValue"));
        const std::string encoded = string_or_empty(it.value(), "binaryValue");
        const auto expected = kbatch::test::reference_base64_decode(encoded);
        REQUIRE(expected.has_value());
        CHECK(text_of(attribute.binary_value) == *expected);
        CHECK(message.message_attribute(it.key()) != nullptr);
    }
}

// The event with one record changed, for the defects below.
std::string with_message(const std::function<void(OrderedJson&)>& change, std::size_t at = 1) {
    std::vector<OrderedJson> messages;
    for (std::size_t i = 0; i < 3; ++i)
        messages.push_back(kbatch::test::sqs_message_json(i));
    change(messages[at]);
    return kbatch::test::lambda_event(messages);
}

// `event` decodes, both paths alike, with one defect: on record `index`, saying `reason`.
void require_defect(std::string_view event, std::size_t index, std::string_view reason) {
    kbatch::test::BothPaths paths;
    const kbatch::DecodedBatch& batch = paths.decode_ok(event);
    REQUIRE(batch.source == kbatch::Source::kSqs);
    REQUIRE(batch.defects.size() == 1);
    CHECK(batch.defects[0].index == index);
    CHECK(batch.defects[0].reason == reason);
    CHECK_FALSE(paths.took_fast_path());  // a record with a defect is the general path's
}

}  // namespace

TEST_CASE("every field of SQS messages reaches the view, on both paths") {
    for (const bool fifo : {false, true}) {
        INFO((fifo ? "FIFO" : "standard"));
        std::vector<OrderedJson> messages;
        for (std::size_t i = 0; i < 20; ++i)
            messages.push_back(kbatch::test::sqs_message_json(i, fifo));
        messages[3]["attributes"]["AWSTraceHeader"] =
            "Root=1-6667233d-7a058d4b146b1bff00fb0f05;Parent=847dbf262f531ffd;Sampled=1";
        messages[4]["attributes"]["DeadLetterQueueSourceArn"] =
            "arn:aws:sqs:us-east-1:123456789012:kbatch-orders-source";
        messages[5]["messageAttributes"] = OrderedJson::object();
        messages[5].erase("md5OfMessageAttributes");
        messages[6]["md5OfMessageAttributes"] = nullptr;  // as some real events have it
        kbatch::test::BothPaths paths;
        const kbatch::DecodedBatch& batch = paths.decode_ok(kbatch::test::lambda_event(messages));
        CHECK(paths.took_fast_path());
        REQUIRE(batch.source == kbatch::Source::kSqs);
        REQUIRE(batch.size() == messages.size());
        CHECK(batch.defects.empty());
        CHECK(batch.fifo() == fifo);
        CHECK(batch.view().source == kbatch::Source::kSqs);
        CHECK(batch.view().count == messages.size());
        CHECK(batch.view().record_size == sizeof(kbatch::SqsMessageFields));
        for (std::size_t i = 0; i < messages.size(); ++i) {
            INFO("Records[" << i << "]");
            check_message(kbatch::test::sqs_at(batch, i), messages[i]);
            CHECK(batch.identifier(i) == messages[i]["messageId"].get<std::string>());
            CHECK(kbatch::test::sqs_at(batch, i).from_fifo_queue() == fifo);
        }
        CHECK(kbatch::test::sqs_at(batch, 1).receive_count() == 2u);
        CHECK(kbatch::test::sqs_at(batch, 1).sent_timestamp_ms() == 1718035261025u);
    }
}

TEST_CASE("an SQS body is its text as sent: escapes resolved, on the fast path too") {
    std::mt19937 engine(1313);
    std::vector<OrderedJson> messages;
    for (std::size_t i = 0; i < 200; ++i) {
        OrderedJson message = kbatch::test::sqs_message_json(i);
        message["body"] = kbatch::test::random_text(engine, 1 + i % 40);
        messages.push_back(std::move(message));
    }
    messages[7]["body"] = "";
    // nlohmann writes UTF-8 as it is; another writer escapes it (\u00e9, a surrogate pair).
    std::string event = kbatch::test::lambda_event(messages);
    const std::string escaped_message = R"("body":"caf\u00e9 \ud83d\ude80 \/ \u0000 end")";
    const std::size_t body = event.find(R"("body":"")");
    REQUIRE(body != std::string::npos);
    event.replace(body, 9, escaped_message);
    kbatch::test::BothPaths paths;
    const kbatch::DecodedBatch& batch = paths.decode_ok(event);
    CHECK(paths.took_fast_path());
    REQUIRE(batch.size() == messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
        INFO("Records[" << i << "]");
        if (i == 7) {
            CHECK(kbatch::test::sqs_at(batch, i).body() ==
                  std::string("caf\xC3\xA9 \xF0\x9F\x9A\x80 / ") + std::string(1, '\0') + " end");
        } else {
            CHECK(kbatch::test::sqs_at(batch, i).body() == messages[i]["body"].get<std::string>());
        }
    }
}

TEST_CASE("message attributes: names, types, binary values decoded, in the event's order") {
    std::vector<OrderedJson> messages;
    for (std::size_t i = 0; i < 4; ++i)
        messages.push_back(kbatch::test::sqs_message_json(i));
    // Lists SQS reserves: read only to be checked. A name with an escape. null: no attributes.
    messages[0]["messageAttributes"]["eventType"]["stringListValues"] = {"a", "b"};
    messages[0]["messageAttributes"]["checksum"]["binaryListValues"] = {"MA==", "MQ=="};
    messages[1]["messageAttributes"]["tra\"ce"] = {{"stringValue", "x"}, {"dataType", "String"}};
    messages[2]["messageAttributes"] = nullptr;
    messages[3]["messageAttributes"]["bin"] = {{"binaryValue", "AAEqQQ=="},
                                               {"dataType", "Binary.custom"}};
    kbatch::test::BothPaths paths;
    const kbatch::DecodedBatch& batch = paths.decode_ok(kbatch::test::lambda_event(messages));
    CHECK(paths.took_fast_path());
    for (std::size_t i = 0; i < messages.size(); ++i) {
        INFO("Records[" << i << "]");
        check_message(kbatch::test::sqs_at(batch, i), messages[i]);
    }
    const kbatch::SqsMessage last = kbatch::test::sqs_at(batch, 3);
    const kbatch::SqsMessageAttribute* bin = last.message_attribute("bin");
    REQUIRE(bin != nullptr);
    CHECK(text_of(bin->binary_value) == std::string("\x00\x01\x2a\x41", 4));
    CHECK(bin->data_type == "Binary.custom");
    CHECK(kbatch::test::sqs_at(batch, 1).message_attribute("tra\"ce") != nullptr);
    CHECK(kbatch::test::sqs_at(batch, 2).message_attributes().empty());
    // The spans lie in the batch's own storage, one after the other.
    std::size_t total = 0;
    for (const kbatch::SqsMessageFields& message : batch.sqs) {
        CHECK(message.message_attributes.data() == batch.sqs_attributes.data() + total);
        total += message.message_attributes.size();
    }
    CHECK(total == batch.sqs_attributes.size());
}

TEST_CASE("an SQS message with only its messageId decodes, every other field empty") {
    kbatch::test::BothPaths paths;
    const kbatch::DecodedBatch& batch =
        paths.decode_ok(R"({"Records":[{"messageId":"m1","eventSource":"aws:sqs"}]})");
    REQUIRE(batch.source == kbatch::Source::kSqs);
    REQUIRE(batch.size() == 1);
    CHECK(batch.defects.empty());
    check_message(kbatch::test::sqs_at(batch, 0),
                  OrderedJson{{"messageId", "m1"}, {"eventSource", "aws:sqs"}});
    CHECK(kbatch::test::sqs_at(batch, 0).receive_count() == std::nullopt);
}

TEST_CASE("random SQS events decode to what nlohmann/json reads, on both paths") {
    std::mt19937 engine(2024);
    kbatch::test::BothPaths paths;
    for (int round = 0; round < 40; ++round) {
        INFO("round " << round);
        std::vector<OrderedJson> messages;
        const std::size_t count = 1 + engine() % 30;
        for (std::size_t i = 0; i < count; ++i) {
            OrderedJson message = kbatch::test::sqs_message_json(i, engine() % 2 == 0);
            message["body"] = kbatch::test::random_text(engine, engine() % 64);
            if (engine() % 3 == 0)
                message["receiptHandle"] = kbatch::test::random_text(engine, engine() % 16);
            OrderedJson map = OrderedJson::object();
            for (std::size_t a = engine() % 4; a > 0; --a) {
                const std::string bytes = kbatch::test::random_text(engine, engine() % 12);
                map[kbatch::test::random_text(engine, 1 + engine() % 6)] =
                    engine() % 2 == 0
                        ? OrderedJson{{"stringValue", kbatch::test::random_text(engine, 5)},
                                      {"dataType", "String"}}
                        : OrderedJson{{"binaryValue", kbatch::testing::base64_encode(bytes)},
                                      {"dataType", "Binary"}};
            }
            message["messageAttributes"] = map;
            messages.push_back(std::move(message));
        }
        const std::string event = kbatch::test::lambda_event(messages);
        const kbatch::DecodedBatch& batch = paths.decode_ok(event);
        CHECK(paths.took_fast_path());
        REQUIRE(batch.size() == count);
        for (std::size_t i = 0; i < count; ++i) {
            INFO("Records[" << i << "]");
            check_message(kbatch::test::sqs_at(batch, i), messages[i]);
        }
    }
}

TEST_CASE("an SQS message's defects, with their messages") {
    // Without a usable messageId a failed message cannot be reported: its identifier is empty.
    require_defect(with_message([](OrderedJson& m) { m.erase("messageId"); }), 1,
                   "Records[1].messageId: missing");
    require_defect(with_message([](OrderedJson& m) { m["messageId"] = 42; }), 1,
                   "Records[1].messageId: expected a string, got a number");
    require_defect(with_message([](OrderedJson& m) { m["messageId"] = ""; }), 1,
                   "Records[1].messageId: empty");
    require_defect(with_message([](OrderedJson& m) { m["messageId"] = nullptr; }), 1,
                   "Records[1].messageId: empty");
    // The others keep the message's identifier.
    require_defect(with_message([](OrderedJson& m) {
                       m["body"] = {{"a", 1}};
                   }),
                   1, "Records[1].body: expected a string, got an object");
    require_defect(with_message([](OrderedJson& m) { m["attributes"]["SentTimestamp"] = 1718; }), 1,
                   "Records[1].attributes.SentTimestamp: expected a string, got a number");
    require_defect(with_message([](OrderedJson& m) { m["attributes"] = "x"; }), 1,
                   "Records[1].attributes: expected an object, got a string");
    require_defect(with_message([](OrderedJson& m) {
                       m["messageAttributes"] = {1, 2};
                   }),
                   1, "Records[1].messageAttributes: expected an object, got an array");
    require_defect(with_message([](OrderedJson& m) { m["messageAttributes"]["trace"] = "x"; }), 1,
                   "Records[1].messageAttributes.trace: expected an object, got a string");
    require_defect(
        with_message([](OrderedJson& m) {
            m["messageAttributes"]["trace"] = {{"binaryValue", "AAE%"}, {"dataType", "Binary"}};
        }),
        1,
        "Records[1].messageAttributes.trace.binaryValue: not valid base64: invalid character "
        "'%' at offset 3");
    require_defect(
        with_message([](OrderedJson& m) { m["messageAttributes"]["priority"]["stringValue"] = 2; }),
        1, "Records[1].messageAttributes.priority.stringValue: expected a string, got a number");
    require_defect(with_message([](OrderedJson& m) { m["md5OfBody"] = true; }), 1,
                   "Records[1].md5OfBody: expected a string, got a boolean");
}

TEST_CASE("an SQS message without a usable identifier has an empty one") {
    for (const auto& change : std::vector<std::function<void(OrderedJson&)>>{
             [](OrderedJson& m) { m.erase("messageId"); },
             [](OrderedJson& m) { m["messageId"] = 7; },
             [](OrderedJson& m) { m["messageId"] = ""; },
         }) {
        kbatch::test::BothPaths paths;
        const kbatch::DecodedBatch& batch = paths.decode_ok(with_message(change));
        REQUIRE(batch.size() == 3);
        CHECK(batch.identifier(1).empty());
        CHECK_FALSE(batch.identifier(0).empty());
    }
}

TEST_CASE("a messageId given twice: the same is a defect, two different ones leave none") {
    std::string event = with_message([](OrderedJson& m) { m["zz"] = 0; });
    const std::string first = kbatch::test::sqs_message_json(1)["messageId"].get<std::string>();
    std::string same = event, different = event;
    same.replace(same.find(R"("zz":0)"), 6, R"("messageId":")" + first + "\"");
    different.replace(different.find(R"("zz":0)"), 6, R"("messageId":"other")");
    require_defect(same, 1, R"(Records[1]: duplicate key "messageId")");
    kbatch::test::BothPaths paths;
    CHECK(paths.decode_ok(same).identifier(1) == first);
    require_defect(different, 1, R"(Records[1]: duplicate key "messageId" with different values)");
    CHECK(paths.decode_ok(different).identifier(1).empty());
}
