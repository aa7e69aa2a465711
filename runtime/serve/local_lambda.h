// kbatch serve: the invocation state machine of a local Lambda for one function.
//
// An invocation is queued by an invoker, handed to exactly one runtime's GET /next, and finished
// by that runtime's response or error, by an init error, by the runtime's death, by its deadline,
// or by shutdown. Whoever finishes it first wins; everything after that about the same request id
// is refused, never acted on twice.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "request_ids.h"

namespace kbatch::serve {

/// What the invoker of POST /2015-03-31/functions/function/invocations receives.
struct InvokeResult {
    int status = 200;             // HTTP status; 200 for function errors too, as Lambda answers
    std::string body;             // the function's response, or an error body
    bool function_error = false;  // answer with "X-Amz-Function-Error: Unhandled"
    std::string request_id;       // empty if the invocation never got one (shutdown)
};

/// An invocation as GET /next hands it to a runtime.
struct HandedInvocation {
    std::string request_id;
    std::shared_ptr<const std::string> event;  // shared with the queue: never copied
    std::int64_t deadline_ms = 0;              // Lambda-Runtime-Deadline-Ms, epoch milliseconds
    std::string function_arn;
    std::string trace_id;
};

enum class NextResult {
    kInvocation,  // `out` holds the invocation; it is now in flight
    kWaitAgain,   // nothing arrived within max_wait; check the connection and call again
    kStale,       // the runtime that asked has exited since: drop the request
    kStopping,    // shutting down
};

enum class PostResult {
    kAccepted,         // the invocation is finished with what was posted
    kUnknownRequest,   // no invocation ever had that id
    kAlreadyFinished,  // it had one, but it is finished (answered, timed out, failed)
    kOutOfSequence,    // not allowed in the runtime's state (an init error after its init)
};

struct LocalLambdaOptions {
    std::chrono::seconds timeout{3};  // each invocation's deadline, from when /next hands it out
    std::string function_arn;         // Lambda-Runtime-Invoked-Function-Arn
    // Invocations queued or in flight at once; beyond, invoke() answers 429 at once, as Lambda
    // throttles. Each waiting invoker holds a connection: serve keeps this below the server's
    // connection limit, so that the runtime can always connect to take and answer them.
    std::size_t max_pending = static_cast<std::size_t>(-1);
};

/// What runtime_exited() concluded.
struct RuntimeExitReport {
    bool failed_init = false;  // it never asked for an invocation, or it posted an init error
    std::size_t failed_invocations = 0;
};

/// The shared state of `kbatch serve`: the queue, the invocations in flight, and what is known of
/// the current runtime. Invoker threads block in invoke(); runtime threads in next(); the
/// supervisor reports the runtime's life cycle and reads replace requests.
///
/// Thread safety: every method may be called from any thread; one mutex guards all state and
/// one condition variable wakes the waiters. No method calls out while holding the lock.
/// Ownership: owns the queued and in-flight invocations (events are shared with the threads that
/// hand them out, so they live until the last of them is done).
class LocalLambda {
  public:
    explicit LocalLambda(LocalLambdaOptions options);
    ~LocalLambda();
    LocalLambda(const LocalLambda&) = delete;
    LocalLambda& operator=(const LocalLambda&) = delete;

    // --- The invoke endpoint ---

    /// Queues `event` and blocks until the invocation is finished. The deadline (options.timeout)
    /// runs from the moment a runtime takes the invocation: past it the result is a
    /// "Sandbox.Timedout" error, the request id is refused from then on, and a replacement of the
    /// runtime is requested (see take_replace_request()).
    ///
    /// With max_pending invocations already queued or in flight, the answer is a 429
    /// (TooManyRequestsException) at once.
    ///
    /// While the last runtime's init has failed and no runtime has started or asked for an
    /// invocation since, the answer is that init failure, at once: there is nothing to wait for
    /// (with --no-spawn, perhaps nothing ever), and the supervisor's backoff is not undone.
    InvokeResult invoke(std::string event);

    // --- The Runtime API ---

    /// The current runtime epoch. A GET /next reads it once, when its request has arrived, and
    /// passes it to every next() call it makes, so that a request from a runtime that has exited
    /// since (runtime_exited() advances the epoch) is recognised as stale.
    std::uint64_t runtime_epoch() const;

    /// Takes the oldest queued invocation, waiting up to `max_wait` for one. The waits are short
    /// so that the caller can check in between that its runtime is still connected.
    NextResult next(std::uint64_t epoch, std::chrono::milliseconds max_wait, HandedInvocation* out);

    /// Puts an invocation whose /next answer could not be written back at the head of the queue.
    /// Does nothing if it is no longer in flight.
    void return_undelivered(std::string_view request_id);

    /// POST /invocation/{id}/response: the invoker receives `body` with status 200.
    PostResult post_response(std::string_view request_id, std::string body);

    /// POST /invocation/{id}/error: the invoker receives `body` (already shaped by
    /// invoker_error_body()) with "X-Amz-Function-Error: Unhandled".
    PostResult post_error(std::string_view request_id, std::string body);

    /// POST /init/error (or the supervisor's own verdict on an init that failed): every queued
    /// invocation receives `body` as a function error, and so do later ones until a runtime starts
    /// or asks for an invocation. The runtime is expected to exit.
    ///
    /// Refused with kOutOfSequence once the current runtime has asked for an invocation: its init
    /// is over (Lambda answers 403 then too). Invocations in flight are never touched: only the
    /// runtime that holds one (through its request id), its death or its deadline finishes it,
    /// whoever else posts an init error.
    PostResult post_init_error(const std::string& body);

    // --- The runtime's life cycle (the supervisor) ---

    /// A new runtime process has started: it has not asked for an invocation yet.
    void runtime_started();

    /// The current runtime has exited; `how` says how ("exit status 1", "signal: killed").
    /// Invocations in flight fail with "Runtime.ExitError". If the runtime died during init
    /// without posting an init error, and the exit was not `intentional` (a kill by the
    /// supervisor), the queued invocations fail too: the next runtime would most likely die the
    /// same way, and an invoker must never hang; later invocations get the same answer until
    /// the next runtime starts. Advances the runtime epoch.
    RuntimeExitReport runtime_exited(std::string_view how, bool intentional);

    /// Whether the current runtime has asked for an invocation (it finished its init).
    bool runtime_ready() const;
    /// Whether the current runtime has posted an init error.
    bool init_error_posted() const;
    /// How many invocations are waiting for a runtime.
    std::size_t queued() const;
    /// How many invocations a runtime holds.
    std::size_t in_flight() const;
    /// True once after an invocation timed out: its runtime is stuck and must be replaced.
    bool take_replace_request();

    /// Finishes every waiting invocation with a 503 and wakes every waiter; later calls to
    /// invoke() and next() return at once.
    void shutdown();

  private:
    struct PendingInvocation;
    using PendingInvocationPtr = std::shared_ptr<PendingInvocation>;

    // Each finishes `invocation` and wakes its invoker; the caller holds the lock.
    void finish_locked(const PendingInvocationPtr& invocation, InvokeResult result);
    void remember_finished_locked(const std::string& request_id);
    PostResult finish_posted(std::string_view request_id, InvokeResult result);

    const LocalLambdaOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    RequestIds ids_;
    std::deque<PendingInvocationPtr> queue_;
    std::unordered_map<std::string, PendingInvocationPtr> in_flight_;
    // Ids of finished invocations, so late posts are told "already finished" rather than
    // "unknown". Bounded: the oldest are forgotten first.
    std::unordered_set<std::string> finished_;
    std::deque<std::string> finished_order_;
    std::uint64_t epoch_ = 0;
    bool runtime_ready_ = false;
    bool init_error_posted_ = false;
    // The answer while the last init failed: a posted init error's body, or, for a runtime that
    // died in init without one, how it exited (each invoker gets a Runtime.ExitError naming its
    // own request id).
    std::optional<std::string> init_failure_body_;
    std::optional<std::string> init_failure_exit_;
    bool replace_requested_ = false;
    bool stopping_ = false;
};

}  // namespace kbatch::serve
