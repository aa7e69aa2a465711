// kbatch runtime: what the CLI's commands (`kbatch invoke`, `kbatch serve`) read the same way from
// their flags and the environment, so that both give the same answer and the same error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stream_logger.h"

namespace kbatch {

/// A setting that could not be read: what to print, and the exit code (exit_codes.h) that says
/// whether the command line (kExitUsage) or the environment (kExitFailure) was wrong.
struct CliSettingError {
    int exit_code;
    std::string message;
};

/// The log settings: AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL read as the Lambda host reads
/// them, then `--log-level` (when given) over the level.
std::optional<CliSettingError> read_cli_log_settings(
    const std::optional<std::string>& log_level_flag, LogSettings* settings);

/// The plugin configuration: `--config` when given (`--config @FILE` reads FILE, at most 1 MiB),
/// else KBATCH_PLUGIN_CONFIG when set and not empty, else `{}`. Either must be valid JSON; the
/// error names which one was not and where it breaks (line and column).
std::optional<CliSettingError> read_cli_plugin_config(const std::optional<std::string>& config_flag,
                                                      nlohmann::json* config);

/// Prints "<command>: error: <message>" on stderr, the one form every CLI error takes.
void print_cli_error(std::string_view command, std::string_view message);

}  // namespace kbatch
