// The invariant, over random batches, random plugin outcomes and every option: each record is
// processed successfully, or reported failed, or the whole invocation fails; every reported
// identifier is a non-empty sequence number of the batch; under stop-on-first-failure exactly the
// first failure is reported and nothing after it reached the plugin. Then the same for SQS
// (standard and FIFO queues) and DynamoDB Streams batches under every failure mode, against a
// model of each source's rules (README, "Sources").
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "invocation_handler.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace kbatch::test {
namespace {

enum class Outcome { kOk, kFailure, kThrowStd, kThrowOther };

// What the plugin does for a record whose payload holds "outcome <n>".
Result scripted(std::string_view payload) {
    const std::size_t at = payload.find("outcome ");
    if (at == std::string_view::npos || at + 8 >= payload.size())
        return Result::failure("the payload holds no outcome");  // the model then disagrees
    switch (static_cast<Outcome>(payload[at + 8] - '0')) {
        case Outcome::kOk:
            return Result::ok();
        case Outcome::kFailure:
            return Result::failure("scripted failure");
        case Outcome::kThrowStd:
            throw std::runtime_error("scripted exception");
        case Outcome::kThrowOther:
            throw 42;
    }
    return Result::ok();
}

// Decides each record's outcome from the record's data ("outcome <n>"), and logs what it saw.
class ScriptedProcessor final : public RecordProcessor {
  public:
    Result process(const KinesisRecord& record, const Context&) override {
        seen.emplace_back(record.sequence_number());
        return scripted(record.text());
    }
    std::vector<std::string> seen;
};

struct RandomBatch {
    std::string event;
    std::vector<std::string> sequence_numbers;  // in event order
    std::vector<bool> defective;                // data is not valid base64
    std::vector<Outcome> outcomes;
};

RandomBatch make_batch(std::mt19937_64& rng) {
    RandomBatch batch;
    const std::size_t count = std::uniform_int_distribution<std::size_t>(0, 40)(rng);
    nlohmann::json records = nlohmann::json::array();
    for (std::size_t i = 0; i < count; ++i) {
        // Repeated sequence numbers happen in real files; give them a chance here too.
        const std::size_t number =
            std::uniform_int_distribution<std::size_t>(0, count + count / 4)(rng);
        const auto outcome = static_cast<Outcome>(std::uniform_int_distribution<int>(0, 3)(rng));
        kt::TestRecord record{kt::sequence_number(number),
                              fmt::format("outcome {}", static_cast<int>(outcome))};
        nlohmann::json json = kt::record_json(record);
        const bool defective = std::uniform_int_distribution<int>(0, 9)(rng) == 0;
        if (defective)
            json["kinesis"]["data"] = "%%%%";
        records.push_back(json);
        batch.sequence_numbers.push_back(record.sequence_number);
        batch.defective.push_back(defective);
        batch.outcomes.push_back(outcome);
    }
    batch.event = event_from_records(records);
    return batch;
}

TEST_CASE("every record ends processed or reported failed or with the invocation failed") {
    std::mt19937_64 rng(20261126);
    InvocationHandler handlers[] = {
        InvocationHandler(
            {FailurePolicy::kReportAll, kDefaultDeadlineMargin, AllFailedAction::kReport}),
        InvocationHandler(
            {FailurePolicy::kReportAll, kDefaultDeadlineMargin, AllFailedAction::kError}),
        InvocationHandler(
            {FailurePolicy::kStopOnFirstFailure, kDefaultDeadlineMargin, AllFailedAction::kReport}),
        InvocationHandler(
            {FailurePolicy::kStopOnFirstFailure, kDefaultDeadlineMargin, AllFailedAction::kError}),
    };
    int checked = 0, invocation_failures = 0, stopped_early = 0;
    for (int round = 0; round < 500; ++round) {
        const RandomBatch batch = make_batch(rng);
        for (InvocationHandler& handler : handlers) {
            ScriptedProcessor processor;
            kt::TestContext context;
            std::string response;
            const Status status = handler.handle(batch.event, ProcessorHandle::borrow(processor),
                                                 context.context(), &response);
            const bool stop = handler.options().policy == FailurePolicy::kStopOnFirstFailure;
            INFO("round " << round << ", " << failure_policy_name(handler.options().policy) << ", "
                          << all_failed_action_name(handler.options().on_all_failed) << "\n"
                          << batch.event);
            ++checked;

            // What each record should have come to, from the script alone.
            std::size_t first_failure = batch.sequence_numbers.size();
            std::size_t successes = 0;
            for (std::size_t i = 0; i < batch.sequence_numbers.size(); ++i) {
                const bool fails = batch.defective[i] || batch.outcomes[i] != Outcome::kOk;
                if (fails && first_failure == batch.sequence_numbers.size())
                    first_failure = i;
                if (stop && first_failure < i)
                    break;
                if (!fails)
                    ++successes;
            }

            if (!status.is_ok()) {
                ++invocation_failures;
                // The only reason a valid event fails as a whole here.
                CHECK(status.kind() == ErrorKind::kAllRecordsFailed);
                CHECK(handler.options().on_all_failed == AllFailedAction::kError);
                CHECK(successes == 0);
                CHECK(response.empty());
                continue;
            }
            const bool must_have_failed =
                handler.options().on_all_failed == AllFailedAction::kError &&
                !batch.sequence_numbers.empty() && successes == 0;
            CHECK_FALSE(must_have_failed);

            const std::vector<std::string> reported = item_identifiers(response);
            const std::set<std::string> in_batch(batch.sequence_numbers.begin(),
                                                 batch.sequence_numbers.end());
            const std::set<std::string> reported_set(reported.begin(), reported.end());
            CHECK(reported_set.size() == reported.size());  // each identifier once
            for (const std::string& id : reported)
                CHECK(in_batch.count(id) == 1);

            // Every record: succeeded in the plugin, or its sequence number is reported, or (only
            // under stop-on-first-failure) it comes after the reported failure.
            const std::size_t handed_limit =
                stop ? std::min(first_failure + 1, batch.sequence_numbers.size())
                     : batch.sequence_numbers.size();
            std::vector<std::string> expected_seen;
            for (std::size_t i = 0; i < handed_limit; ++i) {
                if (!batch.defective[i])
                    expected_seen.push_back(batch.sequence_numbers[i]);
                const bool fails = batch.defective[i] || batch.outcomes[i] != Outcome::kOk;
                if (fails)
                    CHECK(reported_set.count(batch.sequence_numbers[i]) == 1);
            }
            CHECK(processor.seen == expected_seen);  // in order; defective ones never reached it
            if (stop) {
                if (first_failure < batch.sequence_numbers.size()) {
                    ++stopped_early;
                    CHECK(reported ==
                          std::vector<std::string>{batch.sequence_numbers[first_failure]});
                } else {
                    CHECK(reported.empty());
                }
            }
        }
    }
    // The random inputs must have exercised both kinds of outcome.
    CHECK(checked == 2000);
    CHECK(invocation_failures > 0);
    CHECK(stopped_early > 0);
}

// ---- SQS and DynamoDB Streams ----------------------------------------------------------------

// The same for an SQS message (its body) and a DynamoDB Streams record (its NewImage's text).
class ScriptedSourcesProcessor final : public Processor<SqsMessage, DynamoDbRecord> {
  public:
    Result process(const SqsMessage& message, const Context&) override {
        seen.emplace_back(message.message_id());
        return scripted(message.body());
    }
    Result process(const DynamoDbRecord& record, const Context&) override {
        seen.emplace_back(record.sequence_number());
        return scripted(record.fields().new_image);
    }
    std::vector<std::string> seen;
};

struct SourceBatch {
    Source source = Source::kSqs;
    bool fifo = false;  // an SQS FIFO queue's
    std::string event;
    std::vector<std::string> identifiers;  // in event order
    std::vector<std::string> groups;       // MessageGroupId ("" on a standard queue), item key
    std::vector<bool> defective;           // a field of the wrong type
    std::vector<Outcome> outcomes;
};

std::size_t draw(std::mt19937_64& rng, std::size_t low, std::size_t high) {
    return std::uniform_int_distribution<std::size_t>(low, high)(rng);
}

// Lambda never sends an empty batch, and an event without records names no source (kbatch takes
// it for a Kinesis event, which the Kinesis test above covers), so these batches have 1 to 40.

// Up to 40 messages of a standard or a FIFO queue (groups g0..g3); message ids repeat now and
// then, as SQS's at-least-once delivery may repeat a message. A defective message has a message
// attribute whose stringValue is a number.
SourceBatch make_sqs_batch(std::mt19937_64& rng) {
    SourceBatch batch;
    batch.fifo = draw(rng, 0, 1) == 1;
    const std::size_t count = draw(rng, 1, 40);
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < count; ++i) {
        const auto outcome = static_cast<Outcome>(draw(rng, 0, 3));
        kt::TestSqsMessage message{fmt::format("msg-{}", draw(rng, 0, count + count / 4)),
                                   fmt::format("outcome {}", static_cast<int>(outcome))};
        if (batch.fifo)
            message.message_group_id = fmt::format("g{}", draw(rng, 0, 3));
        nlohmann::ordered_json json = kt::sqs_message_json(message);
        const bool defective = draw(rng, 0, 9) == 0;
        if (defective)
            json["messageAttributes"]["broken"] = {{"stringValue", 7}, {"dataType", "String"}};
        records.push_back(json);
        batch.identifiers.push_back(message.message_id);
        batch.groups.push_back(message.message_group_id);
        batch.defective.push_back(defective);
        batch.outcomes.push_back(outcome);
    }
    batch.event = nlohmann::ordered_json{{"Records", records}}.dump();
    return batch;
}

// Up to 40 records of items item#0..3, sequence numbers repeated and out of order now and then
// (as in the Kinesis batches above). A defective record's ApproximateCreationDateTime is a
// string; its Keys stay good, so that it still belongs to its item.
SourceBatch make_dynamodb_batch(std::mt19937_64& rng) {
    SourceBatch batch;
    batch.source = Source::kDynamoDb;
    const std::size_t count = draw(rng, 1, 40);
    nlohmann::ordered_json records = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < count; ++i) {
        const auto outcome = static_cast<Outcome>(draw(rng, 0, 3));
        const std::size_t item = draw(rng, 0, 3);
        const kt::TestDynamoDbRecord record{
            kt::sequence_number(draw(rng, 0, count + count / 4)), "INSERT",
            fmt::format(R"({{"pk":{{"S":"item#{}"}}}})", item),
            fmt::format(R"({{"pk":{{"S":"item#{}"}},"note":{{"S":"outcome {}"}}}})", item,
                        static_cast<int>(outcome))};
        nlohmann::ordered_json json = kt::dynamodb_record_json(record);
        const bool defective = draw(rng, 0, 9) == 0;
        if (defective)
            json["dynamodb"]["ApproximateCreationDateTime"] = "yesterday";
        records.push_back(json);
        batch.identifiers.push_back(record.sequence_number);
        batch.groups.push_back(fmt::format("item#{}", item));
        batch.defective.push_back(defective);
        batch.outcomes.push_back(outcome);
    }
    batch.event = nlohmann::ordered_json{{"Records", records}}.dump();
    return batch;
}

// What the rules say of one batch under one failure mode, worked out record by record.
struct Expected {
    std::vector<std::string> seen;      // what reaches the plugin, in order
    std::vector<std::string> reported;  // the response's identifiers: event order, each once
    std::size_t successes = 0;
};

Expected expected_outcome(const SourceBatch& batch, FailurePolicy policy) {
    const bool sqs = batch.source == Source::kSqs;
    // On a FIFO queue report-all stops at the first failure, as stop-on-first-failure does.
    if (batch.fifo && policy == FailurePolicy::kReportAll)
        policy = FailurePolicy::kStopOnFirstFailure;
    Expected expected;
    std::vector<bool> reported(batch.identifiers.size(), false);
    std::set<std::string> held_groups;
    bool stopped = false;
    for (std::size_t i = 0; i < batch.identifiers.size(); ++i) {
        if (stopped) {
            // SQS deletes every message it is not told about: what is left must be reported.
            // Kinesis-like DynamoDB Streams deliver everything after the reported record again.
            reported[i] = sqs;
            continue;
        }
        if (held_groups.count(batch.groups[i]) == 1) {
            reported[i] = true;  // a later record of a failed group (item)
            continue;
        }
        if (!batch.defective[i])
            expected.seen.push_back(batch.identifiers[i]);
        if (!batch.defective[i] && batch.outcomes[i] == Outcome::kOk) {
            ++expected.successes;
            continue;
        }
        reported[i] = true;
        if (policy == FailurePolicy::kStopOnFirstFailure)
            stopped = true;
        // A standard queue's message has no group, and holds nothing back.
        if (policy == FailurePolicy::kSkipGroupOnError && (!sqs || batch.fifo))
            held_groups.insert(batch.groups[i]);
    }
    std::set<std::string> once;
    for (std::size_t i = 0; i < batch.identifiers.size(); ++i) {
        if (reported[i] && once.insert(batch.identifiers[i]).second)
            expected.reported.push_back(batch.identifiers[i]);
    }
    return expected;
}

TEST_CASE(
    "SQS and DynamoDB: every record ends processed or reported failed or with the "
    "invocation failed") {
    std::mt19937_64 rng(20261201);
    std::deque<InvocationHandler> handlers;  // a handler is neither copied nor moved
    for (const FailurePolicy policy :
         {FailurePolicy::kReportAll, FailurePolicy::kStopOnFirstFailure,
          FailurePolicy::kSkipGroupOnError}) {
        for (const AllFailedAction action : {AllFailedAction::kReport, AllFailedAction::kError})
            handlers.emplace_back(RunOptions{policy, kDefaultDeadlineMargin, action});
    }
    std::map<std::string, int> kinds;  // what the random inputs exercised
    for (int round = 0; round < 600; ++round) {
        const SourceBatch batch = round % 2 == 0 ? make_sqs_batch(rng) : make_dynamodb_batch(rng);
        const std::string kind = batch.source == Source::kDynamoDb ? "dynamodb"
                                 : batch.fifo                      ? "fifo"
                                                                   : "standard";
        for (InvocationHandler& handler : handlers) {
            ScriptedSourcesProcessor processor;
            kt::TestContext context;
            std::string response;
            const Status status = handler.handle(batch.event, ProcessorHandle::borrow(processor),
                                                 context.context(), &response);
            INFO("round " << round << ", " << kind << ", "
                          << failure_policy_name(handler.options().policy) << ", "
                          << all_failed_action_name(handler.options().on_all_failed) << "\n"
                          << batch.event);
            const Expected expected = expected_outcome(batch, handler.options().policy);
            ++kinds[kind];

            // Nothing reached the plugin that the rules hold back, in event order.
            CHECK(processor.seen == expected.seen);
            const bool all_failed = !batch.identifiers.empty() && expected.successes == 0;
            if (!status.is_ok()) {
                // The only reason a valid event fails as a whole here; Lambda retries all of it.
                ++kinds["invocation failed"];
                CHECK(status.kind() == ErrorKind::kAllRecordsFailed);
                CHECK(handler.options().on_all_failed == AllFailedAction::kError);
                CHECK(all_failed);
                CHECK(response.empty());
                continue;
            }
            CHECK_FALSE((handler.options().on_all_failed == AllFailedAction::kError && all_failed));
            const std::vector<std::string> reported = item_identifiers(response);
            CHECK(reported == expected.reported);

            // The invariant itself, apart from the model: a record the plugin did not take
            // successfully is reported, or (DynamoDB only) comes after a reported record, from
            // which Lambda delivers the shard again.
            const std::set<std::string> reported_set(reported.begin(), reported.end());
            const std::multiset<std::string> seen(processor.seen.begin(), processor.seen.end());
            bool after_reported = false;
            for (std::size_t i = 0; i < batch.identifiers.size(); ++i) {
                const std::string& id = batch.identifiers[i];
                const bool is_reported = reported_set.count(id) == 1;
                const bool succeeded =
                    !batch.defective[i] && batch.outcomes[i] == Outcome::kOk && seen.count(id) > 0;
                if (!succeeded) {
                    INFO("Records[" << i << "] " << id);
                    CHECK((is_reported || (batch.source == Source::kDynamoDb && after_reported)));
                }
                after_reported = after_reported || is_reported;
            }
        }
    }
    // The random inputs must have exercised every kind of batch and both ends.
    CHECK(kinds["standard"] > 0);
    CHECK(kinds["fifo"] > 0);
    CHECK(kinds["dynamodb"] > 0);
    CHECK(kinds["invocation failed"] > 0);
}

}  // namespace
}  // namespace kbatch::test
