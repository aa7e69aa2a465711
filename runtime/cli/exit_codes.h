// kbatch runtime: the CLI's exit codes, one meaning each.
#pragma once

#include "status.h"

namespace kbatch {

inline constexpr int kExitOk = 0;       // the batch was processed (failed records included)
inline constexpr int kExitFailure = 1;  // invalid event, plugin not loadable, invocation failed
inline constexpr int kExitUsage = 2;    // the command line was wrong

/// The exit code for a command that stops on `failure` (not OK): kExitUsage when the command line
/// was wrong (ErrorKind::kUsageError), kExitFailure for every other kind (the environment, a
/// file, the plugin or the event was wrong).
inline int exit_code_for(const Status& failure) noexcept {
    return failure.kind() == ErrorKind::kUsageError ? kExitUsage : kExitFailure;
}

}  // namespace kbatch
