// kbatch runtime: a small synchronous HTTP/1.1 client over one kept-alive connection.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>

namespace kbatch {

/// One HTTP exchange's outcome. `error` is empty when a response arrived (whatever its status).
struct HttpResponse {
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string error;  // transport failure: "connect to 127.0.0.1:9001: Connection refused", ...

    bool transport_failed() const noexcept { return !error.empty(); }
    /// A header's value, or "" when absent.
    std::string_view header(std::string_view name) const;
};

/// Speaks HTTP/1.1 to one host over one connection that is kept alive between requests and
/// re-opened when the server closed it. Built for the Lambda Runtime API, where the event body
/// (up to 6 MB) is read into a buffer the caller reuses, and where GET /next must wait without a
/// timeout (the process may be frozen between invocations) while posts must not hang.
///
/// Thread safety: none; one client per thread.
class HttpClient {
  public:
    /// `host` and `port` as in "127.0.0.1" and "9001". Connects lazily.
    HttpClient(std::string host, std::string port);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Sends one request and reads the response into `response` and `body` (cleared first; its
    /// capacity is kept). `timeout` bounds the whole exchange; nullopt waits for ever. A body
    /// longer than `body_limit` is a transport failure. After any transport failure the connection
    /// is closed, so the next request starts on a fresh one.
    void request(boost::beast::http::verb verb, std::string_view target,
                 const boost::beast::http::fields& headers, std::string_view request_body,
                 std::optional<std::chrono::milliseconds> timeout, std::size_t body_limit,
                 HttpResponse* response, std::string* body);

    const std::string& host() const noexcept { return host_; }
    const std::string& port() const noexcept { return port_; }

  private:
    std::string exchange(boost::beast::http::verb verb, std::string_view target,
                         const boost::beast::http::fields& headers, std::string_view request_body,
                         std::optional<std::chrono::milliseconds> timeout, std::size_t body_limit,
                         HttpResponse* response, std::string* body);
    std::string connect(std::optional<std::chrono::milliseconds> timeout);
    void close();

    std::string host_;
    std::string port_;
    boost::asio::io_context io_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer read_buffer_;
    bool connected_ = false;
};

/// Splits "http://host:port" (path ignored) or "host:port" into host and port. False when the
/// text has neither form.
bool split_host_port(std::string_view text, std::string* host, std::string* port);

}  // namespace kbatch
