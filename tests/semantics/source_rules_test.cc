// The batch runner's rules beyond SQS (issue 13 points 1 and 3; design.md §3 and §9): DynamoDB
// Streams answers as Kinesis does (Lambda retries from the lowest reported sequence number),
// skip-group-on-error keeps each key's order on Kinesis and DynamoDB too, an event of a source the
// plugin does not handle is Kbatch.UnsupportedEventSource, and a batch-level plugin's outcomes
// are taken record by record, never taking silence, an exception or a decode defect for success.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "batch_runner.h"
#include "event_decoder.h"
#include "hand_built_batches.h"
#include "invocation_handler.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace kbatch::test {
namespace {

using namespace std::chrono_literals;
using Ids = std::vector<std::string>;

// The sequence numbers of records 1 to 5, shaped like DynamoDB's.
const std::string s1 = kt::sequence_number(1), s2 = kt::sequence_number(2),
                  s3 = kt::sequence_number(3), s4 = kt::sequence_number(4),
                  s5 = kt::sequence_number(5);

// Five records; the first, third and fifth change one item, the second and fourth another.
std::vector<TestStreamRecord> stream_records() {
    const std::string one = R"({"id":{"S":"order-1"}})", two = R"({"id":{"S":"order-2"}})";
    return {{s1, one}, {s2, two}, {s3, one}, {s4, two}, {s5, R"({"id":{"S":"order-3"}})"}};
}

std::vector<std::size_t> failed_indexes(const BatchReport& report) {
    std::vector<std::size_t> indexes;
    for (const RecordFailure& failure : report.failures)
        indexes.push_back(failure.index);
    return indexes;
}

// A Kinesis batch decoded from kt::event_json: `count` records, sequence_number(i) for record i.
struct KinesisBatch {
    EventDecoder decoder;
    explicit KinesisBatch(const std::vector<kt::TestRecord>& records) {
        REQUIRE(decoder.decode(kt::event_json(records)).is_ok());
    }
    explicit KinesisBatch(const std::string& event) { REQUIRE(decoder.decode(event).is_ok()); }
    const DecodedBatch& get() const { return decoder.batch(); }
};

// ---- DynamoDB Streams ---------------------------------------------------------------------------

TEST_CASE("DynamoDB, report-all reports every failed record by its SequenceNumber") {
    const DynamoDbBatch batch(stream_records());
    FailsOn<DynamoDbRecord> per_record({s2, s4});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record));
    REQUIRE(r.status.is_ok());
    CHECK(per_record.seen == Ids{s1, s2, s3, s4, s5});
    CHECK(r.reported == Ids{s2, s4});
    CHECK(r.report.succeeded == 3);
    CHECK(r.response ==
          R"({"batchItemFailures":[)"
          R"({"itemIdentifier":"49590338271490256608559692538361571095921575989136000002"},)"
          R"({"itemIdentifier":"49590338271490256608559692538361571095921575989136000004"}]})");
}

TEST_CASE("DynamoDB, stop-on-first-failure reports the failed record only") {
    // Lambda retries from the lowest reported sequence number: everything after it comes again.
    const DynamoDbBatch batch(stream_records());
    FailsOn<DynamoDbRecord> per_record({s2, s4});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record),
                      with_policy(FailurePolicy::kStopOnFirstFailure));
    REQUIRE(r.status.is_ok());
    CHECK(per_record.seen == Ids{s1, s2});
    CHECK(r.reported == Ids{s2});
    CHECK(r.report.skipped_after_failure == 3);
    CHECK(r.response == response_naming({s2}));
}

TEST_CASE(
    "DynamoDB, the deadline: report-all reports every record not started, "
    "stop-on-first-failure the first") {
    const DynamoDbBatch batch(stream_records());
    for (const auto& [policy, expected] :
         {std::pair{FailurePolicy::kReportAll, Ids{s3, s4, s5}},
          std::pair{FailurePolicy::kStopOnFirstFailure, Ids{s3}}}) {
        INFO(failure_policy_name(policy));
        kt::ManualClock clock;
        kt::TestInvocation invocation;
        invocation.deadline = clock.now() + 2s;
        invocation.time = &clock;
        RunOptions options = with_policy(policy);
        options.deadline_margin = 1500ms;
        FailsOn<DynamoDbRecord> per_record({}, [&](std::string_view id) {
            if (id == s2)
                clock.advance(501ms);
        });
        const Run r = run(batch.get(), ProcessorHandle::borrow(per_record), options, invocation);
        REQUIRE(r.status.is_ok());
        CHECK(per_record.seen == Ids{s1, s2});
        CHECK(r.reported == expected);
        CHECK(r.report.left_at_deadline == 3);
    }
}

TEST_CASE("DynamoDB, skip-group-on-error holds back the later records of the failed item") {
    const DynamoDbBatch batch(stream_records());
    FailsOn<DynamoDbRecord> per_record({s2});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record),
                      with_policy(FailurePolicy::kSkipGroupOnError));
    REQUIRE(r.status.is_ok());
    CHECK(per_record.seen == Ids{s1, s2, s3, s5});
    CHECK(r.reported == Ids{s2, s4});
    CHECK(reason_of(r, 3) == "not processed: an earlier record of its group failed");
}

TEST_CASE("DynamoDB, a batch-level plugin: what it fails or leaves unmarked, whatever the policy") {
    const DynamoDbBatch batch(stream_records());
    ScriptedBatch<DynamoDbRecord> bulk(
        [](const Batch<DynamoDbRecord>& records, Outcomes& outcomes) {
            for (std::size_t i = 0; i < records.size(); ++i) {
                if (i == 1)
                    outcomes.failed(i, "conditional check failed");
                else if (i != 3)
                    outcomes.succeeded(i);
            }
        });
    for (const FailurePolicy policy :
         {FailurePolicy::kReportAll, FailurePolicy::kStopOnFirstFailure,
          FailurePolicy::kSkipGroupOnError}) {
        INFO(failure_policy_name(policy));
        const Run r = run(batch.get(), ProcessorHandle::borrow(bulk), with_policy(policy));
        REQUIRE(r.status.is_ok());
        CHECK(r.reported == Ids{s2, s4});
        CHECK(r.report.unmarked == 1);
        CHECK(r.report.succeeded == 3);
    }
}

TEST_CASE("DynamoDB, a failed record without a usable SequenceNumber fails the invocation") {
    for (const std::string bad : {"", "not-a-number"}) {
        INFO('"' << bad << '"');
        const DynamoDbBatch batch({{s1}, {bad}, {s3}});
        FailsOn<DynamoDbRecord> succeeds({});
        CHECK(run(batch.get(), ProcessorHandle::borrow(succeeds)).status.is_ok());

        FailsOn<DynamoDbRecord> fails({bad});
        const Run r = run(batch.get(), ProcessorHandle::borrow(fails));
        REQUIRE_FALSE(r.status.is_ok());
        CHECK(r.status.kind() == ErrorKind::kUnidentifiableFailure);
        CHECK(r.status.message() ==
              "Records[1] failed and has no usable sequence number to report, so the whole batch "
              "must be retried: chosen to fail: " +
                  bad);
    }
}

TEST_CASE("DynamoDB, on-all-failed=error fails the invocation when nothing succeeded") {
    const DynamoDbBatch batch(stream_records());
    FailsOn<DynamoDbRecord> per_record({s1, s2, s3, s4, s5});
    RunOptions options;
    options.on_all_failed = AllFailedAction::kError;
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record), options);
    REQUIRE_FALSE(r.status.is_ok());
    CHECK(r.status.kind() == ErrorKind::kAllRecordsFailed);
}

// ---- Kinesis: skip-group-on-error -------------------------------------------------------------

TEST_CASE("Kinesis, skip-group-on-error holds back the later records of the failed partition key") {
    std::vector<kt::TestRecord> records = numbered_records(5);
    const char* keys[] = {"p1", "p2", "p1", "p2", "p3"};
    for (std::size_t i = 0; i < records.size(); ++i)
        records[i].partition_key = keys[i];
    const KinesisBatch batch(records);
    FailsOn<KinesisRecord> per_record({kt::sequence_number(1)});
    const Run r = run(batch.get(), ProcessorHandle::borrow(per_record),
                      with_policy(FailurePolicy::kSkipGroupOnError));
    REQUIRE(r.status.is_ok());
    CHECK(per_record.seen == Ids{kt::sequence_number(0), kt::sequence_number(1),
                                 kt::sequence_number(2), kt::sequence_number(4)});
    CHECK(failed_indexes(r.report) == std::vector<std::size_t>{1, 3});
    CHECK(r.report.skipped_after_failure == 1);
}

// ---- Kbatch.UnsupportedEventSource ------------------------------------------------------------

class KinesisAndSqs final : public Processor<KinesisRecord, SqsMessage> {
  public:
    Result process(const KinesisRecord&, const Context&) override {
        ++calls;
        return Result::ok();
    }
    Result process(const SqsMessage&, const Context&) override {
        ++calls;
        return Result::ok();
    }
    int calls = 0;
};

void check_unsupported(const Run& r, std::string_view message) {
    REQUIRE_FALSE(r.status.is_ok());
    CHECK(r.status.kind() == ErrorKind::kUnsupportedEventSource);
    CHECK(r.status.message() == message);
    CHECK(r.status.to_string() == "Kbatch.UnsupportedEventSource: " + std::string(message));
    CHECK(r.report.failures.empty());
    CHECK(r.report.processed == 0);
}

TEST_CASE("UnsupportedEventSource: a Kinesis-only processor given SQS messages") {
    const SqsBatch batch({{"m1", ""}, {"m2", ""}}, kStandardQueueArn);
    FailsOn<KinesisRecord> kinesis_only({});
    check_unsupported(run(batch.get(), ProcessorHandle::borrow(kinesis_only)),
                      R"(the event holds SQS records (eventSource "aws:sqs"), but the plugin )"
                      R"(handles Kinesis only)");
    CHECK(kinesis_only.seen.empty());
}

TEST_CASE("UnsupportedEventSource: an SQS-only processor given Kinesis records") {
    const KinesisBatch batch(numbered_records(3));
    FailsOn<SqsMessage> sqs_only({});
    check_unsupported(run(batch.get(), ProcessorHandle::borrow(sqs_only)),
                      R"(the event holds Kinesis records (eventSource "aws:kinesis"), but the )"
                      R"(plugin handles SQS only)");
    CHECK(sqs_only.seen.empty());

    // The same through the InvocationHandler the CLI and the runtime use: no response at all.
    InvocationHandler handler;
    kt::TestContext context;
    std::string response = "left over";
    const Status status =
        handler.handle(kt::event_json(numbered_records(3)), ProcessorHandle::borrow(sqs_only),
                       context.context(), &response);
    CHECK(status.kind() == ErrorKind::kUnsupportedEventSource);
    CHECK(response.empty());
    CHECK(sqs_only.seen.empty());
}

TEST_CASE("UnsupportedEventSource: the sources of a multi-source and a batch processor") {
    const DynamoDbBatch stream(stream_records());
    KinesisAndSqs two;
    check_unsupported(run(stream.get(), ProcessorHandle::borrow(two)),
                      R"(the event holds DynamoDB Streams records (eventSource "aws:dynamodb"), )"
                      R"(but the plugin handles Kinesis, SQS only)");
    CHECK(two.calls == 0);

    const SqsBatch queue({{"m1", ""}}, kStandardQueueArn);
    auto bulk = marks_failed<DynamoDbRecord>({});
    check_unsupported(run(queue.get(), ProcessorHandle::borrow(bulk)),
                      R"(the event holds SQS records (eventSource "aws:sqs"), but the plugin )"
                      R"(handles DynamoDB Streams only)");
    CHECK(bulk.calls == 0);

    // And the sources it does handle run.
    CHECK(run(queue.get(), ProcessorHandle::borrow(two)).status.is_ok());
    CHECK(two.calls == 1);
}

// ---- The batch-level form ---------------------------------------------------------------------

TEST_CASE("batch form: the plugin gets the whole batch in one call, in event order") {
    const KinesisBatch batch(numbered_records(4));
    Ids handed;
    ScriptedBatch<KinesisRecord> bulk([&](const Batch<KinesisRecord>& records, Outcomes& outcomes) {
        for (auto it = records.begin(); it != records.end(); ++it) {
            handed.emplace_back((*it).sequence_number());
            outcomes.succeeded(it.index());
        }
    });
    const Run r = run(batch.get(), ProcessorHandle::borrow(bulk));
    REQUIRE(r.status.is_ok());
    CHECK(bulk.calls == 1);
    CHECK(handed == Ids{kt::sequence_number(0), kt::sequence_number(1), kt::sequence_number(2),
                        kt::sequence_number(3)});
    CHECK(r.report.processed == 4);
    CHECK(r.report.succeeded == 4);
    CHECK(r.response == R"({"batchItemFailures":[]})");
}

TEST_CASE("batch form: unmarked records are reported failed, with a reason and a warning") {
    const KinesisBatch batch(numbered_records(4));
    ScriptedBatch<KinesisRecord> bulk([](const Batch<KinesisRecord>&, Outcomes& outcomes) {
        outcomes.succeeded(0);
        outcomes.failed(2, "throttled");
    });
    const Run r = run(batch.get(), ProcessorHandle::borrow(bulk));
    REQUIRE(r.status.is_ok());
    CHECK(failed_indexes(r.report) == std::vector<std::size_t>{1, 2, 3});
    CHECK(r.report.unmarked == 2);
    CHECK(r.report.succeeded == 1);
    CHECK(reason_of(r, 1) == "the plugin marked no outcome for the record");
    CHECK(reason_of(r, 2) == "throttled");
    CHECK(logged(r, LogLevel::kWarn) ==
          Ids{"the plugin left 2 of 4 records unmarked; they are reported failed"});
    CHECK(r.response == response_naming({kt::sequence_number(1), kt::sequence_number(2),
                                         kt::sequence_number(3)}));

    // Nothing marked at all: nothing succeeded.
    ScriptedBatch<KinesisRecord> silent([](const Batch<KinesisRecord>&, Outcomes&) {});
    RunOptions options;
    options.on_all_failed = AllFailedAction::kError;
    const Run none = run(batch.get(), ProcessorHandle::borrow(silent), options);
    REQUIRE_FALSE(none.status.is_ok());
    CHECK(none.status.kind() == ErrorKind::kAllRecordsFailed);
    CHECK(run(batch.get(), ProcessorHandle::borrow(silent)).report.unmarked == 4);
}

TEST_CASE(
    "batch form: an exception fails every unmarked record with its what(), keeps the marked") {
    const KinesisBatch batch(numbered_records(4));
    ScriptedBatch<KinesisRecord> throws_std([](const Batch<KinesisRecord>&, Outcomes& outcomes) {
        outcomes.succeeded(0);
        outcomes.failed(1, "rejected");
        throw std::runtime_error("bulk write failed");
    });
    const Run r = run(batch.get(), ProcessorHandle::borrow(throws_std));
    REQUIRE(r.status.is_ok());
    CHECK(failed_indexes(r.report) == std::vector<std::size_t>{1, 2, 3});
    CHECK(r.report.succeeded == 1);
    CHECK(reason_of(r, 1) == "rejected");
    CHECK(reason_of(r, 2) == "bulk write failed");
    CHECK(reason_of(r, 3) == "bulk write failed");

    ScriptedBatch<KinesisRecord> throws_other([](const Batch<KinesisRecord>&, Outcomes& outcomes) {
        outcomes.succeeded(3);
        throw 42;
    });
    const Run other = run(batch.get(), ProcessorHandle::borrow(throws_other));
    REQUIRE(other.status.is_ok());
    CHECK(failed_indexes(other.report) == std::vector<std::size_t>{0, 1, 2});
    CHECK(reason_of(other, 0) == "unknown exception");
    CHECK(other.report.succeeded == 1);
}

TEST_CASE("batch form: outcomes for indices beyond the batch are ignored and logged") {
    const KinesisBatch batch(numbered_records(4));
    ScriptedBatch<KinesisRecord> bulk([](const Batch<KinesisRecord>& records, Outcomes& outcomes) {
        for (std::size_t i = 0; i < records.size(); ++i)
            outcomes.succeeded(i);
        outcomes.succeeded(4);
        outcomes.failed(99, "no such record");
        outcomes.failed(std::numeric_limits<std::size_t>::max(), "nor this one");
    });
    const Run r = run(batch.get(), ProcessorHandle::borrow(bulk));
    REQUIRE(r.status.is_ok());
    CHECK(r.report.failures.empty());
    CHECK(r.report.succeeded == 4);
    CHECK(logged(r, LogLevel::kWarn) ==
          Ids{"the plugin marked 3 outcomes for records beyond the batch's 4; they were ignored"});
}

TEST_CASE("batch form: a record marked failed stays failed; a later failure wins over a success") {
    const KinesisBatch batch(numbered_records(4));
    ScriptedBatch<KinesisRecord> bulk([](const Batch<KinesisRecord>&, Outcomes& outcomes) {
        outcomes.failed(1, "first");
        outcomes.succeeded(1);
        outcomes.failed(1, "second");
        outcomes.succeeded(2);
        outcomes.failed(2, "after all");
        outcomes.succeeded(0);
        outcomes.succeeded(3);
    });
    const Run r = run(batch.get(), ProcessorHandle::borrow(bulk));
    REQUIRE(r.status.is_ok());
    CHECK(failed_indexes(r.report) == std::vector<std::size_t>{1, 2});
    CHECK(reason_of(r, 1) == "first");
    CHECK(reason_of(r, 2) == "after all");
    CHECK(r.report.succeeded == 2);
}

TEST_CASE("batch form: a record with a decode defect fails even if the plugin marks it succeeded") {
    std::vector<nlohmann::json> records;
    for (const kt::TestRecord& record : numbered_records(4))
        records.push_back(kt::record_json(record));
    records[1]["kinesis"]["data"] = "%%%%";
    const KinesisBatch batch(event_from_records(records));
    REQUIRE(batch.get().defects.size() == 1);
    auto bulk = marks_failed<KinesisRecord>({});
    const Run r = run(batch.get(), ProcessorHandle::borrow(bulk));
    REQUIRE(r.status.is_ok());
    CHECK(bulk.handed_over == 4);
    CHECK(failed_indexes(r.report) == std::vector<std::size_t>{1});
    CHECK(reason_of(r, 1) ==
          "Records[1].kinesis.data: not valid base64: invalid character '%' at offset 0");
    CHECK(r.report.succeeded == 3);
}

// Marks outcomes from several threads at once, as a thread-safe plugin may.
class MarksFromThreads final : public BatchProcessor<KinesisRecord> {
  public:
    static constexpr bool kThreadSafe = true;
    void process(const Batch<KinesisRecord>& batch, const Context&, Outcomes& outcomes) override {
        std::vector<std::thread> threads;
        for (std::size_t first = 0; first < kThreads; ++first) {
            threads.emplace_back([&batch, &outcomes, first] {
                for (std::size_t i = first; i < batch.size(); i += kThreads) {
                    if (i % 7 == 3)
                        outcomes.failed(i, "every seventh");
                    else
                        outcomes.succeeded(i);
                }
            });
        }
        for (std::thread& thread : threads)
            thread.join();
    }
    static constexpr std::size_t kThreads = 4;
};

TEST_CASE("batch form: a thread-safe plugin marks from several threads") {
    const KinesisBatch batch(numbered_records(1000));
    MarksFromThreads bulk;
    const ProcessorHandle handle = ProcessorHandle::borrow(bulk);
    REQUIRE((handle.traits().flags & kPluginThreadSafe) != 0);
    const Run r = run(batch.get(), handle);
    REQUIRE(r.status.is_ok());
    std::vector<std::size_t> expected;
    for (std::size_t i = 3; i < 1000; i += 7)
        expected.push_back(i);
    CHECK(failed_indexes(r.report) == expected);  // in event order, however marked
    CHECK(r.report.succeeded == 1000 - expected.size());
}

}  // namespace
}  // namespace kbatch::test
