// kbatch core: sample events, valid and in the form Lambda writes, for trying a plugin out
// (`kbatch event`, like `sam local generate-event`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kbatch {

/// What a sample event holds.
struct SampleEventOptions {
    std::size_t records = 3;  // 1 to 10,000 (Lambda's most per batch)
    std::uint64_t seed = 1;   // the same seed gives the same event, byte for byte
};

/// A Kinesis event of `options.records` records from one shard, compact and with Lambda's field
/// order (so it takes the decoder's fast path). Each record's data is a small JSON object
/// ({"id":1,"type":"order_created","amount_cents":1234}); partition keys, amounts and the gaps
/// between sequence numbers come from the seed. Sequence numbers are 56 digits and increase.
std::string sample_kinesis_event(const SampleEventOptions& options);

}  // namespace kbatch
