#include "http_client.h"

#include <fmt/format.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "status.h"

namespace kbatch {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view HttpClientResponse::header(std::string_view name) const {
    const auto it = headers.find(name);
    if (it == headers.end())
        return {};
    return it->value();
}

HttpClient::HttpClient(std::string host, std::string port)
    : host_(std::move(host)),
      port_(std::move(port)),
      // An IPv6 literal goes into the Host header in brackets (RFC 7230, section 5.4).
      host_header_(host_.find(':') == std::string::npos ? fmt::format("{}:{}", host_, port_)
                                                        : fmt::format("[{}]:{}", host_, port_)),
      stream_(io_) {
    // Chunked bodies are read through read_buffer_: with room for 64 KiB, Beast reads that much
    // at a time instead of 512 bytes.
    read_buffer_.reserve(kReadBufferBytes);
}

HttpClient::~HttpClient() {
    close();
}

void HttpClient::close() {
    if (!connected_)
        return;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    read_buffer_.clear();
    connected_ = false;
}

namespace {

// Runs one asynchronous operation to completion on `io`: Beast's per-operation timeouts
// (tcp_stream::expires_after) only apply to asynchronous calls.
template <typename Start>
beast::error_code run_one(asio::io_context& io, Start start) {
    beast::error_code result = asio::error::would_block;
    start(result);
    io.restart();
    io.run();
    return result;
}

// The peer closed or reset the connection (as opposed to a timeout or a malformed answer).
bool is_hang_up(const beast::error_code& error) {
    return error == asio::error::eof || error == http::error::end_of_stream ||
           error == asio::error::connection_reset || error == asio::error::broken_pipe;
}

// Every failure of the transport is an I/O error: the server's answers, whatever their status,
// are not failures of the client.
Status transport_error(std::string message) {
    return Status::error(ErrorKind::kIoError, std::move(message));
}

std::string over_limit(boost::optional<std::uint64_t> length, std::size_t limit) {
    if (!length)
        return fmt::format("body larger than {} bytes", limit);
    return fmt::format("body of {} bytes is over the limit of {} bytes", *length, limit);
}

}  // namespace

Status HttpClient::connect(std::optional<std::chrono::milliseconds> timeout) {
    tcp::resolver resolver(io_);
    beast::error_code error;
    const auto endpoints = resolver.resolve(host_, port_, error);
    if (error)
        return transport_error(fmt::format("resolve {}:{}: {}", host_, port_, error.message()));
    if (timeout) {
        stream_.expires_after(*timeout);
    } else {
        stream_.expires_never();
    }
    error = run_one(io_, [&](beast::error_code& result) {
        stream_.async_connect(
            endpoints, [&result](beast::error_code ec, const tcp::endpoint&) { result = ec; });
    });
    if (error)
        return transport_error(fmt::format("connect to {}:{}: {}", host_, port_, error.message()));
    stream_.socket().set_option(tcp::no_delay(true), error);
    connected_ = true;
    return Status::ok();
}

Status HttpClient::request(http::verb verb, std::string_view target, const http::fields& headers,
                           std::string_view request_body,
                           std::optional<std::chrono::milliseconds> timeout, std::size_t body_limit,
                           HttpClientResponse* response, std::string* body) {
    response->stale_connection = false;
    const bool reused = connected_;
    Status status =
        exchange(verb, target, headers, request_body, timeout, body_limit, response, body);
    if (!status.is_ok()) {
        body->clear();  // never a partial body, nor the previous one
        // A server may close an idle kept-alive connection just as a request goes out on it:
        // the request then fails before any answer, without the server having failed.
        response->stale_connection = reused && response->status == 0 && peer_hung_up_;
    }
    return status;
}

Status HttpClient::exchange(http::verb verb, std::string_view target, const http::fields& headers,
                            std::string_view request_body,
                            std::optional<std::chrono::milliseconds> timeout,
                            std::size_t body_limit, HttpClientResponse* response,
                            std::string* body) {
    response->status = 0;
    response->headers.clear();
    peer_hung_up_ = false;
    // `body` keeps its contents until the body is read: resizing it to a length it already has
    // then writes nothing twice (clear() and resize() would zero 6 MB per invocation).
    if (!connected_) {
        if (Status connected = connect(timeout); !connected.is_ok()) {
            close();
            return connected;
        }
    }

    http::request<http::span_body<const char>> request{verb, target, 11};
    for (const auto& field : headers)
        request.set(field.name_string(), field.value());
    request.set(http::field::host, host_header_);
    request.keep_alive(true);
    request.body() = {request_body.data(), request_body.size()};
    request.prepare_payload();

    if (timeout) {
        stream_.expires_after(*timeout);
    } else {
        stream_.expires_never();
    }
    beast::error_code error = run_one(io_, [&](beast::error_code& result) {
        http::async_write(stream_, request,
                          [&result](beast::error_code ec, std::size_t) { result = ec; });
    });
    if (error) {
        peer_hung_up_ = is_hang_up(error);
        close();
        return transport_error(
            fmt::format("send {} {}: {}", http::to_string(verb), target, error.message()));
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    error = run_one(io_, [&](beast::error_code& result) {
        http::async_read_header(stream_, read_buffer_, parser,
                                [&result](beast::error_code ec, std::size_t) { result = ec; });
    });
    if (error == http::error::body_limit) {
        // Beast itself compares an announced Content-Length with the limit as the headers end.
        close();
        return transport_error(fmt::format("read {} {}: {}", http::to_string(verb), target,
                                           over_limit(parser.content_length(), body_limit)));
    }
    if (error) {
        peer_hung_up_ = is_hang_up(error) && !parser.got_some();
        close();
        return transport_error(
            fmt::format("read {} {}: {}", http::to_string(verb), target, error.message()));
    }
    if (Status read = read_body(parser, body_limit, body); !read.is_ok()) {
        close();
        return transport_error(
            fmt::format("read {} {}: {}", http::to_string(verb), target, read.message()));
    }
    response->status = parser.get().result_int();
    response->headers = std::move(parser.get().base());
    if (!parser.get().keep_alive())
        close();
    return Status::ok();
}

Status HttpClient::read_body(http::response_parser<http::string_body>& parser,
                             std::size_t body_limit, std::string* body) {
    if (parser.is_done()) {
        body->clear();  // no body (204, 304, Content-Length: 0)
        return Status::ok();
    }
    if (const auto length = parser.content_length()) {
        // Refused on the headers' word, before a byte of it is read: memory stays bounded
        // whatever the peer announces. (Beast 1.74's parser does not always apply body_limit to
        // bytes that arrived with the headers.)
        if (*length > body_limit)
            return transport_error(over_limit(length, body_limit));
        return read_sized_body(static_cast<std::size_t>(*length), body);
    }
    // Chunked, or delimited by the end of the connection: the parser decodes it and enforces
    // body_limit as the body grows. The read buffer's capacity keeps its reads large.
    body->clear();
    parser.get().body() = std::move(*body);  // reuse the caller's capacity
    beast::error_code error = run_one(io_, [&](beast::error_code& result) {
        http::async_read(stream_, read_buffer_, parser,
                         [&result](beast::error_code ec, std::size_t) { result = ec; });
    });
    *body = std::move(parser.get().body());
    if (error == http::error::body_limit)
        return transport_error(fmt::format("body larger than {} bytes", body_limit));
    if (error)
        return transport_error(error.message());
    return Status::ok();
}

Status HttpClient::read_sized_body(std::size_t length, std::string* body) {
    // Sized once from Content-Length (growing only past the largest body so far, so the steady
    // state allocates nothing), then filled by as few reads as the kernel allows: the bytes that
    // came with the headers, then socket reads straight into the string, each asking for all
    // that is still missing. Going through the parser would copy every byte out of read_buffer_
    // and read at most its capacity at a time (512 bytes for a small flat_buffer).
    body->resize(length);
    const std::size_t buffered = std::min(length, read_buffer_.size());
    asio::buffer_copy(asio::buffer(body->data(), buffered), read_buffer_.data());
    read_buffer_.consume(buffered);
    std::size_t filled = buffered;
    while (filled < length) {
        std::size_t got = 0;
        const beast::error_code error = run_one(io_, [&](beast::error_code& result) {
            stream_.async_read_some(asio::buffer(body->data() + filled, length - filled),
                                    [&result, &got](beast::error_code ec, std::size_t n) {
                                        result = ec;
                                        got = n;
                                    });
        });
        filled += got;
        if (error) {
            body->resize(filled);
            if (error == asio::error::eof) {
                return transport_error(
                    fmt::format("the connection closed after {} of {} body bytes", filled, length));
            }
            return transport_error(error.message());
        }
    }
    return Status::ok();
}

bool split_host_port(std::string_view text, std::string* host, std::string* port) {
    if (text.starts_with("http://"))
        text.remove_prefix(7);
    if (const auto slash = text.find('/'); slash != std::string_view::npos) {
        text = text.substr(0, slash);
    }
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
        return false;
    std::string_view host_text = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    for (const char c : port_text) {
        if (c < '0' || c > '9')
            return false;
    }
    // An IPv6 literal comes in brackets ("[::1]:9001", RFC 3986); the resolver wants it without.
    // Unbracketed, its own colons would make the split ambiguous, so that form is refused.
    if (host_text.starts_with('[')) {
        if (!host_text.ends_with(']') || host_text.size() == 2)
            return false;
        host_text = host_text.substr(1, host_text.size() - 2);
    } else if (host_text.find_first_of(":[]") != std::string_view::npos) {
        return false;
    }
    *host = std::string(host_text);
    *port = std::string(port_text);
    return true;
}

}  // namespace kbatch
