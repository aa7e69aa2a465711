#include "http_client.h"

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace kbatch {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view HttpResponse::header(std::string_view name) const {
    const auto it = headers.find(name);
    if (it == headers.end())
        return {};
    return it->value();
}

HttpClient::HttpClient(std::string host, std::string port)
    : host_(std::move(host)), port_(std::move(port)), stream_(io_) {}

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

}  // namespace

std::string HttpClient::connect(std::optional<std::chrono::milliseconds> timeout) {
    tcp::resolver resolver(io_);
    beast::error_code error;
    const auto endpoints = resolver.resolve(host_, port_, error);
    if (error)
        return fmt::format("resolve {}:{}: {}", host_, port_, error.message());
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
        return fmt::format("connect to {}:{}: {}", host_, port_, error.message());
    stream_.socket().set_option(tcp::no_delay(true), error);
    connected_ = true;
    return {};
}

void HttpClient::request(http::verb verb, std::string_view target, const http::fields& headers,
                         std::string_view request_body,
                         std::optional<std::chrono::milliseconds> timeout, std::size_t body_limit,
                         HttpResponse* response, std::string* body) {
    const bool reused = connected_;
    std::string error =
        exchange(verb, target, headers, request_body, timeout, body_limit, response, body);
    if (!error.empty() && reused && response->status == 0) {
        // The server may have closed the idle kept-alive connection before our request reached
        // it; one fresh connection tells that apart from a real failure.
        error = exchange(verb, target, headers, request_body, timeout, body_limit, response, body);
    }
    response->error = std::move(error);
}

std::string HttpClient::exchange(http::verb verb, std::string_view target,
                                 const http::fields& headers, std::string_view request_body,
                                 std::optional<std::chrono::milliseconds> timeout,
                                 std::size_t body_limit, HttpResponse* response,
                                 std::string* body) {
    response->status = 0;
    response->headers.clear();
    body->clear();
    if (!connected_) {
        if (std::string error = connect(timeout); !error.empty()) {
            close();
            return error;
        }
    }

    http::request<http::span_body<const char>> request{verb, target, 11};
    for (const auto& field : headers)
        request.set(field.name_string(), field.value());
    request.set(http::field::host, host_ + ":" + port_);
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
        close();
        return fmt::format("send {} {}: {}", http::to_string(verb), target, error.message());
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    parser.get().body() = std::move(*body);  // reuse the caller's capacity
    error = run_one(io_, [&](beast::error_code& result) {
        http::async_read(stream_, read_buffer_, parser,
                         [&result](beast::error_code ec, std::size_t) { result = ec; });
    });
    *body = std::move(parser.get().body());
    if (error) {
        close();
        if (error == http::error::body_limit) {
            return fmt::format("read {} {}: body larger than {} bytes", http::to_string(verb),
                               target, body_limit);
        }
        return fmt::format("read {} {}: {}", http::to_string(verb), target, error.message());
    }
    response->status = parser.get().result_int();
    response->headers = std::move(parser.get().base());
    if (!parser.get().keep_alive())
        close();
    return {};
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
    const std::string_view port_text = text.substr(colon + 1);
    for (const char c : port_text) {
        if (c < '0' || c > '9')
            return false;
    }
    *host = std::string(text.substr(0, colon));
    *port = std::string(port_text);
    return true;
}

}  // namespace kbatch
