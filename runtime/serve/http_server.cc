#include "http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <exception>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "error_body.h"

namespace kbatch::serve {
namespace {

namespace beast = boost::beast;
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

bool is_http_error(const error_code& error) {
    return error.category() == http::make_error_code(http::error::end_of_stream).category();
}

HttpResponse error_response(unsigned version, http::status status, std::string_view type,
                            std::string_view message) {
    HttpResponse response{status, version};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::server, "kbatch-serve");
    response.body() = api_error_body(type, message);
    response.keep_alive(false);
    response.prepare_payload();
    return response;
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

std::string peer_name(const tcp::socket& socket) {
    error_code error;
    const tcp::endpoint peer = socket.remote_endpoint(error);
    if (error)
        return "a closed connection";
    return fmt::format("{}:{}", peer.address().to_string(), peer.port());
}

}  // namespace

HttpServer::HttpServer(RequestHandler& handler, Logger& logger, HttpServerLimits limits)
    : handler_(handler), logger_(logger), limits_(limits), acceptor_(io_) {}

HttpServer::~HttpServer() {
    stop();
}

bool HttpServer::listen(const std::string& host, std::uint16_t port, std::string* error) {
    error_code ec;
    const boost::asio::ip::address address =
        boost::asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec) {
        *error = fmt::format("\"{}\" is not an IP address", host);
        return false;
    }
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
        *error = fmt::format("cannot listen on {}:{}: {}", host, port, ec.message());
        error_code ignored;
        acceptor_.close(ignored);
        return false;
    }
    return true;
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

    std::list<Worker> workers;
    {
        std::lock_guard lock(mutex_);
        // A worker closes its socket under the same lock before it marks itself done, so every
        // fd shut down here is still that worker's.
        for (Worker& worker : workers_) {
            if (!*worker.done)
                ::shutdown(worker.fd, SHUT_RDWR);
        }
        workers.swap(workers_);
    }
    for (Worker& worker : workers)
        worker.thread.join();
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

        std::lock_guard lock(mutex_);
        reap_finished_locked();
        if (stopping_)
            break;
        Worker& worker = workers_.emplace_back();
        worker.fd = socket.native_handle();
        worker.done = std::make_shared<bool>(false);
        worker.thread = std::thread([this, socket = std::move(socket),
                                     done = worker.done]() mutable {
            try {
                serve_connection(socket);
            } catch (const std::exception& e) {
                logger_.error(fmt::format("connection from {}: {}", peer_name(socket), e.what()));
            }
            std::lock_guard done_lock(mutex_);
            error_code ignored;
            socket.close(ignored);
            *done = true;
        });
    }
}

void HttpServer::reap_finished_locked() {
    for (auto it = workers_.begin(); it != workers_.end();) {
        if (*it->done) {
            it->thread.join();  // it has only its last few instructions left
            it = workers_.erase(it);
        } else {
            ++it;
        }
    }
}

void HttpServer::serve_connection(tcp::socket& socket) {
    const SocketConnection connection(socket.native_handle());
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(limits_.body_limit);
        parser.header_limit(static_cast<std::uint32_t>(limits_.header_limit));
        error_code ec;
        http::read_header(socket, buffer, parser, ec);
        if (!ec && !parser.is_done() &&
            beast::iequals(parser.get()[http::field::expect], "100-continue")) {
            http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
            http::write(socket, go_on, ec);
        }
        if (!ec && !parser.is_done())
            http::read(socket, buffer, parser, ec);

        if (ec == http::error::body_limit) {
            handler_.body_too_large(parser.get());
            logger_.warn(fmt::format("413 to {}: {} {} has a body over {} bytes", peer_name(socket),
                                     std::string(parser.get().method_string()),
                                     std::string(parser.get().target()), limits_.body_limit));
            http::write(
                socket,
                error_response(
                    11, http::status::payload_too_large, "RequestEntityTooLargeException",
                    fmt::format("Request must be smaller than {} bytes", limits_.body_limit)),
                ec);
            linger_close(socket);
            return;
        }
        if (ec && is_http_error(ec) && ec != http::error::end_of_stream &&
            ec != http::error::partial_message) {
            const bool too_long = ec == http::error::header_limit;
            logger_.warn(fmt::format("{} to {}: malformed request: {}", too_long ? 431 : 400,
                                     peer_name(socket), ec.message()));
            http::write(socket,
                        error_response(11,
                                       too_long ? http::status::request_header_fields_too_large
                                                : http::status::bad_request,
                                       "InvalidRequestContentException",
                                       fmt::format("Malformed HTTP request: {}", ec.message())),
                        ec);
            linger_close(socket);
            return;
        }
        if (ec)
            return;  // the peer closed or reset the connection

        HttpRequest request = parser.release();
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

        HttpResponse& response = reply.response;
        const bool handler_keeps_alive = response.keep_alive();
        response.version(request.version());
        response.keep_alive(request.keep_alive() && handler_keeps_alive);
        response.set(http::field::server, "kbatch-serve");
        response.prepare_payload();
        http::write(socket, response, ec);
        if (ec) {
            if (reply.on_undelivered)
                reply.on_undelivered();
            return;
        }
        if (!response.keep_alive()) {
            socket.shutdown(tcp::socket::shutdown_send, ec);
            return;
        }
    }
}

}  // namespace kbatch::serve
