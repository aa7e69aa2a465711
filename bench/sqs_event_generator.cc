// The SQS shape: a standard queue's batch, every message with every field Lambda sends, in the
// order and form Lambda writes them (the AWS guide's example event, and events captured from
// Lambda: messageId, receiptHandle, body, attributes, messageAttributes, md5OfBody,
// md5OfMessageAttributes, eventSource, eventSourceARN, awsRegion).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base64.h"
#include "generator_support.h"
#include "md5.h"

namespace kbatch::bench {
namespace {

// One message attribute as SQS holds it.
struct MessageAttribute {
    std::string name;
    std::string data_type;  // "String" or "Binary"
    std::string value;      // the string, or the binary bytes (decoded)
};

// What every message of one batch shares: one queue, a few producers.
struct Queue {
    std::string region;
    std::string arn;
    std::vector<std::string> senders;
};

// SQS's MD5 of message attributes (the SQS developer guide, "Calculating the MD5 message digest
// for message attributes"): for each attribute in name order, the name, the data type, a transport
// byte (1 string, 2 binary) and the value, each length-prefixed with 4 big-endian bytes.
std::string md5_of_message_attributes(std::vector<MessageAttribute> attributes) {
    std::sort(attributes.begin(), attributes.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::string encoded;
    const auto length_and_bytes = [&](std::string_view bytes) {
        const auto size = static_cast<std::uint32_t>(bytes.size());
        for (int shift = 24; shift >= 0; shift -= 8)
            encoded += static_cast<char>((size >> shift) & 0xff);
        encoded += bytes;
    };
    for (const MessageAttribute& attribute : attributes) {
        length_and_bytes(attribute.name);
        length_and_bytes(attribute.data_type);
        encoded += static_cast<char>(attribute.data_type == "Binary" ? 2 : 1);
        length_and_bytes(attribute.value);
    }
    return md5_hex(encoded);
}

// Lambda's form of one message attribute's value: the value, two empty lists, the data type.
std::string message_attribute_value(const MessageAttribute& attribute) {
    const bool binary = attribute.data_type == "Binary";
    std::string out;
    append_object(out,
                  {{binary ? "binaryValue" : "stringValue",
                    json_string(binary ? base64_encode(attribute.value) : attribute.value)},
                   {"stringListValues", "[]"},
                   {"binaryListValues", "[]"},
                   {"dataType", json_string(attribute.data_type)}},
                  JsonForm{});
    return out;
}

// A receipt handle as SQS issues them today: "AQEB" and base64 text, 328 to 400 characters.
std::string receipt_handle(Random& random) {
    static constexpr std::string_view kBase64 =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string handle = "AQEB";
    const std::size_t size = 4 * (82 + random.below(19));
    while (handle.size() < size)
        handle += kBase64[random.below(kBase64.size())];
    return handle;
}

// A body as an order service sends it: JSON text, written compactly by JSON.stringify or the
// like. A note, when there is one, quotes the customer, so the body holds escaped quotes itself.
std::string order_body(Random& random, std::uint64_t sent_ms) {
    static constexpr std::string_view kNames[] = {
        "Emma Smith",   "Zoë Müller", "José García", "Łukasz Nowak", "Chloé Dubois",
        "Liam O'Brien", "Ana Souza",  "Mei Chen",    "Siân Jones",   "Noah Williams"};
    static constexpr std::string_view kNotes[] = {R"(Leave at the "blue" door)",
                                                  R"(Call first: "no bell")",
                                                  R"(Gift: write "Happy birthday!")"};
    std::string items = "[";
    std::uint64_t total = 0;
    const std::uint64_t lines = 1 + random.below(3);
    for (std::uint64_t i = 0; i < lines; ++i) {
        const std::uint64_t quantity = 1 + random.below(4);
        const std::uint64_t price = 199 + random.below(9800);
        total += quantity * price;
        if (i > 0)
            items += ',';
        items += fmt::format(R"({{"sku":"SKU-{}","qty":{},"price":{}}})", random.digits(5),
                             quantity, decimal_cents(price));
    }
    items += ']';
    std::string body;
    JsonMembers customer_members{{"id", json_string("cus-" + random.digits(6))},
                                 {"name", json_string(random.one_of(kNames))}};
    std::string customer;
    append_object(customer, std::move(customer_members), JsonForm{});
    JsonMembers members{{"orderId", json_string("ord-" + random.hex(12))},
                        {"customer", std::move(customer)},
                        {"items", std::move(items)},
                        {"total", decimal_cents(total)},
                        {"currency", R"("EUR")"},
                        {"createdAt", json_string(iso_utc(sent_ms - random.below(2000)))}};
    if (random.percent(10))
        members.emplace_back("note", json_string(random.one_of(kNotes)));
    append_object(body, std::move(members), JsonForm{});
    return body;
}

}  // namespace

std::string generate_sqs_event(std::uint64_t seed, EventStats& stats) {
    Random random(seed);
    Queue queue;
    const std::string account = random.digits(12);
    static constexpr std::string_view kRegions[] = {"us-east-1", "eu-west-1", "us-west-2"};
    queue.region = random.one_of(kRegions);
    queue.arn = fmt::format("arn:aws:sqs:{}:{}:orders-{}", queue.region, account, random.hex(4));
    // Producers: two roles' sessions and two IAM users.
    queue.senders = {"AROA" + random.upper_alnums(17) + ":order-service",
                     "AROA" + random.upper_alnums(17) + ":checkout-api",
                     "AIDA" + random.upper_alnums(17), "AIDA" + random.upper_alnums(17)};
    static constexpr std::string_view kEventTypes[] = {"OrderPlaced", "OrderPaid", "OrderShipped",
                                                       "OrderCancelled"};

    std::uint64_t sent_ms = 1'700'000'000'000 + random.below(100'000'000'000);
    std::vector<std::string> records;
    std::vector<std::string> bodies;
    std::size_t size = 0;
    // Enough messages to pass the limit; records_event keeps those that fit.
    while (size < kLambdaPayloadLimit) {
        sent_ms += random.below(20);
        const std::uint64_t receives = random.percent(90) ? 1 : 2 + random.below(2);
        const std::uint64_t first_receive_ms = sent_ms + 5 + random.below(5000);
        std::string attributes;
        append_object(
            attributes,
            {{"ApproximateReceiveCount", json_string(std::to_string(receives))},
             {"SentTimestamp", json_string(std::to_string(sent_ms))},
             {"SenderId", json_string(queue.senders[random.below(4)])},
             {"ApproximateFirstReceiveTimestamp", json_string(std::to_string(first_receive_ms))}},
            JsonForm{});

        std::string signature;
        for (int i = 0; i < 32; ++i)
            signature += static_cast<char>(random.below(256));
        const std::vector<MessageAttribute> message_attributes = {
            {"eventType", "String", std::string(random.one_of(kEventTypes))},
            {"signature", "Binary", signature}};
        std::string message_attributes_text;
        JsonMembers attribute_members;
        for (const MessageAttribute& attribute : message_attributes)
            attribute_members.emplace_back(attribute.name, message_attribute_value(attribute));
        append_object(message_attributes_text, std::move(attribute_members), JsonForm{});

        std::string body = order_body(random, sent_ms);
        std::string record;
        append_object(
            record,
            {{"messageId", json_string(random.uuid())},
             {"receiptHandle", json_string(receipt_handle(random))},
             {"body", json_string(body)},
             {"attributes", std::move(attributes)},
             {"messageAttributes", std::move(message_attributes_text)},
             {"md5OfBody", json_string(md5_hex(body))},
             {"md5OfMessageAttributes", json_string(md5_of_message_attributes(message_attributes))},
             {"eventSource", R"("aws:sqs")"},
             {"eventSourceARN", json_string(queue.arn)},
             {"awsRegion", json_string(queue.region)}},
            JsonForm{});
        size += record.size() + 1;
        records.push_back(std::move(record));
        bodies.push_back(std::move(body));
    }
    std::size_t kept = 0;
    std::string event = records_event(records, JsonForm{}, kLambdaPayloadLimit, &kept);
    stats.records = kept;
    for (std::size_t i = 0; i < kept; ++i)
        count_payload(stats, bodies[i]);
    return event;
}

}  // namespace kbatch::bench
