// kbatch bench: the base64 decoder a team writes first, for the "naive" contender.
#pragma once

#include <string>
#include <string_view>

namespace kbatch::bench {

/// Decodes padded standard base64 one character at a time through a lookup table, into a new
/// string. Throws std::invalid_argument on anything else. Deliberately plain: the naive path's
/// point is what the obvious code costs.
std::string scalar_base64_decode(std::string_view encoded);

}  // namespace kbatch::bench
