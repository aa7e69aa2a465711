#include "scripted_runtime_api.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include <fmt/format.h>

#include "http_request_reader.h"

namespace kbatch::bench {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kNextTarget = "/2018-06-01/runtime/invocation/next";
constexpr std::string_view kInvocationPrefix = "/2018-06-01/runtime/invocation/";
constexpr std::string_view kAcceptedBody = R"({"status":"OK"})";
constexpr std::string_view kNotFound = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

const std::string& accepted() {
    static const std::string answer = fmt::format(
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        kAcceptedBody.size(), kAcceptedBody);
    return answer;
}

std::string request_id(std::size_t invocation) {
    return fmt::format("00000000-0000-4000-8000-{:012d}", invocation);
}

// The headers Lambda sends with every event; the deadline 15 minutes away (Lambda's longest
// timeout), so that neither runtime stops a batch early.
std::string next_head(std::size_t invocation, std::size_t body_size) {
    const auto deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch() + 15min)
                              .count();
    return fmt::format(
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        "Lambda-Runtime-Aws-Request-Id: {}\r\n"
        "Lambda-Runtime-Deadline-Ms: {}\r\n"
        "Lambda-Runtime-Invoked-Function-Arn: "
        "arn:aws:lambda:us-east-1:123456789012:function:kbatch-bench\r\n"
        "Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0\r\n"
        "Content-Length: {}\r\n\r\n",
        request_id(invocation), deadline, body_size);
}

}  // namespace

ScriptedRuntimeApi::ScriptedRuntimeApi() : listener_(listen_on_loopback()) {
    port_ = local_port(listener_);
    acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedRuntimeApi::~ScriptedRuntimeApi() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        // Wakes the connection threads blocked in recv; the descriptors stay open (and theirs)
        // until the threads have ended, so that no number is reused under them.
        for (const int fd : connections_)
            ::shutdown(fd, SHUT_RDWR);
    }
    changed_.notify_all();
    acceptor_.join();  // polls stopping_ every 50 ms; no new connection after it ends
    {
        std::lock_guard lock(mutex_);
        for (const int fd : connections_)
            ::shutdown(fd, SHUT_RDWR);
        threads.swap(connection_threads_);
    }
    for (std::thread& thread : threads)
        thread.join();
    for (const int fd : connections_)
        ::close(fd);
}

void ScriptedRuntimeApi::accept_loop() {
    for (;;) {  // ends when stopping_ is set
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
        }
        pollfd waiting{listener_.fd(), POLLIN, 0};
        if (::poll(&waiting, 1, 50) <= 0)
            continue;
        Socket connection(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!connection.valid())
            continue;
        set_no_delay(connection);
        std::lock_guard lock(mutex_);
        const int fd = connection.release();
        connections_.push_back(fd);
        connection_threads_.emplace_back([this, fd] { serve_connection(fd); });
    }
}

void ScriptedRuntimeApi::serve_connection(int fd) {
    HttpRequestReader reader(fd);
    HttpRequest request;
    // Ends when the runtime closes the connection, or the destructor shuts it down.
    while (reader.read(&request)) {
        bool answered = false;
        if (request.method == "GET" && request.target == kNextTarget) {
            answered = answer_next(fd);
        } else if (request.method == "POST" && (request.target.starts_with(kInvocationPrefix) ||
                                                request.target.ends_with("/init/error"))) {
            take_post(request.target, std::move(request.body));
            answered = send_all(fd, accepted());
        } else {
            answered = send_all(fd, kNotFound);
        }
        if (!answered)
            return;
    }
}

// Waits for invoke() to hand out an event, then writes it as the answer to this GET /next.
bool ScriptedRuntimeApi::answer_next(int fd) {
    std::unique_lock lock(mutex_);
    ++next_requests_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return stopping_ || (event_ != nullptr && !handed_out_); });
    if (stopping_)
        return false;
    handed_out_ = true;
    const std::size_t invocation = invocation_;
    const std::string* event = event_;
    lock.unlock();

    const std::string head = next_head(invocation, event->size());
    const Clock::time_point started = Clock::now();
    const bool sent = send_all(fd, head, *event);
    const Clock::time_point finished = Clock::now();

    lock.lock();
    exchange_.write_started = started;
    exchange_.write_finished = finished;
    written_ = true;
    if (!sent)
        failure_ = "the runtime closed its connection while the event was written";
    changed_.notify_all();
    return sent;
}

void ScriptedRuntimeApi::take_post(const std::string& target, std::string body) {
    const Clock::time_point received = Clock::now();
    std::lock_guard lock(mutex_);
    const bool ours = invocation_ > 0 && target == fmt::format("{}{}/response", kInvocationPrefix,
                                                               request_id(invocation_));
    if (ours && !finished_) {
        exchange_.response_received = received;
        exchange_.response = std::move(body);
        finished_ = true;
    } else if (failure_.empty()) {
        failure_ = fmt::format("POST {}: {}", target, body.substr(0, 2000));
    }
    changed_.notify_all();
}

bool ScriptedRuntimeApi::wait_for_next(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return next_requests_ >= count; });
}

std::size_t ScriptedRuntimeApi::next_requests() {
    std::lock_guard lock(mutex_);
    return next_requests_;
}

ApiExchange ScriptedRuntimeApi::invoke(const std::string& event,
                                       std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    ++invocation_;
    event_ = &event;
    handed_out_ = written_ = finished_ = false;
    failure_.clear();
    exchange_ = ApiExchange{};
    changed_.notify_all();
    const bool done = changed_.wait_for(
        lock, timeout, [this] { return !failure_.empty() || (written_ && finished_); });
    // No thread may write this event after the call: a late GET /next waits for the next one.
    event_ = nullptr;
    handed_out_ = true;
    if (!failure_.empty())
        throw std::runtime_error("runtime: " + failure_);
    if (!done) {
        throw std::runtime_error(
            fmt::format("invocation {}: no response within {} ms", invocation_, timeout.count()));
    }
    return exchange_;
}

}  // namespace kbatch::bench
