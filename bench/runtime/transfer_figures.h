// bench/runtime: the figures of issue 19 for one event shape, as kbatch_transfer_figures measures
// them and transfer_report.cc prints them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace kbatch::bench {

/// One runtime against the scripted Runtime API, on one shape.
struct RuntimeFigures {
    std::string name;
    double median_ms = 0;       // /next answer's first byte written to /response read
    double after_write_ms = 0;  // its last byte written to /response read (issue 19's start)
    std::optional<double> logged_batch_ms;  // kbatch-runtime's own "batch: ..." lines
    // Read system calls per invocation, three ways (read_calls.h, read_counter.h):
    std::optional<double> read_calls;         // counted in process (preloaded), while timed
    std::optional<double> strace_read_calls;  // strace -c, over invocations of their own
    std::optional<double> syscr;              // /proc/PID/io, while timed (blind to recv*)
    std::string strace_note;                  // why strace_read_calls is missing
};

struct ShapeFigures {
    std::string shape;  // "a"
    std::size_t bytes = 0;
    std::size_t records = 0;  // as kbatch-runtime logged them; 0 if unknown
    int invocations = 0;      // timed, per figure
    int counted = 0;          // invocations under strace, per runtime
    double plain_ms = 0;      // the floor: the bytes over loopback to a reader, no HTTP
    double plain_reads = 0;   // the floor's reads per transfer
    std::size_t plain_read_size = 0;
    double batch_ms = 0;  // in process: decode, the checksum plugin, the response
    RuntimeFigures kbatch;
    RuntimeFigures node;
    std::optional<double> serve_ms;  // kbatch serve's round trip (shape (a) only)
};

}  // namespace kbatch::bench
