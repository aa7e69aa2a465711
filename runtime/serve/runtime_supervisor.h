// kbatch serve: keeps one runtime process running against the local Lambda, as Lambda would.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <kbatch/logger.hpp>

#include "child_process.h"
#include "file_watch.h"
#include "local_lambda.h"
#include "plugin_copies.h"

namespace kbatch::serve {

struct SupervisorOptions {
    std::vector<std::string> argv;         // the runtime program (a path) and its arguments
    std::vector<std::string> environment;  // its whole environment, "NAME=value"
    std::unique_ptr<FileWatch> watch;      // --watch: replace the runtime when this file changes
    // Required with `watch`: each runtime loads a private copy of the watched file, taken here,
    // and a change replaces the runtime only once its copy is a whole ELF file.
    std::unique_ptr<PluginCopies> plugin_copies;
    std::chrono::milliseconds poll_interval{50};
    std::chrono::milliseconds watch_interval{250};
    // Lambda gives a function's init 10 seconds; a runtime that neither asks for an invocation
    // nor fails by then is stopped, and the waiting invokers are told.
    std::chrono::milliseconds init_timeout{10000};
    // After an init failure the next start waits, doubling up to the maximum, so that a runtime
    // that cannot start does not spin. Meanwhile invokers get that init failure at once (see
    // LocalLambda::invoke), and a change of the watched file starts a runtime at once.
    std::chrono::milliseconds backoff_first{250};
    std::chrono::milliseconds backoff_max{5000};
    // A changed file that stays unusable (not a whole ELF file) this long is reported as a
    // warning: a build that failed, or a file that is no plugin. The runtime goes on meanwhile.
    std::chrono::milliseconds unusable_report_after{3000};
};

/// Starts the runtime, tells `lambda` about its life cycle, and starts a new one when it exits:
/// at once after a crash or an intentional replacement, with backoff after a failed init. It
/// replaces the runtime when an invocation timed out (a stuck runtime), when the init takes too
/// long, and, with a watch, when the watched file changes and no invocation is in flight.
///
/// With a watch, a change replaces the runtime only once a copy of the file taken while it held
/// still is a whole ELF file: a build still writing it, or one that failed, leaves the runtime
/// running on its own copy, which no build can touch.
///
/// Ownership: owns the runtime process and the thread that watches it; does not own `lambda` or
/// `logger`, which must outlive it.
/// Thread safety: start() and stop() from one controlling thread; everything else happens on the
/// supervisor's own thread.
class RuntimeSupervisor {
  public:
    /// Throws std::invalid_argument when `options` has a watch but no plugin copies.
    RuntimeSupervisor(LocalLambda& lambda, SupervisorOptions options, Logger& logger);
    ~RuntimeSupervisor();
    RuntimeSupervisor(const RuntimeSupervisor&) = delete;
    RuntimeSupervisor& operator=(const RuntimeSupervisor&) = delete;

    /// Starts the supervisor thread, which starts the first runtime at once.
    void start();

    /// Stops the runtime (SIGTERM, then SIGKILL after a short grace) and joins the thread.
    /// Idempotent.
    void stop();

  private:
    using Clock = std::chrono::steady_clock;

    void run();
    void poll_running(Clock::time_point now);
    void poll_stopped(Clock::time_point now);
    void poll_watch(Clock::time_point now);
    void spawn(Clock::time_point now);
    std::vector<std::string> spawn_environment();
    void after_exit(int wait_status, bool intentional, Clock::time_point now);
    void schedule_after_failed_init(Clock::time_point now);

    LocalLambda& lambda_;
    SupervisorOptions options_;
    Logger& logger_;

    std::mutex mutex_;  // guards stop_requested_
    std::condition_variable wake_;
    bool stop_requested_ = false;
    std::thread thread_;

    // Used by the supervisor thread only.
    ChildProcess child_;
    Clock::time_point started_at_{};
    Clock::time_point restart_at_{};
    Clock::time_point next_watch_poll_{};
    int failed_inits_ = 0;
    bool reload_pending_ = false;
    // With a watch: the copy the runtime loads (the last one, while none runs), and the one taken
    // after a change for the next runtime.
    std::optional<PluginCopy> running_copy_;
    std::optional<PluginCopy> next_copy_;
    // A change that could not be used yet: since when, why, and what was logged about it.
    std::optional<Clock::time_point> unusable_since_;
    std::string unusable_problem_;
    bool waiting_logged_ = false;
    bool unusable_reported_ = false;
};

}  // namespace kbatch::serve
