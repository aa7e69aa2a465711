#include "lambda_in_root.h"

#include <chrono>

#include <catch2/catch.hpp>

#include "chroot_process.h"
#include "support/http_client.h"
#include "support/serve_process.h"

namespace kbatch::deploy_test {

namespace {

using namespace std::chrono_literals;

// Long enough for a loaded machine; a run that needs it has hung.
constexpr auto kAnswerTimeout = 30s;

// The variables a provided.al2023 function starts with (those that matter to a runtime).
std::vector<std::string> lambda_environment(const std::string& api,
                                            const FunctionSettings& settings) {
    std::vector<std::string> env = {
        "AWS_LAMBDA_RUNTIME_API=" + api,
        "_HANDLER=" + settings.handler,
        "LAMBDA_TASK_ROOT=/var/task",
        "LAMBDA_RUNTIME_DIR=/var/runtime",
        // Lambda's own search path: the image's libraries first. The layer must not depend on it.
        "LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:"
        "/var/task:/var/task/lib:/opt/lib",
        "PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        "AWS_REGION=us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME=kbatch-deploy-test",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
        "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
        "TZ=:UTC",
        "LANG=en_US.UTF-8",
    };
    if (!settings.plugin_config.empty())
        env.push_back("KBATCH_PLUGIN_CONFIG=" + settings.plugin_config);
    return env;
}

}  // namespace

FunctionRun invoke_in_root(const EmptyRoot& root, const FunctionSettings& settings,
                           const std::vector<std::string>& events) {
    // The local Lambda, without a runtime of its own: the one in the root is its runtime. Its
    // function timeout is generous, for a loaded machine.
    kbatch::serve_test::ServeProcess lambda({"--no-spawn", "--timeout", "60"});
    const std::string api = "127.0.0.1:" + std::to_string(lambda.port());
    ChrootProcess runtime(root.path(), settings.bootstrap, lambda_environment(api, settings));

    FunctionRun run;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const kbatch::serve_test::HttpResult answer =
            kbatch::serve_test::invoke(lambda.port(), events[i], kAnswerTimeout);
        INFO("invocation " << i << ": " << answer.error << " status " << answer.status
                           << ", body: " << answer.body << "\nruntime log:\n"
                           << runtime.output() << "\nkbatch serve log:\n"
                           << lambda.log());
        REQUIRE(answer.ok);
        REQUIRE(answer.status == 200);
        // A function error (the runtime posted to /error, or died) carries this header.
        REQUIRE(answer.header("X-Amz-Function-Error").empty());
        run.responses.push_back(answer.body);
    }
    runtime.stop();
    run.log = runtime.output();
    return run;
}

bool loaded_plugin(const FunctionRun& run, const std::string& file) {
    return run.log.find("plugin " + file) != std::string::npos ||
           run.log.find("plugin \"" + file + "\"") != std::string::npos;
}

}  // namespace kbatch::deploy_test
