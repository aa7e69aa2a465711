// kbatch serve tests: a child process whose output goes to a file, killed when the test ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kbatch::serve_test {

struct SubprocessOptions {
    std::vector<std::string> argv;                         // argv[0] is a path
    std::vector<std::pair<std::string, std::string>> env;  // set over the test's environment
    std::vector<std::string> unset_env;                    // removed from it
    std::filesystem::path working_directory;               // empty: the test's
    std::optional<unsigned long> max_open_files = {};      // RLIMIT_NOFILE; unset: the test's
};

/// Starts `argv` in a process group of its own, with stdout and stderr appended to a temporary
/// file. The destructor kills the whole group and reaps the child, so a failed test leaves no
/// process behind.
///
/// Thread safety: none; one test thread owns it.
class Subprocess {
  public:
    /// Throws std::runtime_error if the program cannot be started.
    explicit Subprocess(SubprocessOptions options);
    ~Subprocess();
    Subprocess(const Subprocess&) = delete;
    Subprocess& operator=(const Subprocess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    /// Everything the child wrote so far.
    std::string output() const;
    /// Sends `signal` to the child alone.
    void signal(int signal) const;
    /// The wait status once the child has exited within `timeout`; nothing if it still runs.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    /// Whether it is still running (reaps it if it has exited).
    bool running();

  private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path output_file_;
};

/// The exit code of a wait status; 128 + the signal for a child killed by one.
int exit_code(int wait_status);

}  // namespace kbatch::serve_test
