// kbatch runtime: the CLI's exit codes, one meaning each.
#pragma once

namespace kbatch {

inline constexpr int kExitOk = 0;       // the batch was processed (failed records included)
inline constexpr int kExitFailure = 1;  // invalid event, plugin not loadable, invocation failed
inline constexpr int kExitUsage = 2;    // the command line was wrong

}  // namespace kbatch
