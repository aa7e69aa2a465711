// kbatch core: running a decoded batch through a record processor.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <kbatch/context.hpp>
#include <kbatch/processor_handle.hpp>

#include "event_decoder.h"
#include "failure_policy.h"
#include "status.h"

namespace kbatch {

/// The default time kept in reserve before the deadline (KBATCH_DEADLINE_MARGIN_MS): enough to
/// write and post a 10,000-record response, small next to Lambda's 3-second default timeout.
inline constexpr std::chrono::milliseconds kDefaultDeadlineMargin{500};

/// How to run a batch.
struct RunOptions {
    FailurePolicy policy = FailurePolicy::kReportAll;
    /// Stop handing out records once less than this is left before the context's deadline.
    std::chrono::milliseconds deadline_margin = kDefaultDeadlineMargin;
    AllFailedAction on_all_failed = AllFailedAction::kReport;
};

/// One record that failed.
struct RecordFailure {
    std::size_t index;            // position in the event's Records array
    std::string_view identifier;  // its itemIdentifier (DecodedBatch::identifier): a view into it
    std::string reason;           // from the plugin, its exception, the decoder or the policy
};

/// What running a batch came to. Reused across batches by the caller to keep its capacity.
struct BatchReport {
    std::size_t records = 0;              // records in the batch
    std::size_t processed = 0;            // records handed to the processor
    std::size_t succeeded = 0;            // of those, the ones that succeeded
    std::vector<RecordFailure> failures;  // in event order
    /// Records never handed out because the failure policy stopped them (stop-on-first-failure,
    /// a FIFO queue's failure, skip-group-on-error). On Kinesis and DynamoDB, the ones after the
    /// first failure are not reported (Lambda delivers everything after it again anyway); on SQS
    /// every one is reported, since Lambda deletes what it is not told about.
    std::size_t skipped_after_failure = 0;
    /// Records never handed out because the deadline was near (they are reported failed).
    std::size_t left_at_deadline = 0;
    /// Batch form: records the plugin left unmarked (reported failed).
    std::size_t unmarked = 0;

    /// Empties the report for the next batch, keeping the failures' capacity.
    void clear() noexcept {
        records = processed = succeeded = skipped_after_failure = left_at_deadline = unmarked = 0;
        failures.clear();
    }
};

/// Hands the records of `batch` to `processor` and collects the failures into `report` (cleared
/// first). Nothing the processor throws escapes (the SDK's adapter turns it into failures).
///
/// Per-record processors get the records one by one in event order; records with a decode defect
/// fail without reaching the processor. The failure policy decides what follows a failure (see
/// FailurePolicy; on an SQS FIFO queue report-all means stop-on-first-failure). The deadline guard
/// stops handing out records when less than options.deadline_margin is left (logging a warning
/// through the context's logger) and reports the first record not handed out as failed (every one
/// of them under report-all, and always on SQS), so the finished work is kept instead of lost to a
/// timeout. A plugin that spends long on one record must watch Context::remaining_time() itself.
///
/// Batch processors get the whole batch in one call; every record they leave unmarked, and every
/// record with a decode defect, is reported failed. On a FIFO queue the failure rule then applies
/// to what they marked: the messages after a failure (of its group, under skip-group-on-error) are
/// reported too.
///
/// Returns kUnsupportedEventSource, before any record is processed, when the processor does not
/// handle the batch's source, naming both.
/// Returns kAllRecordsFailed when the batch had records, none succeeded and
/// options.on_all_failed is kError.
/// Returns kUnidentifiableFailure when a record must be reported but has no usable identifier:
/// Lambda would treat the whole response as a failure anyway, so the invocation fails and the batch
/// is retried. That is checked before any record is processed for decode defects, so no work is
/// done that the retry would repeat. `report` and the views in it live as long as `batch`.
Status run_batch(const DecodedBatch& batch, const ProcessorHandle& processor,
                 const Context& context, const RunOptions& options, BatchReport& report);

}  // namespace kbatch
