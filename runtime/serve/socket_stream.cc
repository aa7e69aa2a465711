#include "socket_stream.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include <boost/asio/error.hpp>

namespace kbatch::serve {
namespace {

using error_code = boost::system::error_code;

error_code system_error(int number) {
    return error_code(number, boost::system::system_category());
}

}  // namespace

bool SocketStream::wait_for(short events, std::chrono::milliseconds wait, error_code& error) const {
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        pollfd entry{fd_, events, 0};
        const int ready = ::poll(
            &entry, 1,
            static_cast<int>(std::max<long long>(std::min<long long>(left.count(), INT_MAX), 0)));
        if (ready > 0) {
            // Errors and hang-ups count as ready: the read or write that follows reports them.
            error = {};
            return true;
        }
        if (ready < 0 && errno != EINTR) {
            error = system_error(errno);
            return false;
        }
        if (ready == 0 && left.count() <= 0) {
            error = boost::asio::error::timed_out;
            return false;
        }
    }
}

bool SocketStream::wait_readable(std::chrono::milliseconds wait, error_code& error) const {
    return wait_for(POLLIN, wait, error);
}

std::size_t SocketStream::read_some(char* data, std::size_t size, error_code& error) {
    for (;;) {
        if (!wait_for(POLLIN, timeout_, error))
            return 0;
        const ssize_t n = ::recv(fd_, data, size, MSG_DONTWAIT);
        if (n > 0) {
            error = {};
            return static_cast<std::size_t>(n);
        }
        if (n == 0) {
            error = boost::asio::error::eof;
            return 0;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            error = system_error(errno);
            return 0;
        }
    }
}

std::size_t SocketStream::write_some(const iovec* buffers, std::size_t count, error_code& error) {
    msghdr message{};
    message.msg_iov = const_cast<iovec*>(buffers);
    message.msg_iovlen = count;
    for (;;) {
        if (!wait_for(POLLOUT, timeout_, error))
            return 0;
        const ssize_t n = ::sendmsg(fd_, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) {
            error = {};
            return static_cast<std::size_t>(n);
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            error = system_error(errno);
            return 0;
        }
    }
}

}  // namespace kbatch::serve
