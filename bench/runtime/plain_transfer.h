// bench/runtime: the floor of issue 19: the event's bytes over a loopback TCP connection to a
// reader that only drains them. No HTTP, no parsing, no work: what moving 6 MB costs here.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>

#include "loopback_socket.h"

namespace kbatch::bench {

/// One kept-alive connection (as a runtime keeps its own) and a reader thread on its far end
/// that reads `read_size` bytes at a time and answers one byte once a whole transfer is in.
///
/// Thread safety: none; one thread calls run().
class PlainTransfer {
  public:
    /// `bytes`: the size of every transfer. Throws std::runtime_error.
    PlainTransfer(std::size_t bytes, std::size_t read_size);
    ~PlainTransfer();
    PlainTransfer(const PlainTransfer&) = delete;
    PlainTransfer& operator=(const PlainTransfer&) = delete;

    /// Writes `data` (of the size given) and returns the milliseconds from the first byte written
    /// to the reader's answer: the whole transfer, however much of it the socket buffers held.
    double run_ms(const std::string& data);
    /// How many reads the reader needed for the last transfer.
    std::size_t last_reads() const noexcept { return last_reads_; }

  private:
    void drain(Socket connection);

    std::size_t bytes_;
    std::size_t read_size_;
    Socket writer_;
    std::thread reader_;
    std::atomic<std::size_t> reads_ = 0;  // stored by the reader before its answer
    std::size_t last_reads_ = 0;
};

}  // namespace kbatch::bench
