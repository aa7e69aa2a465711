// kbatch serve: the identifiers Lambda hands a runtime with each invocation.
#pragma once

#include <string>

namespace kbatch::serve {

/// Makes request ids ("Lambda-Runtime-Aws-Request-Id", UUID version 4 text) and X-Ray trace
/// headers ("Lambda-Runtime-Trace-Id"). They only need to be unique and look like Lambda's, so a
/// seeded 64-bit generator is enough; none of them is a secret.
///
/// Thread safety: none; the owner serialises calls (LocalLambda calls it under its mutex).
class RequestIds {
  public:
    RequestIds();

    /// "8f5e6c1a-3b2d-4c7e-9a1f-0e2d4b6a8c0f".
    std::string request_id();
    /// "Root=1-<8 hex: epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=0".
    std::string trace_id();

  private:
    unsigned long long next();

    unsigned long long state_;
};

}  // namespace kbatch::serve
