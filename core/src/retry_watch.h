// kbatch core: noticing when failed records are not delivered again.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "batch_runner.h"
#include "event_decoder.h"

namespace kbatch {

/// Watches, across the batches one runtime handles, whether Lambda re-delivers the records kbatch
/// reported failed. Lambda resumes a shard at the lowest failed sequence number, but only when the
/// event source mapping has FunctionResponseTypes: [ReportBatchItemFailures]; without it the
/// response counts as full success and the failed records are silently dropped. This is the one
/// place that can notice.
///
/// Per shard (eventSourceARN and the shard in eventID) it remembers the lowest sequence number it
/// reported failed. When a later batch from that shard starts beyond it, observe() says so.
/// Memory: one entry per shard with an outstanding failure.
/// Thread safety: none; one watch per runtime loop.
class RetryWatch {
  public:
    /// Checks `batch` against the failures remembered from earlier batches, then remembers this
    /// batch's (see above). Returns one ERROR-worthy message per shard whose failed records were
    /// not delivered again; empty almost always.
    std::vector<std::string> observe(const DecodedBatch& batch, const BatchReport& report);

  private:
    std::map<std::string, std::string, std::less<>> lowest_failed_;  // shard key -> sequence number
};

}  // namespace kbatch
