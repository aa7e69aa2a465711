// kbatch serve tests: a stand-in runtime for `kbatch serve`'s spawned mode, so that restarts,
// crashes, init failures, timeouts and reloads can be tested whatever state kbatch-runtime is in.
//
// Its behaviour is its _HANDLER (what `serve --plugin` passes), or, when _HANDLER is a path, the
// last line of that file (so --watch can be tested by rewriting it; `serve --watch` only starts a
// runtime on a whole ELF file, so a test appends the line to one):
//   echo[:TAG]       answers {"pid","tag","event","env"}; an event containing "fail" gets an
//                    error (Fake.Failure) instead
//   init-error       posts an init error (Kbatch.PluginLoadError) and exits 1
//   exit-at-init     exits 3 without a word
//   crash-on-event   like echo, but aborts on an event containing "crash"
//   hang             like echo, but never answers an event containing "hang"
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/test_runtime.h"

namespace {

using namespace kbatch::serve_test;

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
}

std::string behaviour() {
    std::string handler = env("_HANDLER");
    if (handler.find('/') == std::string::npos)
        return handler;
    // Only the file's end: the line is short, and the ELF file before it can be large.
    std::ifstream file(handler, std::ios::binary | std::ios::ate);
    const std::streamoff size = file.tellg();
    const std::streamoff tail = std::min<std::streamoff>(size < 0 ? 0 : size, 4096);
    file.seekg(-tail, std::ios::end);
    std::string contents(static_cast<std::size_t>(tail), '\0');
    file.read(contents.data(), tail);
    while (!contents.empty() && contents.back() == '\n')
        contents.pop_back();
    const std::size_t newline = contents.rfind('\n');
    return newline == std::string::npos ? contents : contents.substr(newline + 1);
}

nlohmann::json environment_report() {
    nlohmann::json report = nlohmann::json::object();
    for (const char* name :
         {"AWS_LAMBDA_RUNTIME_API", "_HANDLER", "KBATCH_PLUGIN_CONFIG", "KBATCH_FAILURE_MODE",
          "KBATCH_PLUGIN_PATH", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
          "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
          "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_TIMEOUT", "AWS_REGION",
          "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "SERVE_TEST_MARKER",
          "_X_AMZN_TRACE_ID", "LD_LIBRARY_PATH"}) {
        if (const char* value = std::getenv(name); value != nullptr)
            report[name] = value;
    }
    return report;
}

}  // namespace

int main() {
    const std::string api = env("AWS_LAMBDA_RUNTIME_API");
    const std::size_t colon = api.rfind(':');
    if (colon == std::string::npos) {
        fmt::print(stderr, "fake_runtime: AWS_LAMBDA_RUNTIME_API is \"{}\"\n", api);
        return 2;
    }
    const auto port = static_cast<std::uint16_t>(std::stoi(api.substr(colon + 1)));

    std::string mode = behaviour();
    std::string tag;
    if (mode.starts_with("echo:")) {
        tag = mode.substr(5);
        mode = "echo";
    }
    if (mode == "init-error") {
        post_init_error(port, lambda_error("Kbatch.PluginLoadError", "fake: cannot load plugin"),
                        "Kbatch.PluginLoadError");
        return 1;
    }
    if (mode == "exit-at-init")
        return 3;

    for (;;) {
        // No deadline on /next: the runtime waits as long as it takes, as a real one does.
        const NextInvocation next = next_invocation(port, std::chrono::hours(24));
        if (!next.ok()) {
            fmt::print(stderr, "fake_runtime: /next failed: {} (status {})\n", next.http.error,
                       next.http.status);
            return 2;
        }
        const std::string& event = next.event;
        if (mode == "crash-on-event" && event.find("crash") != std::string::npos)
            std::abort();
        if (mode == "hang" && event.find("hang") != std::string::npos) {
            for (;;)
                pause();
        }
        if (event.find("fail") != std::string::npos) {
            post_error(port, next.request_id, lambda_error("Fake.Failure", "asked to fail"),
                       "Fake.Failure");
            continue;
        }
        const nlohmann::json answer = {{"pid", static_cast<long>(getpid())},
                                       {"tag", tag},
                                       {"event", event},
                                       {"env", environment_report()}};
        post_response(port, next.request_id, answer.dump());
    }
}
