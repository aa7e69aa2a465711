// Decode errors and record defects, each with the exact message a user will read.
//
// Two kinds: an event that cannot be processed at all (kInvalidEvent: the invocation fails and
// Lambda retries the batch), and a record that is wrong on its own (a defect: the batch still
// decodes, that record fails with the reason and never reaches the plugin). A defect that leaves
// a record without a usable sequence number fails the invocation (kUnidentifiableFailure),
// because Lambda would reject a response without a valid itemIdentifier.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "decoded_views.h"
#include "event_decoder.h"
#include "invocation_handler.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace {

// Counts the records it is given; never fails.
class CountingProcessor final : public kbatch::RecordProcessor {
  public:
    kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context&) override {
        ++calls;
        return kbatch::Result::ok();
    }
    int calls = 0;
};

// Decodes `event` expecting kInvalidEvent with exactly `message`; the batch must be empty and the
// whole invocation must fail the same way without the processor being called.
void require_invalid_event(std::string_view event, std::string_view message) {
    INFO("event: " << event);
    kbatch::EventDecoder decoder;
    const kbatch::Status status = decoder.decode(event);
    REQUIRE_FALSE(status.is_ok());
    CHECK(status.kind() == kbatch::ErrorKind::kInvalidEvent);
    CHECK(status.message() == message);
    CHECK(decoder.batch().kinesis.empty());
    CHECK(decoder.batch().defects.empty());

    kbatch::InvocationHandler handler;
    CountingProcessor processor;
    kt::TestContext context;
    std::string response = "stale";
    const kbatch::Status handled = handler.handle(event, kbatch::ProcessorHandle::borrow(processor),
                                                  context.context(), &response);
    CHECK(handled.kind() == kbatch::ErrorKind::kInvalidEvent);
    CHECK(handled.message() == message);
    CHECK(response.empty());
    CHECK(processor.calls == 0);
}

// As require_invalid_event, for messages whose tail is simdjson's own wording: checks the start.
void require_invalid_json(std::string_view event, std::string_view message_start) {
    INFO("event: " << event);
    kbatch::EventDecoder decoder;
    const kbatch::Status status = decoder.decode(event);
    CHECK_FALSE(status.is_ok());
    if (status.is_ok())
        return;
    CHECK(status.kind() == kbatch::ErrorKind::kInvalidEvent);
    CHECK_THAT(status.message(), Catch::StartsWith(std::string(message_start)));
    CHECK(status.message().find('\n') == std::string::npos);
    CHECK(decoder.batch().kinesis.empty());
}

// The smallest valid record, as JSON text.
std::string minimal_record(std::string_view sequence_number) {
    return R"({"kinesis":{"sequenceNumber":")" + std::string(sequence_number) +
           R"(","partitionKey":"p","data":""}})";
}

// Three good records with record 1's JSON replaced by `record` (a complete record object).
std::string event_with_record_1(const nlohmann::json& record) {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& r : kbatch::test::numbered_records(3)) {
        records.push_back(kt::record_json(r));
    }
    records[1] = record;
    return kbatch::test::event_from_records(records);
}

// A good record 1 whose kinesis object has been changed by `change`.
template <typename Change>
std::string event_with_kinesis_1(Change change) {
    nlohmann::json record = kt::record_json({kt::sequence_number(1), "one"});
    change(record["kinesis"]);
    return event_with_record_1(record);
}

// Decodes `event` expecting success with exactly one defect, on record 1, with `reason`; the
// other records are intact.
void require_defect_on_record_1(const std::string& event, std::string_view reason) {
    INFO("event: " << event);
    kbatch::EventDecoder decoder;
    const kbatch::Status status = decoder.decode(event);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
    const kbatch::DecodedBatch& batch = decoder.batch();
    REQUIRE(batch.kinesis.size() == 3);
    REQUIRE(batch.defects.size() == 1);
    CHECK(batch.defects[0].index == 1);
    CHECK(batch.defects[0].reason == reason);
    CHECK(kbatch::test::kinesis_at(batch, 0).text() == "record 0");
    CHECK(kbatch::test::kinesis_at(batch, 2).text() == "record 2");
    CHECK(kbatch::test::kinesis_at(batch, 2).sequence_number() == kt::sequence_number(2));
}

}  // namespace

TEST_CASE("text that is not JSON is an invalid event") {
    const std::string record = minimal_record("1");
    // Nothing but whitespace (or a byte-order mark): what curl sends for a file it could not read.
    require_invalid_json("", "the event is empty: the request body is empty");
    require_invalid_json("   \n", "the event is empty: the request body is empty");
    require_invalid_json("\xEF\xBB\xBF", "the event is empty: the request body is empty");
    require_invalid_json(R"({"Records":[)" + record + ",]}", "invalid JSON in Records[1]");
    require_invalid_json(R"({"Records":[{"kinesis":{"sequenceNumber":"1" "data":""}}]})",
                         "invalid JSON");
    require_invalid_json(R"({"Records" [] })", "invalid JSON");
    require_invalid_json(R"({"Records":["unterminated]})", "invalid JSON");
    require_invalid_json(R"({"a":[}],"Records":[]})", "invalid JSON");
    // A malformed value the decoder reads is named by its place.
    require_invalid_json(
        R"({"Records":[{"kinesis":{"sequenceNumber":"1","partitionKey":"p","data":"\x"}}]})",
        "invalid JSON in Records[0].kinesis.data near byte 75: ");
    require_invalid_json(R"({"Records":[{"kinesis":{"sequenceNumber":"1","partitionKey":"p",)"
                         R"("data":"","approximateArrivalTimestamp":-}}]})",
                         "invalid JSON in Records[0].kinesis.approximateArrivalTimestamp");
}

TEST_CASE("a malformed value is reported as invalid JSON, not as a value of another type") {
    // simdjson types a value by its first character, so "nul" looks like null and "nope" like
    // null too; the message must not tell the user that the event "is null".
    require_invalid_json("not json", "invalid JSON");
    require_invalid_json("nul", "invalid JSON");
    require_invalid_json("tru", "invalid JSON");
    require_invalid_json(R"({"Records":nope})", "invalid JSON");
    require_invalid_json(R"({"Records":[nope]})", "invalid JSON");
}

TEST_CASE("a truncated event is an invalid event") {
    // Cut events/example.json at several places: no prefix of it is a whole event.
    const std::string example =
        kbatch::test::read_file(kbatch::test::events_dir() / "example.json");
    for (const std::size_t cut : {std::size_t{1}, std::size_t{20}, example.size() / 2,
                                  example.size() - 20, example.size() - 3}) {
        INFO("cut at " << cut);
        require_invalid_json(example.substr(0, cut), "invalid JSON");
    }
    require_invalid_json(R"({"Records":[{"kinesis":{"sequenceNumber":"1")", "invalid JSON");
}

TEST_CASE("a truncated event's message does not point at its first byte") {
    // The event is cut at the end; "near byte 0" sends the reader to the one place that is fine.
    const std::string example =
        kbatch::test::read_file(kbatch::test::events_dir() / "example.json");
    for (const std::size_t cut : {example.size() / 2, example.size() - 3}) {
        INFO("cut at " << cut);
        kbatch::EventDecoder decoder;
        const kbatch::Status status = decoder.decode(example.substr(0, cut));
        REQUIRE_FALSE(status.is_ok());
        CHECK(status.kind() == kbatch::ErrorKind::kInvalidEvent);
        CHECK_THAT(status.message(),
                   Catch::StartsWith("invalid JSON") && !Catch::Contains("near byte 0:"));
    }
}

TEST_CASE("invalid JSON inside fields the decoder ignores is still invalid") {
    // On-demand parsing skips values it does not need; the event must still be valid JSON, or a
    // corrupt payload could be half-processed.
    require_invalid_json(R"({"Records":[],"window":{"start": tru}})", "invalid JSON");
    require_invalid_json(R"({"Records":[],"window":[1 2]})", "invalid JSON");
    require_invalid_json(
        R"({"Records":[{"kinesis":{"sequenceNumber":"1","partitionKey":"p","data":"",)"
        R"("extra":{"a":}}}]})",
        "invalid JSON");
}

TEST_CASE("anything after the event is an invalid event, reported as such") {
    const std::string event = R"({"Records":[]})";
    require_invalid_event(event + " 1",
                          "invalid JSON: unexpected content after the event at byte 15");
    require_invalid_event(event + " x",
                          "invalid JSON: unexpected content after the event at byte 15");
    require_invalid_event(event + "{}",
                          "invalid JSON: unexpected content after the event at byte 14");
    require_invalid_event(event + "\n]",
                          "invalid JSON: unexpected content after the event at byte 15");
    require_invalid_event(event + event,
                          "invalid JSON: unexpected content after the event at byte 14");
}

TEST_CASE("an event that is not an object is an invalid event") {
    require_invalid_event("[]", "the event: expected an object, got an array");
    require_invalid_event(R"("Records")", "the event: expected an object, got a string");
    require_invalid_event("42", "the event: expected an object, got a number");
    require_invalid_event("null", "the event: expected an object, got null");
    require_invalid_event("true", "the event: expected an object, got a boolean");
}

TEST_CASE("an event without a Records array is an invalid event") {
    require_invalid_event("{}", "Records: missing");
    require_invalid_event(R"({"records":[]})", "Records: missing");  // the name is case-sensitive
    require_invalid_event(R"({"Records":{}})", "Records: expected an array, got an object");
    require_invalid_event(R"({"Records":null})", "Records: expected an array, got null");
    require_invalid_event(R"({"Records":"[]"})", "Records: expected an array, got a string");
    require_invalid_event(R"({"Records":[],"Records":[]})", "Records: appears more than once");
}

TEST_CASE("a record that is not an object is an invalid event, named by its index") {
    const std::string good = kt::record_json({"1", "x"}).dump();
    require_invalid_event(R"({"Records":[)" + good + R"(,7]})",
                          "Records[1]: expected an object, got a number");
    require_invalid_event(R"({"Records":["x"]})", "Records[0]: expected an object, got a string");
    require_invalid_event(R"({"Records":[)" + good + "," + good + R"(,[]]})",
                          "Records[2]: expected an object, got an array");
    require_invalid_event(R"({"Records":[null]})", "Records[0]: expected an object, got null");
}

TEST_CASE("a record without a kinesis object is an invalid event") {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& r : kbatch::test::numbered_records(5)) {
        records.push_back(kt::record_json(r));
    }
    records[3].erase("kinesis");
    require_invalid_event(kbatch::test::event_from_records(records), "Records[3].kinesis: missing");

    records[3]["kinesis"] = "SGk=";
    require_invalid_event(kbatch::test::event_from_records(records),
                          "Records[3].kinesis: expected an object, got a string");
    records[3]["kinesis"] = nlohmann::json::array();
    require_invalid_event(kbatch::test::event_from_records(records),
                          "Records[3].kinesis: expected an object, got an array");
    records[3]["kinesis"] = nullptr;
    require_invalid_event(kbatch::test::event_from_records(records),
                          "Records[3].kinesis: expected an object, got null");
}

TEST_CASE("data that is not valid base64 is a defect of that record") {
    require_defect_on_record_1(
        event_with_kinesis_1([](nlohmann::json& k) { k["data"] = "SGVs%G8="; }),
        "Records[1].kinesis.data: not valid base64: invalid character '%' at offset 4");
    require_defect_on_record_1(
        event_with_kinesis_1([](nlohmann::json& k) { k["data"] = "SGk"; }),
        "Records[1].kinesis.data: not valid base64: length 3 is not a multiple of 4 at offset 3");
    require_defect_on_record_1(
        event_with_kinesis_1([](nlohmann::json& k) { k["data"] = "Zh=="; }),
        "Records[1].kinesis.data: not valid base64: non-zero padding bits in the final group at "
        "offset 1");
}

TEST_CASE("data that is not a string, or is missing, is a defect of that record") {
    require_defect_on_record_1(event_with_kinesis_1([](nlohmann::json& k) { k["data"] = 12; }),
                               "Records[1].kinesis.data: expected a string, got a number");
    require_defect_on_record_1(
        event_with_kinesis_1([](nlohmann::json& k) { k["data"] = nlohmann::json::array(); }),
        "Records[1].kinesis.data: expected a string, got an array");
    require_defect_on_record_1(event_with_kinesis_1([](nlohmann::json& k) { k["data"] = nullptr; }),
                               "Records[1].kinesis.data: expected a string, got null");
    require_defect_on_record_1(event_with_kinesis_1([](nlohmann::json& k) { k.erase("data"); }),
                               "Records[1].kinesis.data: missing");
}

TEST_CASE("a missing or mistyped partition key is a defect of that record") {
    require_defect_on_record_1(
        event_with_kinesis_1([](nlohmann::json& k) { k.erase("partitionKey"); }),
        "Records[1].kinesis.partitionKey: missing");
    require_defect_on_record_1(
        event_with_kinesis_1([](nlohmann::json& k) { k["partitionKey"] = 5; }),
        "Records[1].kinesis.partitionKey: expected a string, got a number");
}

TEST_CASE("a mistyped optional field is a defect of that record") {
    require_defect_on_record_1(
        event_with_kinesis_1([](nlohmann::json& k) { k["approximateArrivalTimestamp"] = "soon"; }),
        "Records[1].kinesis.approximateArrivalTimestamp: expected a number, got a string");
    require_defect_on_record_1(
        event_with_kinesis_1([](nlohmann::json& k) {
            k["encryptionType"] = {{"KMS", true}};
        }),
        "Records[1].kinesis.encryptionType: expected a string, got an object");
    nlohmann::json record = kt::record_json({kt::sequence_number(1), "one"});
    record["eventID"] = 17;
    require_defect_on_record_1(event_with_record_1(record),
                               "Records[1].eventID: expected a string, got a number");
}

TEST_CASE("a record with several problems reports the first one") {
    require_defect_on_record_1(event_with_kinesis_1([](nlohmann::json& k) {
                                   k["data"] = "!!!!";
                                   k.erase("partitionKey");
                               }),
                               "Records[1].kinesis.data: not valid base64: invalid character '!' "
                               "at offset 0");
}

TEST_CASE("a defect record never reaches the plugin and the rest of the batch is processed") {
    const std::string event =
        event_with_kinesis_1([](nlohmann::json& k) { k["data"] = "not base64"; });
    kbatch::InvocationHandler handler;
    CountingProcessor processor;
    kt::TestContext context;
    std::string response;
    const kbatch::Status status = handler.handle(event, kbatch::ProcessorHandle::borrow(processor),
                                                 context.context(), &response);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
    CHECK(processor.calls == 2);
    CHECK(kbatch::test::item_identifiers(response) ==
          std::vector<std::string>{kt::sequence_number(1)});
    REQUIRE(handler.report().failures.size() == 1);
    CHECK(
        handler.report().failures[0].reason ==
        "Records[1].kinesis.data: not valid base64: length 10 is not a multiple of 4 at offset 10");
}

TEST_CASE("a defect without a usable sequence number fails the whole invocation") {
    struct Case {
        const char* name;
        nlohmann::json sequence_number;  // discarded: remove the field
        std::string defect;
    };
    const std::string too_long(129, '1');
    const Case cases[] = {
        {"missing", nlohmann::json(nlohmann::json::value_t::discarded),
         "Records[1].kinesis.sequenceNumber: missing"},
        {"a number", 49568167373333333,
         "Records[1].kinesis.sequenceNumber: expected a string, got a number"},
        {"not digits", "12a",
         R"(Records[1].kinesis.sequenceNumber: not a sequence number (1 to 128 decimal digits): "12a")"},
        {"signed", "-1",
         R"(Records[1].kinesis.sequenceNumber: not a sequence number (1 to 128 decimal digits): "-1")"},
        {"empty", "",
         R"(Records[1].kinesis.sequenceNumber: not a sequence number (1 to 128 decimal digits): "")"},
        {"null", nullptr,
         R"(Records[1].kinesis.sequenceNumber: not a sequence number (1 to 128 decimal digits): "")"},
        {"129 digits", too_long,
         R"(Records[1].kinesis.sequenceNumber: not a sequence number (1 to 128 decimal digits): ")" +
             std::string(40, '1') + R"("...)"},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        const std::string event = event_with_kinesis_1([&](nlohmann::json& k) {
            if (c.sequence_number.is_discarded()) {
                k.erase("sequenceNumber");
            } else {
                k["sequenceNumber"] = c.sequence_number;
            }
        });
        require_defect_on_record_1(event, c.defect);

        // No record is processed: the retry would repeat the work.
        kbatch::InvocationHandler handler;
        CountingProcessor processor;
        kt::TestContext context;
        std::string response = "stale";
        const kbatch::Status status = handler.handle(
            event, kbatch::ProcessorHandle::borrow(processor), context.context(), &response);
        REQUIRE_FALSE(status.is_ok());
        CHECK(status.kind() == kbatch::ErrorKind::kUnidentifiableFailure);
        CHECK(status.message() ==
              "Records[1] failed and has no usable sequence number to report, so the whole batch "
              "must be retried: " +
                  c.defect);
        CHECK(processor.calls == 0);
        CHECK(response.empty());
    }
}

TEST_CASE("a bad escape or a raw control character is invalid JSON wherever it is") {
    // The decoder reads strings without escapes in place, unescaping only those with one: every
    // escape must still be checked, in the fields it reads, in the data, in keys and in values
    // it skips. Raw control characters and invalid UTF-8 are refused by simdjson's first pass.
    const std::string head = R"({"Records":[{"kinesis":{"sequenceNumber":"1",)";
    const std::string tail = R"(}}]})";
    for (const std::string& fields : std::vector<std::string>{
             R"("partitionKey":"p\q","data":"")",
             R"("partitionKey":"p\u12","data":"")",
             R"("partitionKey":"p","data":"SGk\q")",
             R"("partitionKey":"p","data":"SGk=\u00")",
             R"("partitionKey":"p","data":"","extra":"a\x")",
             R"("partitionKey":"p","data":"","extra":{"k":["\u00zz"]})",
             R"("partitionKey":"p","data":"","ex\qtra":1)",
             R"("partitionKey":"p","data":"","extra":{"k\q":1})",
             R"("partition\qKey":"p","data":"")",
             "\"partitionKey\":\"p\x01\",\"data\":\"\"",
             "\"partitionKey\":\"p\",\"data\":\"SG\tk=\"",
             "\"partitionKey\":\"p\",\"data\":\"\",\"extra\":\"\xC3\x28\"",
         }) {
        require_invalid_json(head + fields + tail, "invalid JSON");
    }
    require_invalid_json(R"({"Records":[],"event\qSource":"x"})", "invalid JSON");
    require_invalid_json(R"({"Records":[{"kinesis":{"sequenceNumber":"1","partitionKey":"p",)"
                         R"("data":""},"eventSourceARN":"arn:\q"}]})",
                         "invalid JSON");
}

namespace {

// A good record 1 whose kinesis object (or, with `in_kinesis` false, the record itself) ends with
// `text` as written: JSON that no JSON library writes (a key twice, a number beyond a double).
// `replaced`, if given, is a member taken out first, so that `text` gives it anew.
std::string event_with_text_in_record_1(std::string_view text, bool in_kinesis = true,
                                        std::string_view replaced = "") {
    nlohmann::json record = kt::record_json({kt::sequence_number(1), "one"});
    nlohmann::json& object = in_kinesis ? record["kinesis"] : record;
    if (!replaced.empty())
        REQUIRE(object.erase(std::string(replaced)) == 1);
    object["zzPlaceholder"] = 0;  // keys sorted: it comes last
    std::string event = event_with_record_1(record);
    const std::string placeholder = R"("zzPlaceholder":0)";
    return event.replace(event.find(placeholder), placeholder.size(), text);
}

// Record 1 with its timestamp written as `number`.
std::string event_with_timestamp_1(std::string_view number) {
    return event_with_text_in_record_1(R"("approximateArrivalTimestamp":)" + std::string(number),
                                       true, "approximateArrivalTimestamp");
}

// Runs `event` through the whole invocation with a processor that never fails.
struct Handled {
    kbatch::Status status = kbatch::Status::ok();
    std::string response;
    int calls = 0;
    std::vector<kbatch::RecordFailure> failures;
};
Handled handle(const std::string& event) {
    kbatch::InvocationHandler handler;
    CountingProcessor processor;
    kt::TestContext context;
    Handled handled;
    handled.status = handler.handle(event, kbatch::ProcessorHandle::borrow(processor),
                                    context.context(), &handled.response);
    handled.calls = processor.calls;
    handled.failures = handler.report().failures;
    return handled;
}

}  // namespace

TEST_CASE("a timestamp beyond a double's range is a defect of that record, not of the event") {
    // simdjson refuses these numbers; they are valid JSON, and the record alone is wrong, as it
    // is when the same timestamp is written as a string.
    const std::string long_number = "1" + std::string(320, '0');
    const std::pair<std::string, std::string> cases[] = {
        {"1e309", "1e309"},
        {"-1e309", "-1e309"},
        {"1E+400", "1E+400"},
        {"1.7976931348623159e308", "1.7976931348623159e308"},  // rounds to infinity
        {"0.001e99999999999999999999", "0.001e99999999999999999999"},
        {"-7e99999999999999999999", "-7e99999999999999999999"},
        {long_number, long_number.substr(0, 40) + "..."},
    };
    for (const auto& [number, quoted] : cases) {
        INFO(number);
        const std::string event = event_with_timestamp_1(number);
        require_defect_on_record_1(event, "Records[1].kinesis.approximateArrivalTimestamp: " +
                                              quoted + " is out of range");
        const Handled handled = handle(event);
        INFO(handled.status.to_string());
        REQUIRE(handled.status.is_ok());
        CHECK(handled.calls == 2);
        CHECK(kbatch::test::item_identifiers(handled.response) ==
              std::vector<std::string>{kt::sequence_number(1)});
    }
    // The largest double is in range.
    const std::string largest = event_with_timestamp_1("1.7976931348623157e308");
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode(largest).is_ok());
    CHECK(decoder.batch().defects.empty());
}

TEST_CASE("a number beyond a double's range is valid JSON wherever the decoder reads none") {
    // In a field the decoder ignores: no defect, no error.
    for (const std::string& event : {
             std::string(R"({"Records":[],"window":1e309})"),
             std::string(R"({"window":{"end":[-1e999]},"Records":[]})"),
             event_with_text_in_record_1(R"("extra":1e309)"),
             event_with_text_in_record_1(R"("extra":[1e400,{"x":-1e400}])", false),
         }) {
        INFO(event);
        kbatch::EventDecoder decoder;
        const kbatch::Status status = decoder.decode(event);
        INFO(status.to_string());
        REQUIRE(status.is_ok());
        CHECK(decoder.batch().defects.empty());
    }
    // Where the decoder wants something else, a number of any size is the wrong type.
    std::string event = event_with_kinesis_1([](nlohmann::json& k) { k["data"] = 987654321; });
    event.replace(event.find("987654321"), 9, "1e309");
    require_defect_on_record_1(event, "Records[1].kinesis.data: expected a string, got a number");
    event = event_with_kinesis_1([](nlohmann::json& k) { k["partitionKey"] = 987654321; });
    event.replace(event.find("987654321"), 9, "-1e309");
    require_defect_on_record_1(event,
                               "Records[1].kinesis.partitionKey: expected a string, got a number");
    // And the event itself.
    require_invalid_event("1e309", "the event: expected an object, got a number");
    require_invalid_event(R"({"Records":1e309})", "Records: expected an array, got a number");
    require_invalid_event(R"({"Records":[1e309]})", "Records[0]: expected an object, got a number");
}

TEST_CASE("a malformed number is still invalid JSON, not out of range") {
    for (const std::string_view number : {"1.", "01", "1e", "1e+", ".5", "1.e5", "-", "1e309x"}) {
        INFO(number);
        require_invalid_json(event_with_timestamp_1(number),
                             "invalid JSON in Records[1].kinesis.approximateArrivalTimestamp");
        require_invalid_json(event_with_text_in_record_1(R"("extra":)" + std::string(number)),
                             "invalid JSON in Records[1].kinesis.extra");
    }
}

TEST_CASE("a key twice in a record is a defect of that record, named by the key") {
    const std::string seq1 = kt::sequence_number(1);
    struct Case {
        std::string text;
        bool in_kinesis;
        std::string reason;
    };
    const Case cases[] = {
        {R"("partitionKey":"other")", true, R"(Records[1].kinesis: duplicate key "partitionKey")"},
        {R"("data":"SGk=")", true, R"(Records[1].kinesis: duplicate key "data")"},
        {R"("data":"not base64")", true, R"(Records[1].kinesis: duplicate key "data")"},
        {R"("approximateArrivalTimestamp":1)", true,
         R"(Records[1].kinesis: duplicate key "approximateArrivalTimestamp")"},
        {R"("approximateArrivalTimestamp":1e309)", true,
         R"(Records[1].kinesis: duplicate key "approximateArrivalTimestamp")"},
        {R"("encryptionType":"KMS","encryptionType":"NONE")", true,
         R"(Records[1].kinesis: duplicate key "encryptionType")"},
        {R"("kinesisSchemaVersion":"1.0")", true,
         R"(Records[1].kinesis: duplicate key "kinesisSchemaVersion")"},
        // The same key written with an escape is the same key.
        {R"("partition\u004Bey":"p")", true, R"(Records[1].kinesis: duplicate key "partitionKey")"},
        // Sequence numbers that agree: the record is still reported by its own number.
        {R"("sequenceNumber":")" + seq1 + "\"", true,
         R"(Records[1].kinesis: duplicate key "sequenceNumber")"},
        {R"("sequenceNumber":"\u0034)" + seq1.substr(1) + "\"", true,
         R"(Records[1].kinesis: duplicate key "sequenceNumber")"},
        {R"("eventID":"shardId-000000000000:1")", false, R"(Records[1]: duplicate key "eventID")"},
        {R"("awsRegion":"eu-west-1")", false, R"(Records[1]: duplicate key "awsRegion")"},
        {R"("eventSourceARN":{"a":1})", false, R"(Records[1]: duplicate key "eventSourceARN")"},
        {R"("eventVersion":null)", false, R"(Records[1]: duplicate key "eventVersion")"},
        {R"("eventName":"x","eventSource":"y","invokeIdentityArn":"z")", false,
         R"(Records[1]: duplicate key "eventName")"},
        // A second kinesis object that agrees on the sequence number.
        {R"("kinesis":{"sequenceNumber":")" + seq1 + R"(","partitionKey":"q","data":""})", false,
         R"(Records[1]: duplicate key "kinesis")"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const std::string event = event_with_text_in_record_1(c.text, c.in_kinesis);
        require_defect_on_record_1(event, c.reason);
        kbatch::EventDecoder decoder;
        REQUIRE(decoder.decode(event).is_ok());
        CHECK(kbatch::test::kinesis_at(decoder.batch(), 1).sequence_number() == seq1);

        const Handled handled = handle(event);
        INFO(handled.status.to_string());
        REQUIRE(handled.status.is_ok());
        CHECK(handled.calls == 2);  // record 1 never reaches the plugin
        CHECK(kbatch::test::item_identifiers(handled.response) == std::vector<std::string>{seq1});
        REQUIRE(handled.failures.size() == 1);
        CHECK(handled.failures[0].reason == c.reason);
    }
}

TEST_CASE("a record's first defect is reported, a duplicate key among others") {
    // The duplicate comes after a bad base64 text: that one is reported.
    std::string event = event_with_kinesis_1([](nlohmann::json& k) {
        k["data"] = "!!!!";
        k["zzPlaceholder"] = 0;
    });
    event.replace(event.find(R"("zzPlaceholder":0)"), 17, R"("partitionKey":"again")");
    require_defect_on_record_1(event,
                               "Records[1].kinesis.data: not valid base64: invalid "
                               "character '!' at offset 0");
    // A duplicate before a missing field.
    event = event_with_kinesis_1([](nlohmann::json& k) {
        k.erase("partitionKey");
        k["data"] = "SGk=";
        k["zzPlaceholder"] = 0;
    });
    event.replace(event.find(R"("zzPlaceholder":0)"), 17, R"("data":"SGk=")");
    require_defect_on_record_1(event, R"(Records[1].kinesis: duplicate key "data")");
}

TEST_CASE("a sequence number twice with different values fails the whole invocation") {
    // Either value may be the wrong one: reporting it could make Lambda checkpoint past records
    // that were never processed, or refer to another record. Only a retry of the batch is safe.
    const std::string seq1 = kt::sequence_number(1);
    const std::string reason =
        R"(Records[1].kinesis: duplicate key "sequenceNumber" with different values)";
    for (const auto& [text, in_kinesis] : std::vector<std::pair<std::string, bool>>{
             {R"("sequenceNumber":")" + kt::sequence_number(2) + "\"", true},
             {R"("sequenceNumber":")" + seq1 + "0\"", true},
             {R"("sequenceNumber":null)", true},
             {R"("sequenceNumber":49)", true},
             {R"("sequence\u004Eumber":"7")", true},
             {R"("kinesis":{"sequenceNumber":"7","partitionKey":"p","data":""})", false},
             {R"("kinesis":{"partitionKey":"p","data":"","sequenceNumber":"7"})", false},
         }) {
        INFO(text);
        const std::string event = event_with_text_in_record_1(text, in_kinesis);
        require_defect_on_record_1(event, reason);
        kbatch::EventDecoder decoder;
        REQUIRE(decoder.decode(event).is_ok());
        CHECK(kbatch::test::kinesis_at(decoder.batch(), 1).sequence_number().empty());

        const Handled handled = handle(event);
        REQUIRE_FALSE(handled.status.is_ok());
        CHECK(handled.status.kind() == kbatch::ErrorKind::kUnidentifiableFailure);
        CHECK(handled.status.message() ==
              "Records[1] failed and has no usable sequence number to report, so the whole batch "
              "must be retried: " +
                  reason);
        CHECK(handled.calls == 0);
        CHECK(handled.response.empty());
    }
}

TEST_CASE("keys the decoder does not read may repeat") {
    for (const auto& [text, in_kinesis] : std::vector<std::pair<std::string, bool>>{
             {R"("extra":1,"extra":2)", true},
             {R"("extra":1,"extra":{"a":1,"a":2})", false},
         }) {
        INFO(text);
        kbatch::EventDecoder decoder;
        const kbatch::Status status = decoder.decode(event_with_text_in_record_1(text, in_kinesis));
        INFO(status.to_string());
        REQUIRE(status.is_ok());
        CHECK(decoder.batch().defects.empty());
    }
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode(R"({"window":1,"Records":[],"window":2})").is_ok());
}

// An event of a source kbatch does not handle, and records of two sources in one event: see
// event_source_test.cc. A Kinesis record, or one that does not say, is missing its kinesis object.
TEST_CASE("a Kinesis record without its kinesis object makes the event invalid") {
    require_invalid_event(R"({"Records":[{"eventSource":"aws:kinesis"}]})",
                          "Records[0].kinesis: missing");
    require_invalid_event(R"({"Records":[{"eventID":"x"}]})", "Records[0].kinesis: missing");
}
