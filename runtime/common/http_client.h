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
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include "status.h"

namespace kbatch {

/// One HTTP exchange's response: its status and headers when one arrived (whatever its status),
/// 0 and none after a transport failure (which HttpClient::request returns as its Status).
struct HttpClientResponse {
    unsigned status = 0;
    boost::beast::http::fields headers;
    /// Set with a transport failure that happened on a kept-alive connection the server closed
    /// before answering anything: the request most likely never reached it, and may go again at
    /// once. A field beside the Status rather than an ErrorKind, since it changes only how soon a
    /// caller retries, not what the failure is.
    bool stale_connection = false;

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
    /// `host` and `port` as in "127.0.0.1" (or "::1", without brackets) and "9001". Connects
    /// lazily.
    HttpClient(std::string host, std::string port);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Sends one request and reads the response into `response` and `body` (replaced; its
    /// capacity is kept and only ever grows to the largest body read). `timeout` bounds the whole
    /// exchange; nullopt waits for ever. A body longer than `body_limit` is a transport failure,
    /// found from Content-Length before the body is read, or as a chunked body grows past it, so
    /// memory stays bounded whatever the server sends. A Content-Length body is read straight
    /// into `body` in as few system calls as the socket allows. A transport failure (no whole
    /// response arrived) is kIoError in one line ("connect to 127.0.0.1:9001: Connection
    /// refused"), with `body` emptied; an answer of any HTTP status is OK. After any transport
    /// failure the connection is closed, so the next request starts on a fresh one. Sends the
    /// request once: retrying is the caller's decision (see HttpClientResponse::stale_connection).
    Status request(boost::beast::http::verb verb, std::string_view target,
                   const boost::beast::http::fields& headers, std::string_view request_body,
                   std::optional<std::chrono::milliseconds> timeout, std::size_t body_limit,
                   HttpClientResponse* response, std::string* body);

    const std::string& host() const noexcept { return host_; }
    const std::string& port() const noexcept { return port_; }

  private:
    Status exchange(boost::beast::http::verb verb, std::string_view target,
                    const boost::beast::http::fields& headers, std::string_view request_body,
                    std::optional<std::chrono::milliseconds> timeout, std::size_t body_limit,
                    HttpClientResponse* response, std::string* body);
    // Read the body whose headers `parser` holds into `body`; kIoError with what went wrong, in
    // words exchange() puts after the request ("read GET /next: <message>").
    Status read_body(boost::beast::http::response_parser<boost::beast::http::string_body>& parser,
                     std::size_t body_limit, std::string* body);
    Status read_sized_body(std::size_t length, std::string* body);
    Status connect(std::optional<std::chrono::milliseconds> timeout);
    void close();

    static constexpr std::size_t kReadBufferBytes = 64 * 1024;

    std::string host_;
    std::string port_;
    std::string host_header_;  // "host:port", "[v6]:port"
    boost::asio::io_context io_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer read_buffer_;
    bool connected_ = false;
    bool peer_hung_up_ = false;  // the last exchange failed because the peer closed or reset
};

/// Splits "http://host:port" (path ignored) or "host:port" into host and port. An IPv6 literal
/// is written in brackets ("[::1]:9001") and returned without them. False when the text has
/// neither form.
bool split_host_port(std::string_view text, std::string* host, std::string* port);

}  // namespace kbatch
