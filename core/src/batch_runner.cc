#include "batch_runner.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <unordered_set>

#include <fmt/format.h>

#if defined(__linux__)
#include <time.h>
#endif

#include "sequence_number.h"

namespace kbatch {
namespace {

// What a source calls its identifier, for messages.
std::string_view identifier_name(Source source) {
    return source == Source::kSqs ? "messageId" : "sequence number";
}

bool is_usable_identifier(Source source, std::string_view identifier) {
    // A message id is opaque text; a sequence number is checkpointed by Lambda, which compares
    // it as a number.
    return source == Source::kSqs ? !identifier.empty() : is_usable_sequence_number(identifier);
}

Status unidentifiable(Source source, std::size_t index, std::string_view reason) {
    return Status::error(
        ErrorKind::kUnidentifiableFailure,
        fmt::format("Records[{}] failed and has no usable {} to report, so the whole batch must "
                    "be retried: {}",
                    index, identifier_name(source), reason));
}

// The key whose order skip-group-on-error keeps: an SQS message group, a Kinesis partition key, a
// DynamoDB item's key (its Keys text, as Lambda wrote it for every record of the item).
std::string_view group_of(const DecodedBatch& batch, std::size_t index) {
    switch (batch.source) {
        case Source::kKinesis:
            return batch.kinesis[index].partition_key;
        case Source::kSqs:
            return batch.sqs[index].message_group_id;
        case Source::kDynamoDb:
            return batch.dynamodb[index].keys;
    }
    return {};
}

// The policy that applies to this batch: on an SQS FIFO queue, processing past a failure breaks
// its group's order, so report-all stops there as stop-on-first-failure does (the AWS rule).
FailurePolicy effective_policy(const DecodedBatch& batch, FailurePolicy policy) {
    if (batch.fifo() && policy == FailurePolicy::kReportAll)
        return FailurePolicy::kStopOnFirstFailure;
    return policy;
}

// The outcome of the one record a per-record call is about.
class RecordOutcome final : public OutcomeSink {
  public:
    void reset(std::size_t index) noexcept {
        index_ = index;
        marked_ = false;
        failed_ = false;
        reason_.clear();
    }
    void succeeded(std::size_t index) noexcept override {
        if (index == index_)
            marked_ = true;
    }
    void failed(std::size_t index, std::string_view reason) noexcept override {
        if (index != index_ || failed_)
            return;
        marked_ = failed_ = true;
        try {
            reason_.assign(reason);
        } catch (...) {
            reason_.clear();
        }
    }
    void fail_unmarked(std::string_view reason) noexcept override {
        if (!marked_)
            failed(index_, reason);
    }

    // Unmarked counts as failed: the host never takes silence for success.
    bool succeeded() const noexcept { return marked_ && !failed_; }
    std::string take_reason() {
        if (!marked_)
            return "the plugin marked no outcome for the record";
        return std::move(reason_);
    }

  private:
    std::size_t index_ = 0;
    bool marked_ = false;
    bool failed_ = false;
    std::string reason_;  // reused: its capacity stays from record to record
};

// Every record's outcome, as a batch processor marks them (in any order, from any thread if it
// declared itself thread-safe).
class BatchOutcomes final : public OutcomeSink {
  public:
    enum : std::uint8_t { kUnmarked = 0, kSucceeded = 1, kFailed = 2 };

    BatchOutcomes(const DecodedBatch& batch, BatchReport& report, bool thread_safe)
        : batch_(batch), report_(report), thread_safe_(thread_safe), state_(batch.size()) {}

    void succeeded(std::size_t index) noexcept override {
        const auto lock = guard();
        if (index < state_.size() && state_[index] == kUnmarked)
            state_[index] = kSucceeded;
        else if (index >= state_.size())
            ++out_of_range_;
    }
    void failed(std::size_t index, std::string_view reason) noexcept override {
        const auto lock = guard();
        mark_failed(index, reason);
    }
    void fail_unmarked(std::string_view reason) noexcept override {
        const auto lock = guard();
        for (std::size_t index = 0; index < state_.size(); ++index) {
            if (state_[index] == kUnmarked)
                mark_failed(index, reason);
        }
    }

    std::uint8_t state(std::size_t index) const noexcept { return state_[index]; }
    std::size_t out_of_range() const noexcept { return out_of_range_; }

  private:
    std::unique_lock<std::mutex> guard() noexcept {
        return thread_safe_ ? std::unique_lock<std::mutex>(mutex_) : std::unique_lock<std::mutex>();
    }
    void mark_failed(std::size_t index, std::string_view reason) noexcept {
        if (index >= state_.size()) {
            ++out_of_range_;
            return;
        }
        if (state_[index] == kFailed)
            return;
        state_[index] = kFailed;
        try {
            report_.failures.push_back(
                RecordFailure{index, batch_.identifier(index), std::string(reason)});
        } catch (...) {
            // Out of memory: the record is still reported, with no reason.
            report_.failures.push_back(RecordFailure{index, batch_.identifier(index), {}});
        }
    }

    const DecodedBatch& batch_;
    BatchReport& report_;
    const bool thread_safe_;
    std::mutex mutex_;
    std::vector<std::uint8_t> state_;
    std::size_t out_of_range_ = 0;
};

// The deadline guard's clock, read before every record, through the context (the one clock seam:
// Context::now()). With the system clock, reading the precise clock costs about as
// much as handing a record to a plugin, so far from the margin a coarse clock answers instead: it
// lags the precise one by at most one tick (clock_getres) and is read several times faster. Only
// within a few ticks of the margin is the precise clock read, so the guard still stops exactly
// where Context::remaining_time() says the margin is crossed, even right after one slow record.
class DeadlineGuard {
  public:
    DeadlineGuard(const Context& context, std::chrono::milliseconds margin)
        : context_(context), margin_(margin) {
        using Clock = Context::Clock;
        const Clock::time_point deadline = context.deadline();
        if (deadline == Clock::time_point::max()) {
            no_deadline_ = true;
            return;
        }
        // A clock other than the system's (a test's) is read as it is, every time.
        if (context.time_source() != nullptr)
            return;
#if defined(__linux__)
        timespec resolution{};
        if (clock_getres(CLOCK_REALTIME_COARSE, &resolution) != 0 || resolution.tv_sec != 0)
            return;
        // Several ticks of slack, in case a tick comes late on a busy machine.
        const auto slack = 4 * std::chrono::nanoseconds(resolution.tv_nsec);
        const auto before_margin = std::chrono::duration_cast<Clock::duration>(margin) + slack;
        // Without a coarse cut-off that fits the clock's range, every check is precise.
        if (margin.count() < 0 || margin > std::chrono::hours(24 * 365) ||
            deadline < Clock::time_point() + before_margin) {
            return;
        }
        coarse_until_ = (deadline - before_margin).time_since_epoch().count();
#endif
    }

    // Whether a record may still be handed out. When not, `left` is the time still left.
    bool may_start(std::chrono::milliseconds& left) const noexcept {
        if (no_deadline_)
            return true;
#if defined(__linux__)
        timespec now{};
        clock_gettime(CLOCK_REALTIME_COARSE, &now);
        const auto coarse_now = std::chrono::nanoseconds(std::chrono::seconds(now.tv_sec)) +
                                std::chrono::nanoseconds(now.tv_nsec);
        if (std::chrono::duration_cast<Context::Clock::duration>(coarse_now).count() <
            coarse_until_) {
            return true;
        }
#endif
        left = context_.remaining_time();
        return left >= margin_;
    }

  private:
    const Context& context_;
    std::chrono::milliseconds margin_;
    bool no_deadline_ = false;
    // The coarse clock's reading (in system_clock ticks) below which the margin is certainly
    // not crossed; the lowest value when the coarse clock is not to be used.
    Context::Clock::rep coarse_until_ = std::numeric_limits<Context::Clock::rep>::min();
};

// Reports the records from `first` on as failed (only `first` under stop-on-first-failure on
// Kinesis and DynamoDB; every one on SQS, where an unreported message is deleted) and says so in
// the log: the finished work before them is kept instead of lost to a timeout.
void stop_at_deadline(const DecodedBatch& batch, std::size_t first, std::chrono::milliseconds left,
                      FailurePolicy policy, const RunOptions& options, const Context& context,
                      BatchReport& report) {
    const std::size_t count = batch.size();
    report.left_at_deadline = count - first;
    const bool only_first =
        batch.source != Source::kSqs && policy == FailurePolicy::kStopOnFirstFailure;
    const std::size_t last = only_first ? first + 1 : count;
    for (std::size_t index = first; index < last; ++index) {
        report.failures.push_back(RecordFailure{
            index, batch.identifier(index), "not processed: the invocation's deadline was near"});
    }
    context.logger().warn(fmt::format(
        "deadline guard: {} ms left (margin {} ms); {} of {} records were not processed and are "
        "reported failed, so Lambda delivers them again",
        left.count(), options.deadline_margin.count(), count - first, count));
}

// Under stop-on-first-failure (and on a FIFO queue), the records after the failure at `failed`.
// On SQS each is reported: Lambda would delete it otherwise. On Kinesis and DynamoDB none is:
// Lambda delivers everything after the reported failure again anyway.
void stop_after_failure(const DecodedBatch& batch, std::size_t failed, BatchReport& report) {
    const std::size_t count = batch.size();
    report.skipped_after_failure = count - failed - 1;
    if (batch.source != Source::kSqs)
        return;
    for (std::size_t index = failed + 1; index < count; ++index) {
        report.failures.push_back(
            RecordFailure{index, batch.identifier(index),
                          "not processed: an earlier message failed and the batch stopped there"});
    }
}

// Hands the records out one by one.
Status run_per_record(const DecodedBatch& batch, PluginInstance& instance, const Context& context,
                      const RunOptions& options, BatchReport& report) {
    const std::size_t count = batch.size();
    const FailurePolicy policy = effective_policy(batch, options.policy);
    const BatchView view = batch.view();
    const InvocationView& invocation = context.view();
    auto next_defect = batch.defects.begin();
    const DeadlineGuard guard(context, options.deadline_margin);
    RecordOutcome outcome;
    // The groups a failure holds back (skip-group-on-error). Views into the batch.
    std::unordered_set<std::string_view> failed_groups;
    for (std::size_t index = 0; index < count; ++index) {
        if (std::chrono::milliseconds left{}; !guard.may_start(left)) {
            stop_at_deadline(batch, index, left, policy, options, context, report);
            break;
        }
        const bool has_defect = next_defect != batch.defects.end() && next_defect->index == index;
        if (policy == FailurePolicy::kSkipGroupOnError && !failed_groups.empty() &&
            failed_groups.contains(group_of(batch, index))) {
            ++report.skipped_after_failure;
            report.failures.push_back(
                RecordFailure{index, batch.identifier(index),
                              has_defect ? next_defect->reason
                                         : "not processed: an earlier record of its group failed"});
            if (has_defect)
                ++next_defect;
            continue;
        }
        if (has_defect) {
            report.failures.push_back(
                RecordFailure{index, batch.identifier(index), next_defect->reason});
            ++next_defect;
        } else {
            outcome.reset(index);
            instance.process_record(view, index, invocation, outcome);
            ++report.processed;
            if (outcome.succeeded()) {
                ++report.succeeded;
                continue;
            }
            // Records without a defect always have a usable identifier (the decoder checks), but
            // a batch built by other means might not.
            if (!is_usable_identifier(batch.source, batch.identifier(index)))
                return unidentifiable(batch.source, index, outcome.take_reason());
            report.failures.push_back(
                RecordFailure{index, batch.identifier(index), outcome.take_reason()});
        }
        if (policy == FailurePolicy::kStopOnFirstFailure) {
            stop_after_failure(batch, index, report);
            break;
        }
        if (policy == FailurePolicy::kSkipGroupOnError) {
            // A message without a group (a standard queue) holds nothing back.
            const std::string_view group = group_of(batch, index);
            if (batch.source != Source::kSqs || !group.empty())
                failed_groups.insert(group);
        }
    }
    return Status::ok();
}

// Hands the whole batch over at once, then reports what the plugin left unmarked and, on a FIFO
// queue, what the failures it marked hold back.
Status run_whole_batch(const DecodedBatch& batch, const ProcessorHandle& processor,
                       const Context& context, const RunOptions& options, BatchReport& report) {
    const std::size_t count = batch.size();
    BatchOutcomes outcomes(batch, report, (processor.traits().flags & kPluginThreadSafe) != 0);
    for (const RecordDefect& defect : batch.defects)
        outcomes.failed(defect.index, defect.reason);
    processor.instance().process_batch(batch.view(), context.view(), outcomes);
    report.processed = count;
    if (outcomes.out_of_range() > 0) {
        context.logger().warn(fmt::format(
            "the plugin marked {} outcomes for records beyond the batch's {}; they were ignored",
            outcomes.out_of_range(), count));
    }
    for (std::size_t index = 0; index < count; ++index) {
        if (outcomes.state(index) == BatchOutcomes::kSucceeded) {
            ++report.succeeded;
        } else if (outcomes.state(index) == BatchOutcomes::kUnmarked) {
            ++report.unmarked;
            outcomes.failed(index, "the plugin marked no outcome for the record");
        }
    }
    if (report.unmarked > 0) {
        context.logger().warn(
            fmt::format("the plugin left {} of {} records unmarked; they are reported failed",
                        report.unmarked, count));
    }
    std::sort(report.failures.begin(), report.failures.end(),
              [](const RecordFailure& a, const RecordFailure& b) { return a.index < b.index; });

    if (batch.fifo() && !report.failures.empty()) {
        // The FIFO rule, on what the plugin did: nothing of a group may succeed after a failure
        // of it (every group, unless the policy is skip-group-on-error).
        const bool per_group = options.policy == FailurePolicy::kSkipGroupOnError;
        std::unordered_set<std::string_view> failed_groups;
        const std::size_t first_failed = report.failures.front().index;
        std::size_t next_failure = 0;
        const std::size_t reported = report.failures.size();
        for (std::size_t index = first_failed; index < count; ++index) {
            if (next_failure < reported && report.failures[next_failure].index == index) {
                failed_groups.insert(group_of(batch, index));
                ++next_failure;
                continue;
            }
            if (outcomes.state(index) != BatchOutcomes::kSucceeded)
                continue;
            if (per_group && !failed_groups.contains(group_of(batch, index)))
                continue;
            --report.succeeded;
            ++report.skipped_after_failure;
            report.failures.push_back(RecordFailure{
                index, batch.identifier(index),
                "reported with an earlier failure of its FIFO queue, so that its order holds"});
        }
        std::sort(report.failures.begin(), report.failures.end(),
                  [](const RecordFailure& a, const RecordFailure& b) { return a.index < b.index; });
    }
    return Status::ok();
}

}  // namespace

Status run_batch(const DecodedBatch& batch, const ProcessorHandle& processor,
                 const Context& context, const RunOptions& options, BatchReport& report) {
    const std::size_t count = batch.size();
    report.clear();
    report.records = count;

    if (!processor.handles(batch.source)) {
        return Status::error(
            ErrorKind::kUnsupportedEventSource,
            fmt::format("the event holds {} records (eventSource \"{}\"), but the plugin handles "
                        "{} only",
                        source_name(batch.source), event_source_value(batch.source),
                        source_names(processor.traits().sources)));
    }
    for (const RecordDefect& defect : batch.defects) {
        if (!is_usable_identifier(batch.source, batch.identifier(defect.index)))
            return unidentifiable(batch.source, defect.index, defect.reason);
    }

    const Status status =
        processor.traits().form == ProcessingForm::kBatch
            ? run_whole_batch(batch, processor, context, options, report)
            : run_per_record(batch, processor.instance(), context, options, report);
    if (!status.is_ok())
        return status;
    // Every record reported needs an identifier Lambda accepts: the ones the plugin failed, and
    // the ones reported without reaching it (stopped by the policy or the FIFO rule, left at the
    // deadline, left unmarked). run_per_record checks the plugin's failures as they come, to stop
    // at the first; this covers the rest, for both forms.
    for (const RecordFailure& failure : report.failures) {
        if (!is_usable_identifier(batch.source, failure.identifier))
            return unidentifiable(batch.source, failure.index, failure.reason);
    }

    if (options.on_all_failed == AllFailedAction::kError && count > 0 && report.succeeded == 0) {
        const RecordFailure& first = report.failures.front();
        return Status::error(
            ErrorKind::kAllRecordsFailed,
            fmt::format(
                "none of the {} records succeeded (first: Records[{}] {}: {}); failing the "
                "invocation so that Lambda retries the batch and BisectBatchOnFunctionError "
                "can split it",
                count, first.index, first.identifier, first.reason));
    }
    return Status::ok();
}

}  // namespace kbatch
