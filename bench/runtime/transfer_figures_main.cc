// bench/runtime: kbatch_transfer_figures, the figures of issue 19: where a 6 MB invocation's time
// goes. For shapes (a) and (b), in one run and in turns (so that every figure meets the same
// machine):
//   plain transfer   the event's bytes over loopback TCP to a reader that only drains them
//   batch            kbatch in process: decode, the checksum plugin, the response (no HTTP)
//   kbatch-runtime   against a scripted Runtime API (scripted_runtime_api.h): from the first byte
//                    of the /next answer written to the last byte of the /response post read
//   aws-lambda-ric   the same, running bench/runtime/handler.js
// then the read system calls per invocation of both runtimes (counted inside them while timed,
// by a preloaded counter, and by strace apart), and on shape (a) the round trip of
// `kbatch serve` (invoke endpoint to answer, its own kbatch-runtime behind it). Medians; reported,
// never judged. Run by bench/runtime-figures, which builds and installs what it needs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "../contender.h"
#include "../median.h"
#include "child.h"
#include "contenders.h"
#include "http_post.h"
#include "plain_transfer.h"
#include "read_calls.h"
#include "read_counter.h"
#include "scripted_runtime_api.h"
#include "transfer_figures.h"
#include "transfer_report.h"

namespace kbatch::bench {
namespace {

using namespace std::chrono_literals;

constexpr auto kInvocationTimeout = 60s;
constexpr std::string_view kInvokePath = "/2015-03-31/functions/function/invocations";
constexpr std::string_view kNoFailures = "\"batchItemFailures\":[]";
// The floor reads as much at a time as issue 19 allows a runtime on average.
constexpr std::size_t kPlainReadSize = 64 * 1024;

struct Options {
    ContenderPaths programs;
    std::string shape_a;
    std::string shape_b;
    std::string strace;        // "": read calls not counted by strace
    std::string read_counter;  // libkbatch_read_counter.so; "": not counted in process
    std::string scratch_dir;   // for strace's summaries and the counters' pages
    int invokes = 25;
    int counted = 5;
    bool json = false;
};

// A runtime process, the scripted API it talks to, and its read counter.
struct RuntimeUnderTest {
    std::string name;
    ScriptedRuntimeApi api;
    std::optional<ReadCounterFile> reads;
    std::optional<Child> process;
};

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw std::runtime_error("cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

void start(RuntimeUnderTest& runtime, ChildSpec spec, const Options& options) {
    spec.env.push_back("AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(runtime.api.port()));
    if (!options.read_counter.empty()) {
        runtime.reads.emplace(options.scratch_dir + "/reads-" + runtime.name + ".bin");
        spec.env.push_back("LD_PRELOAD=" + options.read_counter);
        spec.env.push_back("KBATCH_READ_COUNTER_FILE=" + runtime.reads->file());
    }
    spec.capture_output = true;
    runtime.process.emplace(spec);
    if (!runtime.api.wait_for_next(1, 60s)) {
        throw std::runtime_error(fmt::format("{}: no GET /next within 60 s; it said:\n{}",
                                             runtime.name, runtime.process->output()));
    }
}

// One invocation, which must be answered with no failed record: a wrong answer would make
// every figure meaningless.
ApiExchange invoke_ok(RuntimeUnderTest& runtime, const std::string& event) {
    ApiExchange exchange;
    try {
        exchange = runtime.api.invoke(event, kInvocationTimeout);
    } catch (const std::exception& error) {
        throw std::runtime_error(fmt::format("{}: {}; it said:\n{}", runtime.name, error.what(),
                                             runtime.process->output()));
    }
    if (exchange.response.find(kNoFailures) == std::string::npos) {
        throw std::runtime_error(
            fmt::format("{}: unexpected response: {}", runtime.name, exchange.response));
    }
    return exchange;
}

// kbatch-runtime's INFO lines "batch: N records, ..., X ms", in order: (records, ms).
std::vector<std::pair<std::size_t, double>> logged_batches(Child& runtime) {
    static const std::regex line(R"(batch: (\d+) records.*, ([0-9.]+) ms)");
    std::vector<std::pair<std::size_t, double>> batches;
    std::istringstream lines(runtime.output());
    std::smatch match;
    for (std::string text; std::getline(lines, text);) {
        if (std::regex_search(text, match, line))
            batches.emplace_back(std::stoul(match[1]), std::stod(match[2]));
    }
    return batches;
}

// Read calls per invocation under strace, over `count` invocations; the runtime is left waiting
// on its next GET /next, so the window holds every read of those invocations, the 202s included.
void strace_read_calls(RuntimeUnderTest& runtime, const std::string& event, const Options& options,
                       int count, RuntimeFigures* figures) {
    if (options.strace.empty()) {
        figures->strace_note = "no strace on this machine";
        return;
    }
    try {
        StraceCount strace(options.strace, runtime.process->pid(),
                           options.scratch_dir + "/strace-" + runtime.name + ".txt");
        const std::size_t seen = runtime.api.next_requests();
        for (int i = 0; i < count; ++i)
            invoke_ok(runtime, event);
        runtime.api.wait_for_next(seen + static_cast<std::size_t>(count), 10s);
        const std::uint64_t calls = read_family_total(strace.finish());
        figures->strace_read_calls = static_cast<double>(calls) / count;
    } catch (const std::runtime_error& error) {
        figures->strace_note = error.what();
    }
}

// The read calls of a runtime's timed invocations, counted in process and by syscr.
class ReadWindow {
  public:
    explicit ReadWindow(RuntimeUnderTest& runtime)
        : next_requests_(runtime.api.next_requests()),
          syscr_(read_syscr(runtime.process->pid())),
          calls_(runtime.reads ? std::optional(runtime.reads->total()) : std::nullopt) {}

    // Closes the window once the runtime is back on GET /next after `invocations` more: its
    // last reads (the 202 to its post) are in, and the read it waits in is counted as it begins.
    void close(RuntimeUnderTest& runtime, int invocations, RuntimeFigures* figures) const {
        runtime.api.wait_for_next(next_requests_ + static_cast<std::size_t>(invocations), 10s);
        if (const auto syscr = read_syscr(runtime.process->pid()); syscr && syscr_)
            figures->syscr = static_cast<double>(*syscr - *syscr_) / invocations;
        // Nothing counted means the counter was not loaded (a runtime cannot take an event
        // without reading): no figure rather than a false zero.
        if (const std::uint64_t calls = runtime.reads ? runtime.reads->total() : 0;
            calls_ && calls > *calls_) {
            figures->read_calls = static_cast<double>(calls - *calls_) / invocations;
        }
    }

  private:
    std::size_t next_requests_;
    std::optional<std::uint64_t> syscr_;
    std::optional<std::uint64_t> calls_;
};

ShapeFigures measure_shape(const std::string& shape, const std::string& event,
                           RuntimeUnderTest& kbatch, RuntimeUnderTest& node, Contender& batch,
                           const Options& options) {
    ShapeFigures figures;
    figures.shape = shape;
    figures.bytes = event.size();
    figures.invocations = options.invokes;
    figures.counted = std::min(options.counted, options.invokes);
    figures.plain_read_size = kPlainReadSize;
    figures.kbatch.name = kbatch.name;
    figures.node.name = node.name;
    PlainTransfer plain(event.size(), kPlainReadSize);
    std::string batch_event = event;  // the contender may grow its capacity (parser padding)

    // Warm-up: caches, the runtimes' buffers and JIT, the connections' TCP windows.
    for (int i = 0; i < std::min(options.invokes, 3); ++i) {
        plain.run_ms(event);
        batch.run(batch_event);
        invoke_ok(kbatch, event);
        invoke_ok(node, event);
    }

    const std::size_t batches_before = logged_batches(*kbatch.process).size();
    const ReadWindow kbatch_reads(kbatch);
    const ReadWindow node_reads(node);
    std::vector<double> plain_ms, plain_reads, batch_ms, kbatch_ms, kbatch_after, node_ms,
        node_after;
    for (int i = 0; i < options.invokes; ++i) {
        plain_ms.push_back(plain.run_ms(event));
        plain_reads.push_back(static_cast<double>(plain.last_reads()));
        const Clock::time_point started = Clock::now();
        batch.run(batch_event);
        batch_ms.push_back(ms_between(started, Clock::now()));
        const ApiExchange ours = invoke_ok(kbatch, event);
        kbatch_ms.push_back(ms_between(ours.write_started, ours.response_received));
        kbatch_after.push_back(ms_between(ours.write_finished, ours.response_received));
        const ApiExchange theirs = invoke_ok(node, event);
        node_ms.push_back(ms_between(theirs.write_started, theirs.response_received));
        node_after.push_back(ms_between(theirs.write_finished, theirs.response_received));
    }
    kbatch_reads.close(kbatch, options.invokes, &figures.kbatch);
    node_reads.close(node, options.invokes, &figures.node);
    figures.plain_ms = median(plain_ms);
    figures.plain_reads = median(plain_reads);
    figures.batch_ms = median(batch_ms);
    figures.kbatch.median_ms = median(kbatch_ms);
    figures.kbatch.after_write_ms = median(kbatch_after);
    figures.node.median_ms = median(node_ms);
    figures.node.after_write_ms = median(node_after);

    // The runtime logs its batch line before it posts, but the line reaches us through a pipe.
    kbatch.process->wait_for_line("batch: ", batches_before + options.invokes - 1, 5s);
    const auto batches = logged_batches(*kbatch.process);
    std::vector<double> logged;
    for (std::size_t i = batches_before; i < batches.size(); ++i) {
        logged.push_back(batches[i].second);
        figures.records = batches[i].first;
    }
    if (!logged.empty())
        figures.kbatch.logged_batch_ms = median(logged);

    strace_read_calls(kbatch, event, options, figures.counted, &figures.kbatch);
    strace_read_calls(node, event, options, figures.counted, &figures.node);
    return figures;
}

// kbatch serve with its own kbatch-runtime: POST the event to the invoke endpoint, time to the
// answer (a new connection each time, as curl would).
double measure_serve(const std::string& event, const Options& options) {
    ChildSpec spec;
    spec.argv = {options.programs.kbatch,
                 "serve",
                 "--port",
                 "0",
                 "--plugin",
                 options.programs.plugin,
                 "--runtime",
                 options.programs.runtime,
                 "--timeout",
                 "60"};
    spec.capture_output = true;
    Child serve(spec);
    if (!serve.wait_for_line("listening on http://", 0, 15s))
        throw std::runtime_error("kbatch serve did not start:\n" + serve.output());
    std::smatch match;
    const std::string log = serve.output();
    if (!std::regex_search(log, match, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))")))
        throw std::runtime_error("no port in serve's output:\n" + log);
    const auto port = static_cast<std::uint16_t>(std::stoi(match[1]));

    std::vector<double> trips;
    const int warm_up = std::min(options.invokes, 3);
    for (int i = 0; i < warm_up + options.invokes; ++i) {
        const Clock::time_point started = Clock::now();
        const PostResult result = http_post(port, kInvokePath, event);
        const Clock::time_point finished = Clock::now();
        if (result.status != 200 || result.function_error ||
            result.body.find(kNoFailures) == std::string::npos) {
            throw std::runtime_error(
                fmt::format("kbatch serve: unexpected answer (HTTP {}{}): {}\n{}", result.status,
                            result.error, result.body, serve.output()));
        }
        if (i >= warm_up)
            trips.push_back(ms_between(started, finished));
    }
    serve.stop();
    return median(trips);
}

int run(const Options& options) {
    const std::string shape_a = read_file(options.shape_a);
    const std::string shape_b = read_file(options.shape_b);
    const std::unique_ptr<Contender> batch = make_kbatch_contender(options.programs.plugin);

    RuntimeUnderTest kbatch{"kbatch-runtime", {}, {}, {}};
    start(kbatch,
          {{options.programs.runtime},
           {"_HANDLER=" + options.programs.plugin, "AWS_LAMBDA_LOG_LEVEL=INFO"},
           {}},
          options);
    RuntimeUnderTest node{"aws-lambda-ric", {}, {}, {}};
    start(node,
          {{options.programs.node,
            options.programs.ric_dir + "/node_modules/aws-lambda-ric/bin/index.mjs",
            "handler.handler"},
           {"_HANDLER=handler.handler", "LAMBDA_TASK_ROOT=" + options.programs.handler_dir,
            "AWS_LAMBDA_FUNCTION_NAME=function", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024"},
           options.programs.handler_dir},
          options);

    std::vector<ShapeFigures> shapes;
    for (const auto& [name, event] : {std::pair{"a", &shape_a}, std::pair{"b", &shape_b}}) {
        std::fprintf(stderr,
                     "transfer-figures: shape (%s): %d invocations of each in turns, %d under "
                     "strace\n",
                     name, options.invokes, std::min(options.counted, options.invokes));
        shapes.push_back(measure_shape(name, *event, kbatch, node, *batch, options));
    }
    kbatch.process->stop();
    node.process->stop();
    std::fprintf(stderr, "transfer-figures: shape (a): kbatch serve, %d round trips\n",
                 options.invokes);
    shapes.front().serve_ms = measure_serve(shape_a, options);

    if (options.json) {
        print_transfer_json(shapes);
    } else {
        print_transfer_table(shapes);
    }
    return 0;
}

}  // namespace
}  // namespace kbatch::bench

int main(int argc, char** argv) {
    kbatch::bench::Options options;
    CLI::App app("Issue 19's figures: a 6 MB invocation's time (see bench/runtime-figures)");
    add_contender_options(app, options.programs);
    app.add_option("--shape-a", options.shape_a, "the shape (a) event")->required();
    app.add_option("--shape-b", options.shape_b, "the shape (b) event")->required();
    app.add_option("--strace", options.strace, "strace, to count read calls (none: not counted)");
    app.add_option("--read-counter", options.read_counter,
                   "libkbatch_read_counter.so, preloaded to count read calls while timed");
    app.add_option("--scratch-dir", options.scratch_dir, "where strace writes its summaries")
        ->required();
    app.add_option("--invokes", options.invokes, "timed invocations of each, per shape")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app.add_option("--counted", options.counted, "invocations under strace, per runtime and shape")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app.add_flag("--json", options.json, "one JSON line per figure");
    CLI11_PARSE(app, argc, argv);
    try {
        // Node runs in the handler's folder: every path it is given must mean the same there.
        for (std::string* path : {&options.read_counter, &options.scratch_dir,
                                  &options.programs.ric_dir, &options.programs.handler_dir}) {
            if (!path->empty())
                *path = std::filesystem::absolute(*path).string();
        }
        return kbatch::bench::run(options);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "transfer-figures: %s\n", error.what());
        return 1;
    }
}
