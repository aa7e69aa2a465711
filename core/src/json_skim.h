// kbatch core: checking a whole JSON value in place, for the fast path (lambda_form_decoder.cc):
// a DynamoDB image it keeps as text, an SQS attribute's stringListValues it ignores. It accepts
// only what simdjson accepts, and refuses (to leave the event to the general path) some valid
// values it has no need to read quickly: nesting deeper than kMaxSkimDepth.
#pragma once

namespace kbatch {

/// The deepest a skimmed value may nest (the general path's limit is higher).
inline constexpr int kMaxSkimDepth = 64;

/// Checks the JSON value that starts at `at` (no whitespace before it) and ends before `end`,
/// and returns the end of its text (past its last character, before any whitespace), or
/// nullptr when it is not valid JSON, or not one the skim accepts. Reads up to 32 bytes past
/// `end`, never acting on them.
const char* skim_value(const char* at, const char* end);

}  // namespace kbatch
