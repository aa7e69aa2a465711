// kbatch serve: a file descriptor that closes itself, and errno in words.
#pragma once

#include <unistd.h>

#include <string>
#include <system_error>

namespace kbatch::serve {

/// Owns a descriptor (or none, when negative) and closes it when it goes, on every return path.
/// Not copyable. Thread safety: none.
class UniqueFd {
  public:
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    ~UniqueFd() {
        if (fd_ >= 0)
            close(fd_);
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const noexcept { return fd_; }

  private:
    int fd_;
};

/// What errno value `error` means, as strerror says it ("No such file or directory").
inline std::string errno_text(int error) {
    return std::generic_category().message(error);
}

}  // namespace kbatch::serve
