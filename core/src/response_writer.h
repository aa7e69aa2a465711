// kbatch core: the partial batch response Lambda reads.
#pragma once

#include <string>

#include "batch_runner.h"

namespace kbatch {

/// Writes {"batchItemFailures":[{"itemIdentifier":"<sequence number>"}, ...]} for `report`: keys in
/// exactly this camelCase, identifiers in event order, each once (a repeated sequence number is
/// reported once), an empty list when nothing failed. `pretty` indents it for people.
std::string write_batch_response(const BatchReport& report, bool pretty = false);

}  // namespace kbatch
