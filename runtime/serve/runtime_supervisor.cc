#include "runtime_supervisor.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "error_body.h"
#include "runtime_environment.h"
#include "status.h"

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
    : lambda_(lambda), options_(std::move(options)), logger_(logger) {
    if (options_.watch && !options_.plugin_copies)
        throw std::invalid_argument("RuntimeSupervisor: a watch needs plugin copies");
}

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
            poll_watch(now);
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

void RuntimeSupervisor::poll_watch(Clock::time_point now) {
    FileWatch& watch = *options_.watch;
    const bool changed = watch.changed();
    // A file that is gone is named by its last known path.
    const std::string name = watch.file()    ? watch.file()->string()
                             : running_copy_ ? running_copy_->original.string()
                                             : watch.description();
    if (changed) {
        PluginCopy copy;
        const Status taken = watch.file() ? options_.plugin_copies->take(*watch.file(), &copy)
                                          : Status::error(ErrorKind::kIoError, "is not found");
        if (taken.is_ok()) {
            if (next_copy_)  // taken after an earlier change, and never run
                options_.plugin_copies->remove(*next_copy_);
            next_copy_ = std::move(copy);
            unusable_since_.reset();
            waiting_logged_ = false;
            logger_.info(fmt::format("{} changed: replacing the runtime", name));
            reload_pending_ = true;
            return;
        }
        // Most often a linker that has not finished: its next write is another change. So one
        // quiet line, and the details only if the file stays so.
        unusable_since_ = now;
        unusable_problem_ = taken.message();
        unusable_reported_ = false;
        if (!waiting_logged_) {
            waiting_logged_ = true;
            logger_.info(fmt::format("waiting for {} to be complete", name));
        }
        return;
    }
    if (unusable_since_ && !unusable_reported_ &&
        now - *unusable_since_ >= options_.unusable_report_after) {
        unusable_reported_ = true;
        logger_.warn(fmt::format(
            "{} {}: not replacing the runtime, which keeps its copy of the previous file, until "
            "the file changes again",
            name, unusable_problem_));
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

std::vector<std::string> RuntimeSupervisor::spawn_environment() {
    if (!options_.plugin_copies)
        return options_.environment;
    if (next_copy_) {
        // The runtime that loaded the previous copy has exited: nothing maps it any more.
        if (running_copy_)
            options_.plugin_copies->remove(*running_copy_);
        running_copy_ = std::exchange(next_copy_, std::nullopt);
    } else if (!running_copy_ && options_.watch->file()) {
        // The first runtime, or one after a start without a usable copy.
        PluginCopy copy;
        if (Status taken = options_.plugin_copies->take(*options_.watch->file(), &copy);
            taken.is_ok()) {
            running_copy_ = std::move(copy);
        } else {
            // The runtime's init reports what is wrong with the file, as it would without --watch.
            logger_.warn(fmt::format("{} {}: the runtime is started on the file itself",
                                     options_.watch->file()->string(), taken.message()));
        }
    }
    if (!running_copy_)
        return options_.environment;
    return environment_for_copy(options_.environment, running_copy_->copy, running_copy_->original);
}

void RuntimeSupervisor::spawn(Clock::time_point now) {
    lambda_.runtime_started();
    if (Status started = child_.start(options_.argv, spawn_environment()); !started.is_ok()) {
        logger_.error(started.message());
        lambda_.post_init_error(error_body("Runtime.InvalidEntrypoint", started.message()));
        schedule_after_failed_init(now);
        return;
    }
    started_at_ = now;
    logger_.info(fmt::format(
        "runtime started (pid {}): {}{}", child_.pid(), options_.argv.front(),
        running_copy_ ? fmt::format(", plugin {} copied to {}", running_copy_->original.string(),
                                    running_copy_->copy.string())
                      : std::string()));
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
