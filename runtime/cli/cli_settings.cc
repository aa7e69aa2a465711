#include "cli_settings.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "config_json.h"
#include "exit_codes.h"
#include "file_reader.h"

namespace kbatch {
namespace {

// A configuration is a few settings; a file far larger than this is a mistake (a data file
// named by accident), and reading it whole is not worth it.
constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

}  // namespace

std::optional<CliSettingError> read_cli_log_settings(
    const std::optional<std::string>& log_level_flag, LogSettings* settings) {
    if (Status status = read_log_settings(PluginConfig::process_environment, settings);
        !status.is_ok()) {
        return CliSettingError{kExitFailure, status.message()};
    }
    if (log_level_flag) {
        if (Status status = parse_log_level(*log_level_flag, &settings->level); !status.is_ok())
            return CliSettingError{kExitUsage, fmt::format("--log-level: {}", status.message())};
    }
    return std::nullopt;
}

std::optional<CliSettingError> read_cli_plugin_config(const std::optional<std::string>& config_flag,
                                                      nlohmann::json* config) {
    *config = nlohmann::json::object();
    const char* env_config = std::getenv("KBATCH_PLUGIN_CONFIG");
    const bool from_env = !config_flag && env_config != nullptr && *env_config != '\0';
    if (!config_flag && !from_env)
        return std::nullopt;
    if (from_env) {
        if (Status status = parse_config_json(env_config, "KBATCH_PLUGIN_CONFIG", config);
            !status.is_ok()) {
            return CliSettingError{kExitFailure, status.message()};
        }
        return std::nullopt;
    }
    std::string_view text = *config_flag;
    std::string origin = "--config";
    std::string file_contents;
    if (text.starts_with('@')) {
        // --config @plugin.json: the configuration is in a file, as with curl's --data @file.
        const std::string path(text.substr(1));
        origin = fmt::format("--config @{}", path);
        std::string error;
        if (!read_whole_file(path, &file_contents, &error, kMaxConfigBytes))
            return CliSettingError{kExitUsage, fmt::format("{}: {}", origin, error)};
        text = file_contents;
    }
    if (Status status = parse_config_json(text, origin, config); !status.is_ok())
        return CliSettingError{kExitUsage, status.message()};
    return std::nullopt;
}

void print_cli_error(std::string_view command, std::string_view message) {
    fmt::print(stderr, "{}: error: {}\n", command, message);
}

}  // namespace kbatch
