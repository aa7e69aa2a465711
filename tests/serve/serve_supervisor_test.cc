// kbatch serve starting a runtime (a stand-in, fake_runtime.cc) and keeping it running: the
// environment it gives, init failures with backoff, crashes, timeouts and reloads.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/serve_process.h"
#include "test_support.h"

namespace {

using namespace kbatch::serve_test;
using namespace std::chrono_literals;

std::vector<std::string> spawn_args(const std::string& behaviour,
                                    std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"--runtime", FAKE_RUNTIME_EXE, "--plugin", behaviour};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

nlohmann::json json_of(const std::string& text) {
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// A file that removes itself.
struct TempFile {
    std::filesystem::path path;
    explicit TempFile(const std::string& name)
        : path(std::filesystem::temp_directory_path() /
               (name + "-" + std::to_string(getpid()) + "-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()))) {}
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
    void write(const std::string& text) const {
        const std::filesystem::path next = path.string() + ".new";
        std::ofstream(next) << text << "\n";
        std::filesystem::rename(next, path);  // replaced whole, as a build replaces a plugin
    }
    // A whole ELF file (a stub plugin) that the fake runtime reads as `behaviour`: it takes the
    // file's last line. `serve --watch` starts no runtime on a file that is not one.
    void write_elf(const std::string& behaviour) const {
        write(kbatch::test::read_file(kbatch::test::stub_path("never_fails")) + "\n" + behaviour);
    }
};

}  // namespace

TEST_CASE("serve starts the runtime with Lambda's environment", "[serve][spawn]") {
    const std::filesystem::path extra_dir = std::filesystem::temp_directory_path();
    ServeProcess serve(
        spawn_args("echo", {"--config", R"({"seed":7})", "--failure-mode", "stop-on-first-failure",
                            "--plugin-dir", extra_dir.string(), "--timeout", "9"}),
        {{"SERVE_TEST_MARKER", "inherited"}, {"AWS_REGION", "eu-north-1"}});
    const HttpResult answer = invoke(serve.port(), R"({"Records":[]})");
    REQUIRE(answer.ok);
    REQUIRE(answer.status == 200);
    const nlohmann::json reply = json_of(answer.body);
    CHECK(reply["event"] == R"({"Records":[]})");
    const nlohmann::json& env = reply["env"];
    CHECK(env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:" + std::to_string(serve.port()));
    CHECK(env["_HANDLER"] == "echo");
    CHECK(env["KBATCH_PLUGIN_CONFIG"] == R"({"seed":7})");
    CHECK(env["KBATCH_FAILURE_MODE"] == "stop-on-first-failure");
    CHECK(env["KBATCH_PLUGIN_PATH"] == extra_dir.string());
    CHECK(env["LAMBDA_TASK_ROOT"] == std::filesystem::current_path().string());
    CHECK(env["LAMBDA_RUNTIME_DIR"] ==
          std::filesystem::path(FAKE_RUNTIME_EXE).parent_path().string());
    CHECK(env["AWS_LAMBDA_FUNCTION_NAME"] == "function");
    CHECK(env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST");
    CHECK(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128");
    CHECK(env["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "9");
    CHECK(env["AWS_REGION"] == "eu-north-1");
    CHECK(env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/function");
    CHECK(env["SERVE_TEST_MARKER"] == "inherited");

    // Several invocations in a row go to the same runtime.
    const long pid = reply["pid"];
    for (int i = 0; i < 3; ++i) {
        const HttpResult again = invoke(serve.port(), std::to_string(i));
        REQUIRE(again.status == 200);
        CHECK(json_of(again.body)["pid"] == pid);
        CHECK(json_of(again.body)["event"] == std::to_string(i));
    }
    // And a function error comes through as one.
    const HttpResult failed = invoke(serve.port(), R"({"please":"fail"})");
    CHECK(failed.header("X-Amz-Function-Error") == "Unhandled");
    CHECK(json_of(failed.body)["errorType"] == "Fake.Failure");
    CHECK(serve.runtime_pids().size() == 1);
    CHECK(serve.stop() == 0);
    CHECK_THAT(serve.log(), Catch::Contains("runtime (pid " + std::to_string(pid) + ") stopped"));
}

TEST_CASE("An init error reaches each invoker while serve keeps running and backs off",
          "[serve][spawn]") {
    ServeProcess serve(spawn_args("init-error"));
    for (int i = 0; i < 3; ++i) {
        const HttpResult answer = invoke(serve.port(), "{}", 10s);
        REQUIRE(answer.ok);
        CHECK(answer.status == 200);
        CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
        const nlohmann::json error = json_of(answer.body);
        CHECK(error["errorType"] == "Kbatch.PluginLoadError");
        CHECK(error["errorMessage"] == "fake: cannot load plugin");
    }
    // Left alone, it restarts less and less often instead of spinning.
    const std::size_t starts = serve.runtime_pids().size();
    std::this_thread::sleep_for(2s);
    CHECK(serve.runtime_pids().size() - starts <= 4);
    CHECK_THAT(serve.log(), Catch::Contains("the runtime failed its init"));
    CHECK(serve.process().running());
    CHECK(serve.stop() == 0);
}

TEST_CASE("A runtime that dies during init without a word gives Runtime.ExitError",
          "[serve][spawn]") {
    ServeProcess serve(spawn_args("exit-at-init"));
    const HttpResult answer = invoke(serve.port(), "{}", 10s);
    REQUIRE(answer.ok);
    CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
    const nlohmann::json error = json_of(answer.body);
    CHECK(error["errorType"] == "Runtime.ExitError");
    CHECK_THAT(error["errorMessage"].get<std::string>(), Catch::Contains("exit status 3"));
    CHECK(serve.stop() == 0);
}

TEST_CASE(
    "A runtime that crashes mid-invocation: the invoker gets Runtime.ExitError and a new "
    "runtime takes the next",
    "[serve][spawn]") {
    ServeProcess serve(spawn_args("crash-on-event"));
    const HttpResult first = invoke(serve.port(), "before");
    REQUIRE(first.status == 200);
    const HttpResult crashed = invoke(serve.port(), R"({"do":"crash"})");
    REQUIRE(crashed.ok);
    CHECK(crashed.header("X-Amz-Function-Error") == "Unhandled");
    const nlohmann::json error = json_of(crashed.body);
    CHECK(error["errorType"] == "Runtime.ExitError");
    CHECK_THAT(
        error["errorMessage"].get<std::string>(),
        Catch::Contains("signal: aborted") && Catch::Contains(crashed.header("X-Amzn-RequestId")));
    const HttpResult after = invoke(serve.port(), "after");
    REQUIRE(after.status == 200);
    CHECK(json_of(after.body)["pid"] != json_of(first.body)["pid"]);
    CHECK(serve.runtime_pids().size() == 2);
    CHECK(serve.stop() == 0);
}

TEST_CASE("A runtime killed between invocations is replaced", "[serve][spawn]") {
    ServeProcess serve(spawn_args("echo"));
    const HttpResult first = invoke(serve.port(), "1");
    REQUIRE(first.status == 200);
    const long first_pid = json_of(first.body)["pid"];
    REQUIRE(kill(static_cast<pid_t>(first_pid), SIGKILL) == 0);
    REQUIRE(serve.wait_for_log("runtime started (pid", 2));
    const HttpResult second = invoke(serve.port(), "2");
    REQUIRE(second.status == 200);
    CHECK(json_of(second.body)["pid"] != first_pid);
    CHECK_THAT(serve.log(), Catch::Contains("exited: signal: killed"));
    CHECK(serve.stop() == 0);
}

TEST_CASE("Past the deadline serve answers with a timeout and replaces the stuck runtime",
          "[serve][spawn]") {
    ServeProcess serve(spawn_args("hang", {"--timeout", "1"}));
    const HttpResult first = invoke(serve.port(), "warm up");
    REQUIRE(first.status == 200);
    // The runtime never answers: an answer within invoke()'s 15 s is serve's, at the deadline.
    const HttpResult stuck = invoke(serve.port(), R"({"please":"hang"})");
    REQUIRE(stuck.ok);
    CHECK(stuck.header("X-Amz-Function-Error") == "Unhandled");
    CHECK(json_of(stuck.body)["errorType"] == "Sandbox.Timedout");
    const HttpResult after = invoke(serve.port(), "after");
    REQUIRE(after.status == 200);
    CHECK(json_of(after.body)["pid"] != json_of(first.body)["pid"]);
    CHECK_THAT(serve.log(), Catch::Contains("an invocation timed out: replacing the runtime"));
    CHECK(serve.stop() == 0);
}

TEST_CASE("The watch option replaces the runtime when the plugin file changes", "[serve][spawn]") {
    const kbatch::test::TempDir copies;
    TempFile plugin("kbatch-serve-watch-plugin");
    plugin.write_elf("echo:v1");
    ServeProcess serve(spawn_args(plugin.path.string(), {"--watch"}),
                       {{"TMPDIR", copies.path().string()}});
    const HttpResult first = invoke(serve.port(), "{}");
    REQUIRE(first.status == 200);
    const nlohmann::json first_reply = json_of(first.body);
    CHECK(first_reply["tag"] == "v1");
    // The runtime loads a private copy, in serve's own folder under TMPDIR, and finds libraries
    // beside the original first.
    const std::string first_copy = first_reply["env"]["_HANDLER"];
    CHECK(first_copy.starts_with((copies.path() / "kbatch-serve-").string()));
    CHECK(std::filesystem::path(first_copy).filename() == plugin.path.filename());
    CHECK(kbatch::test::read_file(first_copy) == kbatch::test::read_file(plugin.path));
    const std::filesystem::path plugin_dir = plugin.path.parent_path();
    CHECK(first_reply["env"]["LD_LIBRARY_PATH"].get<std::string>().starts_with(
        plugin_dir.string() + ":" + (plugin_dir / "lib").string()));

    plugin.write_elf("echo:v2");
    REQUIRE(serve.wait_for_log("changed: replacing the runtime", 1, 10s));
    REQUIRE(serve.wait_for_log("runtime started (pid", 2, 10s));
    const HttpResult second = invoke(serve.port(), "{}");
    REQUIRE(second.status == 200);
    const nlohmann::json second_reply = json_of(second.body);
    CHECK(second_reply["tag"] == "v2");
    // A new copy, and the previous one is gone with the runtime that loaded it.
    CHECK(second_reply["env"]["_HANDLER"] != first_copy);
    CHECK_FALSE(std::filesystem::exists(first_copy));
    CHECK(std::filesystem::exists(second_reply["env"]["_HANDLER"].get<std::string>()));
    CHECK(serve.stop() == 0);
    // serve leaves no copy behind.
    CHECK(std::filesystem::is_empty(copies.path()));
}

TEST_CASE("With --watch a plugin changed into no whole ELF file leaves the runtime running",
          "[serve][spawn]") {
    const kbatch::test::TempDir copies;
    TempFile plugin("kbatch-serve-watch-plugin");
    plugin.write_elf("echo:v1");
    ServeProcess serve(spawn_args(plugin.path.string(), {"--watch"}),
                       {{"TMPDIR", copies.path().string()}});
    const HttpResult first = invoke(serve.port(), "{}");
    REQUIRE(first.status == 200);
    CHECK(json_of(first.body)["tag"] == "v1");
    const long pid = json_of(first.body)["pid"];

    plugin.write("echo:v2");  // text, the first line a fake runtime would obey
    REQUIRE(serve.wait_for_log("waiting for " + plugin.path.string() + " to be complete", 1, 10s));
    const HttpResult during = invoke(serve.port(), "{}");
    REQUIRE(during.status == 200);
    CHECK(json_of(during.body)["tag"] == "v1");
    CHECK(json_of(during.body)["pid"] == pid);
    // Left so, it is reported with what is wrong, and the runtime stays.
    REQUIRE(serve.wait_for_log(plugin.path.string() + " is not an ELF file", 1, 15s));
    const HttpResult later = invoke(serve.port(), "{}");
    REQUIRE(later.status == 200);
    CHECK(json_of(later.body)["pid"] == pid);
    CHECK(serve.runtime_pids().size() == 1);

    // A whole file again replaces it.
    plugin.write_elf("echo:v3");
    REQUIRE(serve.wait_for_log("changed: replacing the runtime", 1, 10s));
    REQUIRE(serve.wait_for_log("runtime started (pid", 2, 10s));
    const HttpResult after = invoke(serve.port(), "{}");
    REQUIRE(after.status == 200);
    CHECK(json_of(after.body)["tag"] == "v3");
    CHECK(serve.count_in_log("waiting for") == 1);
    CHECK(serve.stop() == 0);
    CHECK(std::filesystem::is_empty(copies.path()));
}

TEST_CASE("SIGTERM stops serve and its runtime", "[serve][spawn]") {
    ServeProcess serve(spawn_args("echo"));
    const HttpResult first = invoke(serve.port(), "{}");
    REQUIRE(first.status == 200);
    const auto pid = static_cast<pid_t>(json_of(first.body)["pid"].get<long>());
    CHECK(serve.stop() == 0);
    // The runtime was serve's child and has been reaped: it no longer exists.
    CHECK(kill(pid, 0) != 0);
}
