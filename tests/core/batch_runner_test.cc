// The batch runner with each stub plugin (real shared objects loaded the way the host loads
// them): records reach the plugin in event order, exceptions become failures, defect records are
// never handed to the plugin, and a failure that cannot be reported fails the invocation.
#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "batch_runner.h"
#include "event_decoder.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace {

using kt::TestRecord;

// What running one event came to. The failures' sequence-number views die with the decoder, so
// they are copied into `log` as "failed <sequence number>" lines.
struct Run {
    kbatch::Status status = kbatch::Status::ok();
    kbatch::BatchReport report;
    std::vector<std::string> log;  // what the plugin logged
};

Run run_event(const std::string& event, const kbatch::ProcessorHandle& processor) {
    kbatch::EventDecoder decoder;
    const kbatch::Status decoded = decoder.decode(event);
    INFO(decoded.to_string());
    REQUIRE(decoded.is_ok());
    kt::TestContext context;
    Run run;
    run.status = kbatch::run_batch(decoder.batch(), processor, context.context(), {}, run.report);
    for (const kt::LogLine& line : context.log())
        run.log.push_back(line.message);
    // The report views the decoder's buffers; copy the sequence numbers out before they go.
    for (auto& failure : run.report.failures) {
        run.log.push_back("failed " + std::string(failure.identifier));
    }
    return run;
}

Run run_stub(std::string_view stub, const std::vector<TestRecord>& records,
             nlohmann::json config = nlohmann::json::object()) {
    kt::Plugin plugin(kbatch::test::stub_path(stub), std::move(config));
    return run_event(kt::event_json(records), plugin.processor());
}

// The indices of the failures in a report.
std::vector<std::size_t> failed_indices(const kbatch::BatchReport& report) {
    std::vector<std::size_t> indices;
    for (const auto& failure : report.failures)
        indices.push_back(failure.index);
    return indices;
}

std::vector<std::string> failed_lines(const Run& run) {
    std::vector<std::string> lines;
    for (const std::string& line : run.log) {
        if (line.starts_with("failed "))
            lines.push_back(line.substr(7));
    }
    return lines;
}

// Counts the records it sees and fails none; remembers their sequence numbers.
class CountingProcessor final : public kbatch::RecordProcessor {
  public:
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        seen.emplace_back(record.sequence_number());
        return kbatch::Result::ok();
    }
    std::vector<std::string> seen;
};

}  // namespace

TEST_CASE("always_fails: every record fails, reported in event order with the plugin's reason") {
    // Sequence numbers deliberately not sorted: the report follows the event, not the numbers.
    const std::vector<TestRecord> records = {{"30", "a"}, {"4", "b"}, {"200", "c"}, {"1", "d"}};
    const Run run = run_stub("always_fails", records);
    REQUIRE(run.status.is_ok());
    CHECK(run.report.records == 4);
    CHECK(run.report.processed == 4);
    REQUIRE(run.report.failures.size() == 4);
    CHECK(failed_indices(run.report) == std::vector<std::size_t>{0, 1, 2, 3});
    CHECK(failed_lines(run) == std::vector<std::string>{"30", "4", "200", "1"});
    CHECK(run.report.failures[2].reason == "always_fails: 200");
}

TEST_CASE("never_fails: no failures, every record processed") {
    const Run run = run_stub("never_fails", kbatch::test::numbered_records(25));
    REQUIRE(run.status.is_ok());
    CHECK(run.report.records == 25);
    CHECK(run.report.processed == 25);
    CHECK(run.report.failures.empty());
}

TEST_CASE("fails_on_substring: exactly the records whose data holds the needle fail") {
    const std::vector<TestRecord> records = {
        {"1", "all good"}, {"2", "has poison inside"}, {"3", "POISON (other case)"},
        {"4", "poison"},   {"5", "poiso n"},
    };
    const Run run = run_stub("fails_on_substring", records, {{"needle", "poison"}});
    REQUIRE(run.status.is_ok());
    CHECK(run.report.processed == 5);
    CHECK(failed_lines(run) == std::vector<std::string>{"2", "4"});
    REQUIRE(run.report.failures.size() == 2);
    CHECK(run.report.failures[0].reason == "contains poison");
}

TEST_CASE("logs_records: the plugin sees every record once, in order, with decoded data") {
    const Run run = run_stub("logs_records", kbatch::test::numbered_records(3, "payload "));
    REQUIRE(run.status.is_ok());
    CHECK(run.log == std::vector<std::string>{
                         "stub_logs_records: " + kt::sequence_number(0) + " payload 0",
                         "stub_logs_records: " + kt::sequence_number(1) + " payload 1",
                         "stub_logs_records: " + kt::sequence_number(2) + " payload 2",
                     });
}

TEST_CASE("a std::exception from process fails that record with its what() and the batch goes on") {
    const auto records = kbatch::test::numbered_records(3);
    const Run run = run_stub("throws_runtime_error", records);
    REQUIRE(run.status.is_ok());
    CHECK(run.report.processed == 3);
    REQUIRE(run.report.failures.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(run.report.failures[i].index == i);
        CHECK(run.report.failures[i].reason == "boom: " + records[i].sequence_number);
    }
}

TEST_CASE("a non-std exception from process fails that record as \"unknown exception\"") {
    const Run run = run_stub("throws_non_std", kbatch::test::numbered_records(2));
    REQUIRE(run.status.is_ok());
    CHECK(run.report.processed == 2);
    REQUIRE(run.report.failures.size() == 2);
    CHECK(run.report.failures[0].reason == "unknown exception");
    CHECK(run.report.failures[1].reason == "unknown exception");
}

TEST_CASE("defect records fail with the decoder's reason and never reach the plugin") {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& r : kbatch::test::numbered_records(5)) {
        records.push_back(kt::record_json(r));
    }
    records[1]["kinesis"]["data"] = "%%%%";
    records[3]["kinesis"].erase("partitionKey");
    const std::string event = kbatch::test::event_from_records(records);

    CountingProcessor counting;
    const Run counted = run_event(event, kbatch::ProcessorHandle::borrow(counting));
    REQUIRE(counted.status.is_ok());
    CHECK(counting.seen == std::vector<std::string>{kt::sequence_number(0), kt::sequence_number(2),
                                                    kt::sequence_number(4)});
    CHECK(counted.report.records == 5);
    CHECK(counted.report.processed == 3);
    CHECK(failed_indices(counted.report) == std::vector<std::size_t>{1, 3});
    CHECK(counted.report.failures[0].reason ==
          "Records[1].kinesis.data: not valid base64: invalid character '%' at offset 0");
    CHECK(counted.report.failures[1].reason == "Records[3].kinesis.partitionKey: missing");

    // With a plugin that fails everything, defects and plugin failures interleave in event order.
    kt::Plugin plugin(kbatch::test::stub_path("always_fails"));
    const Run failing = run_event(event, plugin.processor());
    REQUIRE(failing.status.is_ok());
    CHECK(failing.report.processed == 3);
    CHECK(failed_indices(failing.report) == std::vector<std::size_t>{0, 1, 2, 3, 4});
    CHECK(failing.report.failures[1].reason.starts_with("Records[1].kinesis.data"));
    CHECK(failing.report.failures[2].reason == "always_fails: " + kt::sequence_number(2));
}

TEST_CASE("a defect without a usable sequence number fails the batch before any record runs") {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& r : kbatch::test::numbered_records(4)) {
        records.push_back(kt::record_json(r));
    }
    records[2]["kinesis"].erase("sequenceNumber");
    CountingProcessor counting;
    const Run run = run_event(kbatch::test::event_from_records(records),
                              kbatch::ProcessorHandle::borrow(counting));
    REQUIRE_FALSE(run.status.is_ok());
    CHECK(run.status.kind() == kbatch::ErrorKind::kUnidentifiableFailure);
    CHECK(run.status.message() ==
          "Records[2] failed and has no usable sequence number to report, so the whole batch must "
          "be retried: Records[2].kinesis.sequenceNumber: missing");
    CHECK(counting.seen.empty());
}

TEST_CASE("a batch built by hand: a failed record without a usable sequence number") {
    // The decoder never yields such a record without a defect, but run_batch does not rely on it.
    const std::string data = "x";
    auto make = [&](std::string_view sequence_number) {
        kbatch::KinesisRecordFields fields;
        fields.sequence_number = sequence_number;
        fields.partition_key = "p";
        fields.data = std::as_bytes(std::span(data));
        return fields;
    };
    kbatch::DecodedBatch batch;
    batch.kinesis = {make("1"), make("not-a-number"), make("3")};
    kt::TestContext context;
    kbatch::BatchReport report;

    // The plugin succeeds on it: nothing has to be reported, so nothing is wrong.
    kt::Plugin never(kbatch::test::stub_path("never_fails"));
    REQUIRE(kbatch::run_batch(batch, never.processor(), context.context(), {}, report).is_ok());
    CHECK(report.processed == 3);
    CHECK(report.failures.empty());

    // The plugin fails it: it cannot be reported, so the invocation fails.
    kt::Plugin always(kbatch::test::stub_path("always_fails"));
    const kbatch::Status status =
        kbatch::run_batch(batch, always.processor(), context.context(), {}, report);
    REQUIRE_FALSE(status.is_ok());
    CHECK(status.kind() == kbatch::ErrorKind::kUnidentifiableFailure);
    CHECK(status.message() ==
          "Records[1] failed and has no usable sequence number to report, so the whole batch must "
          "be retried: always_fails: not-a-number");
}

TEST_CASE("a reused report is cleared for each batch") {
    kt::Plugin plugin(kbatch::test::stub_path("always_fails"));
    kbatch::EventDecoder decoder;
    kt::TestContext context;
    kbatch::BatchReport report;
    REQUIRE(decoder.decode(kt::event_json(kbatch::test::numbered_records(7))).is_ok());
    REQUIRE(kbatch::run_batch(decoder.batch(), plugin.processor(), context.context(), {}, report)
                .is_ok());
    CHECK(report.failures.size() == 7);
    REQUIRE(decoder.decode(kt::event_json(kbatch::test::numbered_records(2))).is_ok());
    REQUIRE(kbatch::run_batch(decoder.batch(), plugin.processor(), context.context(), {}, report)
                .is_ok());
    CHECK(report.records == 2);
    CHECK(report.processed == 2);
    CHECK(failed_indices(report) == std::vector<std::size_t>{0, 1});
}

TEST_CASE("the plugin is given the invocation's context") {
    // Checked through a processor in the test: the request id and logger are the caller's.
    class ContextProbe final : public kbatch::RecordProcessor {
      public:
        kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context& ctx) override {
            ctx.logger().warn(std::string(ctx.request_id()));
            return ctx.remaining_time() == std::chrono::milliseconds::max()
                       ? kbatch::Result::ok()
                       : kbatch::Result::failure("unexpected deadline");
        }
    };
    ContextProbe probe;
    const Run run = run_event(kt::event_json(kbatch::test::numbered_records(1)),
                              kbatch::ProcessorHandle::borrow(probe));
    REQUIRE(run.status.is_ok());
    CHECK(run.report.failures.empty());
    CHECK(run.log == std::vector<std::string>{"test-request-id"});
}

TEST_CASE("the deadline guard stops at a margin crossed by less than a clock tick") {
    // Far from the margin the guard reads a coarse clock (a tick is a few milliseconds); near it,
    // the precise one. Record 3 returns as soon as the margin is crossed, by about a
    // millisecond: record 4 must not be handed out.
    class CrossesMarginAt final : public kbatch::RecordProcessor {
      public:
        explicit CrossesMarginAt(std::chrono::milliseconds margin) : margin_(margin) {}
        kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context& ctx) override {
            if (handed_out++ == 3) {
                while (ctx.remaining_time() >= margin_)
                    std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
            return kbatch::Result::ok();
        }
        std::size_t handed_out = 0;

      private:
        std::chrono::milliseconds margin_;
    };
    kbatch::EventDecoder decoder;
    REQUIRE(decoder.decode(kt::event_json(kbatch::test::numbered_records(50))).is_ok());
    kbatch::RunOptions options;
    options.deadline_margin = std::chrono::milliseconds(1000);
    kt::CapturingLogger logger;
    const kbatch::Context context(
        "req", kbatch::Context::Clock::now() + std::chrono::milliseconds(1300), "", "", logger);
    CrossesMarginAt processor(options.deadline_margin);
    kbatch::BatchReport report;
    REQUIRE(kbatch::run_batch(decoder.batch(), kbatch::ProcessorHandle::borrow(processor), context,
                              options, report)
                .is_ok());
    CHECK(processor.handed_out == 4);
    CHECK(report.left_at_deadline == 46);
    REQUIRE_FALSE(report.failures.empty());
    CHECK(report.failures.front().index == 4);
}
