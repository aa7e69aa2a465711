// kbatch serve tests: `kbatch serve` running on a free loopback port for one test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "subprocess.h"

namespace kbatch::serve_test {

using namespace std::chrono_literals;

/// Starts `kbatch serve --port 0 ARGS...` and reads the port it prints. If the test fails with an
/// exception (a failed REQUIRE) while it runs, its log is printed, since that is where the
/// reason usually is.
class ServeProcess {
  public:
    /// Throws std::runtime_error (with the log) if serve does not print its port within 15 s.
    /// `max_open_files` lowers serve's descriptor limit (RLIMIT_NOFILE).
    explicit ServeProcess(std::vector<std::string> args,
                          std::vector<std::pair<std::string, std::string>> env = {},
                          std::optional<unsigned long> max_open_files = std::nullopt);
    ~ServeProcess();

    std::uint16_t port() const noexcept { return port_; }
    /// The host of the printed URL: "127.0.0.1", or "[::1]" with --host ::1.
    const std::string& host() const noexcept { return host_; }
    /// "http://HOST:PORT", as printed.
    std::string url() const { return "http://" + host_ + ":" + std::to_string(port_); }
    std::string log() const { return process_.output(); }
    Subprocess& process() noexcept { return process_; }

    /// Waits until `text` occurs at least `count` times in the log.
    bool wait_for_log(std::string_view text, std::size_t count = 1,
                      std::chrono::milliseconds timeout = 15s) const;
    /// How often `text` occurs in the log.
    std::size_t count_in_log(std::string_view text) const;
    /// The pids from "runtime started (pid N)" lines, oldest first.
    std::vector<pid_t> runtime_pids() const;

    /// SIGTERM, then waits: the exit code, or -1 if it did not stop within `timeout`.
    int stop(std::chrono::milliseconds timeout = 10s);

  private:
    Subprocess process_;
    std::string host_;
    std::uint16_t port_ = 0;
};

/// The `kbatch` executable under test.
std::string kbatch_exe();

}  // namespace kbatch::serve_test
