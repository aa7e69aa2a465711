// Comparing two decoded batches field by field: the tests and the differential fuzzer check with
// it that the decoder's two paths agree.
#pragma once

#include <string>

#include "decoded_batch.h"

namespace kbatch::test {

/// The first difference between `a` and `b`, described ("Records[2]: \"x\" against \"y\""), or ""
/// when they hold the same records (every field's text, the data's bytes, the timestamp bit for
/// bit) and the same defects.
std::string batch_difference(const DecodedBatch& a, const DecodedBatch& b);

}  // namespace kbatch::test
