#include "batch_log.h"

#include <fmt/format.h>

namespace kbatch {

void log_batch_report(Logger& logger, const BatchReport& report,
                      std::chrono::duration<double, std::milli> elapsed) {
    if (logger.enabled(LogLevel::kDebug)) {
        for (const RecordFailure& failure : report.failures) {
            logger.debug(fmt::format("Records[{}] {} failed: {}", failure.index,
                                     failure.sequence_number, failure.reason));
        }
    }
    logger.info(fmt::format("batch: {} records, {} failed, {} reached the plugin, {:.3f} ms",
                            report.records, report.failures.size(), report.processed,
                            elapsed.count()));
}

}  // namespace kbatch
