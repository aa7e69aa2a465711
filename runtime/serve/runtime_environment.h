// kbatch serve: the environment a runtime is started with, as Lambda would give it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kbatch::serve {

struct RuntimeEnvironmentSettings {
    std::string runtime_api;                   // AWS_LAMBDA_RUNTIME_API, "127.0.0.1:9000"
    std::string handler;                       // _HANDLER: the plugin NAME or PATH
    std::optional<std::string> plugin_config;  // KBATCH_PLUGIN_CONFIG; unset: inherited
    std::optional<std::string> failure_mode;   // KBATCH_FAILURE_MODE; unset: inherited
    std::vector<std::string> plugin_dirs;      // KBATCH_PLUGIN_PATH; empty: inherited
    std::string task_root;                     // LAMBDA_TASK_ROOT
    std::string runtime_dir;                   // LAMBDA_RUNTIME_DIR
    std::string function_name;                 // AWS_LAMBDA_FUNCTION_NAME
    std::string region;                        // AWS_REGION and AWS_DEFAULT_REGION
    int timeout_seconds = 3;                   // AWS_LAMBDA_FUNCTION_TIMEOUT
    int memory_mb = 128;                       // AWS_LAMBDA_FUNCTION_MEMORY_SIZE
};

/// `base` ("NAME=value" entries: serve's own environment, so PATH, HOME, credentials and sanitizer
/// options reach the runtime as they would reach a process started by hand) with Lambda's
/// variables set over it. Entries of `base` with a name that is set here are dropped, and so is
/// _X_AMZN_TRACE_ID, which belongs to one invocation.
std::vector<std::string> runtime_environment(const RuntimeEnvironmentSettings& settings,
                                             const std::vector<std::string>& base);

/// `environment` for a runtime that loads `copy`, a private copy of the plugin `original` (see
/// PluginCopies): _HANDLER names the copy, and LD_LIBRARY_PATH starts with the original's folder
/// and its lib/ folder, so that the libraries a plugin finds beside itself (by $ORIGIN in its
/// RPATH, say) are still found; the copy's folder holds the copy alone.
std::vector<std::string> environment_for_copy(const std::vector<std::string>& environment,
                                              const std::filesystem::path& copy,
                                              const std::filesystem::path& original);

/// This process's environment, as "NAME=value" entries.
std::vector<std::string> current_environment();

}  // namespace kbatch::serve
