#include "raw_http_peer.h"

#include <poll.h>
#include <sys/socket.h>

#include <sstream>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace kbatch::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

RawHttpPeer::RawHttpPeer(std::string address, Reply reply)
    : address_(std::move(address)),
      reply_(std::move(reply)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address(address_), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
}

RawHttpPeer::~RawHttpPeer() {
    stopping_ = true;
    {
        std::lock_guard lock(mutex_);
        if (connection_fd_ >= 0)
            ::shutdown(connection_fd_, SHUT_RDWR);
    }
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.join();
}

std::vector<std::string> RawHttpPeer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

void RawHttpPeer::send(tcp::socket& socket, std::string_view bytes) {
    beast::error_code ignored;
    asio::write(socket, asio::buffer(bytes.data(), bytes.size()), ignored);
}

bool RawHttpPeer::hold_until_closed(tcp::socket& socket, std::chrono::milliseconds most) const {
    const auto until = std::chrono::steady_clock::now() + most;
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
        pollfd watched{socket.native_handle(), POLLIN, 0};
        if (::poll(&watched, 1, 20) > 0) {
            char byte;
            // Readable with nothing to read: the client closed (or reset) its end.
            if (::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0)
                return true;
            // A client that sends more is not this helper's concern: drain and keep holding.
            ::recv(socket.native_handle(), &byte, 1, MSG_DONTWAIT);
        }
    }
    return false;
}

void RawHttpPeer::serve() {
    int number = 0;
    while (!stopping_) {
        tcp::socket socket(io_);
        beast::error_code error;
        acceptor_.accept(socket, error);
        if (error || stopping_)
            return;
        {
            std::lock_guard lock(mutex_);
            connection_fd_ = socket.native_handle();
        }
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            http::read(socket, buffer, parser, error);
            if (error)
                break;
            std::string text;
            {
                std::ostringstream out;
                out << parser.get();
                text = out.str();
            }
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(text);
            }
            if (reply_(socket, text, ++number) == AfterReply::kClose)
                break;
        }
        std::lock_guard lock(mutex_);
        connection_fd_ = -1;
        socket.shutdown(tcp::socket::shutdown_both, error);
        socket.close(error);
    }
}

bool has_ipv6_loopback() {
    asio::io_context io;
    beast::error_code error;
    tcp::acceptor acceptor(io);
    acceptor.open(tcp::v6(), error);
    if (!error)
        acceptor.bind(tcp::endpoint(asio::ip::make_address("::1"), 0), error);
    return !error;
}

}  // namespace kbatch::test
