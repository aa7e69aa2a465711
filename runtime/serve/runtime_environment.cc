#include "runtime_environment.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string_view>

#include <fmt/chrono.h>
#include <fmt/format.h>

extern char** environ;

namespace kbatch::serve {
namespace {

std::string_view name_of(std::string_view entry) {
    return entry.substr(0, entry.find('='));
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string joined;
    for (const std::string& part : parts) {
        if (!joined.empty())
            joined += separator;
        joined += part;
    }
    return joined;
}

}  // namespace

std::vector<std::string> runtime_environment(const RuntimeEnvironmentSettings& settings,
                                             const std::vector<std::string>& base) {
    // Sorted by name, so the runtime's environment reads the same on every start.
    std::map<std::string, std::string, std::less<>> lambda = {
        {"AWS_LAMBDA_RUNTIME_API", settings.runtime_api},
        {"_HANDLER", settings.handler},
        {"LAMBDA_TASK_ROOT", settings.task_root},
        {"LAMBDA_RUNTIME_DIR", settings.runtime_dir},
        {"AWS_LAMBDA_FUNCTION_NAME", settings.function_name},
        {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
        {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(settings.memory_mb)},
        {"AWS_LAMBDA_FUNCTION_TIMEOUT", std::to_string(settings.timeout_seconds)},
        {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
        {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + settings.function_name},
        {"AWS_LAMBDA_LOG_STREAM_NAME", fmt::format("{:%Y/%m/%d}/[$LATEST]kbatchserve{}",
                                                   std::chrono::system_clock::now(), getpid())},
        {"AWS_REGION", settings.region},
        {"AWS_DEFAULT_REGION", settings.region},
    };
    if (settings.plugin_config)
        lambda["KBATCH_PLUGIN_CONFIG"] = *settings.plugin_config;
    if (settings.failure_mode)
        lambda["KBATCH_FAILURE_MODE"] = *settings.failure_mode;
    if (!settings.plugin_dirs.empty())
        lambda["KBATCH_PLUGIN_PATH"] = join(settings.plugin_dirs, ":");

    std::vector<std::string> environment;
    for (const std::string& entry : base) {
        const std::string_view name = name_of(entry);
        if (name == "_X_AMZN_TRACE_ID" || lambda.contains(name))
            continue;
        environment.push_back(entry);
    }
    for (const auto& [name, value] : lambda)
        environment.push_back(name + "=" + value);
    return environment;
}

std::vector<std::string> environment_for_copy(const std::vector<std::string>& environment,
                                              const std::filesystem::path& copy,
                                              const std::filesystem::path& original) {
    const std::filesystem::path folder = original.parent_path();
    std::string library_path = folder.string() + ":" + (folder / "lib").string();
    std::vector<std::string> result;
    for (const std::string& entry : environment) {
        const std::string_view name = name_of(entry);
        if (name == "_HANDLER")
            continue;
        if (name == "LD_LIBRARY_PATH") {
            // An empty value would add an empty entry, which the loader reads as "."; drop it.
            // (Appended in two steps: `":" + substr(...)` makes GCC 12 warn -Wrestrict falsely
            // in optimised builds, a known false positive of GCC 12.)
            if (entry.size() > name.size() + 1) {
                library_path += ':';
                library_path.append(entry, name.size() + 1);
            }
            continue;
        }
        result.push_back(entry);
    }
    result.push_back("_HANDLER=" + copy.string());
    result.push_back("LD_LIBRARY_PATH=" + library_path);
    return result;
}

std::vector<std::string> current_environment() {
    std::vector<std::string> environment;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        environment.emplace_back(*entry);
    }
    return environment;
}

}  // namespace kbatch::serve
