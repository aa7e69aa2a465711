// A Lambda Runtime API that follows a script, for testing kbatch-runtime against faults.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace kbatch::test {

/// What the API does for one GET /next.
struct NextStep {
    enum class Kind {
        kEvent,         // 200 with the event and the headers below
        kStatus500,     // 500; a well-behaved runtime retries
        kCloseMidBody,  // headers announce the whole body, half is sent, the connection closes
        kShortLength,   // Content-Length one byte short of the body (the extra byte trails)
        kNoRequestId,   // 200 with the event but without Lambda-Runtime-Aws-Request-Id
        kStall,         // waits `stall` before answering as kEvent
        kHugeLength,    // announces a 200 MB body, sends `body`, holds the connection for 60 s
    };
    Kind kind = Kind::kEvent;
    std::string request_id;
    std::string body;
    std::string trace_id;
    std::int64_t deadline_ms = 0;  // 0: header omitted
    std::chrono::milliseconds stall{0};
};

/// A kEvent step: `body` with the request id `request_id`.
NextStep event_step(std::string request_id, std::string body);

/// Where a runtime posts the answer to invocation `request_id`: its response, or its error.
std::string response_target(std::string_view request_id);
std::string error_target(std::string_view request_id);

/// One POST the runtime made.
struct RecordedPost {
    std::string target;
    std::string error_type_header;  // Lambda-Runtime-Function-Error-Type
    std::string content_type;
    std::string body;
};

/// Serves the Runtime API on 127.0.0.1 (a free port) from its own thread, one connection at a
/// time (a runtime keeps one). GET /next takes the next scripted step; once the script is used up
/// it stops listening, so a runtime's retries fail and it exits. POSTs are recorded and answered
/// 202, except that the first `failing_posts` answers are 500.
class ScriptedRuntimeApi {
  public:
    explicit ScriptedRuntimeApi(std::vector<NextStep> script, int failing_posts = 0);
    ~ScriptedRuntimeApi();
    ScriptedRuntimeApi(const ScriptedRuntimeApi&) = delete;
    ScriptedRuntimeApi& operator=(const ScriptedRuntimeApi&) = delete;

    /// "127.0.0.1:PORT", for AWS_LAMBDA_RUNTIME_API.
    std::string address() const;
    /// Every POST so far, in arrival order.
    std::vector<RecordedPost> posts() const;
    /// How many GET /next requests arrived.
    int next_requests() const;
    /// Waits until `count` posts arrived or `timeout` passed; returns the posts.
    std::vector<RecordedPost> wait_for_posts(std::size_t count,
                                             std::chrono::milliseconds timeout) const;

  private:
    void serve();
    // Handles requests on one connection until it closes; false once the script is exhausted.
    bool serve_connection(boost::asio::ip::tcp::socket& socket);
    void stop_listening();

    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::deque<NextStep> script_;
    int failing_posts_;
    std::vector<RecordedPost> posts_;
    int next_requests_ = 0;
    int connection_fd_ = -1;
    bool stopping_ = false;
    std::thread thread_;
};

/// The environment kbatch-runtime needs against `api` (a LAMBDA_TASK_ROOT that does not exist, so
/// that no plugin of the machine's is found), plus `extra` ("NAME=value" entries).
std::vector<std::string> runtime_environment(const ScriptedRuntimeApi& api,
                                             std::vector<std::string> extra = {});

}  // namespace kbatch::test
