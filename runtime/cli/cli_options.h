// kbatch runtime: the command-line options that `kbatch invoke` and `kbatch serve` share, declared
// once so that both commands spell, explain and check them alike. Header-only: only the `kbatch`
// executable's commands link CLI11, the library they share does not.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "failure_policy.h"

namespace kbatch {

/// Adds --plugin, --plugin-dir and --config to `command`, writing into the given variables (which
/// must outlive the parse). `plugin_note` is appended to --plugin's help: what the command does
/// with it.
inline void add_plugin_options(CLI::App& command, std::string& plugin,
                               std::vector<std::string>& plugin_dirs,
                               std::optional<std::string>& config, std::string_view plugin_note) {
    command
        .add_option("--plugin", plugin,
                    fmt::format("Plugin: a NAME (libNAME.so in the plugin folders) or a PATH to a "
                                ".so{}",
                                plugin_note))
        ->capture_default_str();
    command.add_option("--plugin-dir", plugin_dirs,
                       "Extra folder to search for plugins by name (repeatable; searched first)");
    command.add_option("--config", config,
                       "Plugin configuration as JSON, or @FILE to read it from FILE (default: "
                       "$KBATCH_PLUGIN_CONFIG, else {})");
}

/// Adds --failure-mode, refusing a value parse_failure_policy() does not know and naming those it
/// does. `failure_mode` is a std::string or a std::optional<std::string>.
template <typename Value>
CLI::Option* add_failure_mode_option(CLI::App& command, Value& failure_mode) {
    return command
        .add_option("--failure-mode", failure_mode,
                    "What to do after a failed record: " + failure_policy_names())
        ->check([](const std::string& value) -> std::string {
            if (parse_failure_policy(value))
                return {};
            return fmt::format("unknown failure mode \"{}\" (use {})", value,
                               failure_policy_names());
        });
}

}  // namespace kbatch
