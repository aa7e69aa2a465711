// Comparing two decoded batches field by field: the tests and the differential fuzzer check with
// it that the decoder's two paths agree.
#pragma once

#include <string>

#include "decoded_batch.h"

namespace kbatch::test {

/// The first difference between `a` and `b`, described ("Records[2].partitionKey: \"x\" against
/// \"y\""), or "" when they are of the same source and hold the same records (every field of
/// source_fields.h's tables: text, decoded bytes, numbers bit for bit, an SQS message's attributes
/// entry by entry) and the same defects. Also reports an SQS message whose attributes do not lie
/// in its own batch's sqs_attributes.
std::string batch_difference(const DecodedBatch& a, const DecodedBatch& b);

}  // namespace kbatch::test
