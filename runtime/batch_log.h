// kbatch runtime: the log lines that describe one processed batch (the CLI and the host share
// them).
#pragma once

#include <chrono>
#include <string_view>

#include <kbatch/logger.hpp>

#include "batch_runner.h"

namespace kbatch {

/// Logs one INFO line for the batch (records, failed, reached the plugin, duration) and, at
/// DEBUG, one line per failed record with its reason. Never the payload.
void log_batch_report(Logger& logger, const BatchReport& report,
                      std::chrono::duration<double, std::milli> elapsed);

}  // namespace kbatch
