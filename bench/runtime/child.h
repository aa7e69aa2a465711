// bench/runtime: a child process for the runtime figures: started with a chosen environment,
// its standard error read line by line with the time each line arrived.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace kbatch::bench {

using Clock = std::chrono::steady_clock;

struct ChildSpec {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // "NAME=value", added to (and over) this process's environment
    std::string cwd;               // empty: this process's
    bool capture_output = false;   // kept for error messages; else discarded
};

/// A started child process. Owns it: the destructor kills (SIGKILL) and reaps it if it still
/// runs. With capture_output, a thread reads its standard error (and standard output) into lines.
class Child {
  public:
    explicit Child(const ChildSpec& spec);  // throws std::runtime_error if it cannot start
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const noexcept { return pid_; }
    /// When fork() returned in the parent: the process's start as the figures count it.
    Clock::time_point started() const noexcept { return started_; }

    /// Waits until a line containing `text` arrives after the first `skip` such lines; returns
    /// when it arrived, or nothing after `timeout`.
    std::optional<Clock::time_point> wait_for_line(const std::string& text, std::size_t skip,
                                                   std::chrono::milliseconds timeout);
    /// How many lines so far contain `text`.
    std::size_t count_lines(const std::string& text);
    /// Everything captured so far.
    std::string output();

    /// The peak resident set size (VmHWM) in KiB, read while the process runs; 0 if unknown.
    long peak_rss_kib() const;

    /// SIGTERM, then SIGKILL if it has not exited within `grace`; reaps it.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  private:
    void read_lines(int fd);

    pid_t pid_ = -1;
    Clock::time_point started_;
    std::thread reader_;
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<std::pair<Clock::time_point, std::string>> lines_;
};

}  // namespace kbatch::bench
