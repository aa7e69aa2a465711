// kbatch runtime: the Lambda host's settings, all read from the environment.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <kbatch/plugin_config.hpp>
#include <nlohmann/json.hpp>

#include "batch_runner.h"
#include "status.h"
#include "stream_logger.h"

namespace kbatch {

/// What kbatch-runtime reads at start-up.
///
///   AWS_LAMBDA_RUNTIME_API     host:port of the Runtime API (required); an IPv6 host in brackets
///   _HANDLER                   the plugin: a PATH (has a '/') or a NAME looked up as libNAME.so;
///                              empty means random_failure
///   KBATCH_PLUGIN_PATH         extra plugin folders, ':'-separated, searched first
///   LAMBDA_TASK_ROOT           the function's folder (/var/task): searched next, then its lib/,
///                              then the folders of the plugins shipped with kbatch
///   KBATCH_PLUGIN_CONFIG       the plugin's JSON configuration (default {})
///   KBATCH_FAILURE_MODE        report-all (default) or stop-on-first-failure
///   KBATCH_ON_ALL_FAILED       report (default), or error: fail the invocation when no record
///                              succeeded
///   KBATCH_DEADLINE_MARGIN_MS  stop handing out records this close to the deadline (default 500)
///   KBATCH_RBIF_WATCH          off (default), or on: warn when records reported failed are not
///                              delivered again; only right where one runtime sees every batch of
///                              a shard (see RetryWatch)
///   AWS_LAMBDA_LOG_FORMAT      Text (default) or JSON
///   AWS_LAMBDA_LOG_LEVEL       TRACE, DEBUG, INFO (default), WARN, ERROR, FATAL
struct RuntimeSettings {
    std::string api_host;
    std::string api_port;
    std::string plugin;
    std::vector<std::filesystem::path> plugin_dirs;  // in search order
    nlohmann::json plugin_config = nlohmann::json::object();
    RunOptions run_options;
    bool rbif_watch = false;  // KBATCH_RBIF_WATCH
    LogSettings log;
};

/// Reads the settings through `env`. AWS_LAMBDA_RUNTIME_API is read first, so that a later wrong
/// setting can still be reported to /init/error; settings->api_host stays empty when it is
/// missing or malformed. A wrong value gives kConfigError naming the variable.
Status read_runtime_settings(const PluginConfig::EnvLookup& env, RuntimeSettings* settings);

}  // namespace kbatch
