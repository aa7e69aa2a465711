// bench/runtime: the page of read-call counters that libkbatch_read_counter.so (preloaded into a
// runtime) increments and the benchmark reads, through a file both map.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace kbatch::bench {

/// Which libc entry point a read came through.
enum ReadCall : int { kRead, kReadv, kRecv, kRecvfrom, kRecvmsg, kReadCallCount };

struct ReadCounters {
    std::uint64_t calls[kReadCallCount];  // incremented with relaxed atomics
};

/// The benchmark's side: creates (or empties) `file`, maps it, and reads the counts that a
/// process started with LD_PRELOAD=libkbatch_read_counter.so and
/// KBATCH_READ_COUNTER_FILE=`file` adds up.
class ReadCounterFile {
  public:
    explicit ReadCounterFile(std::string file);  // throws std::runtime_error
    ~ReadCounterFile();
    ReadCounterFile(const ReadCounterFile&) = delete;
    ReadCounterFile& operator=(const ReadCounterFile&) = delete;

    const std::string& file() const noexcept { return file_; }
    /// Every read call counted so far, whichever entry point.
    std::uint64_t total() const;

  private:
    std::string file_;
    ReadCounters* counters_ = nullptr;
};

}  // namespace kbatch::bench
