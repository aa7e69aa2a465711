#include "scripted_runtime_api.h"

#include <poll.h>
#include <sys/socket.h>

#include <utility>

#include <fmt/format.h>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace kbatch::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

NextStep event_step(std::string request_id, std::string body) {
    NextStep step;
    step.request_id = std::move(request_id);
    step.body = std::move(body);
    return step;
}

std::string response_target(std::string_view request_id) {
    return fmt::format("/2018-06-01/runtime/invocation/{}/response", request_id);
}

std::string error_target(std::string_view request_id) {
    return fmt::format("/2018-06-01/runtime/invocation/{}/error", request_id);
}

std::vector<std::string> runtime_environment(const ScriptedRuntimeApi& api,
                                             std::vector<std::string> extra) {
    std::vector<std::string> env = {"AWS_LAMBDA_RUNTIME_API=" + api.address(),
                                    "LAMBDA_TASK_ROOT=/nonexistent-task-root"};
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

namespace {

constexpr std::string_view kNextPath = "/2018-06-01/runtime/invocation/next";

std::string event_headers(const NextStep& step, std::size_t content_length) {
    std::string headers =
        fmt::format("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                    content_length);
    if (step.kind != NextStep::Kind::kNoRequestId) {
        headers += fmt::format("Lambda-Runtime-Aws-Request-Id: {}\r\n", step.request_id);
    }
    if (step.deadline_ms != 0) {
        headers += fmt::format("Lambda-Runtime-Deadline-Ms: {}\r\n", step.deadline_ms);
    }
    if (!step.trace_id.empty())
        headers += fmt::format("Lambda-Runtime-Trace-Id: {}\r\n", step.trace_id);
    headers +=
        "Lambda-Runtime-Invoked-Function-Arn: "
        "arn:aws:lambda:us-east-1:123456789012:function:test\r\n\r\n";
    return headers;
}

// Whether the peer closed its end: readable, with nothing to read. Consumes nothing.
bool peer_closed(tcp::socket& socket) {
    pollfd watched{socket.native_handle(), POLLIN, 0};
    if (::poll(&watched, 1, 0) <= 0)
        return false;
    char byte;
    return ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

}  // namespace

ScriptedRuntimeApi::ScriptedRuntimeApi(std::vector<NextStep> script, int failing_posts)
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      script_(script.begin(), script.end()),
      failing_posts_(failing_posts) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
}

ScriptedRuntimeApi::~ScriptedRuntimeApi() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        // Wake a blocked accept() or read() in the server thread.
        if (connection_fd_ >= 0)
            ::shutdown(connection_fd_, SHUT_RDWR);
    }
    changed_.notify_all();
    stop_listening();
    thread_.join();
}

void ScriptedRuntimeApi::stop_listening() {
    beast::error_code ignored;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
}

std::string ScriptedRuntimeApi::address() const {
    return fmt::format("127.0.0.1:{}", port_);
}

std::vector<RecordedPost> ScriptedRuntimeApi::posts() const {
    std::lock_guard lock(mutex_);
    return posts_;
}

int ScriptedRuntimeApi::next_requests() const {
    std::lock_guard lock(mutex_);
    return next_requests_;
}

std::vector<RecordedPost> ScriptedRuntimeApi::wait_for_posts(
    std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return posts_.size() >= count; });
    return posts_;
}

void ScriptedRuntimeApi::serve() {
    for (;;) {
        tcp::socket socket(io_);
        beast::error_code error;
        acceptor_.accept(socket, error);
        if (error)
            return;
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
            connection_fd_ = socket.native_handle();
        }
        const bool more = serve_connection(socket);
        {
            std::lock_guard lock(mutex_);
            connection_fd_ = -1;
        }
        if (!more) {
            stop_listening();
            return;
        }
    }
}

bool ScriptedRuntimeApi::serve_connection(tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> request;
        beast::error_code error;
        http::read(socket, buffer, request, error);
        if (error)
            return true;  // the runtime closed or broke the connection; accept again

        if (request.method() == http::verb::post) {
            bool fail = false;
            {
                std::lock_guard lock(mutex_);
                posts_.push_back(
                    RecordedPost{std::string(request.target()),
                                 std::string(request["Lambda-Runtime-Function-Error-Type"]),
                                 std::string(request[http::field::content_type]), request.body()});
                if (failing_posts_ > 0) {
                    --failing_posts_;
                    fail = true;
                    posts_.back().target += " (answered 500)";
                }
            }
            changed_.notify_all();
            constexpr std::string_view kAccepted = R"({"status":"OK"})";
            const std::string answer =
                fail
                    ? std::string("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
                    : fmt::format("HTTP/1.1 202 Accepted\r\nContent-Length: {}\r\n\r\n{}",
                                  kAccepted.size(), kAccepted);
            asio::write(socket, asio::buffer(answer), error);
            if (error)
                return true;
            continue;
        }
        if (request.target() != kNextPath) {
            const std::string answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
            asio::write(socket, asio::buffer(answer), error);
            continue;
        }

        NextStep step;
        {
            std::lock_guard lock(mutex_);
            ++next_requests_;
            if (script_.empty() || stopping_)
                return false;
            step = std::move(script_.front());
            script_.pop_front();
        }
        changed_.notify_all();
        switch (step.kind) {
            case NextStep::Kind::kStatus500: {
                const std::string answer =
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
                asio::write(socket, asio::buffer(answer), error);
                break;
            }
            case NextStep::Kind::kCloseMidBody: {
                const std::string answer = event_headers(step, step.body.size()) +
                                           step.body.substr(0, step.body.size() / 2);
                asio::write(socket, asio::buffer(answer), error);
                return true;  // close with the body unfinished
            }
            case NextStep::Kind::kShortLength: {
                const std::string answer = event_headers(step, step.body.size() - 1) + step.body;
                asio::write(socket, asio::buffer(answer), error);
                break;
            }
            case NextStep::Kind::kHugeLength: {
                const std::string answer = event_headers(step, 200'000'000) + step.body;
                asio::write(socket, asio::buffer(answer), error);
                // A runtime that reads the body waits here for bytes that never come; one that
                // refuses it closes the connection, which ends the wait.
                const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
                while (std::chrono::steady_clock::now() < until && !peer_closed(socket)) {
                    std::unique_lock lock(mutex_);
                    if (changed_.wait_for(lock, std::chrono::milliseconds(20),
                                          [this] { return stopping_; })) {
                        break;
                    }
                }
                return true;
            }
            case NextStep::Kind::kStall: {
                std::unique_lock lock(mutex_);
                changed_.wait_for(lock, step.stall, [this] { return stopping_; });
            }
                [[fallthrough]];
            case NextStep::Kind::kEvent:
            case NextStep::Kind::kNoRequestId: {
                const std::string answer = event_headers(step, step.body.size()) + step.body;
                asio::write(socket, asio::buffer(answer), error);
                break;
            }
        }
        if (error)
            return true;
    }
}

}  // namespace kbatch::test
