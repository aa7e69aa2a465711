#include "batch_runner.h"

#include <exception>

#include <fmt/format.h>

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
    const std::size_t count = batch.records.size();
    report.left_at_deadline = count - first;
    const std::size_t last =
        options.policy == FailurePolicy::kStopOnFirstFailure ? first + 1 : count;
    for (std::size_t index = first; index < last; ++index) {
        report.failures.push_back(
            RecordFailure{index, batch.records[index].sequence_number(),
                          "not processed: the invocation's deadline was near"});
    }
    context.logger().warn(fmt::format(
        "deadline guard: {} ms left (margin {} ms); {} of {} records were not processed and are "
        "reported failed, so Lambda delivers them again",
        left.count(), options.deadline_margin.count(), count - first, count));
}

}  // namespace

Status run_batch(const DecodedBatch& batch, RecordProcessor& processor, const Context& context,
                 const RunOptions& options, BatchReport& report) {
    const std::size_t count = batch.records.size();
    report.clear();
    report.records = count;

    for (const RecordDefect& defect : batch.defects) {
        if (!is_usable_sequence_number(batch.records[defect.index].sequence_number())) {
            return unidentifiable(defect.index, defect.reason);
        }
    }

    const bool stop_on_failure = options.policy == FailurePolicy::kStopOnFirstFailure;
    auto next_defect = batch.defects.begin();
    for (std::size_t index = 0; index < count; ++index) {
        const KinesisRecord& record = batch.records[index];
        if (const auto left = context.remaining_time(); left < options.deadline_margin) {
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
