// kbatch serve: one child process (the runtime), started, watched and stopped without a library.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "status.h"

namespace kbatch::serve {

/// "exit status 1", "signal: segmentation fault": a waitpid() status as Lambda words it in a
/// Runtime.ExitError.
std::string describe_wait_status(int wait_status);

/// A child process in its own process group.
///
/// The child gets its own group so that a Ctrl-C in the terminal reaches `serve` alone, which then
/// stops the child in order; and it is killed by the kernel if the thread that started it dies
/// (PR_SET_PDEATHSIG), so a `serve` killed with SIGKILL leaves no runtime behind.
///
/// Ownership: owns the process; the destructor kills and reaps it if it is still running.
/// Thread safety: none. One thread (the supervisor's) starts, polls and stops it, and must be the
/// thread that lives as long as the child (see PR_SET_PDEATHSIG).
class ChildProcess {
  public:
    ChildProcess() = default;
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// Starts `argv[0]` (a path, not searched in PATH) with exactly `environment` ("NAME=value"
    /// entries), all signals unblocked and SIGPIPE at its default. kIoError with a line naming the
    /// program and the reason when it cannot be executed (the exec error comes back through a
    /// close-on-exec pipe, so "No such file" is told at once, not as an exit status). Only when
    /// nothing is running.
    Status start(const std::vector<std::string>& argv, const std::vector<std::string>& environment);

    bool running() const noexcept { return pid_ > 0; }
    pid_t pid() const noexcept { return pid_; }

    /// Non-blocking: the wait status if the child has exited since (it is then reaped and no
    /// longer running), nothing while it runs.
    std::optional<int> poll_exit();

    /// Stops the child: SIGTERM to its group, then SIGKILL once `grace` has passed (at once for a
    /// zero grace). Returns the wait status; -1 if nothing was running.
    int stop(std::chrono::milliseconds grace);

  private:
    pid_t pid_ = -1;
};

}  // namespace kbatch::serve
