#include "http_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <exception>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/serializer.hpp>

#include "error_body.h"
#include "socket_stream.h"

namespace kbatch::serve {
namespace {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr int kAcceptPollMs = 200;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;

class SocketConnection final : public Connection {
  public:
    explicit SocketConnection(int fd) : fd_(fd) {}

    bool peer_closed() const override {
        pollfd entry{fd_, POLLIN | POLLRDHUP, 0};
        if (::poll(&entry, 1, 0) <= 0)
            return false;
        if (entry.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
            return true;
        if (entry.revents & POLLIN) {
            // A client waiting for its answer sends nothing more; readable means closed, unless
            // it pipelines (then the bytes stay where they are).
            char byte;
            const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
        }
        return false;
    }

  private:
    int fd_;
};

ServerResponse error_response(unsigned version, http::status status, std::string_view type,
                              std::string_view message) {
    ServerResponse response{status, version};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::server, "kbatch-serve");
    response.body() = api_error_body(type, message);
    response.keep_alive(false);
    response.prepare_payload();
    return response;
}

// Writes the response from where its bytes are (the header Beast formats, the body in place),
// gathered into as few system calls as the socket allows.
bool write_response(SocketStream& stream, ServerResponse& response) {
    http::response_serializer<PayloadBody> serializer(response);
    error_code error;
    while (!serializer.is_done()) {
        std::size_t written = 0;
        serializer.next(error, [&](error_code& visit_error, const auto& buffers) {
            std::array<iovec, 16> pieces{};
            std::size_t count = 0;
            for (const auto buffer : boost::beast::buffers_range_ref(buffers)) {
                if (count == pieces.size())
                    break;
                pieces[count++] = iovec{const_cast<void*>(buffer.data()), buffer.size()};
            }
            written = stream.write_some(pieces.data(), count, visit_error);
        });
        if (error)
            return false;
        serializer.consume(written);
    }
    return true;
}

// Closing a socket that still has unread data makes the kernel send a reset, which can destroy
// the error response before the client has read it. So: stop sending, read and discard what the
// client still sends (bounded in time and bytes), then close.
void linger_close(tcp::socket& socket) {
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    const int fd = socket.native_handle();
    const auto until = std::chrono::steady_clock::now() + kLingerTime;
    std::size_t drained = 0;
    char buffer[16 * 1024];
    while (drained < kLingerBytes) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        pollfd entry{fd, POLLIN, 0};
        if (::poll(&entry, 1, static_cast<int>(left.count())) <= 0)
            break;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (n <= 0)
            break;
        drained += static_cast<std::size_t>(n);
    }
    socket.close(ignored);
}

// "127.0.0.1:9000", "[::1]:9000".
std::string endpoint_text(const boost::asio::ip::address& address, std::uint16_t port) {
    return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), port)
                           : fmt::format("{}:{}", address.to_string(), port);
}

std::string peer_name(const tcp::socket& socket) {
    error_code error;
    const tcp::endpoint peer = socket.remote_endpoint(error);
    if (error)
        return "a closed connection";
    return endpoint_text(peer.address(), peer.port());
}

}  // namespace

HttpServer::HttpServer(RequestHandler& handler, Logger& logger, HttpServerLimits limits)
    : handler_(handler),
      logger_(logger),
      limits_(limits),
      acceptor_(io_),
      connections_(limits.max_connections) {}

HttpServer::~HttpServer() {
    stop();
}

Status HttpServer::listen(const std::string& host, std::uint16_t port) {
    // An IPv6 address may come as it is written in URLs, in brackets ("[::1]").
    std::string literal = host == "localhost" ? "127.0.0.1" : host;
    if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']')
        literal = literal.substr(1, literal.size() - 2);
    error_code ec;
    const boost::asio::ip::address address = boost::asio::ip::make_address(literal, ec);
    if (ec)
        return Status::error(ErrorKind::kConfigError,
                             fmt::format("\"{}\" is not an IP address", host));
    const tcp::endpoint endpoint(address, port);
    acceptor_.open(endpoint.protocol(), ec);
    // A restarted `serve` can take its port back while old connections sit in TIME_WAIT.
    if (!ec)
        acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        acceptor_.bind(endpoint, ec);
    if (!ec)
        acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) {
        error_code ignored;
        acceptor_.close(ignored);
        return Status::error(
            ErrorKind::kIoError,
            fmt::format("cannot listen on {}: {}", endpoint_text(address, port), ec.message()));
    }
    return Status::ok();
}

std::uint16_t HttpServer::port() const {
    error_code ec;
    const tcp::endpoint endpoint = acceptor_.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

void HttpServer::start() {
    accept_thread_ = std::thread([this] { accept_loop(); });
}

void HttpServer::stop() {
    stopping_ = true;
    if (accept_thread_.joinable())
        accept_thread_.join();
    error_code ignored;
    acceptor_.close(ignored);
    // The accept thread is gone, so workers_ is this thread's alone now.
    connections_.shut_down_all();
    for (Worker& worker : workers_)
        worker.thread.join();
    workers_.clear();
}

void HttpServer::accept_loop() {
    const int listen_fd = acceptor_.native_handle();
    while (!stopping_) {
        // Polling with a timeout, rather than blocking in accept(), lets stop() end this loop
        // without relying on how a blocked accept() reacts to a close from another thread.
        pollfd entry{listen_fd, POLLIN, 0};
        if (::poll(&entry, 1, kAcceptPollMs) <= 0)
            continue;
        tcp::socket socket(io_);
        error_code ec;
        acceptor_.accept(socket, ec);
        if (ec) {
            if (stopping_)
                break;
            logger_.warn(fmt::format("accept: {}", ec.message()));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));  // e.g. out of fds
            continue;
        }
        // Small answers on long-lived connections: do not let Nagle hold them back.
        socket.set_option(tcp::no_delay(true), ec);

        reap_finished();
        ConnectionTable::Handle handle;
        const ConnectionTable::Admission admission =
            connections_.admit(socket.native_handle(), &handle);
        if (admission == ConnectionTable::Admission::kFull) {
            refuse(socket);
            continue;
        }
        if (refusing_) {
            logger_.info("accepting connections again");
            refusing_ = false;
        }
        if (admission == ConnectionTable::Admission::kAdmittedByEviction) {
            logger_.debug(fmt::format("{} connections open: closed the one idle longest",
                                      limits_.max_connections));
        }
        Worker& worker = workers_.emplace_back();
        worker.done = std::make_shared<std::atomic<bool>>(false);
        worker.thread = std::thread([this, socket = std::move(socket), handle,
                                     done = worker.done]() mutable {
            try {
                serve_connection(socket, handle);
            } catch (const std::exception& e) {
                logger_.error(fmt::format("connection from {}: {}", peer_name(socket), e.what()));
            }
            connections_.remove(handle, [&socket] {
                error_code ignored;
                socket.close(ignored);
            });
            *done = true;
        });
    }
}

void HttpServer::refuse(tcp::socket& socket) {
    if (!refusing_) {
        logger_.warn(fmt::format("refusing connections with 503: all {} are busy with requests",
                                 limits_.max_connections));
        refusing_ = true;
    }
    // Best effort, on the accept thread, so nothing here may block: a short answer fits in the
    // socket's buffer. What the client already sent is read first, since closing over unread
    // data resets the connection and can destroy the answer.
    const std::string body = api_error_body(
        "ServiceException",
        fmt::format("kbatch serve has {} connections open, each with a request in progress; "
                    "try again when one has finished",
                    limits_.max_connections));
    const std::string text = fmt::format(
        "HTTP/1.1 503 Service Unavailable\r\nServer: kbatch-serve\r\nContent-Type: "
        "application/json\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: "
        "close\r\n\r\n{}",
        body.size(), body);
    const int fd = socket.native_handle();
    // Bounded: a client that keeps sending is not waited for.
    char discard[4096];
    for (int reads = 0; reads < 16; ++reads) {
        if (::recv(fd, discard, sizeof discard, MSG_DONTWAIT) <= 0)
            break;
    }
    [[maybe_unused]] const ssize_t sent =
        ::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
}

void HttpServer::reap_finished() {
    for (auto it = workers_.begin(); it != workers_.end();) {
        if (*it->done) {
            it->thread.join();  // it has only its last few instructions left
            it = workers_.erase(it);
        } else {
            ++it;
        }
    }
}

void HttpServer::serve_connection(tcp::socket& socket, const ConnectionTable::Handle& handle) {
    const SocketConnection connection(socket.native_handle());
    SocketStream stream(socket.native_handle(), limits_.idle_timeout);
    RequestReader reader(stream, limits_.body_limit, limits_.header_limit);
    for (;;) {
        // Idle: no request in progress, so evictable, and closed after the idle timeout.
        if (!reader.wait_for_request(limits_.idle_timeout) || !connections_.begin_request(handle))
            return;
        HttpRequest request;
        const ReadOutcome outcome = reader.read(request);

        if (outcome.status == ReadStatus::kBodyTooLarge) {
            handler_.body_too_large(request);
            logger_.warn(fmt::format("413 to {}: {} {} has a body over {} bytes", peer_name(socket),
                                     std::string(request.method_string()),
                                     std::string(request.target()), limits_.body_limit));
            ServerResponse response = error_response(
                11, http::status::payload_too_large, "RequestEntityTooLargeException",
                fmt::format("Request must be smaller than {} bytes", limits_.body_limit));
            write_response(stream, response);
            linger_close(socket);
            return;
        }
        if (outcome.status == ReadStatus::kMalformed ||
            outcome.status == ReadStatus::kHeaderTooLarge) {
            const bool too_long = outcome.status == ReadStatus::kHeaderTooLarge;
            logger_.warn(fmt::format("{} to {}: malformed request: {}", too_long ? 431 : 400,
                                     peer_name(socket), outcome.detail));
            ServerResponse response =
                error_response(11,
                               too_long ? http::status::request_header_fields_too_large
                                        : http::status::bad_request,
                               "InvalidRequestContentException",
                               fmt::format("Malformed HTTP request: {}", outcome.detail));
            write_response(stream, response);
            linger_close(socket);
            return;
        }
        if (outcome.status != ReadStatus::kOk)
            return;  // the peer closed, reset or stalled

        Reply reply;
        try {
            reply = handler_.handle(request, connection);
        } catch (const std::exception& e) {
            logger_.error(fmt::format("500 to {}: {} {}: {}", peer_name(socket),
                                      std::string(request.method_string()),
                                      std::string(request.target()), e.what()));
            reply = Reply{};
            reply.response = error_response(request.version(), http::status::internal_server_error,
                                            "ServiceException", e.what());
        }
        if (reply.drop)
            return;

        ServerResponse& response = reply.response;
        const bool handler_keeps_alive = response.keep_alive();
        response.version(request.version());
        response.keep_alive(request.keep_alive() && handler_keeps_alive);
        response.set(http::field::server, "kbatch-serve");
        response.prepare_payload();
        if (!write_response(stream, response)) {
            if (reply.on_undelivered)
                reply.on_undelivered();
            return;
        }
        if (!response.keep_alive()) {
            error_code ignored;
            socket.shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        connections_.end_request(handle);
    }
}

}  // namespace kbatch::serve
