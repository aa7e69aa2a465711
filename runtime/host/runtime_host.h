// kbatch runtime: the Lambda custom-runtime loop (what `bootstrap` starts).
#pragma once

#include "runtime_api_client.h"
#include "runtime_settings.h"
#include "stream_logger.h"

namespace kbatch {

/// Runs the host: loads the plugin once, then for ever takes an invocation from GET /next, runs
/// its batch and posts the response, or the error when the batch must fail as a whole.
///
/// Returns only on a failure that Lambda must see as the process ending: a start-up failure
/// (posted to /init/error first, with its errorType) or a Runtime API that stays unreachable after
/// the client's retries. The return value is the process's exit code (non-zero).
/// `logger` must outlive the call; `api` is used from this thread only.
int run_runtime_host(const RuntimeSettings& settings, RuntimeApiClient& api, StreamLogger& logger);

/// Logs `failure`, posts it to /init/error with its errorType and returns the exit code to end
/// the process with.
int report_startup_failure(RuntimeApiClient& api, StreamLogger& logger, const Status& failure);

}  // namespace kbatch
