// The batch runner's SQS rules (issue 13 point 2; design.md §9). Lambda deletes every SQS message
// it is not told about, so every message that did not succeed is reported: failed, stopped by
// the failure policy, not started before the deadline, left unmarked by a batch-level plugin. On
// a FIFO queue (ARN ending in ".fifo") a failure holds back what follows it: every later message
// under report-all and stop-on-first-failure, the later messages of its MessageGroupId under
// skip-group-on-error. Every rule is checked for per-record and batch-level processors, and a
// message that must be reported without a messageId fails the invocation.
#include <chrono>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "batch_runner.h"
#include "hand_built_batches.h"

namespace kt = kbatch::testing;

namespace kbatch::test {
namespace {

using namespace std::chrono_literals;
using Ids = std::vector<std::string>;

const std::vector<TestMessage> kStandard = {
    {"m1", ""}, {"m2", ""}, {"m3", ""}, {"m4", ""}, {"m5", ""}};
// The issue's reference case, measured with Powertools' SqsFifoPartialProcessor.
const std::vector<TestMessage> kReference = {
    {"m1", "A"}, {"m2", "B"}, {"m3", "A"}, {"m4", "B"}, {"m5", "C"}};

constexpr FailurePolicy kAllPolicies[] = {FailurePolicy::kReportAll,
                                          FailurePolicy::kStopOnFirstFailure,
                                          FailurePolicy::kSkipGroupOnError};

// An invocation with 2 s left on a clock the test moves, run with a deadline margin of 1.5 s: a
// processor that spends 501 ms crosses the margin.
struct NearDeadline {
    kt::ManualClock clock;
    kt::TestInvocation invocation = [this] {
        kt::TestInvocation with_deadline;
        with_deadline.deadline = clock.now() + 2s;
        with_deadline.time = &clock;
        return with_deadline;
    }();
    RunOptions options(FailurePolicy policy) const {
        RunOptions with_margin = with_policy(policy);
        with_margin.deadline_margin = 1500ms;
        return with_margin;
    }
    // Spends 501 ms on the message `id`.
    std::function<void(std::string_view)> slow_at(std::string id) {
        return [this, id = std::move(id)](std::string_view seen) {
            if (seen == id)
                clock.advance(501ms);
        };
    }
};

// A per-record instance that marks no outcome at all (something the SDK's adapter never does,
// but a plugin's instance is the plugin's code).
class MarksNothing final : public PluginInstance {
  public:
    void* query_interface(std::uint32_t, std::uint32_t) noexcept override { return nullptr; }
    void process_record(const BatchView&, std::size_t, const InvocationView&,
                        OutcomeSink&) noexcept override {}
    void process_batch(const BatchView&, const InvocationView&, OutcomeSink&) noexcept override {}
    void destroy(ErrorSink&) noexcept override { delete this; }
};

// ---- Standard queues ----------------------------------------------------------------------------

TEST_CASE("SQS standard, report-all: exactly the failed messages are reported") {
    const SqsBatch batch(kStandard, kStandardQueueArn);
    FailsOn<SqsMessage> per_record({"m2", "m4"});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record));
    REQUIRE(r.status.is_ok());
    CHECK(per_record.seen == Ids{"m1", "m2", "m3", "m4", "m5"});
    CHECK(r.reported == Ids{"m2", "m4"});
    CHECK(r.report.processed == 5);
    CHECK(r.report.succeeded == 3);
    CHECK(r.report.skipped_after_failure == 0);
    CHECK(reason_of(r, 3) == "chosen to fail: m4");
    CHECK(r.response ==
          R"({"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m4"}]})");

    auto bulk = marks_failed<SqsMessage>({"m2", "m4"});
    const Run b = run(batch.get(), ProcessorHandle::borrow(bulk));
    REQUIRE(b.status.is_ok());
    CHECK(bulk.calls == 1);
    CHECK(bulk.handed_over == 5);
    CHECK(b.reported == Ids{"m2", "m4"});
    CHECK(b.report.succeeded == 3);
    CHECK(b.report.unmarked == 0);
}

TEST_CASE("SQS standard, skip-group-on-error: messages without a group hold nothing back") {
    const SqsBatch batch(kStandard, kStandardQueueArn);
    FailsOn<SqsMessage> per_record({"m2"});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record),
                      with_policy(FailurePolicy::kSkipGroupOnError));
    REQUIRE(r.status.is_ok());
    CHECK(per_record.seen == Ids{"m1", "m2", "m3", "m4", "m5"});
    CHECK(r.reported == Ids{"m2"});
}

TEST_CASE("SQS standard, stop-on-first-failure: the failure and every message after it") {
    const SqsBatch batch(kStandard, kStandardQueueArn);
    FailsOn<SqsMessage> per_record({"m2", "m4"});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record),
                      with_policy(FailurePolicy::kStopOnFirstFailure));
    REQUIRE(r.status.is_ok());
    CHECK(per_record.seen == Ids{"m1", "m2"});
    CHECK(r.reported == Ids{"m2", "m3", "m4", "m5"});
    CHECK(r.report.processed == 2);
    CHECK(r.report.succeeded == 1);
    CHECK(r.report.skipped_after_failure == 3);
    CHECK(reason_of(r, 1) == "chosen to fail: m2");
    CHECK(reason_of(r, 3) ==
          "not processed: an earlier message failed and the batch stopped there");
    CHECK(r.response == R"({"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"},)"
                        R"({"itemIdentifier":"m4"},{"itemIdentifier":"m5"}]})");
}

TEST_CASE("SQS standard, a failure in the last message stops nothing") {
    const SqsBatch batch(kStandard, kStandardQueueArn);
    for (const FailurePolicy policy : kAllPolicies) {
        INFO(failure_policy_name(policy));
        FailsOn<SqsMessage> per_record({"m5"});
        const Run r = run(batch.get(), ProcessorHandle::borrow(per_record), with_policy(policy));
        REQUIRE(r.status.is_ok());
        CHECK(per_record.seen.size() == 5);
        CHECK(r.reported == Ids{"m5"});
        CHECK(r.report.skipped_after_failure == 0);
    }
}

TEST_CASE("SQS standard, the deadline reports every message not started, whatever the policy") {
    const SqsBatch batch(kStandard, kStandardQueueArn);
    for (const FailurePolicy policy : kAllPolicies) {
        INFO(failure_policy_name(policy));
        NearDeadline near;
        // m2 leaves 1499 ms, one short of the margin: m3, m4 and m5 are not handed out.
        FailsOn<SqsMessage> per_record({}, near.slow_at("m2"));
        const Run r = run(batch.get(), ProcessorHandle::borrow(per_record), near.options(policy),
                          near.invocation);
        REQUIRE(r.status.is_ok());
        CHECK(per_record.seen == Ids{"m1", "m2"});
        // On Kinesis stop-on-first-failure would report only m3; on SQS m4 and m5 would be lost.
        CHECK(r.reported == Ids{"m3", "m4", "m5"});
        CHECK(r.report.left_at_deadline == 3);
        CHECK(r.report.succeeded == 2);
        CHECK(reason_of(r, 4) == "not processed: the invocation's deadline was near");
        const Ids warnings = logged(r, LogLevel::kWarn);
        REQUIRE(warnings.size() == 1);
        CHECK_THAT(warnings[0], Catch::Contains("1499 ms left (margin 1500 ms); 3 of 5 records"));
        CHECK(r.response == R"({"batchItemFailures":[{"itemIdentifier":"m3"},)"
                            R"({"itemIdentifier":"m4"},{"itemIdentifier":"m5"}]})");
    }
}

TEST_CASE("SQS standard, the deadline after a failure: the failure and every message not started") {
    const SqsBatch batch(kStandard, kStandardQueueArn);
    for (const FailurePolicy policy :
         {FailurePolicy::kReportAll, FailurePolicy::kSkipGroupOnError}) {
        INFO(failure_policy_name(policy));
        NearDeadline near;
        FailsOn<SqsMessage> per_record({"m1"}, near.slow_at("m2"));
        const Run r = run(batch.get(), ProcessorHandle::borrow(per_record), near.options(policy),
                          near.invocation);
        REQUIRE(r.status.is_ok());
        CHECK(per_record.seen == Ids{"m1", "m2"});
        CHECK(r.reported == Ids{"m1", "m3", "m4", "m5"});
    }
}

TEST_CASE("SQS standard, a deadline already past: every message is reported, none processed") {
    const SqsBatch batch(kStandard, kStandardQueueArn);
    for (const FailurePolicy policy : kAllPolicies) {
        INFO(failure_policy_name(policy));
        NearDeadline near;
        near.clock.advance(1s);  // 1 s left, under the 1.5 s margin
        FailsOn<SqsMessage> per_record({});
        const Run r = run(batch.get(), ProcessorHandle::borrow(per_record), near.options(policy),
                          near.invocation);
        REQUIRE(r.status.is_ok());
        CHECK(per_record.seen.empty());
        CHECK(r.reported == Ids{"m1", "m2", "m3", "m4", "m5"});
        CHECK(r.report.left_at_deadline == 5);
    }
}

TEST_CASE("SQS standard, what a batch-level plugin leaves unmarked is reported failed") {
    const SqsBatch batch(kStandard, kStandardQueueArn);
    ScriptedBatch<SqsMessage> bulk([](const Batch<SqsMessage>&, Outcomes& outcomes) {
        outcomes.succeeded(0);
        outcomes.failed(1, "bulk write rejected m2");
        outcomes.succeeded(3);
    });
    for (const FailurePolicy policy : kAllPolicies) {
        INFO(failure_policy_name(policy));
        const Run r = run(batch.get(), ProcessorHandle::borrow(bulk), with_policy(policy));
        REQUIRE(r.status.is_ok());
        CHECK(r.reported == Ids{"m2", "m3", "m5"});
        CHECK(r.report.unmarked == 2);
        CHECK(r.report.succeeded == 2);
        CHECK(reason_of(r, 1) == "bulk write rejected m2");
        CHECK(reason_of(r, 2) == "the plugin marked no outcome for the record");
        CHECK(reason_of(r, 4) == "the plugin marked no outcome for the record");
        CHECK(logged(r, LogLevel::kWarn) ==
              Ids{"the plugin left 2 of 5 records unmarked; they are reported failed"});
        CHECK(r.response == R"({"batchItemFailures":[{"itemIdentifier":"m2"},)"
                            R"({"itemIdentifier":"m3"},{"itemIdentifier":"m5"}]})");
    }
}

TEST_CASE("SQS standard, a per-record instance that marks no outcome fails the message") {
    const SqsBatch batch(kStandard, kStandardQueueArn);
    ProcessorTraits traits;
    traits.sources = source_bit(Source::kSqs);
    const ProcessorHandle silent(new MarksNothing, traits);
    const Run r = run(batch.get(), silent);
    REQUIRE(r.status.is_ok());
    CHECK(r.reported == Ids{"m1", "m2", "m3", "m4", "m5"});
    CHECK(r.report.processed == 5);
    CHECK(r.report.succeeded == 0);
    CHECK(reason_of(r, 0) == "the plugin marked no outcome for the record");
}

// ---- FIFO queues --------------------------------------------------------------------------------

struct FifoCase {
    FailurePolicy policy;
    Ids reported;   // by both forms
    Ids processed;  // by the per-record form, in order
};

// Runs `messages` from a FIFO queue under each case's policy, with a per-record processor that
// fails `failing` and with a batch processor that marks `failing` failed and the rest succeeded:
// the FIFO rule holds for both.
void check_fifo(const std::vector<TestMessage>& messages, const Identifiers& failing,
                const std::vector<FifoCase>& cases) {
    const SqsBatch batch(messages, kFifoQueueArn);
    REQUIRE(batch.get().fifo());
    for (const FifoCase& expected : cases) {
        INFO(failure_policy_name(expected.policy));
        FailsOn<SqsMessage> per_record(failing);
        const Run r =
            run(batch.get(), ProcessorHandle::borrow(per_record), with_policy(expected.policy));
        REQUIRE(r.status.is_ok());
        CHECK(r.reported == expected.reported);
        CHECK(per_record.seen == expected.processed);
        CHECK(r.report.processed == expected.processed.size());
        CHECK(r.report.succeeded + r.reported.size() == messages.size());
        // Held back: every message not handed out.
        CHECK(r.report.skipped_after_failure == messages.size() - expected.processed.size());
        CHECK(r.response == response_naming(expected.reported));

        auto bulk = marks_failed<SqsMessage>(failing);
        const Run b = run(batch.get(), ProcessorHandle::borrow(bulk), with_policy(expected.policy));
        REQUIRE(b.status.is_ok());
        CHECK(bulk.calls == 1);
        CHECK(b.reported == expected.reported);
        CHECK(b.report.succeeded + b.reported.size() == messages.size());
        // Held back: what the plugin marked succeeded but is reported with an earlier failure.
        std::size_t held_back = 0;
        for (const std::string& id : expected.reported)
            held_back += failing.contains(id) ? 0 : 1;
        CHECK(b.report.skipped_after_failure == held_back);
        CHECK(b.response == r.response);
    }
}

TEST_CASE("SQS FIFO, the reference case: m1/A, m2/B fails, m3/A, m4/B, m5/C") {
    check_fifo(kReference, {"m2"},
               {
                   {FailurePolicy::kReportAll, {"m2", "m3", "m4", "m5"}, {"m1", "m2"}},
                   {FailurePolicy::kStopOnFirstFailure, {"m2", "m3", "m4", "m5"}, {"m1", "m2"}},
                   // m3 and m5 are processed, m4 is not.
                   {FailurePolicy::kSkipGroupOnError, {"m2", "m4"}, {"m1", "m2", "m3", "m5"}},
               });
}

TEST_CASE("SQS FIFO, the reference case's exact responses and reasons") {
    const SqsBatch batch(kReference, kFifoQueueArn);
    FailsOn<SqsMessage> per_record({"m2"});
    const Run all = run(batch.get(), ProcessorHandle::borrow(per_record));
    CHECK(all.response == R"({"batchItemFailures":[{"itemIdentifier":"m2"},)"
                          R"({"itemIdentifier":"m3"},{"itemIdentifier":"m4"},)"
                          R"({"itemIdentifier":"m5"}]})");
    CHECK(reason_of(all, 1) == "chosen to fail: m2");
    CHECK(reason_of(all, 2) ==
          "not processed: an earlier message failed and the batch stopped there");
    CHECK(all.report.skipped_after_failure == 3);

    const Run groups = run(batch.get(), ProcessorHandle::borrow(per_record),
                           with_policy(FailurePolicy::kSkipGroupOnError));
    CHECK(groups.response ==
          R"({"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m4"}]})");
    CHECK(reason_of(groups, 3) == "not processed: an earlier record of its group failed");
    CHECK(groups.report.skipped_after_failure == 1);

    auto bulk = marks_failed<SqsMessage>({"m2"});
    const Run marked = run(batch.get(), ProcessorHandle::borrow(bulk),
                           with_policy(FailurePolicy::kSkipGroupOnError));
    CHECK(marked.response == groups.response);
    CHECK(reason_of(marked, 3) ==
          "reported with an earlier failure of its FIFO queue, so that its order holds");
}

TEST_CASE("SQS FIFO, the same messages on a standard queue report only the failure") {
    // What makes the difference is the ".fifo" ARN alone.
    const SqsBatch batch(kReference, kStandardQueueArn);
    REQUIRE_FALSE(batch.get().fifo());
    FailsOn<SqsMessage> per_record({"m2"});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record));
    CHECK(per_record.seen == Ids{"m1", "m2", "m3", "m4", "m5"});
    CHECK(r.reported == Ids{"m2"});
}

TEST_CASE("SQS FIFO, several groups with failures in two of them") {
    const std::vector<TestMessage> messages = {{"a1", "A"}, {"b1", "B"}, {"c1", "C"}, {"a2", "A"},
                                               {"b2", "B"}, {"c2", "C"}, {"a3", "A"}, {"d1", "D"}};
    const Ids after_b1 = {"b1", "c1", "a2", "b2", "c2", "a3", "d1"};
    check_fifo(messages, {"b1", "a2"},
               {
                   {FailurePolicy::kReportAll, after_b1, {"a1", "b1"}},
                   {FailurePolicy::kStopOnFirstFailure, after_b1, {"a1", "b1"}},
                   {FailurePolicy::kSkipGroupOnError,
                    {"b1", "a2", "b2", "a3"},
                    {"a1", "b1", "c1", "a2", "c2", "d1"}},
               });
}

TEST_CASE("SQS FIFO, a failure in the last message") {
    const Ids all = {"m1", "m2", "m3", "m4", "m5"};
    check_fifo(kReference, {"m5"},
               {
                   {FailurePolicy::kReportAll, {"m5"}, all},
                   {FailurePolicy::kStopOnFirstFailure, {"m5"}, all},
                   {FailurePolicy::kSkipGroupOnError, {"m5"}, all},
               });
}

TEST_CASE("SQS FIFO, a failure in the first message") {
    check_fifo(kReference, {"m1"},
               {
                   {FailurePolicy::kReportAll, {"m1", "m2", "m3", "m4", "m5"}, {"m1"}},
                   {FailurePolicy::kSkipGroupOnError, {"m1", "m3"}, {"m1", "m2", "m4", "m5"}},
               });
    // Nothing succeeded: on-all-failed=error fails the invocation.
    const SqsBatch batch(kReference, kFifoQueueArn);
    FailsOn<SqsMessage> per_record({"m1"});
    RunOptions options;
    options.on_all_failed = AllFailedAction::kError;
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record), options);
    REQUIRE_FALSE(r.status.is_ok());
    CHECK(r.status.kind() == ErrorKind::kAllRecordsFailed);
    CHECK_THAT(r.status.message(), Catch::StartsWith("none of the 5 records succeeded (first: "
                                                     "Records[0] m1: chosen to fail: m1)"));
}

TEST_CASE("SQS FIFO, a message that failed to decode holds back what its failure would") {
    const std::string defect = "Records[1].messageAttributes.n.stringValue: not a string";
    SqsBatch batch(kReference, kFifoQueueArn);
    batch.with_defect(1, defect);

    FailsOn<SqsMessage> per_record({});
    const Run groups = run(batch.get(), ProcessorHandle::borrow(per_record),
                           with_policy(FailurePolicy::kSkipGroupOnError));
    REQUIRE(groups.status.is_ok());
    CHECK(per_record.seen == Ids{"m1", "m3", "m5"});
    CHECK(groups.reported == Ids{"m2", "m4"});
    CHECK(reason_of(groups, 1) == defect);

    FailsOn<SqsMessage> stopped({});
    const Run all = run(batch.get(), ProcessorHandle::borrow(stopped));
    CHECK(stopped.seen == Ids{"m1"});
    CHECK(all.reported == Ids{"m2", "m3", "m4", "m5"});

    // A batch processor is handed the message but cannot make it succeed.
    auto bulk = marks_failed<SqsMessage>({});
    const Run marked = run(batch.get(), ProcessorHandle::borrow(bulk),
                           with_policy(FailurePolicy::kSkipGroupOnError));
    CHECK(marked.reported == Ids{"m2", "m4"});
    CHECK(reason_of(marked, 1) == defect);
    CHECK(run(batch.get(), ProcessorHandle::borrow(bulk)).reported == Ids{"m2", "m3", "m4", "m5"});
}

TEST_CASE("SQS FIFO, the deadline under skip-group-on-error reports every message not started") {
    const SqsBatch batch(kReference, kFifoQueueArn);
    NearDeadline near;
    FailsOn<SqsMessage> per_record({"m1"}, near.slow_at("m2"));
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record),
                      near.options(FailurePolicy::kSkipGroupOnError), near.invocation);
    REQUIRE(r.status.is_ok());
    CHECK(per_record.seen == Ids{"m1", "m2"});
    CHECK(r.reported == Ids{"m1", "m3", "m4", "m5"});
    CHECK(r.report.left_at_deadline == 3);
}

// ---- Random batches against a model of the rules ------------------------------------------------

struct RandomSqsBatch {
    std::vector<TestMessage> messages;
    bool fifo = false;
    Identifiers failing;          // the plugin fails these
    std::vector<bool> defective;  // decode defects
    std::size_t slow = SIZE_MAX;  // handing this message out crosses the deadline margin
};

RandomSqsBatch random_batch(std::mt19937_64& rng) {
    RandomSqsBatch batch;
    const auto chance = [&rng](int percent) {
        return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
    };
    batch.fifo = chance(50);
    const std::size_t count = std::uniform_int_distribution<std::size_t>(0, 12)(rng);
    for (std::size_t i = 0; i < count; ++i) {
        // Standard queues may carry groups too (fair queues); FIFO messages always do.
        const bool grouped = batch.fifo || chance(20);
        const char group = static_cast<char>('A' + std::uniform_int_distribution<int>(0, 2)(rng));
        batch.messages.push_back({"m" + std::to_string(i), grouped ? std::string(1, group) : ""});
        if (chance(25))
            batch.failing.insert(batch.messages.back().id);
        batch.defective.push_back(chance(10));
    }
    if (count > 0 && chance(30))
        batch.slow = std::uniform_int_distribution<std::size_t>(0, count - 1)(rng);
    return batch;
}

// What the issue's rules say is reported, and (per record) handed out, written from the rules
// rather than from the runner: every message that did not succeed is reported; on a FIFO queue a
// failure reports every later message (skip-group-on-error: every later one of its group).
struct Expected {
    Ids reported;
    Ids handed_out;
};

Expected expected_per_record(const RandomSqsBatch& batch, FailurePolicy policy) {
    const bool stop = policy == FailurePolicy::kStopOnFirstFailure ||
                      (batch.fifo && policy == FailurePolicy::kReportAll);
    const bool by_group = policy == FailurePolicy::kSkipGroupOnError;
    Expected expected;
    std::set<std::string> held_groups;
    bool stopped = false, deadline = false;
    for (std::size_t i = 0; i < batch.messages.size(); ++i) {
        const TestMessage& message = batch.messages[i];
        if (stopped || deadline ||
            (by_group && !message.group.empty() && held_groups.contains(message.group))) {
            expected.reported.push_back(message.id);
            continue;
        }
        bool fails = batch.defective[i];
        if (!batch.defective[i]) {
            expected.handed_out.push_back(message.id);
            fails = batch.failing.contains(message.id);
            deadline = i == batch.slow;
        }
        if (!fails)
            continue;
        expected.reported.push_back(message.id);
        stopped = stop;
        if (by_group && !message.group.empty())
            held_groups.insert(message.group);
    }
    return expected;
}

Expected expected_batch_form(const RandomSqsBatch& batch, FailurePolicy policy) {
    const bool by_group = policy == FailurePolicy::kSkipGroupOnError;
    Expected expected;
    std::set<std::string> failed_groups;
    bool failed_before = false;
    for (std::size_t i = 0; i < batch.messages.size(); ++i) {
        const TestMessage& message = batch.messages[i];
        expected.handed_out.push_back(message.id);
        const bool fails = batch.defective[i] || batch.failing.contains(message.id);
        const bool held =
            batch.fifo && (by_group ? failed_groups.contains(message.group) : failed_before);
        if (fails || held)
            expected.reported.push_back(message.id);
        if (fails) {
            failed_before = true;
            failed_groups.insert(message.group);
        }
    }
    return expected;
}

TEST_CASE("SQS, random batches: every message that did not succeed is reported, as the rules say") {
    std::mt19937_64 rng(20261201);
    int held_by_group = 0, stopped_by_deadline = 0, held_in_batch_form = 0;
    for (int round = 0; round < 400; ++round) {
        const RandomSqsBatch random = random_batch(rng);
        SqsBatch batch(random.messages, random.fifo ? kFifoQueueArn : kStandardQueueArn);
        for (std::size_t i = 0; i < random.messages.size(); ++i) {
            if (random.defective[i])
                batch.with_defect(i, "Records[" + std::to_string(i) + "].body: defective");
        }
        for (const FailurePolicy policy : kAllPolicies) {
            INFO("round " << round << ", " << failure_policy_name(policy)
                          << (random.fifo ? ", FIFO" : ", standard"));
            NearDeadline near;
            const std::string slow_id =
                random.slow < random.messages.size() ? random.messages[random.slow].id : "";
            FailsOn<SqsMessage> per_record(random.failing, near.slow_at(slow_id));
            const Run r = run(batch.get(), ProcessorHandle::borrow(per_record),
                              near.options(policy), near.invocation);
            REQUIRE(r.status.is_ok());
            const Expected one_by_one = expected_per_record(random, policy);
            CHECK(r.reported == one_by_one.reported);
            CHECK(per_record.seen == one_by_one.handed_out);
            CHECK(r.report.succeeded + r.reported.size() == random.messages.size());
            held_by_group += static_cast<int>(r.report.skipped_after_failure > 0 &&
                                              policy == FailurePolicy::kSkipGroupOnError);
            stopped_by_deadline += static_cast<int>(r.report.left_at_deadline > 0);

            auto bulk = marks_failed<SqsMessage>(random.failing);
            const Run b = run(batch.get(), ProcessorHandle::borrow(bulk), with_policy(policy));
            REQUIRE(b.status.is_ok());
            CHECK(b.reported == expected_batch_form(random, policy).reported);
            CHECK(b.report.succeeded + b.reported.size() == random.messages.size());
            held_in_batch_form += static_cast<int>(b.report.skipped_after_failure > 0);
        }
    }
    // The random batches must have exercised each rule.
    CHECK(held_by_group > 20);
    CHECK(stopped_by_deadline > 20);
    CHECK(held_in_batch_form > 20);
}

// ---- Messages without a messageId ---------------------------------------------------------------

// Lambda fails the whole batch on an empty itemIdentifier, so kbatch must never write one: a
// message that must be reported without a messageId fails the invocation instead.

void check_unidentifiable(const Run& r, std::size_t index) {
    REQUIRE_FALSE(r.status.is_ok());
    CHECK(r.status.kind() == ErrorKind::kUnidentifiableFailure);
    CHECK_THAT(r.status.message(),
               Catch::StartsWith("Records[" + std::to_string(index) +
                                 "] failed and has no usable messageId to report, so the whole "
                                 "batch must be retried: "));
}

TEST_CASE("SQS, a message without a messageId that fails fails the invocation") {
    const SqsBatch batch({{"m1", ""}, {"", ""}, {"m3", ""}}, kStandardQueueArn);
    FailsOn<SqsMessage> per_record({""});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record));
    check_unidentifiable(r, 1);
    CHECK(r.status.message().ends_with("chosen to fail: "));

    auto bulk = marks_failed<SqsMessage>({""});
    check_unidentifiable(run(batch.get(), ProcessorHandle::borrow(bulk)), 1);
}

TEST_CASE("SQS, a message without a messageId that succeeds needs no identifier") {
    const SqsBatch batch({{"m1", ""}, {"", ""}, {"m3", ""}}, kStandardQueueArn);
    FailsOn<SqsMessage> per_record({"m3"});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record));
    REQUIRE(r.status.is_ok());
    CHECK(r.reported == Ids{"m3"});
}

TEST_CASE("SQS, a message without a messageId that a policy stops fails the invocation") {
    const SqsBatch batch({{"m1", ""}, {"", ""}, {"m3", ""}}, kStandardQueueArn);
    FailsOn<SqsMessage> per_record({"m1"});
    check_unidentifiable(run(batch.get(), ProcessorHandle::borrow(per_record),
                             with_policy(FailurePolicy::kStopOnFirstFailure)),
                         1);
    CHECK(per_record.seen == Ids{"m1"});
}

TEST_CASE("SQS FIFO, a message without a messageId held back by its group fails the invocation") {
    const SqsBatch batch({{"m1", "A"}, {"m2", "B"}, {"", "A"}}, kFifoQueueArn);
    for (const FailurePolicy policy : kAllPolicies) {
        INFO(failure_policy_name(policy));
        FailsOn<SqsMessage> per_record({"m1"});
        check_unidentifiable(
            run(batch.get(), ProcessorHandle::borrow(per_record), with_policy(policy)), 2);
        auto bulk = marks_failed<SqsMessage>({"m1"});
        check_unidentifiable(run(batch.get(), ProcessorHandle::borrow(bulk), with_policy(policy)),
                             2);
    }
}

TEST_CASE("SQS, no messageId on a message the deadline left: the invocation fails") {
    const SqsBatch batch({{"m1", ""}, {"m2", ""}, {"", ""}}, kStandardQueueArn);
    NearDeadline near;
    FailsOn<SqsMessage> per_record({}, near.slow_at("m2"));
    check_unidentifiable(run(batch.get(), ProcessorHandle::borrow(per_record),
                             near.options(FailurePolicy::kReportAll), near.invocation),
                         2);
    CHECK(per_record.seen == Ids{"m1", "m2"});
}

TEST_CASE("SQS, no messageId on a message a batch plugin left unmarked: the invocation fails") {
    const SqsBatch batch({{"m1", ""}, {"", ""}, {"m3", ""}}, kStandardQueueArn);
    ScriptedBatch<SqsMessage> bulk([](const Batch<SqsMessage>&, Outcomes& outcomes) {
        outcomes.succeeded(0);
        outcomes.succeeded(2);
    });
    const Run r = run(batch.get(), ProcessorHandle::borrow(bulk));
    check_unidentifiable(r, 1);
    CHECK(r.status.message().ends_with("the plugin marked no outcome for the record"));
}

TEST_CASE("SQS, a defect on a message without a messageId fails the invocation before any work") {
    SqsBatch batch({{"m1", ""}, {"", ""}, {"m3", ""}}, kStandardQueueArn);
    batch.with_defect(1, "Records[1].messageId: missing");
    FailsOn<SqsMessage> per_record({});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record));
    check_unidentifiable(r, 1);
    CHECK(r.status.message().ends_with("Records[1].messageId: missing"));
    CHECK(per_record.seen.empty());
    auto bulk = marks_failed<SqsMessage>({});
    check_unidentifiable(run(batch.get(), ProcessorHandle::borrow(bulk)), 1);
    CHECK(bulk.calls == 0);
}

}  // namespace
}  // namespace kbatch::test
