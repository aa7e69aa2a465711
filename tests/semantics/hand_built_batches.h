// Batches of SQS messages and DynamoDB Streams records built by hand as DecodedBatch objects, and
// scripted processors of every form, for testing the batch runner's rules on each source apart
// from the decoders (which turn events into the same structs). Every processor here is driven as
// a plugin's shared object drives it: through ProcessorHandle::borrow and the SDK's adapter.
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kbatch/processor.hpp>
#include <kbatch/processor_handle.hpp>
#include <kbatch/testing.hpp>

#include "batch_runner.h"
#include "decoded_batch.h"
#include "response_writer.h"

namespace kbatch::test {

inline constexpr std::string_view kStandardQueueArn = "arn:aws:sqs:us-east-1:123456789012:orders";
inline constexpr std::string_view kFifoQueueArn = "arn:aws:sqs:us-east-1:123456789012:orders.fifo";
inline constexpr std::string_view kStreamArn =
    "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";

// ---- Batches ----------------------------------------------------------------------------------

/// One SQS message: its messageId, its MessageGroupId (empty on a standard queue), its body.
struct TestMessage {
    std::string id;
    std::string group;
    std::string body = "body";
};

/// The messages of one batch from the queue `queue_arn` (a FIFO queue's ends in ".fifo"), as the
/// decoder produces them: views into this object's own copies, so it is neither copied nor moved.
class SqsBatch {
  public:
    SqsBatch(std::vector<TestMessage> messages, std::string_view queue_arn)
        : messages_(std::move(messages)), queue_arn_(queue_arn) {
        batch_.source = Source::kSqs;
        for (const TestMessage& message : messages_) {
            SqsMessageFields fields;
            fields.message_id = message.id;
            fields.receipt_handle = "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a";
            fields.body = message.body;
            fields.event_source = "aws:sqs";
            fields.event_source_arn = queue_arn_;
            fields.aws_region = "us-east-1";
            fields.approximate_receive_count = "1";
            fields.message_group_id = message.group;
            batch_.sqs.push_back(fields);
        }
    }
    SqsBatch(const SqsBatch&) = delete;
    SqsBatch& operator=(const SqsBatch&) = delete;

    /// Gives message `index` a decode defect. Add them in index order, as the decoder does.
    SqsBatch& with_defect(std::size_t index, std::string reason) {
        batch_.defects.push_back(RecordDefect{index, std::move(reason)});
        return *this;
    }
    const DecodedBatch& get() const noexcept { return batch_; }

  private:
    std::vector<TestMessage> messages_;
    std::string queue_arn_;
    DecodedBatch batch_;
};

/// One DynamoDB Streams record: its SequenceNumber and its Keys (the item it changes) as text.
struct TestStreamRecord {
    std::string sequence_number;
    std::string keys = R"({"id":{"S":"1"}})";
};

/// The records of one DynamoDB Streams batch; views into its own copies, as SqsBatch.
class DynamoDbBatch {
  public:
    explicit DynamoDbBatch(std::vector<TestStreamRecord> records) : records_(std::move(records)) {
        batch_.source = Source::kDynamoDb;
        for (const TestStreamRecord& record : records_) {
            DynamoDbRecordFields fields;
            fields.event_id = "c81e728d9d4c2f636f067f89cc14862c";
            fields.event_name = "MODIFY";
            fields.event_version = "1.1";
            fields.event_source = "aws:dynamodb";
            fields.event_source_arn = kStreamArn;
            fields.aws_region = "us-east-1";
            fields.sequence_number = record.sequence_number;
            fields.keys = record.keys;
            fields.new_image = record.keys;
            fields.stream_view_type = "NEW_IMAGE";
            fields.approximate_creation = 1767225600;
            fields.size_bytes = 26;
            batch_.dynamodb.push_back(fields);
        }
    }
    DynamoDbBatch(const DynamoDbBatch&) = delete;
    DynamoDbBatch& operator=(const DynamoDbBatch&) = delete;

    DynamoDbBatch& with_defect(std::size_t index, std::string reason) {
        batch_.defects.push_back(RecordDefect{index, std::move(reason)});
        return *this;
    }
    const DecodedBatch& get() const noexcept { return batch_; }

  private:
    std::vector<TestStreamRecord> records_;
    DecodedBatch batch_;
};

// ---- Processors -------------------------------------------------------------------------------

using Identifiers = std::set<std::string, std::less<>>;

/// Per record: fails the records whose identifier is in `failing` ("chosen to fail: <id>"),
/// remembers the identifiers it was handed, in order, and first calls `on_record` (if any) with
/// each, e.g. to move a test's clock.
template <class Record>
class FailsOn final : public Processor<Record> {
  public:
    explicit FailsOn(Identifiers failing, std::function<void(std::string_view)> on_record = {})
        : failing_(std::move(failing)), on_record_(std::move(on_record)) {}
    Result process(const Record& record, const Context&) override {
        const std::string_view id = record.item_identifier();
        seen.emplace_back(id);
        if (on_record_)
            on_record_(id);
        if (failing_.contains(id))
            return Result::failure("chosen to fail: " + std::string(id));
        return Result::ok();
    }
    std::vector<std::string> seen;

  private:
    Identifiers failing_;
    std::function<void(std::string_view)> on_record_;
};

/// Whole batches: runs `script` on each, and counts the calls and the records handed over.
template <class Record>
class ScriptedBatch final : public BatchProcessor<Record> {
  public:
    using Script = std::function<void(const Batch<Record>&, Outcomes&)>;
    explicit ScriptedBatch(Script script) : script_(std::move(script)) {}
    void process(const Batch<Record>& batch, const Context&, Outcomes& outcomes) override {
        ++calls;
        handed_over += batch.size();
        script_(batch, outcomes);
    }
    int calls = 0;
    std::size_t handed_over = 0;

  private:
    Script script_;
};

/// A batch processor that marks the records whose identifier is in `failing` failed ("chosen to
/// fail: <id>") and every other one succeeded: the batch form of FailsOn.
template <class Record>
ScriptedBatch<Record> marks_failed(Identifiers failing) {
    return ScriptedBatch<Record>(
        [failing = std::move(failing)](const Batch<Record>& batch, Outcomes& outcomes) {
            for (auto it = batch.begin(); it != batch.end(); ++it) {
                const std::string_view id = (*it).item_identifier();
                if (failing.contains(id))
                    outcomes.failed(it.index(), "chosen to fail: " + std::string(id));
                else
                    outcomes.succeeded(it.index());
            }
        });
}

// ---- Running ----------------------------------------------------------------------------------

/// What run_batch came to, copied out of the report.
struct Run {
    Status status = Status::ok();
    BatchReport report;                 // views `batch`: valid while it lives
    std::vector<std::string> reported;  // the failures' identifiers, in report order
    std::vector<kbatch::testing::LogLine> log;
    std::string response;  // write_batch_response(report), when the status is ok
};

/// Runs `batch` through `processor` in an invocation of `invocation` (no deadline by default).
inline Run run(const DecodedBatch& batch, const ProcessorHandle& processor,
               const RunOptions& options = {},
               const kbatch::testing::TestInvocation& invocation = {}) {
    const kbatch::testing::TestContext context(invocation);
    Run result;
    result.status = run_batch(batch, processor, context.context(), options, result.report);
    for (const RecordFailure& failure : result.report.failures)
        result.reported.emplace_back(failure.identifier);
    result.log = context.log();
    if (result.status.is_ok())
        result.response = write_batch_response(result.report);
    return result;
}

inline RunOptions with_policy(FailurePolicy policy) {
    RunOptions options;
    options.policy = policy;
    return options;
}

/// The reason record `index` was reported failed with ("" if it was not reported).
inline std::string reason_of(const Run& run, std::size_t index) {
    for (const RecordFailure& failure : run.report.failures) {
        if (failure.index == index)
            return failure.reason;
    }
    return {};
}

/// The messages logged at `level`.
inline std::vector<std::string> logged(const Run& run, LogLevel level) {
    std::vector<std::string> messages;
    for (const kbatch::testing::LogLine& line : run.log) {
        if (line.level == level)
            messages.push_back(line.message);
    }
    return messages;
}

/// {"batchItemFailures":[{"itemIdentifier":"<id>"},...]}, written out by hand.
inline std::string response_naming(const std::vector<std::string>& identifiers) {
    std::string response = R"({"batchItemFailures":[)";
    for (std::size_t i = 0; i < identifiers.size(); ++i) {
        response += i == 0 ? "" : ",";
        response += R"({"itemIdentifier":")" + identifiers[i] + "\"}";
    }
    return response + "]}";
}

}  // namespace kbatch::test
