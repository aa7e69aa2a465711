// kbatch core: the general path of decoding: any event, through simdjson's on-demand walk.
//
// It accepts every valid event of any of the three sources and explains every invalid one, with
// the place it is wrong ("Records[3].kinesis.data: not valid base64: ..."). The fields it reads,
// their types and which ones a record must have come from source_fields.h, as the fast path's do.
#pragma once

#include <cstddef>

#include <simdjson.h>

#include "decoded_batch.h"
#include "status.h"

namespace kbatch {

/// JSON nested deeper than this is refused: no event of any source comes close, and the
/// validation of values the walk does not keep recurses.
inline constexpr int kMaxJsonDepth = 256;

/// Parses the `size` bytes at `data` (in a buffer of `capacity` bytes, at least
/// simdjson::SIMDJSON_PADDING more) with `parser` and walks them into `batch`, which it clears
/// first. `input` is where the event buffer starts (before any byte-order mark), for the byte
/// positions in messages. `arena` has room for `size` bytes: decoded base64 goes there. On an
/// error that makes the batch impossible to process, returns kInvalidEvent; `batch` is then in no
/// particular state. The views in `batch` point into the event buffer, the parser's string buffer
/// (strings with escapes, unescaped) and `arena`.
Status decode_general(simdjson::ondemand::parser& parser, const char* data, std::size_t size,
                      std::size_t capacity, const char* input, std::byte* arena,
                      DecodedBatch& batch);

}  // namespace kbatch
