// Deployment tests: Lambda's part, played against a bootstrap inside an empty root.
#pragma once

#include <string>
#include <vector>

#include "empty_root.h"

namespace kbatch::deploy_test {

/// What the function is configured with, as Lambda passes it (environment variables).
struct FunctionSettings {
    std::string bootstrap = "/opt/bootstrap";  // /var/task/bootstrap for the standalone zip
    std::string handler;                       // _HANDLER; empty: the layer's default plugin
    std::string plugin_config;                 // KBATCH_PLUGIN_CONFIG; empty: unset
};

/// What the function answered.
struct FunctionRun {
    std::vector<std::string> responses;  // one body per event, in order
    std::string log;                     // everything the runtime wrote
};

/// Starts `kbatch serve --no-spawn` (a local Lambda on 127.0.0.1) and `settings.bootstrap` inside
/// `root`, with the environment Lambda gives a provided.al2023 function (AWS_LAMBDA_RUNTIME_API
/// pointing at serve, LAMBDA_TASK_ROOT=/var/task, Lambda's LD_LIBRARY_PATH, ...); invokes it
/// once per event through serve's invoke endpoint and returns the response bodies. Fails the
/// test, with both logs, unless every invocation succeeds (no function error) within 30 s.
FunctionRun invoke_in_root(const EmptyRoot& root, const FunctionSettings& settings,
                           const std::vector<std::string>& events);

/// Whether the runtime's start-up line in `run.log` names `file` as the plugin it loaded
/// ("plugin /var/task/libx.so" or, quoted, "plugin \"/var/task/libx.so\"").
bool loaded_plugin(const FunctionRun& run, const std::string& file);

}  // namespace kbatch::deploy_test
