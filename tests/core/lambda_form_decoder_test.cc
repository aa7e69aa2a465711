// The fast path for events in the form Lambda writes (lambda_form_decoder.h): it takes the events
// it is meant for, of the three sources, whatever serializer wrote them; leaves every other event
// to the general path (simdjson); and whatever it takes decodes exactly as the general path
// decodes it. Each case runs the same bytes through a decoder that tries the fast path and one
// that does not, and compares the two.
#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "batch_difference.h"
#include "decoded_views.h"
#include "event_decoder.h"
#include "lambda_form_decoder.h"
#include "source_events.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace {

using kbatch::DecodedBatch;
using kbatch::EventDecoder;
using kbatch::KinesisRecord;
using kt::TestRecord;

// One event through both paths.
struct BothPaths {
    std::string fast_status;
    std::string general_status;
    EventDecoder::Path path;  // the path the trying decoder took
    std::string difference;   // between the two batches
};

class TwoDecoders {
  public:
    BothPaths decode(std::string_view event) {
        BothPaths result;
        result.fast_status = trying_.decode(event).to_string();
        result.general_status = general_.decode(event).to_string();
        result.path = trying_.last_path();
        result.difference = kbatch::test::batch_difference(trying_.batch(), general_.batch());
        return result;
    }

    const DecodedBatch& batch() const { return trying_.batch(); }

  private:
    EventDecoder trying_;
    EventDecoder general_{EventDecoder::FastPath::kSkip};
};

std::string_view path_name(EventDecoder::Path path) {
    return path == EventDecoder::Path::kLambdaForm ? "lambda form" : "general";
}

// Replaces the first `from` in `text` with `to`; fails the test if there is none.
std::string replace_first(std::string text, std::string_view from, std::string_view to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

// A record as these cases write it: partition key "pk-1" and a timestamp of 1480641523.477 +
// `index` (the text the cases below find and replace), and no encryptionType (which one case adds
// to one record only). The SDK's TestRecord has other defaults; these are set here, where the
// cases that read them are.
TestRecord lambda_record(std::size_t index, std::string data, std::string partition_key = "pk-1") {
    TestRecord record{kt::sequence_number(index), std::move(data), std::move(partition_key)};
    record.approximate_arrival = 1480641523.477 + static_cast<double>(index);
    record.encryption_type = "";
    return record;
}

// Three records in Lambda's form, of seeded random bytes.
std::string three_record_event() {
    std::mt19937 engine(11);
    std::vector<TestRecord> records;
    for (std::size_t i = 0; i < 3; ++i)
        records.push_back(lambda_record(i, kbatch::test::random_bytes(engine, 20 + i * 7)));
    return kbatch::test::lambda_form_event(records);
}

// An event of each source in Lambda's form, three records each: Kinesis (of seeded random
// bytes), SQS (a FIFO queue's, bodies of JSON), DynamoDB Streams (both images).
struct SourceEvent {
    std::string name;
    std::string event;
};
std::vector<SourceEvent> source_events() {
    std::vector<kbatch::test::OrderedJson> sqs, dynamodb;
    for (std::size_t i = 0; i < 3; ++i) {
        sqs.push_back(kbatch::test::sqs_message_json(i, true));
        dynamodb.push_back(kbatch::test::dynamodb_record_json(i));
    }
    return {{"Kinesis", three_record_event()},
            {"SQS", kbatch::test::lambda_event(sqs)},
            {"DynamoDB", kbatch::test::lambda_event(dynamodb)}};
}

}  // namespace

TEST_CASE("an event in Lambda's form takes the fast path and decodes as the general path does") {
    std::mt19937 engine(3);
    std::uniform_int_distribution<int> length(0, 300);
    std::vector<TestRecord> records;
    for (std::size_t i = 0; i < 500; ++i) {
        std::string data =
            kbatch::test::random_bytes(engine, static_cast<std::size_t>(length(engine)));
        // Partition keys of different lengths, so that no string ends where the one before did.
        records.push_back(lambda_record(i, std::move(data), "pk-" + std::string(i % 17, 'x')));
    }
    TwoDecoders decoders;
    const BothPaths both = decoders.decode(kbatch::test::lambda_form_event(records));
    CHECK(both.fast_status == "OK");
    CHECK(both.general_status == "OK");
    CHECK(path_name(both.path) == "lambda form");
    CHECK(both.difference == "");
    // And against the records themselves, not only against the other path.
    const DecodedBatch& batch = decoders.batch();
    REQUIRE(batch.kinesis.size() == records.size());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const KinesisRecord& record = kbatch::test::kinesis_at(batch, i);
        if (record.text() != records[i].data ||
            record.sequence_number() != records[i].sequence_number ||
            record.partition_key() != records[i].partition_key ||
            record.approximate_arrival() != records[i].approximate_arrival) {
            ++mismatches;
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE(
    "fields out of Lambda's order, and optional fields that come and go, stay on the fast "
    "path") {
    using Json = nlohmann::ordered_json;
    Json records = Json::array();
    for (std::size_t i = 0; i < 4; ++i) {
        Json record = Json::parse(kbatch::test::lambda_form_event(
            {lambda_record(i, "record " + std::to_string(i))}))["Records"][0];
        records.push_back(std::move(record));
    }
    // Record 0: encryptionType added. Record 1: none, and no timestamp or schema version: the
    // fast path must not leave record 0's values in them. Record 2: every field in reverse order.
    records[0]["kinesis"]["encryptionType"] = "KMS";
    records[1]["kinesis"].erase("approximateArrivalTimestamp");
    records[1]["kinesis"].erase("kinesisSchemaVersion");
    records[1].erase("awsRegion");
    Json reversed = Json::object();
    for (auto it = records[2].rbegin(); it != records[2].rend(); ++it)
        reversed[it.key()] = it.value();
    Json reversed_kinesis = Json::object();
    for (auto it = reversed["kinesis"].rbegin(); it != reversed["kinesis"].rend(); ++it)
        reversed_kinesis[it.key()] = it.value();
    reversed["kinesis"] = reversed_kinesis;
    records[2] = reversed;
    const std::string event = Json{{"Records", records}}.dump();

    TwoDecoders decoders;
    const BothPaths both = decoders.decode(event);
    CHECK(both.fast_status == "OK");
    CHECK(path_name(both.path) == "lambda form");
    CHECK(both.difference == "");
    const DecodedBatch& batch = decoders.batch();
    REQUIRE(batch.kinesis.size() == 4);
    CHECK(kbatch::test::kinesis_at(batch, 0).encryption_type() == "KMS");
    CHECK(kbatch::test::kinesis_at(batch, 1).encryption_type().empty());
    CHECK(kbatch::test::kinesis_at(batch, 1).approximate_arrival() == 0);
    CHECK(kbatch::test::kinesis_at(batch, 1).kinesis_schema_version().empty());
    CHECK(kbatch::test::kinesis_at(batch, 1).aws_region().empty());
    CHECK(kbatch::test::kinesis_at(batch, 2).aws_region() == "us-east-1");
    CHECK(kbatch::test::kinesis_at(batch, 2).text() == "record 2");
    CHECK(kbatch::test::kinesis_at(batch, 3).kinesis_schema_version() == "1.0");
}

TEST_CASE("the peers' Kinesis events, made compact, decode the same on either path") {
    if (kbatch::test::skip_without_peer_fixtures())
        return;
    // Key order kept: most of these files are Lambda's events, pretty-printed for people.
    TwoDecoders decoders;
    std::size_t events = 0, fast = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(kbatch::test::fixtures_dir())) {
        if (entry.path().extension() != ".json")
            continue;
        std::string text = kbatch::test::read_file(entry.path());
        if (text.starts_with("\xEF\xBB\xBF"))
            text.erase(0, 3);
        const auto json = nlohmann::ordered_json::parse(text, nullptr, false);
        if (json.is_discarded() || !json.is_object() || !json.contains("Records"))
            continue;  // not an event (the SAM template)
        INFO(entry.path().string());
        const BothPaths both = decoders.decode(json.dump());
        CHECK(both.fast_status == both.general_status);
        CHECK(both.difference == "");
        ++events;
        fast += both.path == EventDecoder::Path::kLambdaForm ? 1 : 0;
    }
    CHECK(events >= 20);
    CHECK(fast >= 10);
}

TEST_CASE(
    "events other serializers write, spaced or with keys in other orders, take the fast path") {
    // What the issue measured: Python's json.dumps (", " and ": ") sent a 10,000-record event to
    // the general path at 2.3 to 3.9 times the floor. Whitespace and key order are not Lambda's
    // form, but nothing the fast path needs to refuse.
    using kbatch::test::OrderedJson;
    std::mt19937 engine(99);
    for (const SourceEvent& source : source_events()) {
        const OrderedJson json = OrderedJson::parse(source.event);
        std::string crlf = json.dump(2);
        for (std::size_t at = crlf.find('\n'); at != std::string::npos;
             at = crlf.find('\n', at + 2)) {
            crlf.insert(at, 1, '\r');
        }
        const std::vector<std::pair<std::string, std::string>> variants = {
            {"Python's json.dumps", kbatch::test::python_spaced(json)},
            {"indented by 2", json.dump(2)},
            {"indented by a tab", json.dump(1, '\t')},
            {"indented, CRLF", crlf},
            {"newlines around", "\n" + source.event + "\n"},
            {"keys reversed", kbatch::test::reversed_keys(json).dump()},
            {"keys reversed, spaced",
             kbatch::test::python_spaced(kbatch::test::reversed_keys(json))},
            {"keys shuffled record by record", kbatch::test::shuffled_keys(json, engine).dump()},
        };
        TwoDecoders decoders;
        for (const auto& [name, event] : variants) {
            INFO(source.name << ", " << name);
            const BothPaths both = decoders.decode(event);
            CHECK(both.fast_status == "OK");
            CHECK(both.general_status == "OK");
            CHECK(both.difference == "");
            CHECK(path_name(both.path) == "lambda form");
            CHECK(decoders.batch().size() == 3);
        }
    }
}

TEST_CASE("what the fast path leaves to the general path decodes the same either way") {
    const std::string base = three_record_event();
    struct Departure {
        std::string name;
        std::string event;
        std::string_view expected_path;
    };
    const std::vector<Departure> departures = {
        // Still Lambda's form.
        {"a newline after the event", base + "\n", "lambda form"},
        {"a UTF-8 byte-order mark first", "\xEF\xBB\xBF" + base, "lambda form"},
        {"a partition key in UTF-8",
         replace_first(base, R"("partitionKey":"pk-1")",
                       "\"partitionKey\":\"caf\xC3\xA9 \xF0\x9F\x9A\x80\""),
         "lambda form"},
        {"an empty batch", R"({"Records":[]})", "lambda form"},
        // Whitespace, wherever JSON allows it, even where the event starts compact.
        {"whitespace between fields",
         replace_first(base, R"(,"eventSource")", R"(, "eventSource")"), "lambda form"},
        {"whitespace before a colon", replace_first(base, R"("eventName":)", "\"eventName\" \t:"),
         "lambda form"},
        {"null for an optional string", replace_first(base, R"("us-east-1")", "null"),
         "lambda form"},
        // Valid, but not as Lambda writes it.
        {"an escape in a string", replace_first(base, R"("pk-1")", R"("pk\u002d1")"),
         "lambda form"},
        {"an escape in a key", replace_first(base, R"("eventName")", R"("event\u004eame")"),
         "general"},

        {"an unknown field",
         replace_first(base, R"(,"eventSource")", R"(,"extra":{"a":[1,2]},"eventSource")"),
         "general"},
        {"another member beside Records",
         replace_first(base, R"({"Records")", R"({"window":{},"Records")"), "general"},
        {"a field twice",
         replace_first(base, R"("awsRegion":"us-east-1")",
                       R"("awsRegion":"us-east-1","awsRegion":"eu-west-1")"),
         "general"},
        {"a timestamp with an exponent", replace_first(base, "1480641523.477", "1.480641523477e9"),
         "general"},
        {"a negative timestamp", replace_first(base, "1480641523.477", "-1480641523.477"),
         "general"},
        {"a timestamp of 20 digits", replace_first(base, "1480641523.477", "14806415230000000.477"),
         "general"},
        {"a timestamp of 31 digits and a point",
         replace_first(base, "1480641523.477", std::string(31, '1') + ".5"), "general"},
        {"a timestamp over 2^53", replace_first(base, "1480641523.477", "9007199254740993"),
         "general"},
        // A record with a defect: the general path reports it.
        {"a number where a string goes",
         replace_first(base, R"("eventVersion":"1.0")", R"("eventVersion":1.0)"), "general"},
        {"data that is not base64", replace_first(base, R"("data":")", R"("data":"%)"), "general"},
        {"a sequence number with a letter",
         replace_first(base, R"("sequenceNumber":")", R"("sequenceNumber":"x)"), "general"},
        {"no data", replace_first(base, R"("data":")", R"("dat":")"), "general"},
        // A key twice in a record: a defect of the record, which the general path reports (and,
        // for two different sequence numbers, makes the record unidentifiable).
        {"the same sequence number twice",
         replace_first(
             base, R"("sequenceNumber":")",
             R"("sequenceNumber":")" + kt::sequence_number(0) + R"(","sequenceNumber":")"),
         "general"},
        {"two different sequence numbers",
         replace_first(base, R"("sequenceNumber":")", R"("sequenceNumber":"7","sequenceNumber":")"),
         "general"},
        {"an eventID twice", replace_first(base, R"("eventID":")", R"("eventID":"x","eventID":")"),
         "general"},
        {"data twice", replace_first(base, R"("data":")", R"("data":"","data":")"), "general"},
        {"a timestamp twice",
         replace_first(base, R"("approximateArrivalTimestamp":)",
                       R"("approximateArrivalTimestamp":1,"approximateArrivalTimestamp":)"),
         "general"},
        {"two kinesis objects",
         replace_first(
             base, R"("kinesis":)",
             R"("kinesis":{"sequenceNumber":"1","partitionKey":"p","data":""},"kinesis":)"),
         "general"},
        {"Records twice", replace_first(base, R"({"Records":[)", R"({"Records":[],"Records":[)"),
         "general"},
        // Numbers beyond a double: the record's defect, or zero.
        {"a timestamp of 1e309", replace_first(base, "1480641523.477", "1e309"), "general"},
        {"a timestamp of -1e309", replace_first(base, "1480641523.477", "-1e309"), "general"},
        {"a timestamp of 310 digits",
         replace_first(base, "1480641523.477", "1" + std::string(309, '0')), "general"},
        {"a timestamp of 1e-400", replace_first(base, "1480641523.477", "1e-400"), "general"},
        {"1e309 in an unknown field",
         replace_first(base, R"(,"eventSource")", R"(,"extra":1e309,"eventSource")"), "general"},
        // Invalid: the general path explains.
        {"no kinesis object", replace_first(base, R"("kinesis":)", R"("kinesi":)"), "general"},
        {"a timestamp with a leading zero",
         replace_first(base, "1480641523.477", "01480641523.477"), "general"},
        {"a control character in a string",
         replace_first(base, "pk-1",
                       "pk\x01"
                       "1"),
         "general"},
        {"invalid UTF-8 in a string", replace_first(base, "pk-1", "pk\xC3\x28"), "general"},
        {"content after the event", base + "x", "general"},
        {"a missing comma", replace_first(base, R"(,"eventSource")", R"("eventSource")"),
         "general"},
    };
    TwoDecoders decoders;
    for (const Departure& departure : departures) {
        INFO(departure.name);
        const BothPaths both = decoders.decode(departure.event);
        CHECK(path_name(both.path) == departure.expected_path);
        CHECK(both.fast_status == both.general_status);
        CHECK(both.difference == "");
    }
}

TEST_CASE("an event cut short is never completed by the bytes of a longer one before it") {
    // decode() reuses its padded buffer: after a long event, the bytes past a shorter one's end
    // are the long one's, which would make a valid event of a cut one if the fast path read them.
    for (const SourceEvent& source : source_events()) {
        INFO(source.name);
        const std::string& full = source.event;
        TwoDecoders decoders;
        std::size_t cuts = 0;
        for (std::size_t size = 1; size < full.size(); size += (size < full.size() - 80 ? 13 : 1)) {
            INFO("cut at " << size);
            REQUIRE(decoders.decode(full).fast_status == "OK");
            const BothPaths both = decoders.decode(std::string_view(full).substr(0, size));
            CHECK(both.fast_status == both.general_status);
            CHECK(both.fast_status != "OK");
            ++cuts;
        }
        CHECK(cuts > 80);
    }
}

TEST_CASE("the fast path reads no further than kLambdaFormReadAhead bytes past the event") {
    // Each event is placed so that its read-ahead ends where an inaccessible page starts: a read
    // one byte further crashes the test. The read-ahead holds what followed the cut in the full
    // event, the bytes most likely to be mistaken for the event's own.
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    for (const SourceEvent& source : source_events()) {
        INFO(source.name);
        const std::string& full = source.event;
        const std::size_t pages = (full.size() + kbatch::kLambdaFormReadAhead) / page + 1;
        void* mapping = mmap(nullptr, (pages + 1) * page, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        REQUIRE(mapping != MAP_FAILED);
        char* const guard = static_cast<char*>(mapping) + pages * page;
        REQUIRE(mprotect(guard, page, PROT_NONE) == 0);
        std::vector<std::byte> arena(full.size());
        DecodedBatch batch;
        std::size_t accepted = 0;
        for (std::size_t size = 0; size <= full.size(); ++size) {
            char* const event = guard - kbatch::kLambdaFormReadAhead - size;
            std::string bytes = full + std::string(kbatch::kLambdaFormReadAhead, ' ');
            std::copy_n(bytes.data(), size + kbatch::kLambdaFormReadAhead, event);
            if (kbatch::decode_lambda_form(std::string_view(event, size), arena.data(), batch))
                ++accepted;
        }
        munmap(mapping, (pages + 1) * page);
        // Only the whole event is one.
        CHECK(accepted == 1);
    }
}

TEST_CASE("decode_in_place on the fast path gives views of the caller's own buffer") {
    std::string event = three_record_event();
    EventDecoder decoder;
    REQUIRE(decoder.decode_in_place(event).is_ok());
    REQUIRE(decoder.last_path() == EventDecoder::Path::kLambdaForm);
    const KinesisRecord& record = kbatch::test::kinesis_at(decoder.batch(), 1);
    const auto inside = [&event](std::string_view view) {
        return view.data() >= event.data() &&
               view.data() + view.size() <= event.data() + event.size();
    };
    CHECK(inside(record.sequence_number()));
    CHECK(inside(record.event_source_arn()));
    CHECK(event.substr(static_cast<std::size_t>(record.sequence_number().data() - event.data()) - 1,
                       record.sequence_number().size() + 2) ==
          "\"" + kt::sequence_number(1) + "\"");
}

TEST_CASE("timestamps read by the fast path are the general path's doubles, bit for bit") {
    std::mt19937_64 engine(5);
    TwoDecoders decoders;
    std::size_t fast = 0;
    const std::string base = kbatch::test::lambda_form_event({lambda_record(0, "x")});
    for (int i = 0; i < 3000; ++i) {
        // 1 to 19 digits, a point anywhere or nowhere; some beyond 2^53 (left to simdjson).
        const int digits = static_cast<int>(engine() % 19) + 1;
        std::string number;
        for (int d = 0; d < digits; ++d)
            number += static_cast<char>('0' + engine() % 10);
        if (number.size() > 1 && number[0] == '0')
            number[0] = '1';
        const std::size_t point = engine() % (number.size() + 1);
        if (point > 0 && point < number.size())
            number.insert(point, ".");
        INFO(number);
        const BothPaths both = decoders.decode(replace_first(base, "1480641523.477", number));
        REQUIRE(both.general_status == "OK");
        REQUIRE(both.fast_status == "OK");
        REQUIRE(both.difference == "");
        fast += both.path == EventDecoder::Path::kLambdaForm ? 1 : 0;
    }
    // Most of them fit the fast path's exact case; some (over 2^53) do not.
    CHECK(fast > 1500);
    CHECK(fast < 3000);
}

TEST_CASE(
    "seeded random edits of a Lambda-form event: whatever the fast path takes, the general "
    "path decodes the same") {
    std::vector<SourceEvent> bases = source_events();
    // And spaced as Python writes JSON, for the reader that allows whitespace.
    for (const SourceEvent& source : source_events()) {
        bases.push_back(
            {source.name + " spaced",
             kbatch::test::python_spaced(kbatch::test::OrderedJson::parse(source.event))});
    }
    for (const SourceEvent& source : bases) {
        INFO(source.name);
        const std::string& base = source.event;
        std::mt19937 engine(2026);
        // Mostly the characters that matter to JSON and to the fast path's checks.
        const std::string alphabet =
            "{}[]:,\"\\ \n0123456789.eE-+nulltrueAZaz/=\x01\x7f\xc3\xa9\xff";
        TwoDecoders decoders;
        std::size_t fast = 0, failed = 0;
        constexpr int kRounds = 20000;
        for (int round = 0; round < kRounds; ++round) {
            std::string event = base;
            const int edits = 1 + static_cast<int>(engine() % 3);
            for (int e = 0; e < edits && !event.empty(); ++e) {
                const std::size_t at = engine() % event.size();
                switch (engine() % 4) {
                    case 0:
                        event[at] = alphabet[engine() % alphabet.size()];
                        break;
                    case 1:
                        event.erase(at, 1 + engine() % 4);
                        break;
                    case 2:
                        event.insert(at, 1, alphabet[engine() % alphabet.size()]);
                        break;
                    default:  // a piece of the event again, elsewhere
                        event.insert(at, event.substr(engine() % event.size(), 1 + engine() % 40));
                        break;
                }
            }
            const BothPaths both = decoders.decode(event);
            if (both.fast_status != both.general_status || !both.difference.empty()) {
                FAIL_CHECK("round " << round << ": " << both.fast_status << " against "
                                    << both.general_status << "; " << both.difference
                                    << "\nevent: " << event);
                break;
            }
            fast += both.path == EventDecoder::Path::kLambdaForm ? 1 : 0;
            failed += both.general_status != "OK" ? 1 : 0;
        }
        // The edits reach both paths, and both outcomes.
        CHECK(fast > kRounds / 20);
        CHECK(failed > kRounds / 4);
    }
}
