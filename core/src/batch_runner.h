// kbatch core: running a decoded batch through a record processor.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <kbatch/context.hpp>
#include <kbatch/plugin.hpp>

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
    std::size_t index;                 // position in the event's Records array
    std::string_view sequence_number;  // view into the decoded batch
    std::string reason;                // from the plugin, its exception, or the decoder
};

/// What running a batch came to. Reused across batches by the caller to keep its capacity.
struct BatchReport {
    std::size_t records = 0;              // records in the batch
    std::size_t processed = 0;            // records handed to the processor
    std::size_t succeeded = 0;            // of those, the ones that succeeded
    std::vector<RecordFailure> failures;  // in event order
    /// Records never handed out because stop-on-first-failure stopped the batch. They are not
    /// reported: Lambda delivers everything after the reported failure again anyway.
    std::size_t skipped_after_failure = 0;
    /// Records never handed out because the deadline was near (they are reported failed).
    std::size_t left_at_deadline = 0;

    /// Empties the report for the next batch, keeping the failures' capacity.
    void clear() noexcept {
        records = processed = succeeded = skipped_after_failure = left_at_deadline = 0;
        failures.clear();
    }
};

/// Hands each record of `batch` to `processor` in event order and collects the failures into
/// `report` (cleared first). Records with a decode defect fail without reaching the processor. An
/// exception from the processor fails that record with its what() and never escapes.
///
/// Policies: with kStopOnFirstFailure the batch stops at the first failure, which is the only one
/// reported. The deadline guard stops handing out records when less than
/// options.deadline_margin is left (logging a warning through the context's logger) and reports
/// the first record not handed out as failed (with kReportAll, every one of them), so the finished
/// work is checkpointed instead of lost to a timeout. A plugin that spends long on one record
/// must watch Context::remaining_time() itself.
///
/// Returns kAllRecordsFailed when the batch had records, none succeeded and
/// options.on_all_failed is kError.
/// Returns kUnidentifiableFailure when a record must be reported but has no usable sequence number:
/// Lambda would treat the whole response as a failure anyway, so the invocation fails and the batch
/// is retried. That is checked before any record is processed for decode defects, so no work is
/// done that the retry would repeat. `report` and the views in it live as long as `batch`.
Status run_batch(const DecodedBatch& batch, RecordProcessor& processor, const Context& context,
                 const RunOptions& options, BatchReport& report);

}  // namespace kbatch
