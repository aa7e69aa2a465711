// bench/runtime: libkbatch_read_counter.so, loaded into a runtime with LD_PRELOAD to count its
// read system calls without slowing them down (strace stops the process at every call, and a
// slowed reader finds more bytes waiting at each read, so it reads less often than it would).
// Every read-family call of the process goes through here on its way to libc: one relaxed
// atomic increment each, into a page shared with the benchmark (read_counter.h), named by
// KBATCH_READ_COUNTER_FILE. Calls that glibc makes to itself internally are not seen; socket
// reads are not of those: Boost.Asio calls recvmsg, libuv read, curl recv.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "read_counter.h"

namespace {

kbatch::bench::ReadCounters* counters = nullptr;

__attribute__((constructor)) void map_counters() {
    const char* file = std::getenv("KBATCH_READ_COUNTER_FILE");
    if (file == nullptr)
        return;
    const int fd = ::open(file, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    void* page = ::mmap(nullptr, sizeof(kbatch::bench::ReadCounters), PROT_READ | PROT_WRITE,
                        MAP_SHARED, fd, 0);
    ::close(fd);
    if (page != MAP_FAILED)
        counters = static_cast<kbatch::bench::ReadCounters*>(page);
}

void count(kbatch::bench::ReadCall call) {
    if (counters != nullptr)
        std::atomic_ref(counters->calls[call]).fetch_add(1, std::memory_order_relaxed);
}

// The next definition of `name` after this library's: libc's. Looked up at the first call (a
// library's constructor may read before ours has run), into a slot with no guard to take.
template <typename Function>
Function* next(std::atomic<Function*>& slot, const char* name) {
    Function* found = slot.load(std::memory_order_relaxed);
    if (found == nullptr) {
        found = reinterpret_cast<Function*>(::dlsym(RTLD_NEXT, name));
        slot.store(found, std::memory_order_relaxed);
    }
    return found;
}

using ReadFunction = ssize_t(int, void*, size_t);
using ReadChkFunction = ssize_t(int, void*, size_t, size_t);
using ReadvFunction = ssize_t(int, const iovec*, int);
using RecvFunction = ssize_t(int, void*, size_t, int);
using RecvChkFunction = ssize_t(int, void*, size_t, size_t, int);
using RecvfromFunction = ssize_t(int, void*, size_t, int, sockaddr*, socklen_t*);
using RecvmsgFunction = ssize_t(int, msghdr*, int);

std::atomic<ReadFunction*> real_read;
std::atomic<ReadChkFunction*> real_read_chk;
std::atomic<ReadvFunction*> real_readv;
std::atomic<RecvFunction*> real_recv;
std::atomic<RecvChkFunction*> real_recv_chk;
std::atomic<RecvfromFunction*> real_recvfrom;
std::atomic<RecvmsgFunction*> real_recvmsg;

}  // namespace

using kbatch::bench::ReadCall;

extern "C" {

ssize_t read(int fd, void* buffer, size_t size) {
    auto* real = next(real_read, "read");
    count(ReadCall::kRead);
    return real(fd, buffer, size);
}

ssize_t __read_chk(int fd, void* buffer, size_t size, size_t buffer_size) {
    auto* real = next(real_read_chk, "__read_chk");
    count(ReadCall::kRead);
    return real(fd, buffer, size, buffer_size);
}

ssize_t readv(int fd, const iovec* parts, int count_of_parts) {
    auto* real = next(real_readv, "readv");
    count(ReadCall::kReadv);
    return real(fd, parts, count_of_parts);
}

ssize_t recv(int fd, void* buffer, size_t size, int flags) {
    auto* real = next(real_recv, "recv");
    count(ReadCall::kRecv);
    return real(fd, buffer, size, flags);
}

ssize_t __recv_chk(int fd, void* buffer, size_t size, size_t buffer_size, int flags) {
    auto* real = next(real_recv_chk, "__recv_chk");
    count(ReadCall::kRecv);
    return real(fd, buffer, size, buffer_size, flags);
}

ssize_t recvfrom(int fd, void* buffer, size_t size, int flags, sockaddr* from,
                 socklen_t* from_size) {
    auto* real = next(real_recvfrom, "recvfrom");
    count(ReadCall::kRecvfrom);
    return real(fd, buffer, size, flags, from, from_size);
}

ssize_t recvmsg(int fd, msghdr* message, int flags) {
    auto* real = next(real_recvmsg, "recvmsg");
    count(ReadCall::kRecvmsg);
    return real(fd, message, flags);
}

}  // extern "C"
