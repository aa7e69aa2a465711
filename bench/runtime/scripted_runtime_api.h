// bench/runtime: a scripted Lambda Runtime API on 127.0.0.1 for issue 19's figures. It hands one
// event to a runtime's waiting GET /next and times until the runtime's POST .../response has
// arrived: the runtime's whole share of an invocation, HTTP included, and nothing else (no
// invoke endpoint, no queue, no second copy of the event as in `kbatch serve`).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "child.h"
#include "loopback_socket.h"

namespace kbatch::bench {

/// One invocation as the API saw it.
struct ApiExchange {
    Clock::time_point write_started;      // the first byte of the /next answer handed to the kernel
    Clock::time_point write_finished;     // its last byte: on loopback most of 6 MB has been read
                                          // by then, since the socket buffers hold only part of it
    Clock::time_point response_received;  // the last byte of the POST .../response read
    std::string response;                 // its body
};

/// Serves the Runtime API's GET /next and POST .../response (202) to any number of connections
/// (aws-lambda-ric posts on a connection of its own), one invocation at a time.
///
/// Thread safety: invoke() and wait_for_next() from one thread; a thread per connection inside.
class ScriptedRuntimeApi {
  public:
    ScriptedRuntimeApi();  // listens at once; throws std::runtime_error
    ~ScriptedRuntimeApi();
    ScriptedRuntimeApi(const ScriptedRuntimeApi&) = delete;
    ScriptedRuntimeApi& operator=(const ScriptedRuntimeApi&) = delete;

    std::uint16_t port() const noexcept { return port_; }

    /// Waits until `count` GET /next requests have arrived in all; false after `timeout`.
    bool wait_for_next(std::size_t count, std::chrono::milliseconds timeout);
    std::size_t next_requests();

    /// Answers the runtime's GET /next (the waiting one, or the next to come) with `event`, and
    /// returns once its POST .../response has been read. `event` must outlive this API. Throws
    /// std::runtime_error when the runtime posts an error instead, or nothing within `timeout`.
    ApiExchange invoke(const std::string& event, std::chrono::milliseconds timeout);

  private:
    void accept_loop();
    void serve_connection(int fd);
    bool answer_next(int fd);
    void take_post(const std::string& target, std::string body);

    Socket listener_;
    std::uint16_t port_ = 0;
    std::thread acceptor_;

    std::mutex mutex_;
    std::condition_variable changed_;
    bool stopping_ = false;
    std::vector<int> connections_;  // closed by the destructor, after their threads have ended
    std::vector<std::thread> connection_threads_;
    std::size_t next_requests_ = 0;
    // The invocation in flight: handed out by invoke(), answered by a GET /next thread, finished
    // by the thread that reads its POST.
    std::size_t invocation_ = 0;  // 0: none yet
    const std::string* event_ = nullptr;
    bool handed_out_ = false;
    bool written_ = false;
    bool finished_ = false;
    std::string failure_;  // an /error post's target and body
    ApiExchange exchange_;
};

}  // namespace kbatch::bench
