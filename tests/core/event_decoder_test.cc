// Decoding Kinesis events that are valid: every field reaches the record view, in event order,
// whatever the JSON looks like (escapes, whitespace, order, missing or null optional fields).
// Errors and defects are in decode_errors_test.cc, the peers' real files in peer_fixtures_test.cc.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "decoded_views.h"
#include "event_decoder.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace {

using kt::TestRecord;

const kbatch::DecodedBatch& decode_ok(kbatch::EventDecoder& decoder, std::string_view event) {
    const kbatch::Status status = decoder.decode(event);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
    return decoder.batch();
}

// A minimal record: only the three fields a record cannot do without.
std::string minimal_record(std::string_view sequence_number, std::string_view data_base64) {
    return R"({"kinesis":{"sequenceNumber":")" + std::string(sequence_number) +
           R"(","partitionKey":"p","data":")" + std::string(data_base64) + R"("}})";
}

}  // namespace

TEST_CASE("every field of a record reaches the view") {
    const std::string event = R"({"Records":[{
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "s1",
            "sequenceNumber": "49568167373333333333333333333333333333333333333333333333",
            "data": "SGVsbG8gV29ybGQ=",
            "approximateArrivalTimestamp": 1480641523.477,
            "encryptionType": "KMS"
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": "shardId-000000000000:49568167373333333333333333333333333333333333333333333333",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/LambdaRole",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/simple-stream"
    }]})";
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch = decode_ok(decoder, event);
    REQUIRE(batch.kinesis.size() == 1);
    CHECK(batch.defects.empty());
    const kbatch::KinesisRecord& r = kbatch::test::kinesis_at(batch, 0);
    CHECK(r.sequence_number() == "49568167373333333333333333333333333333333333333333333333");
    CHECK(r.partition_key() == "s1");
    CHECK(r.text() == "Hello World");
    CHECK(r.data().size() == 11);
    CHECK(r.approximate_arrival() == 1480641523.477);
    CHECK(r.encryption_type() == "KMS");
    CHECK(r.kinesis_schema_version() == "1.0");
    CHECK(r.event_source() == "aws:kinesis");
    CHECK(r.event_version() == "1.0");
    CHECK(r.event_id() ==
          "shardId-000000000000:49568167373333333333333333333333333333333333333333333333");
    CHECK(r.event_name() == "aws:kinesis:record");
    CHECK(r.invoke_identity_arn() == "arn:aws:iam::123456789012:role/LambdaRole");
    CHECK(r.aws_region() == "us-east-1");
    CHECK(r.event_source_arn() == "arn:aws:kinesis:us-east-1:123456789012:stream/simple-stream");
}

TEST_CASE("records keep event order and sequence numbers stay text") {
    // Not sorted, different lengths, leading zeros: any numeric handling would change them.
    const std::vector<std::string> sequence_numbers = {
        "9",
        "100",
        "10",
        "0000123",
        std::string(128, '9'),  // the longest Kinesis allows; no integer type holds it
        "49545115243490985018280067714973144582180062593244200961"};
    std::vector<TestRecord> records;
    for (const std::string& s : sequence_numbers)
        records.push_back({s, "data for " + s});
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch = decode_ok(decoder, kt::event_json(records));
    REQUIRE(batch.kinesis.size() == sequence_numbers.size());
    CHECK(batch.defects.empty());
    for (std::size_t i = 0; i < records.size(); ++i) {
        CHECK(kbatch::test::kinesis_at(batch, i).sequence_number() == sequence_numbers[i]);
        CHECK(kbatch::test::kinesis_at(batch, i).text() == "data for " + sequence_numbers[i]);
    }
}

TEST_CASE("10,000 records of seeded random bytes all decode to their own bytes") {
    // Every record's data lives in one arena: if one overwrote another, a comparison fails.
    std::mt19937 engine(7);
    std::uniform_int_distribution<int> length(0, 64);
    std::vector<TestRecord> records;
    for (std::size_t i = 0; i < 10000; ++i) {
        const auto size = static_cast<std::size_t>(length(engine));
        records.push_back({kt::sequence_number(i), kbatch::test::random_bytes(engine, size)});
    }
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch = decode_ok(decoder, kt::event_json(records));
    REQUIRE(batch.kinesis.size() == records.size());
    CHECK(batch.defects.empty());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (kbatch::test::kinesis_at(batch, i).text() != records[i].data ||
            kbatch::test::kinesis_at(batch, i).sequence_number() != records[i].sequence_number) {
            ++mismatches;
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("a UTF-8 byte-order mark and any whitespace around and inside the event are accepted") {
    const std::string body = R"({"Records":[)" + minimal_record("1", "SGk=") + "]}";
    const std::string variants[] = {
        "\xEF\xBB\xBF" + body,
        "\n" + body,
        body + "\n",
        body + "\r\n\t  ",
        "\xEF\xBB\xBF\r\n" + body + "\n",
        "{\n\t\"Records\"\t:\r\n[\n\t" + minimal_record("1", "SGk=") + "\n]\n}",
    };
    for (const std::string& event : variants) {
        INFO(nlohmann::json(event).dump());
        kbatch::EventDecoder decoder;
        const kbatch::DecodedBatch& batch = decode_ok(decoder, event);
        REQUIRE(batch.kinesis.size() == 1);
        CHECK(kbatch::test::kinesis_at(batch, 0).sequence_number() == "1");
        CHECK(kbatch::test::kinesis_at(batch, 0).text() == "Hi");
    }
}

// The arrival time of a one-record event whose timestamp is written as `text`; the record must
// decode without a defect.
double decoded_arrival(std::string_view text) {
    const std::string event =
        R"({"Records":[{"kinesis":{"sequenceNumber":"1","partitionKey":"p","data":"",)"
        R"("approximateArrivalTimestamp":)" +
        std::string(text) + "}}]}";
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch = decode_ok(decoder, event);
    REQUIRE(batch.kinesis.size() == 1);
    CHECK(batch.defects.empty());
    return kbatch::test::kinesis_at(batch, 0).approximate_arrival();
}

TEST_CASE("timestamps written as integers, decimals or with exponents all decode") {
    const std::pair<std::string_view, double> cases[] = {
        {"1428537600", 1428537600.0},       {"1428537600.0", 1428537600.0},
        {"1.4285376E9", 1428537600.0},      {"1.4285376e9", 1428537600.0},
        {"1.4285376E+9", 1428537600.0},     {"14285376000E-1", 1428537600.0},
        {"1480641523.477", 1480641523.477}, {"0", 0.0},
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        CHECK(decoded_arrival(text) == expected);
    }
}

TEST_CASE("a timestamp too small for a double is zero, however long its exponent") {
    // 1e-400 rounds to zero, as any decimal below half the smallest double does; an exponent too
    // long to read as a number (simdjson refuses those) is no different. Zero keeps its sign.
    const std::pair<std::string_view, double> cases[] = {
        {"1e-400", 0.0},
        {"-1e-400", -0.0},
        {"1e-99999999999999999999", 0.0},
        {"-2.5E-99999999999999999999", -0.0},
        {"0e99999999999999999999", 0.0},
        {"-0.000e+99999999999999999999", -0.0},
        {"2.4703282292062327e-324", 0.0},
        {"2.4703282292062328e-324", std::numeric_limits<double>::denorm_min()},
        {"1.7976931348623157e308", std::numeric_limits<double>::max()},
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        CHECK(std::bit_cast<std::uint64_t>(decoded_arrival(text)) ==
              std::bit_cast<std::uint64_t>(expected));
    }
}

TEST_CASE("JSON escapes are resolved in values and in keys") {
    // "+\/8=" is the base64 text "+/8=" (bytes FB FF) with its '/' escaped, as some JSON writers
    // do; "\u0061" is 'a'. Keys with escapes are the same keys.
    const std::string event = R"({"Rec\u006Frds":[{"kine\u0073is":{)"
                              R"("sequence\u004Eumber":"\u0031\u0032",)"
                              R"("partition\u004bey":"caf\u00e9 \"q\" \\ \ud83d\ude00",)"
                              R"("d\u0061ta":"+\/8=",)"
                              R"("encryptionType":"\u004B\u004D\u0053"},)"
                              R"("event\u0049D":"shardId-1:12"}]})";
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch = decode_ok(decoder, event);
    REQUIRE(batch.kinesis.size() == 1);
    CHECK(batch.defects.empty());
    const kbatch::KinesisRecord& r = kbatch::test::kinesis_at(batch, 0);
    CHECK(r.sequence_number() == "12");
    CHECK(r.partition_key() == "caf\xC3\xA9 \"q\" \\ \xF0\x9F\x98\x80");
    CHECK(r.text() == "\xFB\xFF");
    CHECK(r.encryption_type() == "KMS");
    CHECK(r.event_id() == "shardId-1:12");
}

TEST_CASE("escapes in every key and string decode to the unescaped text") {
    // Strings without escapes are read in place and the others unescaped, so both kinds are mixed
    // here, in one record and across records, with every value checked after the whole event.
    const auto esc = [](std::string_view text) {
        std::string out;
        for (const char c : text) {
            const auto byte = static_cast<unsigned char>(c);
            // ASCII as \u escapes (upper and lower case hex); other UTF-8 bytes as they are.
            if (byte < 0x80) {
                out += byte % 2 ? fmt::format("\\u{:04X}", byte) : fmt::format("\\u{:04x}", byte);
            } else {
                out += c;
            }
        }
        return out;
    };
    const auto record = [&](bool escaped, int n) {
        const auto s = [&](std::string_view text) {
            return escaped ? esc(text) : std::string(text);
        };
        const std::string seq = std::to_string(1000 + n);
        return fmt::format(
            R"({{"{}":{{"{}":"{}","{}":"{}","{}":"{}","{}":{},"{}":"{}","{}":{}}},)"
            R"("{}":"{}","{}":"{}","{}":"{}","{}":"{}","{}":"{}","{}":"{}","{}":"{}"}})",
            s("kinesis"), s("kinesisSchemaVersion"), s("1.0"), s("partitionKey"),
            s("key " + std::to_string(n) + " \xC3\xA9"), s("sequenceNumber"), s(seq), s("data"),
            // base64 "a/8=" is 6B FF; its '/' escaped as some writers do, or plain.
            escaped ? R"("a\/8=")" : R"("a/8=")", s("encryptionType"), s("KMS"),
            s("approximateArrivalTimestamp"), "1.5", s("eventSource"), s("aws:kinesis"),
            s("eventVersion"), s("1.0"), s("eventID"), s("shardId-1:" + seq), s("eventName"),
            s("aws:kinesis:record"), s("invokeIdentityArn"), s("arn:aws:iam::1:role/R"),
            s("awsRegion"), s("eu-west-1"), s("eventSourceARN"),
            s("arn:aws:kinesis:eu-west-1:1:stream/s" + std::to_string(n)));
    };
    std::string event = "{\"" + esc("Records") + "\":[";
    for (int n = 0; n < 6; ++n)
        event += (n == 0 ? "" : ",") + record(n % 3 != 1, n);
    event += "]}";
    INFO(event);

    std::string buffer = event;
    kbatch::EventDecoder decoder;
    const kbatch::Status status = decoder.decode_in_place(buffer);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
    const kbatch::DecodedBatch& batch = decoder.batch();
    REQUIRE(batch.kinesis.size() == 6);
    CHECK(batch.defects.empty());
    for (int n = 0; n < 6; ++n) {
        INFO("record " << n);
        const kbatch::KinesisRecord& r =
            kbatch::test::kinesis_at(batch, static_cast<std::size_t>(n));
        const std::string seq = std::to_string(1000 + n);
        CHECK(r.sequence_number() == seq);
        CHECK(r.partition_key() == "key " + std::to_string(n) + " \xC3\xA9");
        CHECK(r.text() == "\x6B\xFF");
        CHECK(r.approximate_arrival() == 1.5);
        CHECK(r.encryption_type() == "KMS");
        CHECK(r.kinesis_schema_version() == "1.0");
        CHECK(r.event_id() == "shardId-1:" + seq);
        CHECK(r.event_name() == "aws:kinesis:record");
        CHECK(r.event_source() == "aws:kinesis");
        CHECK(r.event_source_arn() == "arn:aws:kinesis:eu-west-1:1:stream/s" + std::to_string(n));
        CHECK(r.event_version() == "1.0");
        CHECK(r.invoke_identity_arn() == "arn:aws:iam::1:role/R");
        CHECK(r.aws_region() == "eu-west-1");
    }
    CHECK(buffer == event);  // read in place, never written
}

TEST_CASE("views stay valid for the batch, until the next decode") {
    // Plain strings are views of the event text, escaped ones of the parser's unescaped copy;
    // both must outlive the walk. Checked after decoding, then once more after reading all.
    const auto records = kbatch::test::numbered_records(300, "view ");
    std::string event = kt::event_json(records);
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode_in_place(event).is_ok());
    const kbatch::DecodedBatch& batch = decoder.batch();
    REQUIRE(batch.kinesis.size() == records.size());
    std::vector<std::string> copies;
    for (const kbatch::KinesisRecord& r : kbatch::test::kinesis_records(batch))
        copies.emplace_back(std::string(r.sequence_number()) + "|" +
                            std::string(r.partition_key()) + "|" + std::string(r.text()) + "|" +
                            std::string(r.event_id()));
    for (std::size_t i = 0; i < records.size(); ++i) {
        const kbatch::KinesisRecord& r = kbatch::test::kinesis_at(batch, i);
        CHECK(r.sequence_number() == records[i].sequence_number);
        CHECK(r.text() == records[i].data);
        CHECK(copies[i] == std::string(r.sequence_number()) + "|" + std::string(r.partition_key()) +
                               "|" + std::string(r.text()) + "|" + std::string(r.event_id()));
    }
}

TEST_CASE("unknown fields at every level are ignored, whatever they hold") {
    // The unknown values hold keys the decoder looks for, to show that it does not look inside.
    const std::string event = R"({
        "window": {"start": "2020-12-09T07:04:00Z", "end": "2020-12-09T07:06:00Z"},
        "state": {"Records": "not these", "kinesis": 1},
        "Records": [{
            "kinesis": {"sequenceNumber": "5", "partitionKey": "p", "data": "SGk=",
                        "extra": {"data": "!!!", "sequenceNumber": 6}, "list": [1, [2, {}]]},
            "eventSource": "aws:kinesis",
            "userIdentity": null,
            "nested": {"kinesis": {"sequenceNumber": "7"}},
            "flag": true
        }],
        "isFinalInvokeForWindow": false,
        "shardId": "shardId-000000000006"
    })";
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch = decode_ok(decoder, event);
    REQUIRE(batch.kinesis.size() == 1);
    CHECK(batch.defects.empty());
    CHECK(kbatch::test::kinesis_at(batch, 0).sequence_number() == "5");
    CHECK(kbatch::test::kinesis_at(batch, 0).text() == "Hi");
    CHECK(kbatch::test::kinesis_at(batch, 0).event_source() == "aws:kinesis");
}

TEST_CASE("fields may come in any order") {
    const std::string event = R"({"other":1,"Records":[
        {"awsRegion":"eu-west-1","kinesis":{"data":"SGk=","partitionKey":"a","sequenceNumber":"2"},
         "eventID":"x"},
        {"kinesis":{"approximateArrivalTimestamp":3,"sequenceNumber":"1","data":"WW8=",
                    "partitionKey":"b"},"awsRegion":"us-east-1"}
    ]})";
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch = decode_ok(decoder, event);
    REQUIRE(batch.kinesis.size() == 2);
    CHECK(batch.defects.empty());
    CHECK(kbatch::test::kinesis_at(batch, 0).sequence_number() == "2");
    CHECK(kbatch::test::kinesis_at(batch, 0).text() == "Hi");
    CHECK(kbatch::test::kinesis_at(batch, 0).partition_key() == "a");
    CHECK(kbatch::test::kinesis_at(batch, 0).aws_region() == "eu-west-1");
    CHECK(kbatch::test::kinesis_at(batch, 0).event_id() == "x");
    CHECK(kbatch::test::kinesis_at(batch, 1).sequence_number() == "1");
    CHECK(kbatch::test::kinesis_at(batch, 1).text() == "Yo");
    CHECK(kbatch::test::kinesis_at(batch, 1).approximate_arrival() == 3.0);
    CHECK(kbatch::test::kinesis_at(batch, 1).aws_region() == "us-east-1");
}

TEST_CASE("missing optional fields are empty, not defects") {
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch =
        decode_ok(decoder, R"({"Records":[)" + minimal_record("42", "") + "]}");
    REQUIRE(batch.kinesis.size() == 1);
    CHECK(batch.defects.empty());
    const kbatch::KinesisRecord& r = kbatch::test::kinesis_at(batch, 0);
    CHECK(r.sequence_number() == "42");
    CHECK(r.data().empty());  // "" is valid base64 for no bytes
    CHECK(r.approximate_arrival() == 0.0);
    CHECK(r.encryption_type().empty());
    CHECK(r.kinesis_schema_version().empty());
    CHECK(r.event_id().empty());
    CHECK(r.event_name().empty());
    CHECK(r.event_source().empty());
    CHECK(r.event_source_arn().empty());
    CHECK(r.event_version().empty());
    CHECK(r.invoke_identity_arn().empty());
    CHECK(r.aws_region().empty());
}

TEST_CASE("null for an optional field counts as absent") {
    const std::string event = R"({"Records":[{"kinesis":{"sequenceNumber":"1","partitionKey":"p",
        "data":"SGk=","encryptionType":null,"kinesisSchemaVersion":null,
        "approximateArrivalTimestamp":null},
        "eventID":null,"eventName":null,"eventSource":null,"eventSourceARN":null,
        "eventVersion":null,"invokeIdentityArn":null,"awsRegion":null}]})";
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch = decode_ok(decoder, event);
    REQUIRE(batch.kinesis.size() == 1);
    CHECK(batch.defects.empty());
    const kbatch::KinesisRecord& r = kbatch::test::kinesis_at(batch, 0);
    CHECK(r.text() == "Hi");
    CHECK(r.encryption_type().empty());
    CHECK(r.kinesis_schema_version().empty());
    CHECK(r.approximate_arrival() == 0.0);
    CHECK(r.event_id().empty());
    CHECK(r.aws_region().empty());
}

TEST_CASE("an empty Records array is a batch of no records") {
    kbatch::EventDecoder decoder;
    const kbatch::DecodedBatch& batch = decode_ok(decoder, R"({"Records":[]})");
    CHECK(batch.kinesis.empty());
    CHECK(batch.defects.empty());
}

TEST_CASE("a decoder reused across events gives each event's own records") {
    kbatch::EventDecoder decoder;
    const auto big = kbatch::test::numbered_records(500, "big record number ");
    const auto small = kbatch::test::numbered_records(3, "s");
    for (const auto* records : {&big, &small, &big}) {
        const kbatch::DecodedBatch& batch = decode_ok(decoder, kt::event_json(*records));
        REQUIRE(batch.kinesis.size() == records->size());
        for (std::size_t i = 0; i < records->size(); ++i) {
            CHECK(kbatch::test::kinesis_at(batch, i).text() == (*records)[i].data);
        }
    }
    // A failed decode leaves an empty batch and does not spoil the next one.
    CHECK_FALSE(decoder.decode(R"({"Records":[)").is_ok());
    CHECK(decoder.batch().kinesis.empty());
    CHECK(decode_ok(decoder, kt::event_json(small)).kinesis.size() == 3);
}

TEST_CASE("decode_in_place gives the same records as decode") {
    const auto records = kbatch::test::numbered_records(50, "in place ");
    const std::string event = kt::event_json(records);
    std::string buffer = event;
    kbatch::EventDecoder decoder;
    const kbatch::Status status = decoder.decode_in_place(buffer);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
    CHECK(buffer == event);  // the caller's text is not changed
    const kbatch::DecodedBatch& batch = decoder.batch();
    REQUIRE(batch.kinesis.size() == records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        CHECK(kbatch::test::kinesis_at(batch, i).sequence_number() == records[i].sequence_number);
        CHECK(kbatch::test::kinesis_at(batch, i).text() == records[i].data);
    }
}
