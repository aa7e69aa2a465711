// kbatch serve: a small HTTP/1.1 server (blocking I/O, a thread per connection).
//
// A local emulator serves one developer: a handful of connections, some of which wait for minutes
// (a runtime's GET /next, an invoker waiting for its answer). A thread per connection with
// blocking reads is the simplest thing that does this correctly, and is what this is; the number
// of connections and the time an idle one may stay open are bounded, so that a client that opens
// connections and forgets them cannot use up threads and descriptors.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <kbatch/logger.hpp>

#include "connection_table.h"
#include "payload_body.h"
#include "request_reader.h"
#include "status.h"

namespace kbatch::serve {

/// A response the server writes; its body may share its bytes with the caller (see Payload).
using ServerResponse = boost::beast::http::response<PayloadBody>;

/// The connection a request arrived on, as its handler may ask about it.
class Connection {
  public:
    virtual ~Connection() = default;
    /// Whether the peer has closed or reset the connection. Neither blocks nor consumes data.
    virtual bool peer_closed() const = 0;
};

/// A handler's answer.
struct Reply {
    ServerResponse response;
    /// Called when the response could not be written (the peer is gone), so that the handler can
    /// undo what the answer stood for: an invocation handed out goes back to the queue.
    std::function<void()> on_undelivered;
    /// Close the connection without answering (a request from a runtime that no longer exists).
    bool drop = false;
};

/// What the server calls; implemented by the routes.
///
/// Thread safety: called from many connection threads at once.
class RequestHandler {
  public:
    virtual ~RequestHandler() = default;
    /// Answers one complete, well-formed request. May block (GET /next, an invoke).
    virtual Reply handle(HttpRequest& request, const Connection& connection) = 0;
    /// Tells the handler that a request's body was over the limit; the server answers 413 and
    /// closes the connection. `request` has the start line and headers only.
    virtual void body_too_large(const HttpRequest& request) = 0;
};

struct HttpServerLimits {
    std::size_t body_limit = 6291456;  // Lambda's 6 MB payload limit, in bytes
    std::size_t header_limit = 64 * 1024;
    /// Connections served at once (a thread each). At the limit, the connection idle longest is
    /// closed to make room; if none is idle, a new connection is answered 503 and closed.
    std::size_t max_connections = 128;
    /// How long a connection may wait for the peer while no handler works for it: for the first
    /// byte of a request (idle between requests), for more of a request, or for the peer to take
    /// a response. Never while a handler works (GET /next waiting for an invocation, an invoke
    /// waiting for its answer): that connection is not idle.
    std::chrono::milliseconds idle_timeout{60000};
};

/// Listens on one address and serves each connection on its own thread: keep-alive,
/// "Expect: 100-continue", and the hygiene a local service owes its users (413 over the body
/// limit, checked from Content-Length before the body is read; 400 for malformed requests; 500 if
/// a handler throws; the bounds of HttpServerLimits), none of which touches the state behind the
/// handler.
///
/// Ownership: owns the listening socket, the connections and their threads; does not own
/// `handler` or `logger`, which must outlive it.
/// Thread safety: listen(), start() and stop() from one controlling thread.
class HttpServer {
  public:
    HttpServer(RequestHandler& handler, Logger& logger, HttpServerLimits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds `host`:`port` (0 picks a free port). kConfigError when `host` is not an IP address,
    /// kIoError when the address cannot be listened on; either in one line.
    Status listen(const std::string& host, std::uint16_t port);
    /// The bound port (the chosen one after listen(host, 0)).
    std::uint16_t port() const;
    /// Starts accepting on a thread of its own.
    void start();
    /// Stops accepting, shuts every open connection down (waking threads blocked on reads) and
    /// joins all threads. Handlers blocked in other waits must be woken by their owner first.
    /// Idempotent.
    void stop();

  private:
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;  // set once its connection is removed
    };

    void accept_loop();
    void refuse(boost::asio::ip::tcp::socket& socket);
    void serve_connection(boost::asio::ip::tcp::socket& socket,
                          const ConnectionTable::Handle& handle);
    void reap_finished();

    RequestHandler& handler_;
    Logger& logger_;
    const HttpServerLimits limits_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread accept_thread_;
    std::atomic<bool> stopping_{false};
    ConnectionTable connections_;
    bool refusing_ = false;  // accept thread only: whether the last connection was refused

    std::list<Worker> workers_;  // accept thread, then stop() once it has joined it
};

}  // namespace kbatch::serve
