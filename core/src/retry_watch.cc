#include "retry_watch.h"

#include <fmt/format.h>

#include "sequence_number.h"

namespace kbatch {
namespace {

// "arn:aws:kinesis:...:stream/name shardId-000000000006"; the shard is eventID's part before ':'.
std::string shard_key(const KinesisRecord& record) {
    const std::string_view event_id = record.event_id();
    return fmt::format("{} {}", record.event_source_arn(), event_id.substr(0, event_id.find(':')));
}

struct ShardInBatch {
    std::string key;
    std::string_view first;          // the batch's first sequence number from this shard
    std::string_view lowest_failed;  // empty when none of its records failed
};

}  // namespace

std::vector<std::string> RetryWatch::observe(const DecodedBatch& batch, const BatchReport& report) {
    // Batches nearly always come from one shard, so a short list beats a map here.
    std::vector<ShardInBatch> shards;
    const auto shard_of = [&shards](const KinesisRecord& record) -> ShardInBatch& {
        std::string key = shard_key(record);
        for (ShardInBatch& shard : shards) {
            if (shard.key == key)
                return shard;
        }
        shards.push_back(ShardInBatch{std::move(key), record.sequence_number(), {}});
        return shards.back();
    };
    for (const KinesisRecord& record : batch.records)
        shard_of(record);
    for (const RecordFailure& failure : report.failures) {
        ShardInBatch& shard = shard_of(batch.records[failure.index]);
        if (shard.lowest_failed.empty() ||
            compare_sequence_numbers(failure.sequence_number, shard.lowest_failed) < 0) {
            shard.lowest_failed = failure.sequence_number;
        }
    }

    std::vector<std::string> warnings;
    for (const ShardInBatch& shard : shards) {
        const auto remembered = lowest_failed_.find(shard.key);
        if (remembered != lowest_failed_.end() && is_usable_sequence_number(shard.first) &&
            compare_sequence_numbers(shard.first, remembered->second) > 0) {
            warnings.push_back(fmt::format(
                "records reported failed were not delivered again: {} resumed at sequence number "
                "{}, beyond the failed {}. ReportBatchItemFailures is probably not enabled on the "
                "event source mapping (FunctionResponseTypes), so Lambda took the partial response "
                "as full success and dropped the failed records (unless their retries ran out)",
                shard.key, shard.first, remembered->second));
        }
        if (shard.lowest_failed.empty()) {
            if (remembered != lowest_failed_.end())
                lowest_failed_.erase(remembered);
        } else {
            lowest_failed_[shard.key] = std::string(shard.lowest_failed);
        }
    }
    return warnings;
}

}  // namespace kbatch
