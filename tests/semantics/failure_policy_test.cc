// Failure policies, the deadline guard and the all-failed action, on in-process processors.
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "batch_runner.h"
#include "event_decoder.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace kbatch::test {
namespace {

using namespace std::chrono_literals;

// Fails the records at the given indexes (read from the data "record <i>") and remembers which
// records it was handed.
class FailsAt final : public RecordProcessor {
  public:
    explicit FailsAt(std::vector<std::size_t> failing) : failing_(std::move(failing)) {}
    Result process(const KinesisRecord& record, const Context&) override {
        const std::size_t index = std::stoul(std::string(record.text().substr(7)));
        seen.push_back(index);
        for (const std::size_t failing : failing_) {
            if (failing == index)
                return Result::failure("chosen to fail");
        }
        return Result::ok();
    }
    std::vector<std::size_t> seen;

  private:
    std::vector<std::size_t> failing_;
};

// run_batch on a processor object of the test's, driven through the adapter a plugin's shared
// object uses (ProcessorHandle::borrow), as the host drives a loaded plugin.
template <class Processor>
Status run_batch(const DecodedBatch& batch, Processor& processor, const Context& context,
                 const RunOptions& options, BatchReport& report) {
    return kbatch::run_batch(batch, ProcessorHandle::borrow(processor), context, options, report);
}

std::vector<std::size_t> failed_indexes(const BatchReport& report) {
    std::vector<std::size_t> indexes;
    for (const RecordFailure& failure : report.failures)
        indexes.push_back(failure.index);
    return indexes;
}

struct Batch {
    EventDecoder decoder;
    explicit Batch(std::size_t count) {
        REQUIRE(decoder.decode(kt::event_json(numbered_records(count))).is_ok());
    }
    const DecodedBatch& get() const { return decoder.batch(); }
};

TEST_CASE("report-all processes every record and reports every failure") {
    Batch batch(8);
    FailsAt processor({2, 5});
    kt::TestContext context;
    BatchReport report;
    REQUIRE(run_batch(batch.get(), processor, context.context(), RunOptions{}, report).is_ok());
    CHECK(processor.seen == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(failed_indexes(report) == std::vector<std::size_t>{2, 5});
    CHECK(report.succeeded == 6);
    CHECK(report.skipped_after_failure == 0);
}

TEST_CASE("stop-on-first-failure reports the first failure and hands out nothing after it") {
    Batch batch(8);
    FailsAt processor({2, 5});
    kt::TestContext context;
    BatchReport report;
    RunOptions options;
    options.policy = FailurePolicy::kStopOnFirstFailure;
    REQUIRE(run_batch(batch.get(), processor, context.context(), options, report).is_ok());
    CHECK(processor.seen == std::vector<std::size_t>{0, 1, 2});
    CHECK(failed_indexes(report) == std::vector<std::size_t>{2});
    CHECK(report.failures[0].identifier == kt::sequence_number(2));
    CHECK(report.skipped_after_failure == 5);
}

TEST_CASE("stop-on-first-failure stops at a record that failed to decode, before the plugin") {
    std::vector<kt::TestRecord> records = numbered_records(4);
    nlohmann::json json = nlohmann::json::array();
    for (const kt::TestRecord& record : records)
        json.push_back(kt::record_json(record));
    json[1]["kinesis"]["data"] = "not base64!";
    EventDecoder decoder;
    REQUIRE(decoder.decode(event_from_records(json)).is_ok());
    FailsAt processor({});
    kt::TestContext context;
    BatchReport report;
    RunOptions options;
    options.policy = FailurePolicy::kStopOnFirstFailure;
    REQUIRE(run_batch(decoder.batch(), processor, context.context(), options, report).is_ok());
    CHECK(processor.seen == std::vector<std::size_t>{0});
    CHECK(failed_indexes(report) == std::vector<std::size_t>{1});
}

// Spends time on one record, moving the test's clock past the deadline guard's threshold.
class ConsumesTimeAt final : public RecordProcessor {
  public:
    ConsumesTimeAt(std::size_t index, std::chrono::milliseconds spent,
                   kbatch::testing::ManualClock& clock)
        : index_(index), spent_(spent), clock_(clock) {}
    Result process(const KinesisRecord& record, const Context&) override {
        ++handed_out;
        if (std::stoul(std::string(record.text().substr(7))) == index_)
            clock_.advance(spent_);
        return Result::ok();
    }
    std::size_t handed_out = 0;

  private:
    std::size_t index_;
    std::chrono::milliseconds spent_;
    kbatch::testing::ManualClock& clock_;
};

// An invocation with 2 s left on a clock the test moves, and a deadline margin of 1.5 s.
struct TwoSecondsLeft {
    RunOptions options = [] {
        RunOptions with_margin;
        with_margin.deadline_margin = 1500ms;
        return with_margin;
    }();
    kt::CapturingLogger logger;
    kbatch::testing::ManualClock clock;
    const Context context{"req", clock.now() + 2s, "", "", logger, &clock};
    BatchReport report;
};

TEST_CASE("the deadline guard stops handing out records and reports the rest as failed") {
    Batch batch(10);
    TwoSecondsLeft invocation;
    auto& [options, logger, clock, context, report] = invocation;
    // Record 3 leaves 1499 ms: one short of the margin.
    ConsumesTimeAt processor(3, 501ms, clock);

    SECTION("report-all reports every record not handed out") {
        REQUIRE(run_batch(batch.get(), processor, context, options, report).is_ok());
        CHECK(processor.handed_out == 4);
        CHECK(failed_indexes(report) == std::vector<std::size_t>{4, 5, 6, 7, 8, 9});
        CHECK(report.left_at_deadline == 6);
    }
    SECTION("stop-on-first-failure reports only the first of them") {
        options.policy = FailurePolicy::kStopOnFirstFailure;
        REQUIRE(run_batch(batch.get(), processor, context, options, report).is_ok());
        CHECK(processor.handed_out == 4);
        CHECK(failed_indexes(report) == std::vector<std::size_t>{4});
    }
    CHECK(report.failures.front().reason.find("deadline") != std::string::npos);
    REQUIRE(logger.lines().size() == 1);
    CHECK(logger.lines()[0].level == LogLevel::kWarn);
    CHECK(logger.lines()[0].message.find("1499 ms left (margin 1500 ms)") != std::string::npos);
    CHECK(logger.lines()[0].message.find("6 of 10 records were not processed") !=
          std::string::npos);
}

TEST_CASE("the deadline guard hands out a record with exactly the margin left") {
    Batch batch(3);
    TwoSecondsLeft invocation;
    auto& [options, logger, clock, context, report] = invocation;
    // After record 0, exactly 1500 ms are left: the margin is reached, not crossed.
    ConsumesTimeAt processor(0, 500ms, clock);
    REQUIRE(run_batch(batch.get(), processor, context, options, report).is_ok());
    CHECK(processor.handed_out == 3);
    CHECK(report.failures.empty());
    CHECK(context.remaining_time() == 1500ms);
}

TEST_CASE("a deadline already past hands out nothing") {
    Batch batch(3);
    kt::CapturingLogger logger;
    const Context context("req", Context::Clock::now() - 1s, "", "", logger);
    FailsAt processor({});
    BatchReport report;
    REQUIRE(run_batch(batch.get(), processor, context, RunOptions{}, report).is_ok());
    CHECK(processor.seen.empty());
    CHECK(failed_indexes(report) == std::vector<std::size_t>{0, 1, 2});
}

TEST_CASE("on-all-failed=error fails the invocation only when no record succeeded") {
    Batch batch(3);
    kt::TestContext context;
    BatchReport report;
    RunOptions options;
    options.on_all_failed = AllFailedAction::kError;

    FailsAt all({0, 1, 2});
    const Status status = run_batch(batch.get(), all, context.context(), options, report);
    REQUIRE_FALSE(status.is_ok());
    CHECK(status.kind() == ErrorKind::kAllRecordsFailed);
    CHECK(status.message().find("none of the 3 records succeeded") != std::string::npos);

    FailsAt all_but_one({0, 2});
    CHECK(run_batch(batch.get(), all_but_one, context.context(), options, report).is_ok());

    options.on_all_failed = AllFailedAction::kReport;
    REQUIRE(run_batch(batch.get(), all, context.context(), options, report).is_ok());
    CHECK(failed_indexes(report) == std::vector<std::size_t>{0, 1, 2});

    // Stopping at a failing first record means nothing succeeded either.
    options = RunOptions{FailurePolicy::kStopOnFirstFailure, kDefaultDeadlineMargin,
                         AllFailedAction::kError};
    FailsAt first({0});
    CHECK(run_batch(batch.get(), first, context.context(), options, report).kind() ==
          ErrorKind::kAllRecordsFailed);
}

TEST_CASE("an empty batch succeeds under every option") {
    EventDecoder decoder;
    REQUIRE(decoder.decode(R"({"Records":[]})").is_ok());
    FailsAt processor({});
    kt::TestContext context;
    BatchReport report;
    for (const FailurePolicy policy :
         {FailurePolicy::kReportAll, FailurePolicy::kStopOnFirstFailure}) {
        const RunOptions options{policy, kDefaultDeadlineMargin, AllFailedAction::kError};
        CHECK(run_batch(decoder.batch(), processor, context.context(), options, report).is_ok());
        CHECK(report.failures.empty());
    }
}

}  // namespace
}  // namespace kbatch::test
