#include "runtime_settings.h"

#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "config_json.h"
#include "failure_policy.h"
#include "http_client.h"
#include "plugin_loader.h"

namespace kbatch {
namespace fs = std::filesystem;

namespace {

Status config_error(std::string message) {
    return Status::error(ErrorKind::kConfigError, std::move(message));
}

}  // namespace

Status read_runtime_settings(const PluginConfig::EnvLookup& env, RuntimeSettings* settings) {
    const auto get = [&env](std::string_view name) { return env(name).value_or(""); };

    const std::string api = get("AWS_LAMBDA_RUNTIME_API");
    if (api.empty())
        return config_error("AWS_LAMBDA_RUNTIME_API is not set");
    if (!split_host_port(api, &settings->api_host, &settings->api_port)) {
        return config_error(fmt::format("AWS_LAMBDA_RUNTIME_API: \"{}\" is not host:port", api));
    }

    if (Status status = read_log_settings(env, &settings->log); !status.is_ok())
        return status;

    settings->plugin = get("_HANDLER");
    if (settings->plugin.empty())
        settings->plugin = kDefaultPlugin;

    settings->plugin_dirs.clear();
    const std::string extra = get("KBATCH_PLUGIN_PATH");
    for (std::size_t start = 0; start <= extra.size();) {
        const std::size_t end = std::min(extra.find(':', start), extra.size());
        if (end > start)
            settings->plugin_dirs.emplace_back(extra.substr(start, end - start));
        start = end + 1;
    }
    if (const std::string task_root = get("LAMBDA_TASK_ROOT"); !task_root.empty()) {
        settings->plugin_dirs.emplace_back(task_root);
        settings->plugin_dirs.emplace_back(fs::path(task_root) / "lib");
    }
    for (fs::path& dir : bundled_plugin_dirs())
        settings->plugin_dirs.push_back(std::move(dir));

    if (const std::string config = get("KBATCH_PLUGIN_CONFIG"); !config.empty()) {
        if (Status status =
                parse_config_json(config, "KBATCH_PLUGIN_CONFIG", &settings->plugin_config);
            !status.is_ok()) {
            return status;
        }
    }

    if (const std::string mode = get("KBATCH_FAILURE_MODE"); !mode.empty()) {
        const auto policy = parse_failure_policy(mode);
        if (!policy) {
            return config_error(fmt::format("KBATCH_FAILURE_MODE: unknown mode \"{}\" (use {})",
                                            mode, failure_policy_names()));
        }
        settings->run_options.policy = *policy;
    }

    if (const std::string action = get("KBATCH_ON_ALL_FAILED"); !action.empty()) {
        const auto parsed = parse_all_failed_action(action);
        if (!parsed) {
            return config_error(fmt::format(
                "KBATCH_ON_ALL_FAILED: unknown action \"{}\" (use report or error)", action));
        }
        settings->run_options.on_all_failed = *parsed;
    }

    if (const std::string margin = get("KBATCH_DEADLINE_MARGIN_MS"); !margin.empty()) {
        std::int64_t value = -1;
        const auto [end, error] =
            std::from_chars(margin.data(), margin.data() + margin.size(), value);
        if (error != std::errc() || end != margin.data() + margin.size() || value < 0) {
            return config_error(fmt::format(
                "KBATCH_DEADLINE_MARGIN_MS: \"{}\" is not a whole number of milliseconds", margin));
        }
        settings->run_options.deadline_margin = std::chrono::milliseconds(value);
    }

    if (const std::string watch = get("KBATCH_RBIF_WATCH"); !watch.empty()) {
        if (watch != "on" && watch != "off") {
            return config_error(
                fmt::format("KBATCH_RBIF_WATCH: \"{}\" is neither on nor off", watch));
        }
        settings->rbif_watch = watch == "on";
    }
    return Status::ok();
}

}  // namespace kbatch
