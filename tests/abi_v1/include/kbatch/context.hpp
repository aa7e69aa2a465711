// kbatch plugin SDK: what a plugin knows about the invocation it is part of.
#pragma once

#include <chrono>
#include <string_view>

#include "kbatch/abi.hpp"
#include "kbatch/logger.hpp"

namespace kbatch {
inline namespace abi_v1 {

/// Where the host reads the current time: the one clock seam (as leveldb's Env::NowMicros), so
/// that tests can run the deadline guard, remaining_time() and record ages on a clock they move
/// by hand, exactly and without sleeping.
///
/// Thread safety: now() may be called from any thread.
class KBATCH_API TimeSource {
  public:
    /// The current time on the system clock's scale (deadlines are epoch milliseconds).
    virtual std::chrono::system_clock::time_point now() const noexcept = 0;

  protected:
    ~TimeSource() = default;
};

/// The invocation a record belongs to: its ids, its deadline and the logger.
///
/// Lifetime: a view, built by the host for one invocation; valid only during the process() calls
/// of that invocation. The strings point into host memory that is reused.
/// Thread safety: immutable, except for the logger (see Logger).
class Context {
  public:
    using Clock = std::chrono::system_clock;

    /// `deadline` is Clock::time_point::max() when the invocation has none (local runs).
    /// `time` is where now() reads the time; null means the system clock. When not null it must
    /// outlive the context.
    Context(std::string_view request_id, Clock::time_point deadline, std::string_view function_arn,
            std::string_view trace_id, Logger& logger, const TimeSource* time = nullptr) noexcept
        : request_id_(request_id),
          deadline_(deadline),
          function_arn_(function_arn),
          trace_id_(trace_id),
          logger_(&logger),
          time_(time) {}

    /// The Lambda request id ("Lambda-Runtime-Aws-Request-Id").
    std::string_view request_id() const noexcept { return request_id_; }
    /// When Lambda stops the invocation.
    Clock::time_point deadline() const noexcept { return deadline_; }
    /// Time until the deadline, zero once it has passed; milliseconds::max() without a deadline.
    /// Plugins that do slow work check it and fail the record rather than run out of time.
    std::chrono::milliseconds remaining_time() const noexcept {
        if (deadline_ == Clock::time_point::max())
            return std::chrono::milliseconds::max();
        const Clock::time_point now = this->now();
        if (now >= deadline_)
            return std::chrono::milliseconds::zero();
        return std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now);
    }
    /// The invoked function's ARN ("Lambda-Runtime-Invoked-Function-Arn"); empty locally.
    std::string_view function_arn() const noexcept { return function_arn_; }
    /// The X-Ray trace header ("Lambda-Runtime-Trace-Id"); empty when not traced.
    std::string_view trace_id() const noexcept { return trace_id_; }
    /// Where the plugin's log lines go.
    Logger& logger() const noexcept { return *logger_; }
    /// The current time, as the host reads it (the system clock unless a test replaced it).
    Clock::time_point now() const noexcept {
        return time_ != nullptr ? time_->now() : Clock::now();
    }
    /// The clock the host gave this context; null for the system clock.
    const TimeSource* time_source() const noexcept { return time_; }

  private:
    std::string_view request_id_;
    Clock::time_point deadline_;
    std::string_view function_arn_;
    std::string_view trace_id_;
    Logger* logger_;
    // Last, after the members of the first ABI v1 layout: the inline functions of a plugin built
    // before it was added read only the members above, at the offsets they always had.
    const TimeSource* time_;
};

}  // namespace abi_v1
}  // namespace kbatch
