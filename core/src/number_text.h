// kbatch core: judging a JSON number's text that simdjson would not read as a double.
#pragma once

#include <string_view>

namespace kbatch {

/// What a JSON number is when simdjson's get_double() refuses it.
enum class UnreadNumber {
    kZero,        // well-formed, and below every double: it rounds to zero
    kOutOfRange,  // well-formed, and beyond a double's range (1e309, 310 digits...)
    kMalformed,   // not a JSON number ("1.", "01", "1e")
};

/// simdjson refuses both a malformed number and a well-formed one whose double would be infinite
/// (1e309, -1e309, 1.7976931348623159e308) or whose exponent has too many digits for it to read
/// (1e-99999999999999999999). The first is invalid JSON, the rest valid JSON with a value no
/// double holds, and an event must not be refused as invalid for one of those in a field that only
/// one record needs. So `token` (the number's raw text; spaces after it allowed) is checked
/// against JSON's grammar, and a well-formed number is judged by its magnitude: zero, or below
/// every double, is kZero with `*zero` the zero of its sign; anything else is kOutOfRange (simdjson
/// reads every other finite value, however many digits it has).
UnreadNumber judge_unread_number(std::string_view token, double* zero);

}  // namespace kbatch
