#include "http_post.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace kbatch::bench {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

PostResult http_post(std::uint16_t port, std::string_view target, const std::string& body) {
    PostResult result;
    try {
        boost::asio::io_context io;
        tcp::socket socket(io);
        socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
        http::request<http::string_body> request(http::verb::post, target, 11);
        request.set(http::field::host, "127.0.0.1");
        request.set(http::field::content_type, "application/json");
        request.body() = body;
        request.prepare_payload();
        http::write(socket, request);
        boost::beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        http::read(socket, buffer, parser);
        result.status = static_cast<int>(parser.get().result_int());
        result.function_error = parser.get().count("X-Amz-Function-Error") > 0;
        result.body = std::move(parser.get().body());
    } catch (const std::exception& error) {
        result.error = error.what();
    }
    return result;
}

}  // namespace kbatch::bench
