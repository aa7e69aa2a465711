#include "plain_transfer.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "child.h"

namespace kbatch::bench {

PlainTransfer::PlainTransfer(std::size_t bytes, std::size_t read_size)
    : bytes_(bytes), read_size_(read_size) {
    Socket listener = listen_on_loopback();
    writer_ = connect_to_loopback(local_port(listener));
    Socket reader(::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!reader.valid())
        throw std::runtime_error("accept on loopback failed");
    set_no_delay(reader);  // the one-byte answer goes out at once
    reader_ = std::thread(
        [this, connection = std::move(reader)]() mutable { drain(std::move(connection)); });
}

PlainTransfer::~PlainTransfer() {
    ::shutdown(writer_.fd(), SHUT_RDWR);  // the reader sees the end of the stream and returns
    reader_.join();
}

void PlainTransfer::drain(Socket connection) {
    std::vector<char> buffer(read_size_);
    std::size_t got = 0;
    std::size_t reads = 0;
    for (;;) {  // ends with the stream
        const ssize_t n = ::recv(connection.fd(), buffer.data(), buffer.size(), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        ++reads;
        got += static_cast<std::size_t>(n);
        if (got >= bytes_) {
            reads_ = reads;
            got = 0;
            reads = 0;
            if (!send_all(connection.fd(), "!"))
                return;
        }
    }
}

double PlainTransfer::run_ms(const std::string& data) {
    if (data.size() != bytes_)
        throw std::runtime_error("plain transfer: wrong size");
    const Clock::time_point started = Clock::now();
    if (!send_all(writer_.fd(), data))
        throw std::runtime_error("plain transfer: the reader went away");
    char answer = 0;
    ssize_t n = -1;
    for (int tries = 0; tries < 100 && n < 0; ++tries) {  // retried only when interrupted
        n = ::recv(writer_.fd(), &answer, 1, 0);
        if (n < 0 && errno != EINTR)
            break;
    }
    const Clock::time_point finished = Clock::now();
    if (n != 1)
        throw std::runtime_error("plain transfer: no answer from the reader");
    last_reads_ = reads_;
    return std::chrono::duration<double, std::milli>(finished - started).count();
}

}  // namespace kbatch::bench
