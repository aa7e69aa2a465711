#include "read_counter.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace kbatch::bench {

ReadCounterFile::ReadCounterFile(std::string file) : file_(std::move(file)) {
    const int fd = ::open(file_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ::ftruncate(fd, sizeof(ReadCounters)) != 0) {
        const std::string reason = std::strerror(errno);
        if (fd >= 0)
            ::close(fd);
        throw std::runtime_error(file_ + ": " + reason);
    }
    void* page = ::mmap(nullptr, sizeof(ReadCounters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (page == MAP_FAILED)
        throw std::runtime_error(file_ + ": mmap: " + std::strerror(errno));
    counters_ = static_cast<ReadCounters*>(page);
}

ReadCounterFile::~ReadCounterFile() {
    ::munmap(counters_, sizeof(ReadCounters));
}

std::uint64_t ReadCounterFile::total() const {
    std::uint64_t total = 0;
    for (std::uint64_t& calls : counters_->calls)
        total += std::atomic_ref(calls).load(std::memory_order_relaxed);
    return total;
}

}  // namespace kbatch::bench
