// Which source an event is: told by its records' eventSource ("aws:kinesis", "aws:sqs",
// "aws:dynamodb"), or, for a record without one, by a kinesis object. An event holds one source:
// one that mixes them, or names a source kbatch does not handle, is invalid and says what it
// found. Both of the decoder's paths give the same answer.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "both_paths.h"
#include "decoded_views.h"
#include "source_events.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace {

using kbatch::test::OrderedJson;

OrderedJson kinesis_record(std::size_t index) {
    return kt::basic_record_json<OrderedJson>(kt::TestRecord{kt::sequence_number(index), "data"});
}

std::string event_of(const std::vector<OrderedJson>& records) {
    return kbatch::test::lambda_event(records);
}

void require_invalid(std::string_view event, std::string_view message) {
    kbatch::test::BothPaths paths;
    CHECK(paths.decode(event) == "Kbatch.InvalidEvent: " + std::string(message));
    CHECK(paths.batch().empty());
}

}  // namespace

TEST_CASE("the source is the records' eventSource") {
    kbatch::test::BothPaths paths;
    const auto& kinesis = paths.decode_ok(event_of({kinesis_record(0), kinesis_record(1)}));
    CHECK(kinesis.source == kbatch::Source::kKinesis);
    CHECK(kinesis.kinesis.size() == 2);
    CHECK(kinesis.identifier(1) == kt::sequence_number(1));
    CHECK(kinesis.view().record_size == sizeof(kbatch::KinesisRecordFields));

    const auto& sqs = paths.decode_ok(
        event_of({kbatch::test::sqs_message_json(0), kbatch::test::sqs_message_json(1)}));
    CHECK(sqs.source == kbatch::Source::kSqs);
    CHECK(sqs.sqs.size() == 2);
    CHECK(sqs.kinesis.empty());

    const auto& dynamodb = paths.decode_ok(event_of({kbatch::test::dynamodb_record_json(0)}));
    CHECK(dynamodb.source == kbatch::Source::kDynamoDb);
    CHECK(dynamodb.dynamodb.size() == 1);
    CHECK(dynamodb.identifier(0) == "48400600000000070567800000");
    CHECK(dynamodb.view().source == kbatch::Source::kDynamoDb);

    // No records: nothing says otherwise, a Kinesis batch, as ever.
    const auto& empty = paths.decode_ok(R"({"Records":[]})");
    CHECK(empty.source == kbatch::Source::kKinesis);
    CHECK(empty.empty());
}

TEST_CASE("eventSource may come anywhere in a record, after fields that are not its source's") {
    // The rust runtime's and Java's files put it last; the walk reads every record with its
    // source's fields all the same.
    OrderedJson message = kbatch::test::reversed_keys(kbatch::test::sqs_message_json(0));
    OrderedJson record = kbatch::test::reversed_keys(kbatch::test::dynamodb_record_json(0));
    kbatch::test::BothPaths paths;
    CHECK(paths.decode_ok(event_of({message})).source == kbatch::Source::kSqs);
    CHECK(paths.took_fast_path());
    CHECK(paths.decode_ok(event_of({record})).source == kbatch::Source::kDynamoDb);
    CHECK(paths.took_fast_path());
}

TEST_CASE("a record that does not say its source takes the batch's") {
    // Without eventSource: a kinesis object makes a Kinesis record; any other record takes the
    // source the first record that says one names.
    kbatch::test::BothPaths paths;
    OrderedJson kinesis = kinesis_record(0);
    kinesis.erase("eventSource");
    const auto& a = paths.decode_ok(event_of({kinesis, kinesis_record(1)}));
    CHECK(a.source == kbatch::Source::kKinesis);
    CHECK(kbatch::test::kinesis_at(a, 0).event_source().empty());

    OrderedJson quiet = kbatch::test::sqs_message_json(0);
    quiet.erase("eventSource");
    const auto& b = paths.decode_ok(event_of({quiet, kbatch::test::sqs_message_json(1), quiet}));
    CHECK(b.source == kbatch::Source::kSqs);
    CHECK(b.sqs.size() == 3);
    CHECK(kbatch::test::sqs_at(b, 0).event_source().empty());
    CHECK(kbatch::test::sqs_at(b, 1).event_source() == "aws:sqs");
    CHECK_FALSE(paths.took_fast_path());  // the fast path takes only records that say

    // eventSource null, or not a string (a defect of its own), says nothing either.
    OrderedJson odd = kbatch::test::sqs_message_json(2);
    odd["eventSource"] = nullptr;
    CHECK(paths.decode_ok(event_of({odd, kbatch::test::sqs_message_json(3)})).source ==
          kbatch::Source::kSqs);
    odd["eventSource"] = 7;
    const auto& c = paths.decode_ok(event_of({kbatch::test::sqs_message_json(3), odd}));
    CHECK(c.source == kbatch::Source::kSqs);
    REQUIRE(c.defects.size() == 1);
    CHECK(c.defects[0].reason == "Records[1].eventSource: expected a string, got a number");
}

TEST_CASE("a record of another source makes the event invalid, naming both") {
    require_invalid(event_of({kinesis_record(0), kinesis_record(1), kinesis_record(2),
                              kbatch::test::sqs_message_json(3)}),
                    "Records[3] is an SQS message but Records[0] is a Kinesis record: an event "
                    "holds one source");
    require_invalid(
        event_of({kbatch::test::sqs_message_json(0), kbatch::test::dynamodb_record_json(1)}),
        "Records[1] is a DynamoDB stream record but Records[0] is an SQS message: an event holds "
        "one source");
    require_invalid(event_of({kbatch::test::dynamodb_record_json(0), kinesis_record(1)}),
                    "Records[1] is a Kinesis record but Records[0] is a DynamoDB stream record: an "
                    "event holds one source");
    // The first record that names a source names the batch's, whichever record it is.
    OrderedJson quiet = kbatch::test::sqs_message_json(0);
    quiet.erase("eventSource");
    require_invalid(event_of({quiet, kbatch::test::sqs_message_json(1), kinesis_record(2)}),
                    "Records[2] is a Kinesis record but Records[1] is an SQS message: an event "
                    "holds one source");
    // A record without eventSource but with a kinesis object is a Kinesis record.
    OrderedJson kinesis = kinesis_record(1);
    kinesis.erase("eventSource");
    require_invalid(event_of({kbatch::test::sqs_message_json(0), kinesis}),
                    "Records[1] is a Kinesis record but Records[0] is an SQS message: an event "
                    "holds one source");
    // eventSource decides over what the record looks like.
    OrderedJson named = kinesis_record(1);
    named["eventSource"] = "aws:sqs";
    require_invalid(event_of({kinesis_record(0), named}),
                    "Records[1] is an SQS message but Records[0] is a Kinesis record: an event "
                    "holds one source");
}

TEST_CASE("a source kbatch does not handle is named, with the ones it does") {
    // An S3 notification: eventSource after the fields that give the source away.
    require_invalid(R"({"Records":[{"s3":{"bucket":{"name":"b"}},"eventSource":"aws:s3"}]})",
                    R"(Records[0] has eventSource "aws:s3": kbatch handles aws:kinesis, aws:sqs )"
                    "and aws:dynamodb");
    require_invalid(event_of({kbatch::test::sqs_message_json(0), kbatch::test::sqs_message_json(1),
                              OrderedJson{{"EventSource", "aws:sns"}, {"eventSource", "aws:sns"}}}),
                    R"(Records[2] has eventSource "aws:sns": kbatch handles aws:kinesis, )"
                    "aws:sqs and aws:dynamodb");
    // Spelt with an escape, it is the same text.
    require_invalid(R"({"Records":[{"eventSource":"aws:s\u0033"}]})",
                    R"(Records[0] has eventSource "aws:s3": kbatch handles aws:kinesis, aws:sqs )"
                    "and aws:dynamodb");
    kbatch::test::BothPaths paths;
    CHECK(
        paths.decode_ok(R"({"Records":[{"messageId":"m","eventSource":"aws:s\u0071s"}]})").source ==
        kbatch::Source::kSqs);
}

TEST_CASE("only the event's own Records say what the source is") {
    // A member beside Records (a time window's state) holding keys the records have.
    kbatch::test::BothPaths paths;
    const std::string event = R"({"state":{"Records":[{"eventSource":"aws:sqs"}]},"Records":)" +
                              OrderedJson(std::vector<OrderedJson>{kinesis_record(0)}).dump() + "}";
    CHECK(paths.decode_ok(event).source == kbatch::Source::kKinesis);
    // Keys named eventSource inside a record's values are not the record's.
    OrderedJson record = kbatch::test::dynamodb_record_json(0);
    record["dynamodb"]["NewImage"]["eventSource"] = {{"S", "aws:sqs"}};
    CHECK(paths.decode_ok(event_of({record})).source == kbatch::Source::kDynamoDb);
}
