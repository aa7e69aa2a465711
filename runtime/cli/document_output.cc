#include "document_output.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

namespace kbatch {

namespace {

Status io_error(std::string message) {
    return Status::error(ErrorKind::kIoError, std::move(message));
}

}  // namespace

Status DocumentOutput::take_stdout() {
    std::fflush(stdout);  // nothing buffered for the old descriptor 1 may come out later
    const int saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved < 0)
        return io_error(fmt::format("cannot save standard output: {}", std::strerror(errno)));
    if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        const int dup_error = errno;
        close(saved);
        return io_error(fmt::format("cannot send standard output to standard error: {}",
                                    std::strerror(dup_error)));
    }
    fd_ = saved;
    owned_ = true;
    return Status::ok();
}

DocumentOutput::~DocumentOutput() {
    if (owned_)
        close(fd_);
}

Status DocumentOutput::write(std::string_view document) const {
    char newline = '\n';
    iovec parts[2] = {{const_cast<char*>(document.data()), document.size()}, {&newline, 1}};
    iovec* next = parts;
    int left = 2;
    // One call for the whole document; a pipe or a slow terminal may take only part of it, and
    // the rest then follows in further calls.
    while (left > 0) {
        const ssize_t written = writev(fd_, next, left);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return io_error(fmt::format("cannot write the response: {}", std::strerror(errno)));
        }
        std::size_t done = static_cast<std::size_t>(written);
        while (left > 0 && done >= next->iov_len) {
            done -= next->iov_len;
            ++next;
            --left;
        }
        if (left > 0) {
            next->iov_base = static_cast<char*>(next->iov_base) + done;
            next->iov_len -= done;
        }
    }
    return Status::ok();
}

}  // namespace kbatch
