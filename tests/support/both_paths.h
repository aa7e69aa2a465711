// Decoding one event through both of the decoder's paths (the fast path for Lambda's form tried
// first, and the general path alone) and checking that they agree.
#pragma once

#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "batch_difference.h"
#include "event_decoder.h"

namespace kbatch::test {

/// Two decoders, reused across events as the host reuses its one.
class BothPaths {
  public:
    /// Decodes `event` with both, requires that both succeed and give the same batch, and returns
    /// the batch (valid until the next call).
    const DecodedBatch& decode_ok(std::string_view event) {
        const std::string fast = trying_.decode(event).to_string();
        const std::string general = general_.decode(event).to_string();
        INFO("fast: " << fast << "; general: " << general);
        REQUIRE(fast == "OK");
        REQUIRE(general == "OK");
        REQUIRE(batch_difference(trying_.batch(), general_.batch()) == "");
        return trying_.batch();
    }

    /// Decodes `event` with both and returns the status, requiring that both give the same status
    /// and the same batch.
    std::string decode(std::string_view event) {
        const std::string fast = trying_.decode(event).to_string();
        const std::string general = general_.decode(event).to_string();
        REQUIRE(fast == general);
        REQUIRE(batch_difference(trying_.batch(), general_.batch()) == "");
        return fast;
    }

    /// The path the trying decoder took last.
    EventDecoder::Path path() const { return trying_.last_path(); }
    bool took_fast_path() const { return path() == EventDecoder::Path::kLambdaForm; }
    const DecodedBatch& batch() const { return trying_.batch(); }

  private:
    EventDecoder trying_;
    EventDecoder general_{EventDecoder::FastPath::kSkip};
};

}  // namespace kbatch::test
