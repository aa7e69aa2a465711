// Decoding allocates nothing per record once the decoder's buffers have grown to an event's size:
// for every source, on both paths, compact or spaced. (A record with a defect allocates its
// message; these events have none.)
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "counting_new.h"
#include "event_decoder.h"
#include "source_events.h"
#include "test_support.h"

namespace {

using kbatch::test::OrderedJson;

struct Counts {
    long first = 0;   // the allocations of a new decoder's first decode (its buffers grow)
    long second = 0;  // and of the same event again
};

// Decodes `event` twice with a new decoder, counting the allocations of each.
Counts count_allocations(kbatch::EventDecoder::FastPath fast, std::string& event,
                         kbatch::EventDecoder::Path* path, bool* ok) {
    Counts counts;
    const long start = kbatch::test::g_allocations.load();
    kbatch::EventDecoder decoder(fast);
    *ok = decoder.decode_in_place(event).is_ok();
    const long between = kbatch::test::g_allocations.load();
    *ok = *ok && decoder.decode_in_place(event).is_ok();
    const long end = kbatch::test::g_allocations.load();
    *path = decoder.last_path();
    counts.first = between - start;
    counts.second = end - between;
    return counts;
}

}  // namespace

TEST_CASE("decoding again allocates nothing, for every source, on both paths") {
    std::vector<OrderedJson> kinesis, sqs, dynamodb;
    for (std::size_t i = 0; i < 500; ++i) {
        kinesis.push_back(kbatch::testing::basic_record_json<OrderedJson>(
            kbatch::testing::TestRecord{kbatch::testing::sequence_number(i), "data"}));
        sqs.push_back(kbatch::test::sqs_message_json(i, i % 2 == 0));
        dynamodb.push_back(kbatch::test::dynamodb_record_json(i));
    }
    for (const auto* records : {&kinesis, &sqs, &dynamodb}) {
        const std::string compact = kbatch::test::lambda_event(*records);
        const std::string spaced = kbatch::test::python_spaced(OrderedJson::parse(compact));
        for (const std::string* text : {&compact, &spaced}) {
            for (const auto fast :
                 {kbatch::EventDecoder::FastPath::kTry, kbatch::EventDecoder::FastPath::kSkip}) {
                std::string event = *text;
                kbatch::EventDecoder::Path path{};
                bool ok = false;
                const Counts counts = count_allocations(fast, event, &path, &ok);
                INFO(text->substr(0, 60)
                     << " "
                     << (fast == kbatch::EventDecoder::FastPath::kTry ? "trying the fast path"
                                                                      : "general path"));
                REQUIRE(ok);
                CHECK(counts.first > 0);  // the count sees the decoder's allocations
                CHECK(counts.second == 0);
                CHECK((path == kbatch::EventDecoder::Path::kLambdaForm) ==
                      (fast == kbatch::EventDecoder::FastPath::kTry));
            }
        }
    }
}
