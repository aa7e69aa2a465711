// kbatch plugin SDK: helpers for testing a plugin (with Catch2 or any framework). Header-only,
// like the rest of the SDK: a plugin's tests link no kbatch library.
//
//   #include <kbatch/testing.hpp>
//   namespace kt = kbatch::testing;
//
//   kt::Plugin plugin("build/libjson_check.so", {{"required_fields", {"id"}}});
//   const kt::BatchOutcome outcome =
//       kt::run_batch(plugin.processor(), {{"1", R"({"id": 7})"}, {"2", "not json"}});
//   CHECK(outcome.failed_sequence_numbers() == std::vector<std::string>{"2"});
//   CHECK(outcome.response().dump() == R"({"batchItemFailures":[{"itemIdentifier":"2"}]})");
//
// - TestRecord is a record made of plain values, its payload unencoded; event_json() turns records
//   into the Lambda event that `kbatch invoke --data-file` and the host read.
// - run_batch() calls process() on each record in event order, as the host does in its default
//   failure mode (report-all): every record is processed, and an exception fails its record with
//   its what(). It returns each record's outcome, the response Lambda would get, and the log.
// - TestContext is the Context of one invocation (TestInvocation) with a logger that keeps every
//   line, for calling process() by hand with a RecordView.
// - Plugin loads a built plugin .so with the host's own sequence (kbatch/detail/plugin_loading.hpp:
//   the ABI version check, then the factory), so the test covers the very shared object that
//   ships and a plugin the host would refuse fails here with the host's message. A processor class
//   the test can see may instead be constructed directly: MyProcessor
//   p(kbatch::PluginConfig(json)).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/dll/shared_library.hpp>
#include <nlohmann/json.hpp>

#include "kbatch/context.hpp"
#include "kbatch/detail/plugin_loading.hpp"
#include "kbatch/dynamodb_record.hpp"
#include "kbatch/logger.hpp"
#include "kbatch/plugin.hpp"
#include "kbatch/plugin_config.hpp"
#include "kbatch/processor_handle.hpp"
#include "kbatch/record.hpp"
#include "kbatch/result.hpp"
#include "kbatch/sqs.hpp"

namespace kbatch::testing {

// ---- Records and events -----------------------------------------------------------------------

/// Standard base64 (RFC 4648, '=' padding), as Kinesis encodes record data in an event.
inline std::string base64_encode(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto byte = [&bytes](std::size_t i) -> std::uint32_t {
        return static_cast<unsigned char>(bytes[i]);
    };
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t left = bytes.size() - i;
        const std::uint32_t group =
            byte(i) << 16 | (left > 1 ? byte(i + 1) << 8 : 0) | (left > 2 ? byte(i + 2) : 0);
        out += kAlphabet[group >> 18 & 63];
        out += kAlphabet[group >> 12 & 63];
        out += left > 1 ? kAlphabet[group >> 6 & 63] : '=';
        out += left > 2 ? kAlphabet[group & 63] : '=';
    }
    return out;
}

/// A 56-digit sequence number that grows with `index` (below 1,000,000), shaped like Kinesis's.
inline std::string sequence_number(std::size_t index) {
    std::string digits = std::to_string(index);
    if (digits.size() < 6)
        digits.insert(0, 6 - digits.size(), '0');
    return "49590338271490256608559692538361571095921575989136" + digits;
}

/// One Kinesis record from plain values. Only the first two usually matter:
///   kbatch::testing::TestRecord{"101", R"({"id": 1})"}
/// The other fields hold what Lambda typically sends. Strings other than `data` must be UTF-8
/// (they go into JSON as text); `data` may be any bytes.
struct TestRecord {
    std::string sequence_number;
    std::string data;  // the payload, not encoded
    std::string partition_key = "partition-key-1";
    double approximate_arrival = 1700000000.5;  // seconds since the epoch
    std::string encryption_type = "NONE";       // empty: the field is left out
    std::string shard_id = "shardId-000000000000";
    std::string event_source_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/kbatch-test";
    std::string aws_region = "us-east-1";
};

/// Records with sequence_number(1), sequence_number(2), ... and the given payloads.
inline std::vector<TestRecord> records_from_payloads(const std::vector<std::string>& payloads) {
    std::vector<TestRecord> records;
    for (std::size_t i = 0; i < payloads.size(); ++i)
        records.push_back(TestRecord{sequence_number(i + 1), payloads[i]});
    return records;
}

/// The fixed fields of every record, as Lambda writes them.
inline constexpr std::string_view kEventSource = "aws:kinesis";
inline constexpr std::string_view kEventName = "aws:kinesis:record";
inline constexpr std::string_view kEventVersion = "1.0";
inline constexpr std::string_view kKinesisSchemaVersion = "1.0";
inline constexpr std::string_view kInvokeIdentityArn = "arn:aws:iam::123456789012:role/kbatch-test";

/// The record as the plugin sees it in process(), for calling a processor by hand.
///
/// Lifetime: holds views into `record`, which must outlive it unchanged; the KinesisRecord it
/// hands out is valid while both live. Not copyable, because it points into itself.
class RecordView {
  public:
    explicit RecordView(const TestRecord& record)
        : event_id_(record.shard_id + ":" + record.sequence_number) {
        fields_.sequence_number = record.sequence_number;
        fields_.partition_key = record.partition_key;
        fields_.data = std::as_bytes(std::span(record.data.data(), record.data.size()));
        fields_.approximate_arrival = record.approximate_arrival;
        fields_.encryption_type = record.encryption_type;
        fields_.kinesis_schema_version = kKinesisSchemaVersion;
        fields_.event_id = event_id_;
        fields_.event_name = kEventName;
        fields_.event_source = kEventSource;
        fields_.event_source_arn = record.event_source_arn;
        fields_.event_version = kEventVersion;
        fields_.invoke_identity_arn = kInvokeIdentityArn;
        fields_.aws_region = record.aws_region;
    }
    RecordView(const RecordView&) = delete;
    RecordView& operator=(const RecordView&) = delete;

    KinesisRecord record() const noexcept { return KinesisRecord(fields_); }

  private:
    std::string event_id_;  // "<shard id>:<sequence number>", as Lambda writes eventID
    KinesisRecordFields fields_;
};

/// One element of the event's "Records" array, every field present as Lambda sends it, as any
/// nlohmann JSON type: nlohmann::ordered_json keeps the fields in the order Lambda writes them
/// (nlohmann::json sorts its keys), for an event that reads like one Lambda sent.
template <typename Json>
Json basic_record_json(const TestRecord& record) {
    Json kinesis = {
        {"kinesisSchemaVersion", kKinesisSchemaVersion},
        {"partitionKey", record.partition_key},
        {"sequenceNumber", record.sequence_number},
        {"data", base64_encode(record.data)},
        {"approximateArrivalTimestamp", record.approximate_arrival},
    };
    if (!record.encryption_type.empty())
        kinesis["encryptionType"] = record.encryption_type;
    return Json{
        {"kinesis", std::move(kinesis)},
        {"eventSource", kEventSource},
        {"eventVersion", kEventVersion},
        {"eventID", record.shard_id + ":" + record.sequence_number},
        {"eventName", kEventName},
        {"invokeIdentityArn", kInvokeIdentityArn},
        {"awsRegion", record.aws_region},
        {"eventSourceARN", record.event_source_arn},
    };
}

/// One element of the event's "Records" array, every field present as Lambda sends it.
inline nlohmann::json record_json(const TestRecord& record) {
    return basic_record_json<nlohmann::json>(record);
}

/// The whole Kinesis event, {"Records":[...]}, serialized: what Lambda posts to the function.
inline std::string event_json(const std::vector<TestRecord>& records) {
    nlohmann::json array = nlohmann::json::array();
    for (const TestRecord& record : records)
        array.push_back(record_json(record));
    return nlohmann::json{{"Records", std::move(array)}}.dump();
}

// ---- SQS and DynamoDB Streams records ---------------------------------------------------------

/// One SQS message from plain values; only the first two usually matter:
///   kbatch::testing::TestSqsMessage{"m1", R"({"id": 1})"}
/// A message with a message_group_id comes from a FIFO queue (queue_arn gains ".fifo" unless it
/// ends so already), with SequenceNumber and MessageDeduplicationId set as SQS sets them.
struct TestSqsMessage {
    std::string message_id{};
    std::string body{};              // the text as sent
    std::string message_group_id{};  // FIFO only; empty for a standard queue
    std::string queue_arn = "arn:aws:sqs:us-east-1:123456789012:kbatch-test";
    std::string aws_region = "us-east-1";
    std::string approximate_receive_count = "1";
    std::string sent_timestamp = "1700000000000";
    /// String message attributes, name to value.
    std::map<std::string, std::string> string_attributes{};

    bool fifo() const { return !message_group_id.empty(); }
    std::string arn() const {
        return fifo() && !queue_arn.ends_with(".fifo") ? queue_arn + ".fifo" : queue_arn;
    }
};

/// One element of an SQS event's "Records" array, as Lambda writes it (md5OfBody is left empty:
/// kbatch does not check it).
inline nlohmann::ordered_json sqs_message_json(const TestSqsMessage& message) {
    nlohmann::ordered_json attributes = {
        {"ApproximateReceiveCount", message.approximate_receive_count},
        {"SentTimestamp", message.sent_timestamp},
        {"SenderId", "AIDAIENQZJOLO23YVJ4VO"},
        {"ApproximateFirstReceiveTimestamp", message.sent_timestamp},
    };
    if (message.fifo()) {
        attributes["SequenceNumber"] = "18849496460467696128";
        attributes["MessageGroupId"] = message.message_group_id;
        attributes["MessageDeduplicationId"] = "dedup-" + message.message_id;
    }
    nlohmann::ordered_json message_attributes = nlohmann::ordered_json::object();
    for (const auto& [name, value] : message.string_attributes) {
        message_attributes[name] = {{"stringValue", value},
                                    {"stringListValues", nlohmann::ordered_json::array()},
                                    {"binaryListValues", nlohmann::ordered_json::array()},
                                    {"dataType", "String"}};
    }
    return {
        {"messageId", message.message_id},
        {"receiptHandle", "AQEB" + message.message_id},
        {"body", message.body},
        {"attributes", std::move(attributes)},
        {"messageAttributes", std::move(message_attributes)},
        {"md5OfBody", ""},
        {"eventSource", "aws:sqs"},
        {"eventSourceARN", message.arn()},
        {"awsRegion", message.aws_region},
    };
}

/// The whole SQS event, {"Records":[...]}, serialized.
inline std::string sqs_event_json(const std::vector<TestSqsMessage>& messages) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const TestSqsMessage& message : messages)
        array.push_back(sqs_message_json(message));
    return nlohmann::ordered_json{{"Records", std::move(array)}}.dump();
}

/// One DynamoDB Streams record from plain values; keys and images are JSON text in DynamoDB's
/// typed form ("" leaves the image out):
///   kbatch::testing::TestDynamoDbRecord{"111", "INSERT", R"({"Id":{"N":"1"}})",
///                                       R"({"Id":{"N":"1"},"Name":{"S":"Ann"}})"}
struct TestDynamoDbRecord {
    std::string sequence_number{};
    std::string event_name = "INSERT";  // INSERT, MODIFY or REMOVE
    std::string keys = "{}";
    std::string new_image{};
    std::string old_image{};
    std::string stream_view_type = "NEW_AND_OLD_IMAGES";
    double approximate_creation = 1700000000;
    std::string stream_arn =
        "arn:aws:dynamodb:us-east-1:123456789012:table/kbatch-test/stream/2026-01-01T00:00:00.000";
    std::string aws_region = "us-east-1";
};

/// One element of a DynamoDB Streams event's "Records" array, as Lambda writes it.
inline nlohmann::ordered_json dynamodb_record_json(const TestDynamoDbRecord& record) {
    const auto parse = [](const std::string& text) { return nlohmann::ordered_json::parse(text); };
    nlohmann::ordered_json dynamodb = {
        {"ApproximateCreationDateTime", record.approximate_creation},
        {"Keys", parse(record.keys)},
    };
    if (!record.new_image.empty())
        dynamodb["NewImage"] = parse(record.new_image);
    if (!record.old_image.empty())
        dynamodb["OldImage"] = parse(record.old_image);
    dynamodb["SequenceNumber"] = record.sequence_number;
    dynamodb["SizeBytes"] = record.keys.size() + record.new_image.size() + record.old_image.size();
    dynamodb["StreamViewType"] = record.stream_view_type;
    return {
        {"eventID", "event-" + record.sequence_number},
        {"eventName", record.event_name},
        {"eventVersion", "1.1"},
        {"eventSource", "aws:dynamodb"},
        {"awsRegion", record.aws_region},
        {"dynamodb", std::move(dynamodb)},
        {"eventSourceARN", record.stream_arn},
    };
}

/// The whole DynamoDB Streams event, {"Records":[...]}, serialized.
inline std::string dynamodb_event_json(const std::vector<TestDynamoDbRecord>& records) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const TestDynamoDbRecord& record : records)
        array.push_back(dynamodb_record_json(record));
    return nlohmann::ordered_json{{"Records", std::move(array)}}.dump();
}

// ---- Configuration ----------------------------------------------------------------------------

/// An environment for PluginConfig made of exactly `variables`, so that a test does not depend
/// on the shell it runs in: PluginConfig(json, kbatch::testing::environment({{"TABLE", "t"}})).
inline PluginConfig::EnvLookup environment(std::map<std::string, std::string> variables) {
    return [variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
        const auto found = variables.find(std::string(name));
        if (found == variables.end())
            return std::nullopt;
        return found->second;
    };
}

// ---- Logging ----------------------------------------------------------------------------------

struct LogLine {
    LogLevel level;
    std::string message;
};

/// A logger that keeps every line, at every level.
class CapturingLogger final : public Logger {
  public:
    bool enabled(LogLevel) const noexcept override { return true; }
    void log(LogLevel level, std::string_view message) noexcept override {
        try {
            lines_.push_back(LogLine{level, std::string(message)});
        } catch (...) {
            // Logging must not throw (the interface is noexcept); a line lost to a failed
            // allocation is the lesser harm.
        }
    }

    const std::vector<LogLine>& lines() const noexcept { return lines_; }

  private:
    std::vector<LogLine> lines_;
};

// ---- Running a processor ----------------------------------------------------------------------

/// What one record came to.
struct RecordOutcome {
    std::string sequence_number;
    bool failed = false;
    std::string reason;  // why it failed; empty for a success
};

/// What a batch came to, in event order.
struct BatchOutcome {
    std::vector<RecordOutcome> records;  // one per record, in event order
    std::vector<LogLine> log;            // what the processor logged through ctx.logger()

    /// The failed records' sequence numbers, in event order.
    std::vector<std::string> failed_sequence_numbers() const {
        std::vector<std::string> failed;
        for (const RecordOutcome& record : records) {
            if (record.failed)
                failed.push_back(record.sequence_number);
        }
        return failed;
    }

    /// Why the first record with `sequence_number` failed; nullopt if none failed.
    std::optional<std::string> reason(std::string_view sequence_number) const {
        for (const RecordOutcome& record : records) {
            if (record.failed && record.sequence_number == sequence_number)
                return record.reason;
        }
        return std::nullopt;
    }

    /// The response Lambda would get: {"batchItemFailures":[{"itemIdentifier":"..."}]}, each
    /// failed sequence number once, in event order (the host reports a repeated one once).
    nlohmann::json response() const {
        nlohmann::json failures = nlohmann::json::array();
        std::vector<std::string> seen;
        for (const std::string& sequence_number : failed_sequence_numbers()) {
            if (std::find(seen.begin(), seen.end(), sequence_number) != seen.end())
                continue;
            seen.push_back(sequence_number);
            failures.push_back({{"itemIdentifier", sequence_number}});
        }
        return {{"batchItemFailures", std::move(failures)}};
    }

    /// The messages logged at `level`, in order.
    std::vector<std::string> messages(LogLevel level) const {
        std::vector<std::string> found;
        for (const LogLine& line : log) {
            if (line.level == level)
                found.push_back(line.message);
        }
        return found;
    }
};

/// A clock that stands still until the test moves it: Context::now() and remaining_time() read
/// it, so time-dependent code is tested exactly and without sleeping.
///
///   kt::ManualClock clock;                       // starts at 2026-01-01T00:00:00Z
///   kt::TestInvocation invocation;
///   invocation.deadline = clock.now() + 3s;
///   invocation.time = &clock;                    // a processor may call clock.advance(...)
///
/// Thread safety: none; move it from one thread.
class ManualClock final : public TimeSource {
  public:
    explicit ManualClock(Context::Clock::time_point start =
                             Context::Clock::time_point(std::chrono::seconds(1767225600)))
        : now_(start) {}
    Context::Clock::time_point now() const noexcept { return now_; }
    std::int64_t now_ns() const noexcept override {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(now_.time_since_epoch())
            .count();
    }
    void advance(Context::Clock::duration by) noexcept { now_ += by; }
    void set(Context::Clock::time_point to) noexcept { now_ = to; }

  private:
    Context::Clock::time_point now_;
};

/// The invocation run_batch() or a TestContext pretends to be part of.
struct TestInvocation {
    std::string request_id = "test-request-id";
    Context::Clock::time_point deadline = Context::Clock::time_point::max();  // max(): none
    std::string function_arn = "arn:aws:lambda:us-east-1:123456789012:function:kbatch-test";
    std::string trace_id = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    const TimeSource* time = nullptr;  // the clock the context reads; null: the system clock
};
/// The old name, which collided with the runtime's own Invocation types; kept so that existing
/// tests still compile, with a warning.
using Invocation [[deprecated("renamed TestInvocation")]] = TestInvocation;

/// The Context of `invocation`, whose logger keeps every line: for calling a processor by hand.
///
///   kt::TestContext ctx;
///   const kt::TestRecord record{"1", "payload"};
///   const kt::RecordView view(record);
///   const kbatch::Result result = processor.process(view.record(), ctx.context());
///   CHECK(ctx.log().empty());
///
/// Lifetime: context() views this object's own copy of the invocation and its logger, so it is
/// valid while this object lives. Not copyable, because it points into itself.
class TestContext {
  public:
    explicit TestContext(TestInvocation invocation = TestInvocation())
        : invocation_(std::move(invocation)),
          context_(invocation_.request_id, invocation_.deadline, invocation_.function_arn,
                   invocation_.trace_id, logger_, invocation_.time) {}
    TestContext(const TestContext&) = delete;
    TestContext& operator=(const TestContext&) = delete;

    const Context& context() const noexcept { return context_; }
    /// What was logged through context().logger(), in order.
    const std::vector<LogLine>& log() const noexcept { return logger_.lines(); }

  private:
    TestInvocation invocation_;  // the strings context_ views
    CapturingLogger logger_;     // declared before context_, which refers to it
    Context context_;
};

namespace run_detail {

/// Collects the outcomes a processor marks, one per record.
class OutcomeCollector final : public OutcomeSink {
  public:
    /// `outcome` holds one RecordOutcome per record already.
    explicit OutcomeCollector(BatchOutcome& outcome)
        : outcome_(outcome), marked_(outcome.records.size(), false) {}
    void succeeded(std::size_t index) noexcept override {
        if (index < outcome_.records.size() && !marked(index))
            marked_[index] = true;
    }
    void failed(std::size_t index, std::string_view reason) noexcept override {
        if (index >= outcome_.records.size() || outcome_.records[index].failed)
            return;
        marked_[index] = true;
        outcome_.records[index].failed = true;
        try {
            outcome_.records[index].reason.assign(reason);
        } catch (...) {
        }
    }
    void fail_unmarked(std::string_view reason) noexcept override {
        for (std::size_t index = 0; index < outcome_.records.size(); ++index) {
            if (!marked(index))
                failed(index, reason);
        }
    }
    /// Fails what was left unmarked, as the host does.
    void finish() noexcept { fail_unmarked("the plugin marked no outcome for the record"); }

  private:
    bool marked(std::size_t index) const { return marked_[index]; }

    BatchOutcome& outcome_;
    std::vector<bool> marked_;
};

/// Runs `processor` over `fields` (one source's records) as the host does in report-all mode.
template <class Fields>
BatchOutcome run_fields(const ProcessorHandle& processor, Source source,
                        const std::vector<Fields>& fields,
                        const std::vector<std::string>& identifiers,
                        const TestInvocation& invocation) {
    if (!processor.handles(source)) {
        throw std::invalid_argument(std::string("the processor does not handle ") +
                                    std::string(source_name(source)) + " records (it handles " +
                                    source_names(processor.traits().sources) + ")");
    }
    const TestContext context(invocation);
    BatchOutcome outcome;
    for (const std::string& identifier : identifiers)
        outcome.records.push_back(RecordOutcome{identifier, false, {}});
    BatchView view;
    view.source = source;
    view.records = fields.data();
    view.count = fields.size();
    view.record_size = sizeof(Fields);
    OutcomeCollector collector(outcome);
    if (processor.traits().form == ProcessingForm::kBatch) {
        processor.instance().process_batch(view, context.context().view(), collector);
    } else {
        for (std::size_t index = 0; index < fields.size(); ++index)
            processor.instance().process_record(view, index, context.context().view(), collector);
    }
    collector.finish();
    outcome.log = context.log();
    return outcome;
}

}  // namespace run_detail

/// Runs `processor` over `records` in order, in this process, as the host does in report-all
/// mode: every record is processed; Result::failure or an exception (its what(), or "unknown
/// exception") fails the record; a batch processor's unmarked records fail.
inline BatchOutcome run_batch(const ProcessorHandle& processor,
                              const std::vector<TestRecord>& records,
                              const TestInvocation& invocation = TestInvocation()) {
    std::vector<std::unique_ptr<RecordView>> views;
    std::vector<KinesisRecordFields> fields;
    std::vector<std::string> identifiers;
    for (const TestRecord& record : records) {
        views.push_back(std::make_unique<RecordView>(record));
        fields.push_back(views.back()->record().fields());
        identifiers.push_back(record.sequence_number);
    }
    return run_detail::run_fields(processor, Source::kKinesis, fields, identifiers, invocation);
}

/// run_batch() for SQS messages (a separate name, so that a braced list of records stays
/// unambiguous). Every message is processed (the FIFO
/// rule, which stops a FIFO batch at its first failure, is the host's: `kbatch invoke` shows it).
inline BatchOutcome run_sqs_batch(const ProcessorHandle& processor,
                                  const std::vector<TestSqsMessage>& messages,
                                  const TestInvocation& invocation = TestInvocation()) {
    std::vector<std::string> arns;
    std::vector<SqsMessageFields> fields;
    std::vector<std::string> identifiers;
    arns.reserve(messages.size());
    for (const TestSqsMessage& message : messages) {
        arns.push_back(message.arn());
        SqsMessageFields& f = fields.emplace_back();
        f.message_id = message.message_id;
        f.receipt_handle = message.message_id;
        f.body = message.body;
        f.event_source = "aws:sqs";
        f.event_source_arn = arns.back();
        f.aws_region = message.aws_region;
        f.approximate_receive_count = message.approximate_receive_count;
        f.sent_timestamp = message.sent_timestamp;
        f.approximate_first_receive_timestamp = message.sent_timestamp;
        f.message_group_id = message.message_group_id;
        identifiers.push_back(message.message_id);
    }
    // String attributes as views of the messages' own map.
    std::vector<std::vector<SqsMessageAttribute>> attributes(messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
        for (const auto& [name, value] : messages[i].string_attributes)
            attributes[i].push_back(SqsMessageAttribute{name, "String", value, {}});
        fields[i].message_attributes = attributes[i];
    }
    return run_detail::run_fields(processor, Source::kSqs, fields, identifiers, invocation);
}

/// run_batch() for DynamoDB Streams records.
inline BatchOutcome run_dynamodb_batch(const ProcessorHandle& processor,
                                       const std::vector<TestDynamoDbRecord>& records,
                                       const TestInvocation& invocation = TestInvocation()) {
    std::vector<DynamoDbRecordFields> fields;
    std::vector<std::string> identifiers;
    for (const TestDynamoDbRecord& record : records) {
        DynamoDbRecordFields& f = fields.emplace_back();
        f.event_name = record.event_name;
        f.event_version = "1.1";
        f.event_source = "aws:dynamodb";
        f.event_source_arn = record.stream_arn;
        f.aws_region = record.aws_region;
        f.sequence_number = record.sequence_number;
        f.keys = record.keys;
        f.new_image = record.new_image;
        f.old_image = record.old_image;
        f.stream_view_type = record.stream_view_type;
        f.approximate_creation = record.approximate_creation;
        identifiers.push_back(record.sequence_number);
    }
    return run_detail::run_fields(processor, Source::kDynamoDb, fields, identifiers, invocation);
}

/// The same for a processor object the test constructed itself (MyProcessor p(config)). It is
/// driven through the adapter a plugin's shared object uses, and is not destroyed here.
template <class Type>
requires std::is_base_of_v<ProcessorBase, Type> BatchOutcome
run_batch(Type& processor, const std::vector<TestRecord>& records,
          const TestInvocation& invocation = TestInvocation()) {
    return run_batch(ProcessorHandle::borrow(processor), records, invocation);
}
template <class Type>
requires std::is_base_of_v<ProcessorBase, Type> BatchOutcome
run_sqs_batch(Type& processor, const std::vector<TestSqsMessage>& messages,
              const TestInvocation& invocation = TestInvocation()) {
    return run_sqs_batch(ProcessorHandle::borrow(processor), messages, invocation);
}
template <class Type>
requires std::is_base_of_v<ProcessorBase, Type> BatchOutcome
run_dynamodb_batch(Type& processor, const std::vector<TestDynamoDbRecord>& records,
                   const TestInvocation& invocation = TestInvocation()) {
    return run_dynamodb_batch(ProcessorHandle::borrow(processor), records, invocation);
}

// ---- Loading a built plugin -------------------------------------------------------------------

/// A plugin .so loaded as the host loads it, with the processor it made.
///
/// Ownership: owns the library and the processor; the processor is destroyed first, so no code
/// of the plugin runs after its library is unloaded.
class Plugin {
  public:
    /// Loads `file` as the host does (kbatch::detail::load_plugin: RTLD_NOW, so a missing symbol
    /// fails here; the ABI version this SDK speaks; then the factory) and constructs its
    /// processor from `config` and `env`. Throws std::runtime_error with the host's message for a
    /// file that does not load, is not a plugin of this ABI or fails to start, and
    /// kbatch::ConfigError (a copy made here, with the plugin's own message) when the plugin
    /// refuses its configuration.
    explicit Plugin(const std::filesystem::path& file,
                    nlohmann::json config = nlohmann::json::object(),
                    PluginConfig::EnvLookup env = PluginConfig::process_environment) {
        kbatch::detail::PluginLoadError error;
        processor_ = kbatch::detail::load_plugin(
            library_, file, PluginConfig(std::move(config), std::move(env)), &error);
        if (processor_)
            return;
        if (error.failure == kbatch::detail::PluginLoadFailure::kConfigRejected)
            throw ConfigError(error.plugin_message);
        throw std::runtime_error(error.message);
    }
    ~Plugin() { processor_.destroy(); }
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    /// The processor, as the host drives it: pass it to run_batch().
    const ProcessorHandle& processor() const noexcept { return processor_; }
    /// What the plugin declared: its sources, form and flags.
    const ProcessorTraits& traits() const noexcept { return processor_.traits(); }

  private:
    boost::dll::shared_library library_;  // declared first: destroyed after the processor
    ProcessorHandle processor_;
};

}  // namespace kbatch::testing
