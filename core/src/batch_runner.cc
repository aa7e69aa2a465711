#include "batch_runner.h"

#include <exception>
#include <limits>

#include <fmt/format.h>

#if defined(__linux__)
#include <time.h>
#endif

#include "sequence_number.h"

namespace kbatch {
namespace {

Status unidentifiable(std::size_t index, std::string_view reason) {
    return Status::error(
        ErrorKind::kUnidentifiableFailure,
        fmt::format("Records[{}] failed and has no usable sequence number to report, so the whole "
                    "batch must be retried: {}",
                    index, reason));
}

// Calls the processor, turning anything it throws into a failed Result. The exception object is
// destroyed here, while the plugin that threw it is still loaded.
Result process_guarded(RecordProcessor& processor, const KinesisRecord& record,
                       const Context& context) {
    try {
        return processor.process(record, context);
    } catch (const std::exception& e) {
        return Result::failure(e.what());
    } catch (...) {
        return Result::failure("unknown exception");
    }
}

// Reports the records from `first` on as failed (only `first` under stop-on-first-failure) and
// says so in the log: the finished work before them is kept instead of lost to a timeout.
void stop_at_deadline(const DecodedBatch& batch, std::size_t first, std::chrono::milliseconds left,
                      const RunOptions& options, const Context& context, BatchReport& report) {
    const std::size_t count = batch.kinesis.size();
    report.left_at_deadline = count - first;
    const std::size_t last =
        options.policy == FailurePolicy::kStopOnFirstFailure ? first + 1 : count;
    for (std::size_t index = first; index < last; ++index) {
        report.failures.push_back(
            RecordFailure{index, batch.kinesis[index].sequence_number,
                          "not processed: the invocation's deadline was near"});
    }
    context.logger().warn(fmt::format(
        "deadline guard: {} ms left (margin {} ms); {} of {} records were not processed and are "
        "reported failed, so Lambda delivers them again",
        left.count(), options.deadline_margin.count(), count - first, count));
}

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

}  // namespace

Status run_batch(const DecodedBatch& batch, RecordProcessor& processor, const Context& context,
                 const RunOptions& options, BatchReport& report) {
    const std::size_t count = batch.kinesis.size();
    report.clear();
    report.records = count;

    for (const RecordDefect& defect : batch.defects) {
        if (!is_usable_sequence_number(batch.kinesis[defect.index].sequence_number)) {
            return unidentifiable(defect.index, defect.reason);
        }
    }

    const bool stop_on_failure = options.policy == FailurePolicy::kStopOnFirstFailure;
    auto next_defect = batch.defects.begin();
    const DeadlineGuard guard(context, options.deadline_margin);
    for (std::size_t index = 0; index < count; ++index) {
        const KinesisRecord record(batch.kinesis[index]);
        if (std::chrono::milliseconds left{}; !guard.may_start(left)) {
            stop_at_deadline(batch, index, left, options, context, report);
            break;
        }
        if (next_defect != batch.defects.end() && next_defect->index == index) {
            report.failures.push_back(
                RecordFailure{index, record.sequence_number(), next_defect->reason});
            ++next_defect;
        } else {
            Result result = process_guarded(processor, record, context);
            ++report.processed;
            if (result.succeeded()) {
                ++report.succeeded;
                continue;
            }
            // Records without a defect always have a usable sequence number (the decoder
            // checks), but a batch built by other means might not.
            if (!is_usable_sequence_number(record.sequence_number())) {
                return unidentifiable(index, result.reason());
            }
            report.failures.push_back(
                RecordFailure{index, record.sequence_number(), result.reason()});
        }
        if (stop_on_failure) {
            report.skipped_after_failure = count - index - 1;
            break;
        }
    }

    if (options.on_all_failed == AllFailedAction::kError && count > 0 && report.succeeded == 0) {
        const RecordFailure& first = report.failures.front();
        return Status::error(
            ErrorKind::kAllRecordsFailed,
            fmt::format(
                "none of the {} records succeeded (first: Records[{}] {}: {}); failing the "
                "invocation so that Lambda retries the batch and BisectBatchOnFunctionError "
                "can split it",
                count, first.index, first.sequence_number, first.reason));
    }
    return Status::ok();
}

}  // namespace kbatch
