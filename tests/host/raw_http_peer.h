// A server that answers HTTP requests with whatever bytes a test writes, for testing the client
// side of kbatch's HTTP against answers a well-behaved server would never give.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace kbatch::test {

/// What the peer does after a request: keep the connection for the next request, or close it.
enum class AfterReply { kKeepOpen, kClose };

/// Listens on `address` ("127.0.0.1" or "::1"), a free port, on its own thread; serves one
/// connection at a time. For each complete request (headers and Content-Length body) it calls
/// `reply` with the socket and the request's text, and the reply writes what it likes.
///
/// A reply may block (to hold a connection open without answering); the destructor shuts the
/// connection down, which wakes it from reads and waits on the socket, and joins the thread.
/// `reply` runs on the peer's thread.
class RawHttpPeer {
  public:
    using Reply = std::function<AfterReply(boost::asio::ip::tcp::socket& socket,
                                           const std::string& request, int number)>;

    RawHttpPeer(std::string address, Reply reply);
    ~RawHttpPeer();
    RawHttpPeer(const RawHttpPeer&) = delete;
    RawHttpPeer& operator=(const RawHttpPeer&) = delete;

    std::string host() const { return address_; }
    std::string port() const { return std::to_string(port_); }
    /// Every request received so far (start line, headers and body), in order.
    std::vector<std::string> requests() const;
    /// Whether the peer is being destroyed: a reply that holds a connection polls it.
    bool stopping() const noexcept { return stopping_; }

    /// Writes `bytes` to `socket`, ignoring errors (the client may have gone).
    static void send(boost::asio::ip::tcp::socket& socket, std::string_view bytes);
    /// Holds `socket` open without writing until the client closes it, the peer is being
    /// destroyed, or `most` has passed. Returns whether the client closed it.
    bool hold_until_closed(boost::asio::ip::tcp::socket& socket,
                           std::chrono::milliseconds most) const;

  private:
    void serve();

    std::string address_;
    Reply reply_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
    int connection_fd_ = -1;  // guarded by mutex_
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

/// Whether this machine can listen on the IPv6 loopback address.
bool has_ipv6_loopback();

}  // namespace kbatch::test
