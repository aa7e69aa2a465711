#include "retry_watch.h"

#include <fmt/format.h>

#include "sequence_number.h"

namespace kbatch {

RetryWatch::ShardInBatch* RetryWatch::shard_of(const KinesisRecordFields& record) {
    const std::string_view arn = record.event_source_arn;
    const std::string_view event_id = record.event_id;
    const std::string_view shard = event_id.substr(0, event_id.find(':'));
    const auto matches = [&](const ShardInBatch& known) {
        return known.shard == shard && known.arn == arn;
    };
    // A batch's records come shard by shard, so the previous record's shard nearly always
    // matches at once.
    if (last_shard_ < shards_.size() && matches(shards_[last_shard_]))
        return &shards_[last_shard_];
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        if (matches(shards_[i])) {
            last_shard_ = i;
            return &shards_[i];
        }
    }
    if (shards_.size() == kMaxShardsPerBatch)
        return nullptr;
    last_shard_ = shards_.size();
    shards_.push_back(ShardInBatch{arn, shard, record.sequence_number, {}});
    return &shards_.back();
}

std::vector<std::string> RetryWatch::observe(const DecodedBatch& batch, const BatchReport& report) {
    shards_.clear();
    last_shard_ = 0;
    // Lambda checkpoints Kinesis shards by sequence number; other sources are not watched.
    if (batch.source != Source::kKinesis)
        return {};
    for (const KinesisRecordFields& record : batch.kinesis) {
        if (shard_of(record) == nullptr)
            return {};  // not a batch Lambda would send: nothing to learn from it
    }
    for (const RecordFailure& failure : report.failures) {
        ShardInBatch& shard = *shard_of(batch.kinesis[failure.index]);
        if (shard.lowest_failed.empty() ||
            compare_sequence_numbers(failure.identifier, shard.lowest_failed) < 0) {
            shard.lowest_failed = failure.identifier;
        }
    }

    std::vector<std::string> warnings;
    std::string key;
    for (const ShardInBatch& shard : shards_) {
        key.assign(shard.arn).append(" ").append(shard.shard);
        const auto remembered = lowest_failed_.find(key);
        if (remembered != lowest_failed_.end() && is_usable_sequence_number(shard.first) &&
            compare_sequence_numbers(shard.first, remembered->second) > 0) {
            warnings.push_back(fmt::format(
                "records reported failed were not delivered again: {} resumed at sequence number "
                "{}, beyond the failed {}. ReportBatchItemFailures is probably not enabled on the "
                "event source mapping (FunctionResponseTypes), so Lambda took the partial response "
                "as full success and dropped the failed records (unless their retries ran out)",
                key, shard.first, remembered->second));
        }
        if (shard.lowest_failed.empty()) {
            if (remembered != lowest_failed_.end())
                lowest_failed_.erase(remembered);
        } else if (remembered != lowest_failed_.end()) {
            remembered->second.assign(shard.lowest_failed);
        } else {
            if (lowest_failed_.size() == kMaxRememberedShards)
                lowest_failed_.erase(lowest_failed_.begin());
            lowest_failed_.emplace(key, shard.lowest_failed);
        }
    }
    return warnings;
}

}  // namespace kbatch
