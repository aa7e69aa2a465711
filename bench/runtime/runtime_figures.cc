// bench/runtime: the runtime figures of issue 6, through `kbatch serve --no-spawn`, for
// kbatch-runtime (with the checksum plugin) and the official Node.js runtime interface client
// (aws-lambda-ric, with an equivalent handler), in one run:
//   cold start   fork of the runtime to its first GET /next (plugin or handler loaded), as seen by
//                serve (its DEBUG line for each /next, timed as it arrives on the pipe)
//   round trip   one invocation of events/example.json on a warm runtime, as the invoker sees it
//   peak RSS     VmHWM of the runtime process after invocations of shape (a)
// Run by bench/runtime-figures, which builds and installs what it needs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "child.h"
#include "contenders.h"
#include "http_post.h"

namespace kbatch::bench {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kInvokePath = "/2015-03-31/functions/function/invocations";
constexpr std::string_view kNextLine = "GET /next";

struct Options {
    ContenderPaths programs;
    std::string event;    // events/example.json
    std::string shape_a;  // the 10,000-record event
    int starts = 15;
    int invokes = 51;
    bool json = false;
};

struct Contender {
    std::string name;
    ChildSpec spec;
};

struct Figures {
    double cold_start_ms = 0;
    double round_trip_ms = 0;
    double peak_rss_mib = 0;
};

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw std::runtime_error("cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// One invocation that must succeed with a partial batch response and no failed record: a wrong
// answer would make every figure meaningless.
void invoke_ok(std::uint16_t port, const std::string& event, const std::string& who,
               Child& runtime) {
    const PostResult result = http_post(port, kInvokePath, event);
    if (result.status != 200 || result.function_error ||
        result.body.find("\"batchItemFailures\":[]") == std::string::npos) {
        throw std::runtime_error(fmt::format("{}: unexpected answer (HTTP {}{}): {}\n{} said:\n{}",
                                             who, result.status, result.error, result.body, who,
                                             runtime.output()));
    }
}

// Starts the runtime and returns when serve has seen its first GET /next, with the cold start.
double start_runtime(Child& serve, std::optional<Child>& runtime, const Contender& contender) {
    const std::size_t seen = serve.count_lines(std::string(kNextLine));
    runtime.emplace(contender.spec);
    const auto ready = serve.wait_for_line(std::string(kNextLine), seen, 60s);
    if (!ready)
        throw std::runtime_error(contender.name + ": no GET /next within 60 s");
    return ms_between(runtime->started(), *ready);
}

// Stops the runtime once it is back on GET /next, so that its next line is not taken for the
// next runtime's first.
void stop_runtime(Child& serve, std::optional<Child>& runtime, std::size_t invocations,
                  std::size_t seen_before) {
    serve.wait_for_line(std::string(kNextLine), seen_before + invocations, 10s);
    runtime->stop(0ms);
    runtime.reset();
}

Figures measure(Child& serve, std::uint16_t port, const Contender& contender,
                const Options& options, const std::string& example, const std::string& shape_a) {
    Figures figures;
    std::vector<double> cold;
    for (int i = 0; i < options.starts; ++i) {
        std::optional<Child> runtime;
        const std::size_t seen = serve.count_lines(std::string(kNextLine));
        cold.push_back(start_runtime(serve, runtime, contender));
        invoke_ok(port, example, contender.name, *runtime);
        stop_runtime(serve, runtime, 1, seen);
    }
    figures.cold_start_ms = median(cold);

    std::optional<Child> runtime;
    std::size_t seen = serve.count_lines(std::string(kNextLine));
    start_runtime(serve, runtime, contender);
    for (int i = 0; i < 5; ++i)
        invoke_ok(port, example, contender.name, *runtime);  // warm-up
    std::vector<double> trips;
    for (int i = 0; i < options.invokes; ++i) {
        const Clock::time_point start = Clock::now();
        invoke_ok(port, example, contender.name, *runtime);
        trips.push_back(ms_between(start, Clock::now()));
    }
    figures.round_trip_ms = median(trips);
    stop_runtime(serve, runtime, 5 + static_cast<std::size_t>(options.invokes), seen);

    seen = serve.count_lines(std::string(kNextLine));
    start_runtime(serve, runtime, contender);
    for (int i = 0; i < 5; ++i)
        invoke_ok(port, shape_a, contender.name, *runtime);
    figures.peak_rss_mib = static_cast<double>(runtime->peak_rss_kib()) / 1024.0;
    stop_runtime(serve, runtime, 5, seen);
    return figures;
}

int run(const Options& options) {
    const std::string example = read_file(options.event);
    const std::string shape_a = read_file(options.shape_a);

    ChildSpec serve_spec;
    serve_spec.argv = {
        options.programs.kbatch, "serve", "--no-spawn", "--port", "0", "--timeout", "60",
        "--log-level",           "DEBUG"};
    serve_spec.capture_output = true;
    Child serve(serve_spec);
    if (!serve.wait_for_line("listening on http://", 0, 15s))
        throw std::runtime_error("kbatch serve did not start:\n" + serve.output());
    std::smatch match;
    const std::string log = serve.output();
    if (!std::regex_search(log, match, std::regex(R"(listening on http://127\.0\.0\.1:(\d+))")))
        throw std::runtime_error("no port in serve's output:\n" + log);
    const auto port = static_cast<std::uint16_t>(std::stoi(match[1]));
    const std::string api = "AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(port);

    std::vector<Contender> contenders;
    contenders.push_back(
        {"kbatch-runtime",
         {{options.programs.runtime}, {api, "_HANDLER=" + options.programs.plugin}, {}, true}});
    contenders.push_back(
        {"aws-lambda-ric",
         {{options.programs.node,
           options.programs.ric_dir + "/node_modules/aws-lambda-ric/bin/index.mjs",
           "handler.handler"},
          {api, "_HANDLER=handler.handler", "LAMBDA_TASK_ROOT=" + options.programs.handler_dir,
           "AWS_LAMBDA_FUNCTION_NAME=function", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
           "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128"},
          options.programs.handler_dir,
          true}});

    std::vector<Figures> results;
    for (const Contender& contender : contenders) {
        std::fprintf(stderr, "runtime-figures: %s: %d cold starts, %d round trips, peak RSS\n",
                     contender.name.c_str(), options.starts, options.invokes);
        results.push_back(measure(serve, port, contender, options, example, shape_a));
    }
    serve.stop();

    if (options.json) {
        for (std::size_t i = 0; i < contenders.size(); ++i) {
            fmt::print(R"({{"contender": "{}", "cold_start_ms": {:.3f}, "round_trip_ms": {:.3f}, )"
                       R"("peak_rss_mib": {:.1f}}})"
                       "\n",
                       contenders[i].name, results[i].cold_start_ms, results[i].round_trip_ms,
                       results[i].peak_rss_mib);
        }
        return 0;
    }
    fmt::print("{:<16} {:>15} {:>15} {:>15}\n", "runtime", "cold start ms", "round trip ms",
               "peak RSS MiB");
    for (std::size_t i = 0; i < contenders.size(); ++i) {
        fmt::print("{:<16} {:>15.2f} {:>15.3f} {:>15.1f}\n", contenders[i].name,
                   results[i].cold_start_ms, results[i].round_trip_ms, results[i].peak_rss_mib);
    }
    const Figures& ours = results[0];
    const Figures& node = results[1];
    fmt::print(
        "kbatch-runtime / aws-lambda-ric: cold start {:.3f} (target < 0.1), round trip "
        "{:.2f}, peak RSS {:.2f}; peak RSS on shape (a) {:.1f} MiB (target < 32)\n",
        ours.cold_start_ms / node.cold_start_ms, ours.round_trip_ms / node.round_trip_ms,
        ours.peak_rss_mib / node.peak_rss_mib, ours.peak_rss_mib);
    return 0;
}

}  // namespace
}  // namespace kbatch::bench

int main(int argc, char** argv) {
    kbatch::bench::Options options;
    CLI::App app("The runtime figures of issue 6 (see bench/runtime-figures)");
    add_contender_options(app, options.programs);
    app.add_option("--event", options.event, "events/example.json")->required();
    app.add_option("--shape-a", options.shape_a, "the shape (a) event")->required();
    app.add_option("--starts", options.starts, "cold starts per runtime")->capture_default_str();
    app.add_option("--invokes", options.invokes, "timed round trips per runtime")
        ->capture_default_str();
    app.add_flag("--json", options.json, "one JSON line per runtime");
    CLI11_PARSE(app, argc, argv);
    try {
        return kbatch::bench::run(options);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "runtime-figures: %s\n", error.what());
        return 1;
    }
}
