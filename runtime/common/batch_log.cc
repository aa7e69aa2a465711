#include "batch_log.h"

#include <string>

#include <fmt/format.h>

namespace kbatch {

void log_batch_report(Logger& logger, const BatchReport& report, EventDecoder::Path decode_path,
                      std::chrono::duration<double, std::milli> elapsed) {
    if (logger.enabled(LogLevel::kDebug)) {
        // Says why a batch decoded slower than it might: Lambda's own events take the fast path,
        // and one that does not was written or changed by something else.
        logger.debug(decode_path == EventDecoder::Path::kLambdaForm
                         ? "decode: fast path (the event holds the members Lambda writes, in any "
                           "order and spacing)"
                         : "decode: general path (the event holds a member Lambda does not write, "
                           "or a defective record)");
        for (const RecordFailure& failure : report.failures) {
            logger.debug(fmt::format("Records[{}] {} failed: {}", failure.index, failure.identifier,
                                     failure.reason));
        }
    }
    std::string stopped;
    if (report.skipped_after_failure > 0) {
        stopped = fmt::format(", {} left for Lambda to deliver again after the first failure",
                              report.skipped_after_failure);
    }
    if (report.left_at_deadline > 0) {
        stopped += fmt::format(", {} not processed before the deadline", report.left_at_deadline);
    }
    logger.info(fmt::format("batch: {} records, {} failed, {} reached the plugin{}, {:.3f} ms",
                            report.records, report.failures.size(), report.processed, stopped,
                            elapsed.count()));
}

}  // namespace kbatch
