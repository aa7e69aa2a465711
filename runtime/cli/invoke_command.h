// kbatch runtime: `kbatch invoke`, one batch through a plugin, in process.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace kbatch {

struct InvokeOptions {
    std::string data_file;
    std::string plugin = "random_failure";
    std::vector<std::string> plugin_dirs;
    std::optional<std::string> config;  // JSON; falls back to KBATCH_PLUGIN_CONFIG
    std::string failure_mode = "report-all";
    std::string on_all_failed = "report";
    std::optional<std::string> log_level;  // falls back to AWS_LAMBDA_LOG_LEVEL, then INFO
    bool pretty = false;
    std::optional<std::string> endpoint;  // post to a running `kbatch serve` instead
};

/// Adds the `invoke` subcommand to `app`, writing its arguments into `options`.
CLI::App* add_invoke_command(CLI::App& app, InvokeOptions& options);

/// Runs `kbatch invoke`: prints the batch response on stdout and logs on stderr. Returns an exit
/// code from exit_codes.h.
int run_invoke(const InvokeOptions& options);

}  // namespace kbatch
