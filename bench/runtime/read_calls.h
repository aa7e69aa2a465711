// bench/runtime: how many read system calls a running process makes, seen from outside it.
//
// /proc/PID/io's syscr costs nothing to read, but counts only the calls that go through the
// file layer (read, readv, pread...): a socket read with recv, recvfrom or recvmsg is not counted
// (checked on this machine: 10 recvmsg calls, syscr +0). Boost.Asio, hence kbatch-runtime, reads
// its sockets with recvmsg, and the curl inside aws-lambda-ric with recv. strace -c counts them
// all, but stops the process at every call, so it runs apart from the timed invocations, and a
// reader it slows finds more bytes waiting at each read: its count is a lower bound. The count of
// record is read_counter.h's, made inside the process; these two are reported beside it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace kbatch::bench {

class Child;

/// The syscr line of /proc/PID/io; nothing if it cannot be read.
std::optional<std::uint64_t> read_syscr(pid_t pid);

/// Calls per system call name, from strace's summary.
using SyscallCounts = std::map<std::string, std::uint64_t>;

/// The read-family calls in `counts` (read, readv, pread64, preadv, preadv2, recvfrom, recvmsg,
/// recvmmsg).
std::uint64_t read_family_total(const SyscallCounts& counts);

/// `strace -c -f` attached to every thread of a running process, counting its read-family
/// system calls from the moment the constructor returns until finish().
class StraceCount {
  public:
    /// Starts `strace` (its path) and waits until every thread of `pid` is traced. Throws
    /// std::runtime_error if strace cannot attach (no ptrace permission, say).
    StraceCount(const std::string& strace, pid_t pid, const std::string& summary_file);
    ~StraceCount();
    StraceCount(const StraceCount&) = delete;
    StraceCount& operator=(const StraceCount&) = delete;

    /// Detaches (the process runs on) and returns the counts.
    SyscallCounts finish();

  private:
    std::unique_ptr<Child> tracer_;  // strace, while it runs
    std::string summary_file_;
};

}  // namespace kbatch::bench
