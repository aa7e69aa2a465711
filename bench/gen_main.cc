// kbatch_bench_gen: writes one of the benchmark events to a file.
//
//   kbatch_bench_gen --shape a|b|a-spaced|a-reordered|sqs|dynamodb --seed 1 --out FILE
//
// The events are generated where they are used, never committed: 6 MB each, and the seed makes
// them the same on every machine anyway.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "event_generator.h"

int main(int argc, char** argv) {
    CLI::App app("Writes a seeded event of one benchmark shape");
    std::string shape_name;
    std::uint64_t seed = 1;
    std::string out;
    const auto names = kbatch::bench::shape_names();
    app.add_option("--shape", shape_name,
                   "Kinesis a: 10,000 records of ~66 bytes; b: ~1,000 records of ~4.5 KB; "
                   "a-spaced, a-reordered: shape a re-serialised (Python's default separators; "
                   "sorted keys); sqs: an SQS standard queue's batch; dynamodb: a DynamoDB "
                   "Streams batch (NEW_AND_OLD_IMAGES)")
        ->required()
        ->check(CLI::IsMember(std::vector<std::string>(names.begin(), names.end())));
    app.add_option("--seed", seed, "Seed of the generator (default 1)");
    app.add_option("--out", out, "File to write")->required();
    CLI11_PARSE(app, argc, argv);

    try {
        kbatch::bench::EventStats stats;
        const std::string event =
            kbatch::bench::generate_event(*kbatch::bench::parse_shape(shape_name), seed, &stats);
        std::ofstream file(out, std::ios::binary | std::ios::trunc);
        file.write(event.data(), static_cast<std::streamsize>(event.size()));
        file.close();
        if (!file) {
            fmt::print(stderr, "kbatch_bench_gen: cannot write {}\n", out);
            return 1;
        }
        fmt::print(stderr,
                   "kbatch_bench_gen: {}: shape {}, {} bytes, {} records, {} payload bytes "
                   "summing to {}\n",
                   out, shape_name, event.size(), stats.records, stats.data_bytes, stats.data_sum);
    } catch (const std::exception& e) {
        fmt::print(stderr, "kbatch_bench_gen: {}\n", e.what());
        return 1;
    }
    return 0;
}
