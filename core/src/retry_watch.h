// kbatch core: noticing when failed records are not delivered again.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "batch_runner.h"
#include "event_decoder.h"

namespace kbatch {

/// Watches, across the batches one runtime handles, whether Lambda re-delivers the Kinesis records
/// kbatch reported failed. Lambda resumes a shard at the lowest failed sequence number, but only
/// when the event source mapping has FunctionResponseTypes: [ReportBatchItemFailures]; without it
/// the response counts as full success and the failed records are silently dropped.
///
/// Only right where one runtime sees every batch of a shard: a local run, or kbatch serve's local
/// event source mapping. On Lambda a shard is not pinned to one execution environment, so a retry
/// that ran in another environment looks exactly like a skipped one here; that is why the host
/// runs the watch only when asked (KBATCH_RBIF_WATCH=on).
///
/// Per shard (eventSourceARN and the shard in eventID) it remembers the lowest sequence number it
/// reported failed. When a later batch from that shard starts beyond it, observe() says so.
/// Cost: linear in the batch, with no allocation per record; a batch that spans more than
/// kMaxShardsPerBatch shards (Lambda sends one shard per batch) is not watched.
/// Memory: at most kMaxRememberedShards shards with an outstanding failure; past that, one is
/// forgotten (the watch may then miss one shard's drop, never report a false one).
/// Thread safety: none; one watch per runtime loop.
class RetryWatch {
  public:
    static constexpr std::size_t kMaxShardsPerBatch = 16;
    static constexpr std::size_t kMaxRememberedShards = 1024;

    /// Checks `batch` against the failures remembered from earlier batches, then remembers this
    /// batch's (see above). Returns one ERROR-worthy message per shard whose failed records were
    /// not delivered again; empty almost always.
    std::vector<std::string> observe(const DecodedBatch& batch, const BatchReport& report);

    /// How many shards have an outstanding failure remembered.
    std::size_t remembered_shards() const noexcept { return lowest_failed_.size(); }

  private:
    // One shard's records in the batch being observed; views into that batch.
    struct ShardInBatch {
        std::string_view arn;
        std::string_view shard;          // eventID's part before ':'
        std::string_view first;          // the batch's first sequence number from this shard
        std::string_view lowest_failed;  // empty when none of its records failed
    };
    // The shard `record` belongs to, added when new; null past kMaxShardsPerBatch.
    ShardInBatch* shard_of(const KinesisRecordFields& record);

    std::vector<ShardInBatch> shards_;  // reused from batch to batch
    std::size_t last_shard_ = 0;        // where the previous record's shard was found
    std::map<std::string, std::string, std::less<>> lowest_failed_;  // "arn shard" -> number
};

}  // namespace kbatch
