// kbatch tests: a decoded Kinesis batch as record views, as the tests read it before ABI v2 kept
// the fields themselves in DecodedBatch.
#pragma once

#include <vector>

#include <kbatch/record.hpp>

#include "decoded_batch.h"

namespace kbatch::test {

/// One view per record of `batch.kinesis`; the views point into `batch`, which must outlive them.
inline std::vector<KinesisRecord> kinesis_records(const DecodedBatch& batch) {
    std::vector<KinesisRecord> views;
    views.reserve(batch.kinesis.size());
    for (const KinesisRecordFields& fields : batch.kinesis)
        views.emplace_back(fields);
    return views;
}

}  // namespace kbatch::test
