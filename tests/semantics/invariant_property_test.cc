// The invariant, over random batches, random plugin outcomes and every option: each record is
// processed successfully, or reported failed, or the whole invocation fails; every reported
// identifier is a non-empty sequence number of the batch; under stop-on-first-failure exactly the
// first failure is reported and nothing after it reached the plugin.
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
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

// Decides each record's outcome from the record's data ("outcome <n>"), and logs what it saw.
class ScriptedProcessor final : public RecordProcessor {
  public:
    Result process(const KinesisRecord& record, const Context&) override {
        seen.emplace_back(record.sequence_number());
        switch (static_cast<Outcome>(record.text().back() - '0')) {
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

}  // namespace
}  // namespace kbatch::test
