// kbatch runtime: what the CLI's commands (`kbatch invoke`, `kbatch serve`) read the same way from
// their flags and the environment, so that both give the same answer and the same error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <kbatch/plugin_config.hpp>
#include <nlohmann/json.hpp>

#include "status.h"
#include "stream_logger.h"

namespace kbatch {

/// The log settings: AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL read through `env` as the
/// Lambda host reads them (kConfigError when wrong), then `--log-level` (when given) over the
/// level (kUsageError when wrong). exit_code_for() (exit_codes.h) turns either into the exit code.
Status read_cli_log_settings(const PluginConfig::EnvLookup& env,
                             const std::optional<std::string>& log_level_flag,
                             LogSettings* settings);

/// The plugin configuration: `--config` when given (`--config @FILE` reads FILE, at most 1 MiB),
/// else KBATCH_PLUGIN_CONFIG (read through `env`) when set and not empty, else `{}`. Either must
/// be valid JSON; the error names which one was not and where it breaks (line and column). A
/// wrong flag is kUsageError, a wrong environment variable kConfigError.
Status read_cli_plugin_config(const PluginConfig::EnvLookup& env,
                              const std::optional<std::string>& config_flag,
                              nlohmann::json* config);

/// Prints "<command>: error: <message>" on stderr, the one form every CLI error takes.
void print_cli_error(std::string_view command, std::string_view message);

}  // namespace kbatch
