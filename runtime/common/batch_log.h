// kbatch runtime: the log lines that describe one processed batch (the CLI and the host share
// them).
#pragma once

#include <chrono>
#include <string_view>

#include <kbatch/logger.hpp>

#include "batch_runner.h"
#include "event_decoder.h"

namespace kbatch {

/// Logs one INFO line for the batch (records, failed, reached the plugin, duration) and, at
/// DEBUG, the decoder's path and one line per failed record with its reason. Never the payload.
void log_batch_report(Logger& logger, const BatchReport& report, EventDecoder::Path decode_path,
                      std::chrono::duration<double, std::milli> elapsed);

}  // namespace kbatch
