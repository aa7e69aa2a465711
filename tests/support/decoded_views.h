// The records of a decoded batch as a plugin sees them (the SDK's views), for tests that check
// what the decoder made of an event.
#pragma once

#include <cstddef>
#include <vector>

#include <kbatch/dynamodb_record.hpp>
#include <kbatch/record.hpp>
#include <kbatch/sqs.hpp>

#include "decoded_batch.h"

namespace kbatch::test {

/// Record `index` of a decoded batch (its vector of that source; at() checks the index). The
/// view points into `batch`, which must outlive it.
inline KinesisRecord kinesis_at(const DecodedBatch& batch, std::size_t index) {
    return KinesisRecord(batch.kinesis.at(index));
}
inline SqsMessage sqs_at(const DecodedBatch& batch, std::size_t index) {
    return SqsMessage(batch.sqs.at(index));
}
inline DynamoDbRecord dynamodb_at(const DecodedBatch& batch, std::size_t index) {
    return DynamoDbRecord(batch.dynamodb.at(index));
}

/// Every Kinesis record of `batch`, in event order.
inline std::vector<KinesisRecord> kinesis_records(const DecodedBatch& batch) {
    std::vector<KinesisRecord> records;
    for (const KinesisRecordFields& fields : batch.kinesis)
        records.emplace_back(fields);
    return records;
}

}  // namespace kbatch::test
