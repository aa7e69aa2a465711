#include "idle_connections.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace kbatch::serve_test {

IdleConnections::IdleConnections(std::uint16_t port, std::size_t count) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fds_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
        fds_.push_back(fd);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
            throw std::runtime_error("connect: " + std::string(std::strerror(errno)));
    }
}

IdleConnections::~IdleConnections() {
    for (const int fd : fds_)
        ::close(fd);
}

std::size_t IdleConnections::closed_by_server() const {
    std::size_t closed = 0;
    for (const int fd : fds_) {
        pollfd entry{fd, POLLIN | POLLRDHUP, 0};
        if (::poll(&entry, 1, 0) <= 0)
            continue;
        if (entry.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
            ++closed;
            continue;
        }
        char byte;
        const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            ++closed;
    }
    return closed;
}

std::size_t IdleConnections::wait_closed(std::size_t count, int timeout_ms) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const std::size_t closed = closed_by_server();
        if (closed >= count || std::chrono::steady_clock::now() >= until)
            return closed;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace kbatch::serve_test
