#include "source_events.h"

#include <algorithm>

#include <fmt/format.h>
#include <kbatch/testing.hpp>

namespace kbatch::test {

OrderedJson sqs_message_json(std::size_t index, bool fifo) {
    const std::string body =
        fmt::format(R"({{"orderId":"o-{}","status":"created","note":"line\none"}})", index);
    OrderedJson attributes = OrderedJson::object();
    attributes["ApproximateReceiveCount"] = std::to_string(1 + index % 3);
    attributes["SentTimestamp"] = std::to_string(1718035261024 + index);
    if (fifo) {
        attributes["SequenceNumber"] = fmt::format("186000000000000{:06}", 1000 + index);
        attributes["MessageGroupId"] = std::string(1, static_cast<char>('A' + index % 3));
    }
    attributes["SenderId"] = "AROA4QWXKZ7EXAMPLE3JQ:order-service";
    if (fifo)
        attributes["MessageDeduplicationId"] = fmt::format("dedup-{:04}", index);
    attributes["ApproximateFirstReceiveTimestamp"] = std::to_string(1718035261036 + index);

    const auto attribute = [](std::string_view type, std::string_view key, std::string value) {
        OrderedJson entry = OrderedJson::object();
        entry[std::string(key)] = std::move(value);
        entry["stringListValues"] = OrderedJson::array();
        entry["binaryListValues"] = OrderedJson::array();
        entry["dataType"] = type;
        return entry;
    };
    OrderedJson message_attributes = OrderedJson::object();
    message_attributes["eventType"] = attribute("String", "stringValue", "OrderCreated");
    message_attributes["priority"] = attribute("Number", "stringValue", std::to_string(index % 5));
    message_attributes["checksum"] =
        attribute("Binary", "binaryValue",
                  testing::base64_encode(fmt::format("crc-{:08x}", index * 2654435761u)));

    OrderedJson message = OrderedJson::object();
    message["messageId"] = fmt::format("{}-{:034x}", index, index * 0x9E3779B97F4A7C15ull);
    message["receiptHandle"] =
        "AQEB" + testing::base64_encode(fmt::format("receipt handle of message {}", index));
    message["body"] = body;
    message["attributes"] = attributes;
    message["messageAttributes"] = message_attributes;
    message["md5OfMessageAttributes"] = fmt::format("{:032x}", index + 0xb784f1ba547cff6cull);
    message["md5OfBody"] = fmt::format("{:032x}", index + 0xda44bd0fa8322099ull);
    message["eventSource"] = "aws:sqs";
    message["eventSourceARN"] = fifo ? "arn:aws:sqs:us-east-1:123456789012:kbatch-orders.fifo"
                                     : "arn:aws:sqs:us-east-1:123456789012:kbatch-orders";
    message["awsRegion"] = "us-east-1";
    return message;
}

OrderedJson dynamodb_record_json(std::size_t index) {
    const std::string pk = fmt::format("customer#{}", 1000 + index);
    const std::string sk = std::to_string(20240610000 + index);
    OrderedJson keys = OrderedJson::object();
    keys["pk"] = {{"S", pk}};
    keys["sk"] = {{"N", sk}};
    const auto image = [&](std::string_view status) {
        OrderedJson item = keys;
        item["status"] = {{"S", status}};
        item["total"] = {{"N", fmt::format("{}.95", 100 + index)}};
        item["paid"] = {{"BOOL", index % 2 == 0}};
        item["coupon"] = {{"NULL", true}};
        item["signature"] = {{"B", testing::base64_encode(fmt::format("sig {}", index))}};
        OrderedJson line = OrderedJson::object();
        line["sku"] = {{"S", "BK-0042"}};
        line["qty"] = {{"N", "2"}};
        item["items"] = {{"L", OrderedJson::array({OrderedJson{{"M", line}}})}};
        OrderedJson address = OrderedJson::object();
        address["city"] = {{"S", "Seattle"}};
        address["zip"] = {{"S", "98101"}};
        item["shipping"] = {
            {"M", {{"address", {{"M", address}}}, {"notes", {{"L", OrderedJson::array()}}}}}};
        item["tags"] = {{"SS", {"gift", "priority"}}};
        item["discounts"] = {{"NS", {"5", "12.5"}}};
        item["attachments"] = {{"BS", {"iVBORw0KGgo=", "JVBERi0xLjc="}}};
        return item;
    };
    OrderedJson dynamodb = OrderedJson::object();
    dynamodb["ApproximateCreationDateTime"] = 1718035261 + index;
    dynamodb["Keys"] = keys;
    dynamodb["NewImage"] = image("shipped");
    dynamodb["OldImage"] = image("created");
    dynamodb["SequenceNumber"] = fmt::format("484006000000000705678{:05}", index);
    dynamodb["SizeBytes"] = 293 + index;
    dynamodb["StreamViewType"] = "NEW_AND_OLD_IMAGES";

    OrderedJson record = OrderedJson::object();
    record["eventID"] = fmt::format("{:032x}", 0x73ca78b7ad660d4full + index);
    record["eventName"] = "MODIFY";
    record["eventVersion"] = "1.1";
    record["eventSource"] = "aws:dynamodb";
    record["awsRegion"] = "us-east-1";
    record["dynamodb"] = dynamodb;
    record["eventSourceARN"] =
        "arn:aws:dynamodb:us-east-1:123456789012:table/kbatch-orders/stream/"
        "2024-06-10T14:02:11.519";
    return record;
}

std::string lambda_event(const std::vector<OrderedJson>& records) {
    OrderedJson event = OrderedJson::object();
    event["Records"] = records;
    return event.dump();
}

namespace {

void write_spaced(const OrderedJson& json, std::string& out) {
    if (json.is_object()) {
        out += '{';
        bool first = true;
        for (auto it = json.begin(); it != json.end(); ++it) {
            out += first ? "" : ", ";
            first = false;
            out += OrderedJson(it.key()).dump();
            out += ": ";
            write_spaced(it.value(), out);
        }
        out += '}';
    } else if (json.is_array()) {
        out += '[';
        for (std::size_t i = 0; i < json.size(); ++i) {
            out += i == 0 ? "" : ", ";
            write_spaced(json[i], out);
        }
        out += ']';
    } else {
        out += json.dump();
    }
}

template <class Order>
OrderedJson reorder(const OrderedJson& json, Order order) {
    if (json.is_array()) {
        OrderedJson out = OrderedJson::array();
        for (const OrderedJson& element : json)
            out.push_back(reorder(element, order));
        return out;
    }
    if (!json.is_object())
        return json;
    std::vector<std::string> keys;
    for (auto it = json.begin(); it != json.end(); ++it)
        keys.push_back(it.key());
    order(keys);
    OrderedJson out = OrderedJson::object();
    for (const std::string& key : keys)
        out[key] = reorder(json.at(key), order);
    return out;
}

}  // namespace

std::string python_spaced(const OrderedJson& json) {
    std::string out;
    write_spaced(json, out);
    return out;
}

OrderedJson reversed_keys(const OrderedJson& json) {
    return reorder(json,
                   [](std::vector<std::string>& keys) { std::reverse(keys.begin(), keys.end()); });
}

OrderedJson shuffled_keys(const OrderedJson& json, std::mt19937& engine) {
    return reorder(json, [&engine](std::vector<std::string>& keys) {
        std::shuffle(keys.begin(), keys.end(), engine);
    });
}

std::string random_text(std::mt19937& engine, std::size_t size) {
    static constexpr std::string_view kPieces[] = {"a",
                                                   "Z",
                                                   "0",
                                                   " ",
                                                   "{",
                                                   "}",
                                                   "\"",
                                                   "\\",
                                                   "/",
                                                   "\n",
                                                   "\t",
                                                   "\r",
                                                   "\b",
                                                   "\f",
                                                   std::string_view("\x00", 1),
                                                   "\x01",
                                                   "\x1f",
                                                   "\x7f",
                                                   "\xC3\xA9",
                                                   "\xE2\x82\xAC",
                                                   "\xF0\x9F\x9A\x80",
                                                   "\xED\x9F\xBF",
                                                   "\xEE\x80\x80"};
    std::uniform_int_distribution<std::size_t> pick(0, std::size(kPieces) - 1);
    std::string text;
    for (std::size_t i = 0; i < size; ++i)
        text += kPieces[pick(engine)];
    return text;
}

}  // namespace kbatch::test
