// kbatch_bench_driver: times one C++ contender on event files, for bench/compare.
//
//   kbatch_bench_driver --contender kbatch|floor|naive [--reps 31] [--warmup 3] FILE...
//
// Reads each file once, tells its event source (Kinesis, SQS, DynamoDB Streams) from its first
// record, runs the contender on it `warmup` times untimed, then `reps` times timed one by one, and
// prints one tab-separated line per file:
//   <contender> <file> <median ms> <median CPU ms> <sum of every payload byte>
// The CPU time (the process's) is what the run cost even when a busy machine took the CPU away
// from it for part of the wall-clock time. The sums let bench/compare check that every contender
// did the same work (contender.h says what each source's payload is). For a source the contender
// does not handle yet it runs nothing and prints
//   <contender> <file> - - - not yet supported: <why>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "contender.h"
#include "file_reader.h"
#include "median.h"

namespace {

// The CPU time this process has used, in milliseconds.
double cpu_ms() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

std::unique_ptr<kbatch::bench::Contender> make_contender(const std::string& name,
                                                         kbatch::bench::EventSource source,
                                                         const std::string& plugin) {
    if (name == "kbatch")
        return kbatch::bench::make_kbatch_contender(plugin);
    if (name == "floor")
        return kbatch::bench::make_floor_contender(source);
    return kbatch::bench::make_naive_contender(source);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("Times one C++ contender of bench/compare on event files");
    std::string name;
    std::string plugin = KBATCH_BENCH_CHECKSUM_PLUGIN;
    int reps = 31;
    int warmup = 3;
    std::vector<std::string> files;
    app.add_option("--contender", name, "kbatch, floor or naive")
        ->required()
        ->check(CLI::IsMember({"kbatch", "floor", "naive"}));
    app.add_option("--plugin", plugin, "The checksum plugin .so (kbatch only)");
    app.add_option("--reps", reps, "Timed runs per file")->check(CLI::PositiveNumber);
    app.add_option("--warmup", warmup, "Untimed runs first")->check(CLI::NonNegativeNumber);
    app.add_option("files", files, "Event files")->required();
    CLI11_PARSE(app, argc, argv);

    try {
        // One contender per source, made when a file of that source first comes.
        std::map<kbatch::bench::EventSource, std::unique_ptr<kbatch::bench::Contender>> contenders;
        for (const std::string& file : files) {
            std::string event;
            if (const kbatch::Status read = kbatch::read_whole_file(file, &event); !read.is_ok())
                throw std::runtime_error(read.message());
            kbatch::bench::EventSource source;
            try {
                source = kbatch::bench::detect_event_source(event);
            } catch (const std::exception& e) {
                throw std::runtime_error(fmt::format("{}: {}", file, e.what()));
            }
            auto& contender = contenders[source];
            if (!contender)
                contender = make_contender(name, source, plugin);
            if (!contender->handles(source)) {
                fmt::print("{}\t{}\t-\t-\t-\tnot yet supported: {} events\n", name, file,
                           kbatch::bench::event_source_name(source));
                std::fflush(stdout);
                continue;
            }
            const std::uint64_t sum = contender->run(event);
            for (int i = 0; i < warmup; ++i)
                contender->run(event);
            std::vector<double> samples, cpu_samples;
            for (int i = 0; i < reps; ++i) {
                const double cpu_start = cpu_ms();
                const auto start = std::chrono::steady_clock::now();
                const std::uint64_t again = contender->run(event);
                const auto end = std::chrono::steady_clock::now();
                cpu_samples.push_back(cpu_ms() - cpu_start);
                samples.push_back(std::chrono::duration<double, std::milli>(end - start).count());
                if (again != sum)
                    throw std::runtime_error(fmt::format("{}: the sum changed between runs", file));
            }
            fmt::print("{}\t{}\t{:.6f}\t{:.6f}\t{}\n", name, file, kbatch::bench::median(samples),
                       kbatch::bench::median(cpu_samples), sum);
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        fmt::print(stderr, "kbatch_bench_driver: {}: {}\n", name, e.what());
        return 1;
    }
    return 0;
}
