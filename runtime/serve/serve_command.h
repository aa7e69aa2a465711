// kbatch serve: a local Lambda for one function (the Runtime API and the invoke endpoint on one
// port), which runs kbatch-runtime against itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace kbatch {

struct ServeOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 9000;  // 0 picks a free port
    std::string plugin = "random_failure";
    std::vector<std::string> plugin_dirs;
    std::optional<std::string> config;        // JSON; unset: the runtime reads KBATCH_PLUGIN_CONFIG
    std::optional<std::string> failure_mode;  // unset: the runtime reads KBATCH_FAILURE_MODE
    int timeout_seconds = 3;                  // Lambda's default function timeout
    bool watch = false;
    bool no_spawn = false;
    std::optional<std::string> runtime;  // default: kbatch-runtime next to this executable
    std::optional<std::string> log_level;
};

/// Adds the `serve` subcommand to `app`, writing its arguments into `options`.
CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);

/// Runs `kbatch serve` until SIGINT or SIGTERM. Prints the address and the lines that invoke it
/// on stderr, logs there too, and returns an exit code from exit_codes.h.
///
/// Blocks SIGINT and SIGTERM in the calling thread (and so in every thread it starts) to take
/// them with sigwait(), and ignores SIGPIPE; call it from main() before starting other threads.
int run_serve(const ServeOptions& options);

}  // namespace kbatch
