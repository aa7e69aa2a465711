// kbatch_bench_gen: writes one of the benchmark events to a file.
//
//   kbatch_bench_gen --shape a --seed 1 --out build/bench/events/shape-a.json
//
// The events are generated where they are used, never committed: 6 MB each, and the seed makes
// them the same on every machine anyway.
#include <cstdio>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "event_generator.h"

int main(int argc, char** argv) {
    CLI::App app("Writes a seeded Kinesis event of one benchmark shape");
    std::string shape_name;
    std::uint64_t seed = 1;
    std::string out;
    app.add_option("--shape", shape_name,
                   "a: 10,000 records of ~66 bytes; b: ~1,000 records of ~4.5 KB")
        ->required()
        ->check(CLI::IsMember({"a", "b"}));
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
        fmt::print(stderr, "kbatch_bench_gen: {}: shape {}, {} bytes, {} records, {} data bytes\n",
                   out, shape_name, event.size(), stats.records, stats.data_bytes);
    } catch (const std::exception& e) {
        fmt::print(stderr, "kbatch_bench_gen: {}\n", e.what());
        return 1;
    }
    return 0;
}
