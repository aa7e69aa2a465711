#include "cli_settings.h"

#include <cstdio>

#include <fmt/format.h>

#include "config_json.h"
#include "file_reader.h"

namespace kbatch {
namespace {

// A configuration is a few settings; a file far larger than this is a mistake (a data file
// named by accident), and reading it whole is not worth it.
constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

}  // namespace

Status read_cli_log_settings(const PluginConfig::EnvLookup& env,
                             const std::optional<std::string>& log_level_flag,
                             LogSettings* settings) {
    if (Status status = read_log_settings(env, settings); !status.is_ok())
        return status;
    if (log_level_flag) {
        if (Status status = parse_log_level(*log_level_flag, &settings->level); !status.is_ok()) {
            return Status::error(ErrorKind::kUsageError,
                                 fmt::format("--log-level: {}", status.message()));
        }
    }
    return Status::ok();
}

Status read_cli_plugin_config(const PluginConfig::EnvLookup& env,
                              const std::optional<std::string>& config_flag,
                              nlohmann::json* config) {
    *config = nlohmann::json::object();
    if (!config_flag) {
        const std::optional<std::string> env_config = env("KBATCH_PLUGIN_CONFIG");
        if (!env_config || env_config->empty())
            return Status::ok();
        return parse_config_json(*env_config, "KBATCH_PLUGIN_CONFIG", config);
    }
    std::string_view text = *config_flag;
    std::string origin = "--config";
    std::string file_contents;
    if (text.starts_with('@')) {
        // --config @plugin.json: the configuration is in a file, as with curl's --data @file.
        const std::string path(text.substr(1));
        origin = fmt::format("--config @{}", path);
        if (Status read = read_whole_file(path, &file_contents, kMaxConfigBytes); !read.is_ok()) {
            return Status::error(ErrorKind::kUsageError,
                                 fmt::format("{}: {}", origin, read.message()));
        }
        text = file_contents;
    }
    // The flag is part of the command line: its JSON being wrong is a usage error.
    if (Status status = parse_config_json(text, origin, config); !status.is_ok())
        return Status::error(ErrorKind::kUsageError, status.message());
    return Status::ok();
}

void print_cli_error(std::string_view command, std::string_view message) {
    fmt::print(stderr, "{}: error: {}\n", command, message);
}

}  // namespace kbatch
