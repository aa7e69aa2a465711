// kbatch_bench: Google Benchmark of the hot path, step by step and end to end.
//
//   kbatch_bench [--benchmark_filter=...] [--benchmark_min_time=...] [FILE...]
//
// Without files it measures shape a and shape b (seed 1, generated in memory) and
// events/example.json. For each event: decode (EventDecoder::decode_in_place, which takes the fast
// path for Lambda's form when it can), decode_general (the simdjson path alone), dispatch
// (run_batch through the checksum plugin .so), respond (write_batch_response) and end_to_end
// (InvocationHandler::handle_in_place, what the runtime host calls), plus respond and end_to_end
// with about 1% of the records failing.
//
// Counters: allocs_per_iter, the calls to operator new per iteration, counted after two warm-up
// iterations (the steady state): the same count for 2 records and for 10,000 means none per record.
// failed: records that failed. items_per_second counts records.
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "batch_runner.h"
#include "checksum_plugin_host.h"
#include "contender.h"
#include "counting_allocator.h"
#include "event_decoder.h"
#include "event_generator.h"
#include "file_reader.h"
#include "invocation_handler.h"
#include "lambda_context.h"
#include "response_writer.h"

namespace kb = kbatch::bench;

namespace {

struct BenchEvent {
    std::string name;
    std::string text;
    std::size_t records = 0;
    std::uint64_t data_sum = 0;  // the payloads' sum from the naive contender, for the source
};

// The plugin twice: succeeding on every record, and failing about one record in a hundred.
struct Plugins {
    kb::ChecksumPluginHost all_ok{KBATCH_BENCH_CHECKSUM_PLUGIN};
    kb::ChecksumPluginHost one_percent_fail{KBATCH_BENCH_CHECKSUM_PLUGIN, {{"fail_one_in", 100}}};
};

// Counts operator new calls from the start of the timed loop to the end, and reports them.
class AllocationMeter {
  public:
    AllocationMeter() : start_(kb::allocation_count()) {}

    void report(benchmark::State& state, const BenchEvent& event) const {
        const auto allocations = static_cast<double>(kb::allocation_count() - start_);
        const auto iterations = static_cast<double>(state.iterations());
        state.counters["allocs_per_iter"] = allocations / iterations;
        state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(event.records));
        state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(event.text.size()));
    }

  private:
    std::uint64_t start_;
};

// The plugin must have read exactly the event's bytes once per run: otherwise work was skipped.
void check_sum(benchmark::State& state, const BenchEvent& event, std::uint64_t read,
               std::uint64_t runs) {
    if (read != event.data_sum * runs) {
        state.SkipWithError(fmt::format("the plugin summed {} over {} runs, expected {} per run",
                                        read, runs, event.data_sum)
                                .c_str());
    }
}

void decode(benchmark::State& state, const BenchEvent& event, kbatch::EventDecoder::FastPath fast) {
    kbatch::EventDecoder decoder(fast);
    std::string text = event.text;
    for (int warm = 0; warm < 2; ++warm) {
        if (const kbatch::Status status = decoder.decode_in_place(text); !status.is_ok()) {
            state.SkipWithError(status.to_string().c_str());
            return;
        }
    }
    const AllocationMeter meter;
    for (auto _ : state) {
        kbatch::Status status = decoder.decode_in_place(text);
        benchmark::DoNotOptimize(status);
    }
    meter.report(state, event);
    state.SetLabel(decoder.last_path() == kbatch::EventDecoder::Path::kLambdaForm ? "lambda form"
                                                                                  : "general");
}

void dispatch(benchmark::State& state, const BenchEvent& event, kb::ChecksumPluginHost& plugin) {
    kbatch::EventDecoder decoder;
    std::string text = event.text;
    if (const kbatch::Status status = decoder.decode_in_place(text); !status.is_ok()) {
        state.SkipWithError(status.to_string().c_str());
        return;
    }
    kb::NullLogger logger;
    const kbatch::Context context = kb::lambda_like_context(logger);
    const kbatch::RunOptions options;
    kbatch::BatchReport report;
    // The untimed runs also check the batch: figures for a batch that fails as a whole would
    // measure the wrong path.
    for (int warm = 0; warm < 2; ++warm) {
        if (const kbatch::Status status =
                kbatch::run_batch(decoder.batch(), plugin.processor(), context, options, report);
            !status.is_ok()) {
            state.SkipWithError(status.to_string().c_str());
            return;
        }
    }
    const std::uint64_t before = plugin.total();
    const AllocationMeter meter;
    for (auto _ : state) {
        kbatch::Status status =
            kbatch::run_batch(decoder.batch(), plugin.processor(), context, options, report);
        benchmark::DoNotOptimize(status);
    }
    meter.report(state, event);
    check_sum(state, event, plugin.total() - before, state.iterations());
}

void respond(benchmark::State& state, const BenchEvent& event, kb::ChecksumPluginHost& plugin) {
    kbatch::EventDecoder decoder;
    std::string text = event.text;
    kb::NullLogger logger;
    const kbatch::Context context = kb::lambda_like_context(logger);
    kbatch::BatchReport report;
    kbatch::Status status = decoder.decode_in_place(text);
    if (status.is_ok())
        status = kbatch::run_batch(decoder.batch(), plugin.processor(), context, {}, report);
    if (!status.is_ok()) {
        state.SkipWithError(status.to_string().c_str());
        return;
    }
    std::string response;
    for (int warm = 0; warm < 2; ++warm)
        response = kbatch::write_batch_response(report);
    const AllocationMeter meter;
    for (auto _ : state) {
        response = kbatch::write_batch_response(report);
        benchmark::DoNotOptimize(response.data());
    }
    meter.report(state, event);
    state.counters["failed"] = static_cast<double>(report.failures.size());
}

void end_to_end(benchmark::State& state, const BenchEvent& event, kb::ChecksumPluginHost& plugin) {
    kbatch::InvocationHandler handler;
    std::string text = event.text;
    std::string response;
    kb::NullLogger logger;
    const kbatch::Context context = kb::lambda_like_context(logger);
    for (int warm = 0; warm < 2; ++warm) {
        const kbatch::Status status =
            handler.handle_in_place(text, plugin.processor(), context, &response);
        if (!status.is_ok()) {
            state.SkipWithError(status.to_string().c_str());
            return;
        }
    }
    const std::uint64_t before = plugin.total();
    const AllocationMeter meter;
    for (auto _ : state) {
        kbatch::Status status =
            handler.handle_in_place(text, plugin.processor(), context, &response);
        benchmark::DoNotOptimize(status);
    }
    meter.report(state, event);
    state.counters["failed"] = static_cast<double>(handler.report().failures.size());
    check_sum(state, event, plugin.total() - before, state.iterations());
}

BenchEvent load_event(std::string name, std::string text) {
    BenchEvent event{std::move(name), std::move(text)};
    std::string copy = event.text;
    // Each source's payload (contender.h), so that SQS and DynamoDB files are checked too.
    event.data_sum = kb::make_naive_contender(kb::detect_event_source(event.text))->run(copy);
    kbatch::EventDecoder decoder;
    if (const kbatch::Status status = decoder.decode_in_place(copy); !status.is_ok())
        throw std::runtime_error(event.name + ": " + status.to_string());
    event.records = decoder.batch().size();
    return event;
}

std::vector<BenchEvent> load_events(int argc, char** argv) {
    std::vector<BenchEvent> events;
    if (argc <= 1) {
        events.push_back(load_event("a", kb::generate_event(kb::Shape::kManySmall, 1)));
        events.push_back(load_event("b", kb::generate_event(kb::Shape::kFewLarge, 1)));
        std::string text;
        if (const kbatch::Status read =
                kbatch::read_whole_file(KBATCH_SOURCE_DIR "/events/example.json", &text);
            !read.is_ok()) {
            throw std::runtime_error(read.message());
        }
        events.push_back(load_event("example", std::move(text)));
        return events;
    }
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.starts_with("-"))
            throw std::runtime_error("unknown option " + arg);
        std::string text;
        if (const kbatch::Status read = kbatch::read_whole_file(arg, &text); !read.is_ok())
            throw std::runtime_error(read.message());
        events.push_back(load_event(std::filesystem::path(arg).stem().string(), std::move(text)));
    }
    return events;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    try {
        // Both live until the end of main: the benchmarks refer to them.
        const std::vector<BenchEvent> events = load_events(argc, argv);
        Plugins plugins;
        for (const BenchEvent& e : events) {
            benchmark::RegisterBenchmark(("decode/" + e.name).c_str(), decode, std::cref(e),
                                         kbatch::EventDecoder::FastPath::kTry);
            benchmark::RegisterBenchmark(("decode_general/" + e.name).c_str(), decode, std::cref(e),
                                         kbatch::EventDecoder::FastPath::kSkip);
            benchmark::RegisterBenchmark(("dispatch/" + e.name).c_str(), dispatch, std::cref(e),
                                         std::ref(plugins.all_ok));
            benchmark::RegisterBenchmark(("respond/" + e.name).c_str(), respond, std::cref(e),
                                         std::ref(plugins.all_ok));
            benchmark::RegisterBenchmark(("end_to_end/" + e.name).c_str(), end_to_end, std::cref(e),
                                         std::ref(plugins.all_ok));
            benchmark::RegisterBenchmark(("respond/" + e.name + "/1%failed").c_str(), respond,
                                         std::cref(e), std::ref(plugins.one_percent_fail));
            benchmark::RegisterBenchmark(("end_to_end/" + e.name + "/1%failed").c_str(), end_to_end,
                                         std::cref(e), std::ref(plugins.one_percent_fail));
        }
        benchmark::RunSpecifiedBenchmarks();
    } catch (const std::exception& e) {
        fmt::print(stderr, "kbatch_bench: {}\n", e.what());
        return 1;
    }
    benchmark::Shutdown();
    return 0;
}
