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

}  // namespace

Status run_batch(const DecodedBatch& batch, RecordProcessor& processor, const Context& context,
                 const RunOptions& options, BatchReport& report) {
    (void)options;  // every policy so far processes every record
    report.records = batch.records.size();
    report.processed = 0;
    report.failures.clear();

    for (const RecordDefect& defect : batch.defects) {
        if (!is_usable_sequence_number(batch.records[defect.index].sequence_number())) {
            return unidentifiable(defect.index, defect.reason);
        }
    }

    auto next_defect = batch.defects.begin();
    for (std::size_t index = 0; index < batch.records.size(); ++index) {
        const KinesisRecord& record = batch.records[index];
        if (next_defect != batch.defects.end() && next_defect->index == index) {
            report.failures.push_back(
                RecordFailure{index, record.sequence_number(), next_defect->reason});
            ++next_defect;
            continue;
        }
        Result result = process_guarded(processor, record, context);
        ++report.processed;
        if (result.succeeded())
            continue;
        // Records without a defect always have a usable sequence number (the decoder checks), but
        // a batch built by other means might not.
        if (!is_usable_sequence_number(record.sequence_number())) {
            return unidentifiable(index, result.reason());
        }
        report.failures.push_back(RecordFailure{index, record.sequence_number(), result.reason()});
    }
    return Status::ok();
}

}  // namespace kbatch
