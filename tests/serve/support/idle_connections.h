// kbatch serve tests: connections opened and left idle, as a forgetful client leaves them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kbatch::serve_test {

/// Opens `count` TCP connections to 127.0.0.1:`port` and sends nothing on them. The destructor
/// closes those still open.
///
/// Thread safety: none; one test thread owns it.
class IdleConnections {
  public:
    /// Throws std::runtime_error if a connection cannot be made.
    IdleConnections(std::uint16_t port, std::size_t count);
    ~IdleConnections();
    IdleConnections(const IdleConnections&) = delete;
    IdleConnections& operator=(const IdleConnections&) = delete;

    std::size_t size() const noexcept { return fds_.size(); }

    /// How many the server has closed (end of stream or reset). Does not block.
    std::size_t closed_by_server() const;

    /// Waits until at least `count` are closed by the server, up to `timeout_ms`; the number
    /// closed then.
    std::size_t wait_closed(std::size_t count, int timeout_ms) const;

  private:
    std::vector<int> fds_;
};

}  // namespace kbatch::serve_test
