// kbatch serve --no-spawn with a runtime written by others: the official Node.js runtime
// interface client (aws-lambda-ric, installed by node/setup.sh) running node/index.js. That a
// runtime we did not write works against it is what makes our local Lambda's protocol credible.
#include <chrono>
#include <regex>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/serve_process.h"

namespace {

using namespace kbatch::serve_test;
using namespace std::chrono_literals;

// Starts the Node client against `serve`, with the handler in tests/serve/node.
Subprocess start_node_runtime(const ServeProcess& serve) {
    const std::string handler_dir = NODE_HANDLER_DIR;
    return Subprocess(
        {{NODE_EXE, std::string(NODE_RIC_DIR) + "/node_modules/aws-lambda-ric/bin/index.mjs",
          "index.handler"},
         {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + std::to_string(serve.port())},
          {"LAMBDA_TASK_ROOT", handler_dir},
          {"_HANDLER", "index.handler"},
          {"AWS_LAMBDA_FUNCTION_NAME", "function"},
          {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
          {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"}},
         {},
         handler_dir});
}

nlohmann::json json_of(const std::string& text) {
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

TEST_CASE("The Node.js runtime interface client runs a handler against serve --no-spawn",
          "[serve][node]") {
    ServeProcess serve({"--no-spawn", "--timeout", "5"});
    Subprocess node = start_node_runtime(serve);
    INFO("node runtime output:\n" << node.output());

    const std::string example = std::string(KBATCH_SOURCE_DIR) + "/events/example.json";
    for (int i = 0; i < 3; ++i) {
        const HttpResult answer = invoke(serve.port(), R"({"Records":[{},{}]})", 30s);
        INFO("node runtime output:\n" << node.output() << "\nserve log:\n" << serve.log());
        REQUIRE(answer.ok);
        CHECK(answer.status == 200);
        CHECK(answer.header("X-Amz-Function-Error").empty());
        const nlohmann::json reply = json_of(answer.body);
        CHECK(reply["from"] == "aws-lambda-ric");
        CHECK(reply["records"] == 2);
        // What the client made of our headers.
        CHECK(reply["requestId"] == answer.header("X-Amzn-RequestId"));
        CHECK(
            std::regex_match(reply["functionArn"].get<std::string>(),
                             std::regex("arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:function")));
        CHECK(reply["remainingMs"].get<long>() > 0);
        CHECK(reply["remainingMs"].get<long>() <= 5000);
        CHECK_THAT(reply["traceId"].get<std::string>(), Catch::StartsWith("Root=1-"));
    }

    // A handler that throws: the client posts to /error, and the invoker sees a function error.
    const HttpResult failed = invoke(serve.port(), R"({"fail":true})", 30s);
    REQUIRE(failed.ok);
    CHECK(failed.status == 200);
    CHECK(failed.header("X-Amz-Function-Error") == "Unhandled");
    const nlohmann::json error = json_of(failed.body);
    CHECK(error["errorType"] == "HandlerAskedToFail");
    CHECK(error["errorMessage"] == "the handler was asked to fail");

    // And it goes on serving afterwards.
    const HttpResult after = invoke(serve.port(), R"({"Records":[]})", 30s);
    CHECK(after.status == 200);
    CHECK(json_of(after.body)["records"] == 0);
    CHECK(serve.stop() == 0);
}

TEST_CASE("The Node.js client's init error (a missing handler) reaches the invoker",
          "[serve][node]") {
    ServeProcess serve({"--no-spawn"});
    Subprocess node(
        {{NODE_EXE, std::string(NODE_RIC_DIR) + "/node_modules/aws-lambda-ric/bin/index.mjs",
          "missing.handler"},
         {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + std::to_string(serve.port())},
          {"LAMBDA_TASK_ROOT", NODE_HANDLER_DIR},
          {"_HANDLER", "missing.handler"}},
         {},
         NODE_HANDLER_DIR});
    const HttpResult answer = invoke(serve.port(), "{}", 30s);
    INFO("node runtime output:\n" << node.output() << "\nserve log:\n" << serve.log());
    REQUIRE(answer.ok);
    CHECK(answer.status == 200);
    CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
    CHECK_THAT(json_of(answer.body)["errorType"].get<std::string>(), Catch::StartsWith("Runtime."));
    CHECK(serve.stop() == 0);
}
