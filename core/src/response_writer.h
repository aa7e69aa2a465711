// kbatch core: the partial batch response Lambda reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "batch_runner.h"

namespace kbatch {

/// Writes the partial batch response straight into a caller's string, without building a
/// document first: {"batchItemFailures":[{"itemIdentifier":"<sequence number>"}, ...]}, keys in
/// exactly this camelCase, identifiers in event order, each once (a repeated sequence number is
/// reported once, where it first failed), an empty list when nothing failed.
///
/// Ownership: the writer keeps scratch space for finding repeated identifiers, and the caller owns
/// the output string; both are reused, so once they have grown to a batch's size, writing a
/// response allocates nothing. Thread safety: none; one writer per thread.
class ResponseWriter {
  public:
    /// Replaces `out` with the response for `report` (its capacity is kept). `pretty` indents it
    /// for people, as nlohmann::json's dump(2) would.
    void write(const BatchReport& report, std::string& out, bool pretty = false);

  private:
    // Open addressing over indices into report.failures (kEmpty for a free slot).
    static constexpr std::uint32_t kEmpty = UINT32_MAX;
    std::vector<std::uint32_t> slots_;
};

/// The same response in a new string, with a writer of its own (tests and one-off callers).
std::string write_batch_response(const BatchReport& report, bool pretty = false);

}  // namespace kbatch
