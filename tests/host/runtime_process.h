// Runs the real kbatch-runtime binary as a child process with a chosen environment.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace kbatch::test {

struct RuntimeExit {
    int exit_code = -1;      // -1 when killed
    bool timed_out = false;  // still running at the deadline, so it was killed
    std::string output;      // stdout and stderr together
};

/// Starts `binary` with exactly `environment` (NAME=value entries), waits at most `timeout` for it
/// to exit, kills it past that, and returns how it ended.
RuntimeExit run_with_environment(const std::string& binary,
                                 const std::vector<std::string>& environment,
                                 std::chrono::milliseconds timeout);

}  // namespace kbatch::test
