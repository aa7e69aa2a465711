// kbatch runtime: `kbatch event`, a valid sample event on stdout to try a plugin with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace kbatch {

struct EventOptions {
    std::string source;  // "kinesis", "sqs", "sqs-fifo" or "dynamodb"
    std::size_t records = 3;
    std::uint64_t seed = 1;
};

/// Adds the `event` subcommand to `app`, writing its arguments into `options`.
CLI::App* add_event_command(CLI::App& app, EventOptions& options);

/// Runs `kbatch event`: writes the event and a newline to stdout. Returns an exit code from
/// exit_codes.h.
int run_event(const EventOptions& options);

}  // namespace kbatch
