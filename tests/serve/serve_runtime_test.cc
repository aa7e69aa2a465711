// kbatch serve with the real runtime host, kbatch-runtime: the two ends of the local Lambda
// together, against what `kbatch invoke` does in process.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/ipv6_loopback.h"
#include "support/serve_process.h"
#include "test_support.h"

namespace {

using namespace kbatch::serve_test;
using namespace std::chrono_literals;

nlohmann::json json_of(const std::string& text) {
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// A Kinesis event of `count` records, all with `partition_key`.
std::string kinesis_event(int count, const std::string& partition_key = "pk") {
    nlohmann::json records = nlohmann::json::array();
    for (int i = 0; i < count; ++i) {
        const std::string sequence =
            "4956816737333333333333333333333333333333333333333333" + std::to_string(1000 + i);
        records.push_back(
            {{"kinesis",
              {{"kinesisSchemaVersion", "1.0"},
               {"partitionKey", partition_key},
               {"sequenceNumber", sequence},
               {"data", "SGVsbG8gV29ybGQ="},
               {"approximateArrivalTimestamp", 1480641523.477}}},
             {"eventSource", "aws:kinesis"},
             {"eventVersion", "1.0"},
             {"eventID", "shardId-000000000000:" + sequence},
             {"eventName", "aws:kinesis:record"},
             {"invokeIdentityArn", "arn:aws:iam::123456789012:role/LambdaRole"},
             {"awsRegion", "us-east-1"},
             {"eventSourceARN", "arn:aws:kinesis:us-east-1:123456789012:stream/kbatch-test"}});
    }
    return nlohmann::json{{"Records", records}}.dump();
}

struct TempEventFile {
    std::filesystem::path path;
    explicit TempEventFile(const std::string& contents)
        : path(std::filesystem::temp_directory_path() /
               ("kbatch-serve-event-" + std::to_string(getpid()) + ".json")) {
        std::ofstream(path, std::ios::binary) << contents;
    }
    ~TempEventFile() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
};

// Runs `kbatch ARGS...` to the end and returns its exit code and standard output + error.
std::pair<int, std::string> run_kbatch(std::vector<std::string> args) {
    args.insert(args.begin(), kbatch_exe());
    Subprocess process({args, {}, {"AWS_LAMBDA_LOG_FORMAT", "AWS_LAMBDA_LOG_LEVEL"}, {}});
    const std::optional<int> status = process.wait(30s);
    return {status ? exit_code(*status) : -1, process.output()};
}

// The response line `kbatch invoke` prints (its log lines go to the same file, and start with
// a level).
std::string response_line(const std::string& output) {
    std::size_t start = 0;
    while (start < output.size()) {
        const std::size_t end = output.find('\n', start);
        const std::string line = output.substr(start, end - start);
        if (line.starts_with("{"))
            return line;
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return {};
}

}  // namespace

TEST_CASE("serve with kbatch-runtime answers as the in-process invoke does with the same seed",
          "[serve][runtime]") {
    const std::string config = R"({"seed":7,"failure_rate":0.5})";
    const TempEventFile event(kinesis_event(40));
    const auto [code, output] =
        run_kbatch({"invoke", "--config", config, "--data-file", event.path.string()});
    REQUIRE(code == 0);
    const nlohmann::json expected = json_of(response_line(output));
    REQUIRE(expected["batchItemFailures"].is_array());
    REQUIRE_FALSE(expected["batchItemFailures"].empty());  // the seed does fail some records

    ServeProcess serve({"--plugin", "random_failure", "--config", config});
    const HttpResult answer = invoke(serve.port(), read_file(event.path));
    REQUIRE(answer.ok);
    CHECK(answer.status == 200);
    CHECK(answer.header("X-Amz-Function-Error").empty());
    CHECK(json_of(answer.body) == expected);

    // Several invocations in a row on the one runtime.
    for (int i = 0; i < 3; ++i) {
        const HttpResult again = invoke(serve.port(), read_file(event.path));
        REQUIRE(again.status == 200);
        CHECK(json_of(again.body)["batchItemFailures"].is_array());
    }
    CHECK(serve.runtime_pids().size() == 1);
    CHECK(serve.stop() == 0);

    // The same configuration from a file: the runtime gets its JSON, not its name.
    const std::filesystem::path config_file =
        std::filesystem::temp_directory_path() /
        ("kbatch-serve-config-" + std::to_string(getpid()) + ".json");
    std::ofstream(config_file) << config;
    ServeProcess from_file({"--plugin", "random_failure", "--config", "@" + config_file.string()});
    const HttpResult from_file_answer = invoke(from_file.port(), read_file(event.path));
    std::filesystem::remove(config_file);
    REQUIRE(from_file_answer.ok);
    CHECK(from_file_answer.status == 200);
    CHECK(json_of(from_file_answer.body) == expected);
    CHECK(from_file.stop() == 0);
}

TEST_CASE("The printed `kbatch invoke --endpoint` line gives the in-process answer",
          "[serve][runtime]") {
    const std::string config = R"({"seed":7})";
    const std::string example = std::string(KBATCH_SOURCE_DIR) + "/events/example.json";
    const auto [code, output] = run_kbatch({"invoke", "--config", config, "--data-file", example});
    REQUIRE(code == 0);

    ServeProcess serve({"--config", config});
    const std::string endpoint = "http://127.0.0.1:" + std::to_string(serve.port());
    const auto [endpoint_code, endpoint_output] =
        run_kbatch({"invoke", "--endpoint", endpoint, "--data-file", example});
    CHECK(endpoint_code == 0);
    CHECK(json_of(response_line(endpoint_output)) == json_of(response_line(output)));
    CHECK(serve.stop() == 0);
}

TEST_CASE("serve --host ::1 answers an invocation through kbatch-runtime over IPv6",
          "[serve][runtime]") {
    if (!has_ipv6_loopback()) {
        kbatch::test::report_skipped("this machine has no IPv6 loopback (cannot bind [::1])");
        return;
    }
    const std::string config = R"({"seed":7})";
    const std::string example = std::string(KBATCH_SOURCE_DIR) + "/events/example.json";
    const auto [code, output] = run_kbatch({"invoke", "--config", config, "--data-file", example});
    REQUIRE(code == 0);
    const nlohmann::json expected = json_of(response_line(output));

    // The runtime is given AWS_LAMBDA_RUNTIME_API=[::1]:PORT.
    ServeProcess serve({"--host", "::1", "--config", config});
    REQUIRE(serve.host() == "[::1]");
    const HttpResult answer =
        http_request_to("::1", serve.port(), "POST", "/2015-03-31/functions/function/invocations",
                        read_file(example), 20s, {{"Content-Type", "application/json"}});
    REQUIRE(answer.ok);
    CHECK(answer.status == 200);
    CHECK(answer.header("X-Amz-Function-Error").empty());
    CHECK(json_of(answer.body) == expected);

    // The `kbatch event kinesis | kbatch invoke --endpoint 'http://[::1]:PORT' ...` line that
    // serve prints, run as printed by a shell in the temporary folder: it needs no file of this
    // repository. The plugin's random sequence goes on in the same runtime, so only the shape of
    // the answer is compared.
    const std::string log = serve.log();
    const std::size_t at = log.find(" invoke --endpoint ");
    REQUIRE(at != std::string::npos);
    const std::size_t start = log.rfind('\n', at) + 1;
    const std::string line = log.substr(start, log.find('\n', at) - start);
    Subprocess printed({{"/bin/sh", "-c", line},
                        {},
                        {"AWS_LAMBDA_LOG_FORMAT", "AWS_LAMBDA_LOG_LEVEL"},
                        std::filesystem::temp_directory_path().string()});
    const std::optional<int> status = printed.wait(30s);
    REQUIRE(status);
    CHECK(exit_code(*status) == 0);
    CHECK(json_of(response_line(printed.output()))["batchItemFailures"].is_array());
    CHECK(serve.runtime_pids().size() == 1);
    CHECK(serve.stop() == 0);
}

TEST_CASE("An event kbatch-runtime cannot decode is a function error as the CLI says",
          "[serve][runtime]") {
    ServeProcess serve({});
    const HttpResult answer = invoke(serve.port(), R"({"Records": "not a list"})");
    REQUIRE(answer.ok);
    CHECK(answer.status == 200);
    CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
    CHECK(json_of(answer.body)["errorType"] == "Kbatch.InvalidEvent");
    // The runtime survives a bad event.
    const HttpResult after = invoke(serve.port(), kinesis_event(1));
    CHECK(after.status == 200);
    CHECK(serve.runtime_pids().size() == 1);
    CHECK(serve.stop() == 0);
}

TEST_CASE("A missing plugin: the invoker gets Kbatch.PluginLoadError and serve keeps running",
          "[serve][runtime]") {
    ServeProcess serve({"--plugin", "no_such_plugin_anywhere"});
    for (int i = 0; i < 2; ++i) {
        const HttpResult answer = invoke(serve.port(), kinesis_event(1), 10s);
        REQUIRE(answer.ok);
        CHECK(answer.status == 200);
        CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
        const nlohmann::json error = json_of(answer.body);
        CHECK(error["errorType"] == "Kbatch.PluginLoadError");
        CHECK_THAT(error["errorMessage"].get<std::string>(),
                   Catch::Contains("no_such_plugin_anywhere"));
    }
    CHECK(serve.process().running());
    CHECK(serve.stop() == 0);
}

TEST_CASE("kbatch-runtime killed between invocations is replaced", "[serve][runtime]") {
    ServeProcess serve({"--config", R"({"failure_rate":0})"});
    const HttpResult first = invoke(serve.port(), kinesis_event(2));
    REQUIRE(first.status == 200);
    CHECK(json_of(first.body)["batchItemFailures"].empty());
    const std::vector<pid_t> pids = serve.runtime_pids();
    REQUIRE(pids.size() == 1);
    REQUIRE(kill(pids.front(), SIGKILL) == 0);
    REQUIRE(serve.wait_for_log("runtime started (pid", 2));
    const HttpResult second = invoke(serve.port(), kinesis_event(2));
    REQUIRE(second.ok);
    CHECK(second.status == 200);
    CHECK(json_of(second.body)["batchItemFailures"].empty());
    CHECK(serve.stop() == 0);
}

TEST_CASE("A plugin that aborts or segfaults: Runtime.ExitError, and a new runtime takes the next",
          "[serve][runtime]") {
    // The stub dies on data "ABORT" (QUJPUlQ=) or "SEGV" (U0VHVg==); "Hello World" is fine.
    const std::string fine = kinesis_event(2);
    for (const std::string crash : {"QUJPUlQ=", "U0VHVg=="}) {
        DYNAMIC_SECTION("data " << crash) {
            ServeProcess serve({"--plugin", CRASH_PLUGIN});
            const HttpResult before = invoke(serve.port(), fine);
            REQUIRE(before.status == 200);
            CHECK(json_of(before.body)["batchItemFailures"].empty());

            std::string deadly = fine;
            deadly.replace(deadly.find("SGVsbG8gV29ybGQ="), 16, crash);
            const HttpResult crashed = invoke(serve.port(), deadly);
            REQUIRE(crashed.ok);
            CHECK(crashed.status == 200);
            CHECK(crashed.header("X-Amz-Function-Error") == "Unhandled");
            const nlohmann::json error = json_of(crashed.body);
            CHECK(error["errorType"] == "Runtime.ExitError");
            // Which signal or status depends on the build (a sanitizer turns a SEGV into exit
            // status 1 after its report), but the message says that the runtime exited.
            CHECK_THAT(error["errorMessage"].get<std::string>(),
                       Catch::Contains(crashed.header("X-Amzn-RequestId")));

            const HttpResult after = invoke(serve.port(), fine);
            REQUIRE(after.ok);
            CHECK(after.status == 200);
            CHECK(json_of(after.body)["batchItemFailures"].empty());
            CHECK(serve.runtime_pids().size() == 2);
            CHECK(serve.stop() == 0);
        }
    }
}

TEST_CASE("A slow plugin past the timeout gives the timeout error and the next invoke works",
          "[serve][runtime]") {
    ServeProcess serve(
        {"--plugin", SLOW_PLUGIN, "--config", R"({"sleep_ms":60000})", "--timeout", "1"});
    // An answer within invoke()'s 15 s shows that serve answered at the deadline instead of
    // waiting for the plugin's 60 s (no wall-clock bound: a loaded machine would flake it).
    const HttpResult slow = invoke(serve.port(), kinesis_event(1, "slow"));
    REQUIRE(slow.ok);
    CHECK(slow.header("X-Amz-Function-Error") == "Unhandled");
    const nlohmann::json error = json_of(slow.body);
    CHECK(error["errorType"] == "Sandbox.Timedout");
    CHECK_THAT(error["errorMessage"].get<std::string>(),
               Catch::Contains("Task timed out after 1.00 seconds"));

    const HttpResult fast = invoke(serve.port(), kinesis_event(3, "fast"));
    REQUIRE(fast.ok);
    CHECK(fast.status == 200);
    CHECK(json_of(fast.body)["batchItemFailures"].empty());
    CHECK(serve.runtime_pids().size() == 2);
    CHECK(serve.stop() == 0);
}

TEST_CASE("serve --watch: a plugin rewritten in place is run once whole, and never under a runtime",
          "[serve][runtime]") {
    namespace fs = std::filesystem;
    // The plugin in a build folder of the test's, and serve's private copies in another (its
    // TMPDIR), to see that none is left.
    const kbatch::test::TempDir build;
    const kbatch::test::TempDir copies;
    const fs::path plugin = build / "libwatched.so";
    fs::copy_file(kbatch::test::stub_path("always_fails"), plugin);

    ServeProcess serve({"--plugin", plugin.string(), "--watch"},
                       {{"TMPDIR", copies.path().string()}});
    const HttpResult before = invoke(serve.port(), kinesis_event(2));
    REQUIRE(before.status == 200);
    CHECK(json_of(before.body)["batchItemFailures"].size() == 2);  // always_fails runs

    // Rewritten in place, as a linker does: truncated, then written in two halves.
    const std::string next = read_file(kbatch::test::stub_path("never_fails"));
    const std::size_t half = next.size() / 2;
    const int fd = open(plugin.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, next.data(), half) == static_cast<ssize_t>(half));
    // Half written: serve waits, and the runtime answers from its own copy. Had it mapped the
    // file itself, the truncation would have taken its pages away (SIGBUS) or changed them.
    REQUIRE(serve.wait_for_log("waiting for " + plugin.string() + " to be complete", 1, 10s));
    const HttpResult during = invoke(serve.port(), kinesis_event(2));
    REQUIRE(during.ok);
    CHECK(during.status == 200);
    CHECK(during.header("X-Amz-Function-Error").empty());
    CHECK(json_of(during.body)["batchItemFailures"].size() == 2);
    CHECK(serve.runtime_pids().size() == 1);

    const ssize_t rest = static_cast<ssize_t>(next.size() - half);
    CHECK(write(fd, next.data() + half, next.size() - half) == rest);
    close(fd);
    REQUIRE(serve.wait_for_log("changed: replacing the runtime", 1, 10s));
    REQUIRE(serve.wait_for_log("runtime started (pid", 2, 10s));
    const HttpResult after = invoke(serve.port(), kinesis_event(2));
    REQUIRE(after.ok);
    CHECK(after.status == 200);
    CHECK(json_of(after.body)["batchItemFailures"].empty());  // never_fails runs

    CHECK(serve.runtime_pids().size() == 2);
    CHECK_THAT(serve.log(), !Catch::Contains("exited:") && !Catch::Contains("failed its init"));
    CHECK(serve.stop() == 0);
    CHECK(fs::is_empty(copies.path()));
}
