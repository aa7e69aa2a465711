// bench/runtime: the few socket calls the transfer figures need, on 127.0.0.1 only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kbatch::bench {

/// A file descriptor closed when it goes out of scope.
class Socket {
  public:
    Socket() = default;
    explicit Socket(int fd) noexcept : fd_(fd) {}
    ~Socket();
    Socket(Socket&& other) noexcept : fd_(other.release()) {}
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    int release() noexcept;

  private:
    int fd_ = -1;
};

/// A listening TCP socket on 127.0.0.1 and a port the kernel picks. Throws std::runtime_error.
Socket listen_on_loopback();
/// The port a bound socket listens on.
std::uint16_t local_port(const Socket& socket);
/// A connection to 127.0.0.1:`port`. Throws std::runtime_error.
Socket connect_to_loopback(std::uint16_t port);
/// Turns Nagle's algorithm off: every answer here is one write, and a small one must not wait
/// for the peer's delayed acknowledgement (40 ms on Linux) to go out.
void set_no_delay(const Socket& socket);

/// Writes all of `head` then all of `body` (one sendmsg while the kernel takes them). False when
/// the peer has gone.
bool send_all(int fd, std::string_view head, std::string_view body = {});

}  // namespace kbatch::bench
