// kbatch plugin SDK: what a plugin knows about the invocation it is part of.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "kbatch/abi.hpp"
#include "kbatch/logger.hpp"

namespace kbatch {
inline namespace abi_v2 {

/// The invocation a record belongs to: its ids, its deadline and the logger.
///
/// Lifetime: a view, built for one invocation (by the SDK's adapter from the host's
/// InvocationView); valid only during the process() calls of that invocation. The strings point
/// into host memory that is reused.
/// Thread safety: immutable, except for the logger (see Logger).
class Context {
  public:
    using Clock = std::chrono::system_clock;

    /// `deadline` is Clock::time_point::max() when the invocation has none (local runs).
    /// `time` is where now() reads the time; null means the system clock. When not null it must
    /// outlive the context.
    Context(std::string_view request_id, Clock::time_point deadline, std::string_view function_arn,
            std::string_view trace_id, Logger& logger, const TimeSource* time = nullptr) noexcept {
        view_.request_id = request_id;
        view_.function_arn = function_arn;
        view_.trace_id = trace_id;
        view_.deadline_ns = deadline == Clock::time_point::max() ? INT64_MAX : to_ns(deadline);
        view_.logger = &logger;
        view_.time = time;
    }

    /// The context the host described. `invocation` is copied.
    explicit Context(const InvocationView& invocation) noexcept { view_ = invocation; }

    /// The Lambda request id ("Lambda-Runtime-Aws-Request-Id").
    std::string_view request_id() const noexcept { return view_.request_id; }
    /// When Lambda stops the invocation.
    Clock::time_point deadline() const noexcept {
        return view_.deadline_ns == INT64_MAX ? Clock::time_point::max()
                                              : from_ns(view_.deadline_ns);
    }
    /// Time until the deadline, zero once it has passed; milliseconds::max() without a deadline.
    /// Plugins that do slow work check it and fail the record rather than run out of time.
    std::chrono::milliseconds remaining_time() const noexcept {
        if (view_.deadline_ns == INT64_MAX)
            return std::chrono::milliseconds::max();
        const std::int64_t now = now_ns();
        if (now >= view_.deadline_ns)
            return std::chrono::milliseconds::zero();
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::nanoseconds(view_.deadline_ns - now));
    }
    /// The invoked function's ARN ("Lambda-Runtime-Invoked-Function-Arn"); empty locally.
    std::string_view function_arn() const noexcept { return view_.function_arn; }
    /// The X-Ray trace header ("Lambda-Runtime-Trace-Id"); empty when not traced.
    std::string_view trace_id() const noexcept { return view_.trace_id; }
    /// Where the plugin's log lines go.
    Logger& logger() const noexcept { return *view_.logger; }
    /// The current time, as the host reads it (the system clock unless a test replaced it).
    Clock::time_point now() const noexcept { return from_ns(now_ns()); }
    /// The clock the host gave this context; null for the system clock.
    const TimeSource* time_source() const noexcept { return view_.time; }
    /// The invocation as it crosses the plugin boundary.
    const InvocationView& view() const noexcept { return view_; }

  private:
    std::int64_t now_ns() const noexcept {
        return view_.time != nullptr ? view_.time->now_ns() : to_ns(Clock::now());
    }
    static std::int64_t to_ns(Clock::time_point time) noexcept {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch())
            .count();
    }
    static Clock::time_point from_ns(std::int64_t ns) noexcept {
        return Clock::time_point(
            std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
    }

    InvocationView view_;
};

}  // namespace abi_v2
}  // namespace kbatch
