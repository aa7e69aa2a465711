#include "http_client.h"

#include <cctype>
#include <functional>
#include <limits>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace kbatch::serve_test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

tcp::endpoint loopback(std::uint16_t port) {
    return tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
}

// "::1" and "[::1]" alike.
tcp::endpoint endpoint_of(std::string_view host, std::uint16_t port) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return tcp::endpoint(asio::ip::make_address(std::string(host)), port);
}

}  // namespace

std::string HttpResult::header(std::string_view name) const {
    auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpResult http_request(std::uint16_t port, std::string_view method, std::string_view target,
                        std::string body, std::chrono::milliseconds timeout,
                        const Headers& headers) {
    return http_request_to("127.0.0.1", port, method, target, std::move(body), timeout, headers);
}

HttpResult http_request_to(std::string_view host, std::uint16_t port, std::string_view method,
                           std::string_view target, std::string body,
                           std::chrono::milliseconds timeout, const Headers& headers) {
    const tcp::endpoint endpoint = endpoint_of(host, port);
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, std::string(host));
    for (const auto& [name, value] : headers)
        request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();

    // Asynchronous operations on a private io_context, because only they honour the stream's
    // expiry; run() returns when the exchange is over, one way or the other.
    asio::io_context io;
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    HttpResult result;
    auto fail = [&result](std::string_view step, const beast::error_code& error) {
        result.error = std::string(step) + ": " + error.message();
    };

    stream.expires_after(timeout);
    stream.async_connect(endpoint, [&](const beast::error_code& connect_error) {
        if (connect_error)
            return fail("connect", connect_error);
        http::async_write(stream, request, [&](const beast::error_code& write_error, std::size_t) {
            if (write_error)
                return fail("write", write_error);
            http::async_read(stream, buffer, parser,
                             [&](const beast::error_code& read_error, std::size_t) {
                                 if (read_error)
                                     return fail("read", read_error);
                                 result.ok = true;
                             });
        });
    });
    io.run();
    if (!result.ok)
        return result;

    const http::response<http::string_body>& response = parser.get();
    result.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
        result.headers[lower(field.name_string())] = std::string(field.value());
    }
    result.body = response.body();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return result;
}

HttpResult invoke(std::uint16_t port, std::string event, std::chrono::milliseconds timeout) {
    return http_request(port, "POST", "/2015-03-31/functions/function/invocations",
                        std::move(event), timeout, {{"Content-Type", "application/json"}});
}

std::string raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    std::string received;
    char chunk[4096];
    std::function<void()> read_more = [&] {
        stream.async_read_some(asio::buffer(chunk),
                               [&](const beast::error_code& error, std::size_t n) {
                                   received.append(chunk, n);
                                   if (!error)
                                       read_more();
                               });
    };
    stream.expires_after(timeout);
    stream.async_connect(loopback(port), [&](const beast::error_code& connect_error) {
        if (connect_error)
            return;
        asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()),
                          [&](const beast::error_code& write_error, std::size_t) {
                              if (!write_error)
                                  read_more();
                          });
    });
    io.run();
    return received;
}

}  // namespace kbatch::serve_test
