#include "transfer_report.h"

#include <string>

#include <fmt/format.h>

namespace kbatch::bench {
namespace {

constexpr double kKiB64 = 64 * 1024;

std::string optional_number(const std::optional<double>& value, const char* format) {
    return value ? fmt::format(fmt::runtime(format), *value) : "-";
}

std::string json_number(const std::optional<double>& value) {
    return value ? fmt::format("{:.3f}", *value) : "null";
}

std::optional<double> bytes_per_read(const ShapeFigures& shape, const RuntimeFigures& runtime) {
    if (!runtime.read_calls || *runtime.read_calls <= 0)
        return std::nullopt;
    return static_cast<double>(shape.bytes) / *runtime.read_calls;
}

// Issue 19 counts reads "per 64 KiB of body": 1 is its target.
std::optional<double> reads_per_64k(const ShapeFigures& shape, const RuntimeFigures& runtime) {
    if (!runtime.read_calls)
        return std::nullopt;
    return *runtime.read_calls / (static_cast<double>(shape.bytes) / kKiB64);
}

void print_runtime_row(const ShapeFigures& shape, const RuntimeFigures& runtime) {
    fmt::print("  {:<44} {:>9.2f} {:>11} {:>11} {:>11} {:>10}\n", runtime.name, runtime.median_ms,
               optional_number(runtime.read_calls, "{:.0f}"),
               optional_number(bytes_per_read(shape, runtime), "{:.0f}"),
               optional_number(runtime.strace_read_calls, "{:.0f}"),
               optional_number(runtime.syscr, "{:.1f}"));
}

void print_runtime_json(const ShapeFigures& shape, const RuntimeFigures& runtime) {
    fmt::print(R"({{"shape": "{}", "figure": "{}", "median_ms": {:.3f}, "after_write_ms": {:.3f}, )"
               R"("logged_batch_ms": {}, "read_calls_per_invocation": {}, "bytes_per_read": {}, )"
               R"("strace_read_calls_per_invocation": {}, "syscr_per_invocation": {}}})"
               "\n",
               shape.shape, runtime.name, runtime.median_ms, runtime.after_write_ms,
               json_number(runtime.logged_batch_ms), json_number(runtime.read_calls),
               json_number(bytes_per_read(shape, runtime)), json_number(runtime.strace_read_calls),
               json_number(runtime.syscr));
}

}  // namespace

void print_transfer_table(const std::vector<ShapeFigures>& shapes) {
    for (const ShapeFigures& shape : shapes) {
        const double floor = shape.plain_ms + shape.batch_ms;
        fmt::print(
            "shape ({}): {} bytes, {} records; medians of {} invocations taken in turns; reads "
            "counted in process while timed, by strace over {} more, and by syscr\n",
            shape.shape, shape.bytes, shape.records, shape.invocations, shape.counted);
        fmt::print("  {:<44} {:>9} {:>11} {:>11} {:>11} {:>10}\n", "", "ms", "reads/inv",
                   "bytes/read", "strace/inv", "syscr/inv");
        fmt::print(
            "  {:<44} {:>9.2f} {:>11.0f} {:>11.0f} {:>11} {:>10}\n",
            fmt::format("plain transfer (loopback, {} KiB reads)", shape.plain_read_size / 1024),
            shape.plain_ms, shape.plain_reads, static_cast<double>(shape.bytes) / shape.plain_reads,
            "-", "-");
        fmt::print("  {:<44} {:>9.2f}\n", "batch in process (decode, plugin, response)",
                   shape.batch_ms);
        print_runtime_row(shape, shape.kbatch);
        print_runtime_row(shape, shape.node);
        if (shape.serve_ms)
            fmt::print("  {:<44} {:>9.2f}\n", "kbatch serve round trip (invoke to answer)",
                       *shape.serve_ms);
        fmt::print(
            "  kbatch-runtime: {:.2f} ms from the /next answer's last byte written; its own batch "
            "lines say {} ms\n",
            shape.kbatch.after_write_ms, optional_number(shape.kbatch.logged_batch_ms, "{:.2f}"));
        if (!shape.kbatch.strace_note.empty())
            fmt::print("  strace did not count: {}\n", shape.kbatch.strace_note);
        fmt::print(
            "  kbatch-runtime / (plain + batch) {:.2f} (issue 19: at most 2); aws-lambda-ric / "
            "kbatch-runtime {:.2f} (at least 8); kbatch-runtime reads per 64 KiB of body {} (at "
            "most 1)",
            shape.kbatch.median_ms / floor, shape.node.median_ms / shape.kbatch.median_ms,
            optional_number(reads_per_64k(shape, shape.kbatch), "{:.2f}"));
        if (shape.serve_ms)
            fmt::print("; serve / (plain + batch) {:.2f} (at most 3)", *shape.serve_ms / floor);
        fmt::print("\n");
    }
}

void print_transfer_json(const std::vector<ShapeFigures>& shapes) {
    for (const ShapeFigures& shape : shapes) {
        const double floor = shape.plain_ms + shape.batch_ms;
        fmt::print(
            R"({{"shape": "{}", "figure": "plain transfer", "bytes": {}, "median_ms": {:.3f}, )"
            R"("read_calls_per_invocation": {:.1f}, "read_size": {}}})"
            "\n",
            shape.shape, shape.bytes, shape.plain_ms, shape.plain_reads, shape.plain_read_size);
        fmt::print(R"({{"shape": "{}", "figure": "batch in process", "records": {}, )"
                   R"("median_ms": {:.3f}}})"
                   "\n",
                   shape.shape, shape.records, shape.batch_ms);
        print_runtime_json(shape, shape.kbatch);
        print_runtime_json(shape, shape.node);
        std::optional<double> serve_ratio;
        if (shape.serve_ms) {
            fmt::print(R"({{"shape": "{}", "figure": "kbatch serve round trip", )"
                       R"("median_ms": {:.3f}}})"
                       "\n",
                       shape.shape, *shape.serve_ms);
            serve_ratio = *shape.serve_ms / floor;
        }
        fmt::print(R"({{"shape": "{}", "figure": "ratios", "invocations": {}, )"
                   R"("kbatch_runtime_over_plain_plus_batch": {:.3f}, )"
                   R"("node_over_kbatch_runtime": {:.3f}, "kbatch_runtime_reads_per_64k": {}, )"
                   R"("serve_over_plain_plus_batch": {}}})"
                   "\n",
                   shape.shape, shape.invocations, shape.kbatch.median_ms / floor,
                   shape.node.median_ms / shape.kbatch.median_ms,
                   json_number(reads_per_64k(shape, shape.kbatch)), json_number(serve_ratio));
    }
}

}  // namespace kbatch::bench
