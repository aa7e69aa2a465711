#include "runtime_supervisor.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "error_body.h"

namespace kbatch::serve {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kStopGrace{1000};
constexpr milliseconds kReloadGrace{500};

double seconds(milliseconds duration) {
    return static_cast<double>(duration.count()) / 1000.0;
}

}  // namespace

RuntimeSupervisor::RuntimeSupervisor(LocalLambda& lambda, SupervisorOptions options, Logger& logger)
    : lambda_(lambda), options_(std::move(options)), logger_(logger) {}

RuntimeSupervisor::~RuntimeSupervisor() {
    stop();
}

void RuntimeSupervisor::start() {
    thread_ = std::thread([this] { run(); });
}

void RuntimeSupervisor::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_requested_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void RuntimeSupervisor::run() {
    restart_at_ = Clock::now();
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stop_requested_)
                break;
        }
        const Clock::time_point now = Clock::now();
        if (options_.watch && now >= next_watch_poll_) {
            next_watch_poll_ = now + options_.watch_interval;
            if (options_.watch->changed()) {
                logger_.info(fmt::format("{} changed: replacing the runtime",
                                         options_.watch->description()));
                reload_pending_ = true;
            }
        }
        if (child_.running()) {
            poll_running(now);
        } else {
            poll_stopped(now);
        }
        // Polling (rather than SIGCHLD) keeps signal handling to the main thread's sigwait and
        // costs nothing at this rate; a crash is noticed within one interval.
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, options_.poll_interval, [this] { return stop_requested_; });
    }
    if (child_.running()) {
        const pid_t pid = child_.pid();
        const int status = child_.stop(kStopGrace);
        logger_.info(
            fmt::format("runtime (pid {}) stopped: {}", pid, describe_wait_status(status)));
    }
}

void RuntimeSupervisor::poll_running(Clock::time_point now) {
    const pid_t pid = child_.pid();
    if (std::optional<int> status = child_.poll_exit()) {
        logger_.warn(
            fmt::format("runtime (pid {}) exited: {}", pid, describe_wait_status(*status)));
        after_exit(*status, /*intentional=*/false, now);
        return;
    }
    if (lambda_.take_replace_request()) {
        logger_.warn(fmt::format("an invocation timed out: replacing the runtime (pid {})", pid));
        after_exit(child_.stop(milliseconds::zero()), /*intentional=*/true, now);
        return;
    }
    // A reload waits for the invocation in flight: replacing the plugin under it would turn a
    // rebuild into a failed invocation.
    if (reload_pending_ && lambda_.in_flight() == 0) {
        reload_pending_ = false;
        failed_inits_ = 0;
        after_exit(child_.stop(kReloadGrace), /*intentional=*/true, now);
        return;
    }
    if (!lambda_.runtime_ready() && !lambda_.init_error_posted() &&
        now - started_at_ >= options_.init_timeout) {
        const std::string message = fmt::format(
            "Init phase timed out after {:.0f} seconds: the runtime never asked for an "
            "invocation",
            seconds(options_.init_timeout));
        logger_.error(fmt::format("runtime (pid {}): {}", pid, message));
        lambda_.post_init_error(error_body("Sandbox.Timedout", message));
        after_exit(child_.stop(milliseconds::zero()), /*intentional=*/true, now);
    }
}

void RuntimeSupervisor::poll_stopped(Clock::time_point now) {
    // A timeout reported after its runtime was gone concerns no runtime that is left.
    lambda_.take_replace_request();
    if (reload_pending_) {
        reload_pending_ = false;
        failed_inits_ = 0;
        restart_at_ = now;
    }
    if (now >= restart_at_)
        spawn(now);
}

void RuntimeSupervisor::spawn(Clock::time_point now) {
    lambda_.runtime_started();
    std::string error;
    if (!child_.start(options_.argv, options_.environment, &error)) {
        logger_.error(error);
        lambda_.post_init_error(error_body("Runtime.InvalidEntrypoint", error));
        schedule_after_failed_init(now);
        return;
    }
    started_at_ = now;
    logger_.info(fmt::format("runtime started (pid {}): {}", child_.pid(), options_.argv.front()));
}

void RuntimeSupervisor::after_exit(int wait_status, bool intentional, Clock::time_point now) {
    const RuntimeExitReport report =
        lambda_.runtime_exited(describe_wait_status(wait_status), intentional);
    if (report.failed_invocations > 0) {
        logger_.warn(fmt::format("{} invocation(s) answered with Runtime.ExitError",
                                 report.failed_invocations));
    }
    if (report.failed_init) {
        schedule_after_failed_init(now);
    } else {
        failed_inits_ = 0;
        restart_at_ = now;
    }
}

void RuntimeSupervisor::schedule_after_failed_init(Clock::time_point now) {
    ++failed_inits_;
    milliseconds delay = options_.backoff_first;
    for (int i = 1; i < failed_inits_ && delay < options_.backoff_max; ++i)
        delay *= 2;
    delay = std::min(delay, options_.backoff_max);
    restart_at_ = now + delay;
    logger_.warn(fmt::format(
        "the runtime failed its init ({} in a row); invokers get that error until the next start, "
        "in {:.2f} s",
        failed_inits_, seconds(delay)));
}

}  // namespace kbatch::serve
