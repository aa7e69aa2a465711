#include "local_lambda.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "error_body.h"

namespace kbatch::serve {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Enough to answer any late post of a session with "already finished"; beyond it, "unknown".
constexpr std::size_t kRememberedFinished = 10000;

InvokeResult function_error(std::string body) {
    InvokeResult result;
    result.body = std::move(body);
    result.function_error = true;
    return result;
}

InvokeResult shutting_down() {
    InvokeResult result;
    result.status = 503;
    result.body = api_error_body("ServiceException", "kbatch serve is shutting down");
    return result;
}

InvokeResult throttled(std::size_t max_pending) {
    InvokeResult result;
    result.status = 429;
    result.body = api_error_body(
        "TooManyRequestsException",
        fmt::format("Rate Exceeded: {} invocations are already queued or running", max_pending));
    return result;
}

InvokeResult exit_error(const std::string& request_id, std::string_view how) {
    return function_error(error_body(
        "Runtime.ExitError",
        fmt::format("RequestId: {} Error: Runtime exited with error: {}", request_id, how)));
}

std::int64_t epoch_milliseconds(std::chrono::system_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace

// One invoke() call's invocation, from its queueing until its invoker has the answer: queued for
// a runtime, then running in one, then done.
struct LocalLambda::PendingInvocation {
    enum class State { kQueued, kRunning, kDone };

    std::string request_id;  // given at queueing, so that even an init error can name it
    std::shared_ptr<const std::string> event;
    State state = State::kQueued;
    SteadyClock::time_point deadline;  // meaningful while kRunning
    InvokeResult result;               // meaningful once kDone
};

LocalLambda::LocalLambda(LocalLambdaOptions options) : options_(std::move(options)) {}

LocalLambda::~LocalLambda() = default;

InvokeResult LocalLambda::invoke(std::string event) {
    auto invocation = std::make_shared<PendingInvocation>();
    invocation->event = std::make_shared<const std::string>(std::move(event));

    std::unique_lock lock(mutex_);
    if (stopping_)
        return shutting_down();
    if (queue_.size() + in_flight_.size() >= options_.max_pending)
        return throttled(options_.max_pending);
    invocation->request_id = ids_.request_id();
    if (init_failure_body_ || init_failure_exit_) {
        finish_locked(invocation, init_failure_body_
                                      ? function_error(*init_failure_body_)
                                      : exit_error(invocation->request_id, *init_failure_exit_));
        return std::move(invocation->result);
    }
    queue_.push_back(invocation);
    changed_.notify_all();

    // The invoker's own thread enforces the deadline: it is the one thread that is certainly
    // waiting for this invocation, so no timer thread is needed.
    while (invocation->state != PendingInvocation::State::kDone) {
        if (invocation->state != PendingInvocation::State::kRunning) {
            changed_.wait(lock);
            continue;
        }
        changed_.wait_until(lock, invocation->deadline);
        if (invocation->state == PendingInvocation::State::kRunning &&
            SteadyClock::now() >= invocation->deadline) {
            in_flight_.erase(invocation->request_id);
            replace_requested_ = true;
            finish_locked(invocation,
                          function_error(error_body(
                              "Sandbox.Timedout",
                              fmt::format("RequestId: {} Error: Task timed out after {}.00 seconds",
                                          invocation->request_id, options_.timeout.count()))));
        }
    }
    return std::move(invocation->result);
}

std::uint64_t LocalLambda::runtime_epoch() const {
    std::lock_guard lock(mutex_);
    return epoch_;
}

NextResult LocalLambda::next(std::uint64_t epoch, std::chrono::milliseconds max_wait,
                             HandedInvocation* out) {
    const auto until = SteadyClock::now() + max_wait;
    std::unique_lock lock(mutex_);
    for (;;) {
        if (stopping_)
            return NextResult::kStopping;
        if (epoch != epoch_)
            return NextResult::kStale;
        // Asking for an invocation is how a runtime says its init is done.
        runtime_ready_ = true;
        init_failure_body_.reset();
        init_failure_exit_.reset();
        if (!queue_.empty())
            break;
        if (changed_.wait_until(lock, until) == std::cv_status::timeout && queue_.empty() &&
            !stopping_ && epoch == epoch_) {
            return NextResult::kWaitAgain;
        }
    }

    PendingInvocationPtr invocation = std::move(queue_.front());
    queue_.pop_front();
    invocation->state = PendingInvocation::State::kRunning;
    invocation->deadline = SteadyClock::now() + options_.timeout;
    in_flight_[invocation->request_id] = invocation;
    changed_.notify_all();  // the invoker now has a deadline to wait for

    out->request_id = invocation->request_id;
    out->event = invocation->event;
    out->deadline_ms = epoch_milliseconds(std::chrono::system_clock::now() + options_.timeout);
    out->function_arn = options_.function_arn;
    out->trace_id = ids_.trace_id();
    return NextResult::kInvocation;
}

void LocalLambda::return_undelivered(std::string_view request_id) {
    std::lock_guard lock(mutex_);
    auto it = in_flight_.find(std::string(request_id));
    if (it == in_flight_.end())
        return;
    PendingInvocationPtr invocation = std::move(it->second);
    in_flight_.erase(it);
    invocation->state = PendingInvocation::State::kQueued;
    queue_.push_front(std::move(invocation));
    changed_.notify_all();
}

PostResult LocalLambda::post_response(std::string_view request_id, std::string body) {
    InvokeResult result;
    result.body = std::move(body);
    return finish_posted(request_id, std::move(result));
}

PostResult LocalLambda::post_error(std::string_view request_id, std::string body) {
    return finish_posted(request_id, function_error(std::move(body)));
}

PostResult LocalLambda::finish_posted(std::string_view request_id, InvokeResult result) {
    std::lock_guard lock(mutex_);
    const std::string id(request_id);
    auto it = in_flight_.find(id);
    if (it == in_flight_.end()) {
        return finished_.contains(id) ? PostResult::kAlreadyFinished : PostResult::kUnknownRequest;
    }
    PendingInvocationPtr invocation = std::move(it->second);
    in_flight_.erase(it);
    finish_locked(invocation, std::move(result));
    return PostResult::kAccepted;
}

PostResult LocalLambda::post_init_error(const std::string& body) {
    std::lock_guard lock(mutex_);
    if (runtime_ready_)
        return PostResult::kOutOfSequence;
    init_error_posted_ = true;
    init_failure_body_ = body;
    for (PendingInvocationPtr& invocation : queue_)
        finish_locked(invocation, function_error(body));
    queue_.clear();
    return PostResult::kAccepted;
}

void LocalLambda::runtime_started() {
    std::lock_guard lock(mutex_);
    runtime_ready_ = false;
    init_error_posted_ = false;
    init_failure_body_.reset();
    init_failure_exit_.reset();
}

RuntimeExitReport LocalLambda::runtime_exited(std::string_view how, bool intentional) {
    std::lock_guard lock(mutex_);
    ++epoch_;
    changed_.notify_all();  // GET /next requests still waiting belong to the dead runtime

    RuntimeExitReport report;
    report.failed_init = init_error_posted_ || (!runtime_ready_ && !intentional);
    for (auto& [id, invocation] : in_flight_) {
        finish_locked(invocation, exit_error(id, how));
        ++report.failed_invocations;
    }
    in_flight_.clear();
    // An init error already answered everyone who was waiting; a silent death during init
    // answers them here.
    if (!runtime_ready_ && !init_error_posted_ && !intentional) {
        init_failure_exit_ = std::string(how);
        for (PendingInvocationPtr& invocation : queue_) {
            finish_locked(invocation, exit_error(invocation->request_id, how));
            ++report.failed_invocations;
        }
        queue_.clear();
    }
    runtime_ready_ = false;
    init_error_posted_ = false;
    return report;
}

bool LocalLambda::runtime_ready() const {
    std::lock_guard lock(mutex_);
    return runtime_ready_;
}

bool LocalLambda::init_error_posted() const {
    std::lock_guard lock(mutex_);
    return init_error_posted_;
}

std::size_t LocalLambda::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::size_t LocalLambda::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_.size();
}

bool LocalLambda::take_replace_request() {
    std::lock_guard lock(mutex_);
    return std::exchange(replace_requested_, false);
}

void LocalLambda::shutdown() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, invocation] : in_flight_)
        finish_locked(invocation, shutting_down());
    in_flight_.clear();
    for (PendingInvocationPtr& invocation : queue_)
        finish_locked(invocation, shutting_down());
    queue_.clear();
    changed_.notify_all();
}

void LocalLambda::finish_locked(const PendingInvocationPtr& invocation, InvokeResult result) {
    invocation->result = std::move(result);
    invocation->result.request_id = invocation->request_id;
    invocation->state = PendingInvocation::State::kDone;
    remember_finished_locked(invocation->request_id);
    changed_.notify_all();
}

void LocalLambda::remember_finished_locked(const std::string& request_id) {
    if (!finished_.insert(request_id).second)
        return;
    finished_order_.push_back(request_id);
    if (finished_order_.size() > kRememberedFinished) {
        finished_.erase(finished_order_.front());
        finished_order_.pop_front();
    }
}

}  // namespace kbatch::serve
