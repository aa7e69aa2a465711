// kbatch serve: a small HTTP/1.1 server (synchronous Boost.Beast, a thread per connection).
//
// A local emulator serves one developer: a handful of connections, some of which wait for minutes
// (a runtime's GET /next, an invoker waiting for its answer). A thread per connection with
// blocking reads is the simplest thing that does this correctly, and is what this is.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <kbatch/logger.hpp>

namespace kbatch::serve {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// The connection a request arrived on, as its handler may ask about it.
class Connection {
  public:
    virtual ~Connection() = default;
    /// Whether the peer has closed or reset the connection. Neither blocks nor consumes data.
    virtual bool peer_closed() const = 0;
};

/// A handler's answer.
struct Reply {
    HttpResponse response;
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
};

/// Listens on one address and serves each connection on its own thread: keep-alive,
/// "Expect: 100-continue", and the hygiene a local service owes its users (413 over the body
/// limit, 400 for malformed requests, 500 if a handler throws), none of which touches the state
/// behind the handler.
///
/// Ownership: owns the listening socket and the connection threads; does not own `handler` or
/// `logger`, which must outlive it.
/// Thread safety: listen(), start() and stop() from one controlling thread.
class HttpServer {
  public:
    HttpServer(RequestHandler& handler, Logger& logger, HttpServerLimits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds `host`:`port` (0 picks a free port). Returns false with a one-line reason.
    bool listen(const std::string& host, std::uint16_t port, std::string* error);
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
        int fd = -1;
        std::shared_ptr<bool> done;  // guarded by mutex_; set once its socket is closed
    };

    void accept_loop();
    void serve_connection(boost::asio::ip::tcp::socket& socket);
    void reap_finished_locked();

    RequestHandler& handler_;
    Logger& logger_;
    const HttpServerLimits limits_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread accept_thread_;
    std::atomic<bool> stopping_{false};

    std::mutex mutex_;  // guards workers_ and each worker's done flag
    std::list<Worker> workers_;
};

}  // namespace kbatch::serve
