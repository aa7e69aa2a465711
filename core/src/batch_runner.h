// kbatch core: running a decoded batch through a record processor.
#pragma once

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

/// How to run a batch.
struct RunOptions {
    FailurePolicy policy = FailurePolicy::kReportAll;
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
    std::vector<RecordFailure> failures;  // in event order
};

/// Hands each record of `batch` to `processor` in event order and collects the failures into
/// `report` (cleared first). Records with a decode defect fail without reaching the processor. An
/// exception from the processor fails that record with its what() and never escapes.
///
/// Returns kUnidentifiableFailure when a record must be reported but has no usable sequence number:
/// Lambda would treat the whole response as a failure anyway, so the invocation fails and the batch
/// is retried. That is checked before any record is processed for decode defects, so no work is
/// done that the retry would repeat. `report` and the views in it live as long as `batch`.
Status run_batch(const DecodedBatch& batch, RecordProcessor& processor, const Context& context,
                 const RunOptions& options, BatchReport& report);

}  // namespace kbatch
