#include "cli_settings.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "exit_codes.h"

namespace kbatch {

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
    *config = nlohmann::json::parse(config_flag ? *config_flag : std::string(env_config), nullptr,
                                    /*allow_exceptions=*/false);
    if (!config->is_discarded())
        return std::nullopt;
    if (from_env)
        return CliSettingError{kExitFailure, "KBATCH_PLUGIN_CONFIG is not valid JSON"};
    return CliSettingError{kExitUsage, "--config is not valid JSON"};
}

void print_cli_error(std::string_view command, std::string_view message) {
    fmt::print(stderr, "{}: error: {}\n", command, message);
}

}  // namespace kbatch
