// kbatch plugin SDK: the configuration a plugin is constructed with.
#pragma once

#include <cstdlib>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "kbatch/abi.hpp"

namespace kbatch {
inline namespace abi_v2 {

/// Thrown by a plugin's constructor when its configuration is wrong. The host reports the message
/// as a configuration error (on Lambda: errorType "Kbatch.ConfigError") instead of a load error.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// A plugin's configuration: the JSON document from KBATCH_PLUGIN_CONFIG (on Lambda) or the CLI's
/// --config (an empty object when neither is given), and access to environment variables.
///
/// The host hands the plugin the document as JSON text, and this class, compiled into the plugin,
/// parses it with the plugin's own nlohmann/json: no library type crosses the plugin boundary, so
/// a plugin may use another nlohmann/json version than the host's.
///
/// Lifetime: valid only during the plugin's constructor. Copy what you keep.
class PluginConfig {
  public:
    /// Looks up one environment variable; nullopt when it is not set.
    using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

    explicit PluginConfig(nlohmann::json json = nlohmann::json::object(),
                          EnvLookup env = process_environment)
        : json_(std::move(json)), env_(std::move(env)) {}

    /// The configuration document (a JSON object unless the user wrote something else).
    const nlohmann::json& json() const noexcept { return json_; }

    /// The environment variable `name`, or nullopt. Tests replace the lookup.
    std::optional<std::string> env(std::string_view name) const { return env_(name); }

    /// The real process environment.
    static std::optional<std::string> process_environment(std::string_view name) {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr)
            return std::nullopt;
        return std::string(value);
    }

  private:
    nlohmann::json json_;
    EnvLookup env_;
};

}  // namespace abi_v2
}  // namespace kbatch
