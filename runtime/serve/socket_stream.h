// kbatch serve: blocking reads and writes on a connected socket, each wait bounded in time.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstddef>

#include <boost/system/error_code.hpp>

namespace kbatch::serve {

/// Reads and writes on a connected TCP socket with poll() and recv()/sendmsg(), so that every
/// wait for the peer ends after `timeout` without progress: a peer that stops sending, or stops
/// reading what it is sent, cannot hold a connection's thread for ever. A shutdown() of the socket
/// from another thread ends any wait at once (that is how HttpServer closes connections).
///
/// Errors: boost::asio::error::eof when the peer closed, boost::asio::error::timed_out when
/// nothing moved within `timeout`, otherwise the system error.
///
/// Ownership: does not own the socket, which must outlive it.
/// Thread safety: one thread reads and writes; shutdown() from others is fine.
class SocketStream {
  public:
    SocketStream(int fd, std::chrono::milliseconds timeout) : fd_(fd), timeout_(timeout) {}

    int fd() const noexcept { return fd_; }

    /// Waits until there is something to read (or the peer closed), for up to `wait`.
    bool wait_readable(std::chrono::milliseconds wait, boost::system::error_code& error) const;

    /// Reads up to `size` bytes into `data`: as many as have arrived, after waiting up to the
    /// timeout for the first. Returns 0 with an error when nothing could be read.
    std::size_t read_some(char* data, std::size_t size, boost::system::error_code& error);

    /// Writes as much of `buffers` as the socket takes at once, after waiting up to the timeout
    /// for room. Never raises SIGPIPE.
    std::size_t write_some(const iovec* buffers, std::size_t count,
                           boost::system::error_code& error);

  private:
    bool wait_for(short events, std::chrono::milliseconds wait,
                  boost::system::error_code& error) const;

    int fd_;
    std::chrono::milliseconds timeout_;
};

}  // namespace kbatch::serve
