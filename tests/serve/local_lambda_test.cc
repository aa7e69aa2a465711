// kbatch serve: the invocation state machine and the small pieces around it, in process.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "error_body.h"
#include "file_watch.h"
#include "local_lambda.h"
#include "request_ids.h"
#include "runtime_environment.h"
#include "status.h"

namespace {

using namespace std::chrono_literals;
using kbatch::serve::HandedInvocation;
using kbatch::serve::InvokeResult;
using kbatch::serve::LocalLambda;
using kbatch::serve::LocalLambdaOptions;
using kbatch::serve::NextResult;
using kbatch::serve::PostResult;

LocalLambdaOptions options(std::chrono::seconds timeout = 3s) {
    LocalLambdaOptions result;
    result.timeout = timeout;
    result.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:function";
    return result;
}

// Starts an invoke on its own thread and returns once it is queued, so that the order of the
// queue is the order of the calls.
std::future<InvokeResult> queue_invoke(LocalLambda& lambda, std::string event) {
    const std::size_t before = lambda.queued();
    auto result = std::async(std::launch::async, [&lambda, event = std::move(event)]() mutable {
        return lambda.invoke(std::move(event));
    });
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (lambda.queued() == before && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(1ms);
    }
    return result;
}

HandedInvocation take(LocalLambda& lambda, std::uint64_t epoch = 0) {
    HandedInvocation invocation;
    REQUIRE(lambda.next(epoch, 5s, &invocation) == NextResult::kInvocation);
    return invocation;
}

nlohmann::json parse(const std::string& body) {
    return nlohmann::json::parse(body);
}

}  // namespace

TEST_CASE("LocalLambda hands queued invocations out in order and each to one /next",
          "[serve][unit]") {
    LocalLambda lambda(options());
    std::vector<std::future<InvokeResult>> invokers;
    for (int i = 0; i < 3; ++i)
        invokers.push_back(queue_invoke(lambda, "event " + std::to_string(i)));
    REQUIRE(lambda.queued() == 3);
    std::vector<HandedInvocation> handed;
    for (int i = 0; i < 3; ++i)
        handed.push_back(take(lambda));
    HandedInvocation none;
    CHECK(lambda.next(0, 50ms, &none) == NextResult::kWaitAgain);
    CHECK(lambda.in_flight() == 3);

    for (int i = 0; i < 3; ++i) {
        CHECK(*handed[i].event == "event " + std::to_string(i));
        CHECK(handed[i].function_arn == "arn:aws:lambda:us-east-1:000000000000:function:function");
        // Answered in reverse order: each answer reaches its own invoker.
        CHECK(lambda.post_response(handed[2 - i].request_id, "answer " + std::to_string(2 - i)) ==
              PostResult::kAccepted);
    }
    for (int i = 0; i < 3; ++i) {
        const InvokeResult result = invokers[i].get();
        CHECK(result.status == 200);
        CHECK_FALSE(result.function_error);
        CHECK(result.body == "answer " + std::to_string(i));
        CHECK(result.request_id == handed[i].request_id);
    }
    CHECK(lambda.in_flight() == 0);
}

TEST_CASE("LocalLambda sets a deadline of now + timeout when it hands an invocation out",
          "[serve][unit]") {
    LocalLambda lambda(options(7s));
    auto invoker = queue_invoke(lambda, "{}");
    const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const HandedInvocation handed = take(lambda);
    CHECK(handed.deadline_ms >= before + 7000);
    CHECK(handed.deadline_ms <= before + 7000 + 1000);
    CHECK(std::regex_match(
        handed.trace_id,
        std::regex("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0")));
    lambda.post_response(handed.request_id, "{}");
    invoker.get();
}

TEST_CASE("LocalLambda refuses posts for unknown and finished request ids", "[serve][unit]") {
    LocalLambda lambda(options());
    CHECK(lambda.post_response("no-such-id", "{}") == PostResult::kUnknownRequest);
    CHECK(lambda.post_error("no-such-id", "{}") == PostResult::kUnknownRequest);

    auto invoker = queue_invoke(lambda, "{}");
    const HandedInvocation handed = take(lambda);
    CHECK(lambda.post_error(handed.request_id, R"({"errorType":"X"})") == PostResult::kAccepted);
    const InvokeResult result = invoker.get();
    CHECK(result.function_error);
    CHECK(result.body == R"({"errorType":"X"})");
    CHECK(lambda.post_response(handed.request_id, "{}") == PostResult::kAlreadyFinished);
    CHECK(lambda.post_error(handed.request_id, "{}") == PostResult::kAlreadyFinished);
}

TEST_CASE(
    "LocalLambda times an invocation out and asks for a replacement and refuses its late answer",
    "[serve][unit]") {
    LocalLambda lambda(options(1s));
    auto invoker = queue_invoke(lambda, "{}");
    const HandedInvocation handed = take(lambda);
    const auto started = std::chrono::steady_clock::now();
    const InvokeResult result = invoker.get();
    CHECK(std::chrono::steady_clock::now() - started >= 900ms);
    CHECK(result.function_error);
    const nlohmann::json body = parse(result.body);
    CHECK(body["errorType"] == "Sandbox.Timedout");
    CHECK_THAT(body["errorMessage"].get<std::string>(),
               Catch::Contains("Task timed out after 1.00 seconds"));
    CHECK(lambda.take_replace_request());
    CHECK_FALSE(lambda.take_replace_request());
    CHECK(lambda.post_response(handed.request_id, "{}") == PostResult::kAlreadyFinished);
}

TEST_CASE("LocalLambda: an init error answers every waiting invoker", "[serve][unit]") {
    LocalLambda lambda(options());
    lambda.runtime_started();
    auto first = queue_invoke(lambda, "1");
    auto second = queue_invoke(lambda, "2");
    const std::string error = R"({"errorType":"Kbatch.PluginLoadError","errorMessage":"gone"})";
    lambda.post_init_error(error);
    for (auto* invoker : {&first, &second}) {
        const InvokeResult result = invoker->get();
        CHECK(result.function_error);
        CHECK(result.body == error);
    }
    CHECK(lambda.init_error_posted());
    CHECK(lambda.queued() == 0);
    const kbatch::serve::RuntimeExitReport report = lambda.runtime_exited("exit status 1", false);
    CHECK(report.failed_init);
    CHECK(report.failed_invocations == 0);

    // Until another runtime starts, an invoke gets the init error at once: nothing would take it.
    const InvokeResult meanwhile = lambda.invoke("3");
    CHECK(meanwhile.function_error);
    CHECK(meanwhile.body == error);
    lambda.runtime_started();
    auto later = queue_invoke(lambda, "4");
    CHECK(lambda.queued() == 1);
    const HandedInvocation handed = take(lambda, lambda.runtime_epoch());
    lambda.post_response(handed.request_id, "fine now");
    CHECK(later.get().body == "fine now");
}

TEST_CASE("LocalLambda refuses an init error once the runtime has asked for an invocation",
          "[serve][unit]") {
    LocalLambda lambda(options());
    lambda.runtime_started();
    auto held = queue_invoke(lambda, "held");
    const HandedInvocation handed = take(lambda);
    auto waiting = queue_invoke(lambda, "waiting");

    const std::string error = R"({"errorType":"Kbatch.PluginLoadError","errorMessage":"late"})";
    CHECK(lambda.post_init_error(error) == PostResult::kOutOfSequence);
    CHECK_FALSE(lambda.init_error_posted());
    CHECK(lambda.in_flight() == 1);
    CHECK(lambda.queued() == 1);

    // Only the runtime that holds the invocation finishes it.
    CHECK(lambda.post_response(handed.request_id, "held answer") == PostResult::kAccepted);
    CHECK(held.get().body == "held answer");
    const HandedInvocation next = take(lambda);
    CHECK(*next.event == "waiting");
    lambda.post_response(next.request_id, "waiting answer");
    const InvokeResult result = waiting.get();
    CHECK_FALSE(result.function_error);
    CHECK(result.body == "waiting answer");

    // A new runtime is in its init again: its init error is taken.
    lambda.runtime_exited("signal: killed", true);
    lambda.runtime_started();
    CHECK(lambda.post_init_error(error) == PostResult::kAccepted);
}

TEST_CASE("LocalLambda throttles invokes beyond max_pending with 429", "[serve][unit]") {
    LocalLambdaOptions limited = options();
    limited.max_pending = 2;
    LocalLambda lambda(limited);
    auto first = queue_invoke(lambda, "1");
    auto second = queue_invoke(lambda, "2");
    const HandedInvocation handed = take(lambda);  // one in flight, one queued: still two

    const InvokeResult throttled = lambda.invoke("3");
    CHECK(throttled.status == 429);
    CHECK(parse(throttled.body)["errorType"] == "TooManyRequestsException");
    CHECK(lambda.queued() == 1);

    lambda.post_response(handed.request_id, "done");
    CHECK(first.get().body == "done");
    auto third = queue_invoke(lambda, "3");  // room again
    CHECK(lambda.queued() == 2);
    for (int i = 0; i < 2; ++i) {
        const HandedInvocation next = take(lambda);
        lambda.post_response(next.request_id, *next.event);
    }
    CHECK(second.get().body == "2");
    CHECK(third.get().body == "3");
}

TEST_CASE("LocalLambda: a runtime's death fails what it held and what waits if it died in init",
          "[serve][unit]") {
    LocalLambda lambda(options());

    SECTION("died mid-invocation: only the invocation in flight fails") {
        lambda.runtime_started();
        auto held = queue_invoke(lambda, "held");
        const HandedInvocation handed = take(lambda);
        auto waiting = queue_invoke(lambda, "waiting");
        const auto report = lambda.runtime_exited("signal: segmentation fault", false);
        CHECK_FALSE(report.failed_init);
        CHECK(report.failed_invocations == 1);
        const InvokeResult result = held.get();
        CHECK(result.function_error);
        const nlohmann::json body = parse(result.body);
        CHECK(body["errorType"] == "Runtime.ExitError");
        CHECK_THAT(body["errorMessage"].get<std::string>(),
                   Catch::Contains("Runtime exited with error: signal: segmentation fault") &&
                       Catch::Contains(handed.request_id));
        // The next runtime gets the one that waited.
        lambda.runtime_started();
        const HandedInvocation next = take(lambda, lambda.runtime_epoch());
        CHECK(*next.event == "waiting");
        lambda.post_response(next.request_id, "ok");
        CHECK(waiting.get().body == "ok");
    }
    SECTION("died during init without a word: the queued invocations fail too") {
        lambda.runtime_started();
        auto waiting = queue_invoke(lambda, "waiting");
        const auto report = lambda.runtime_exited("exit status 3", false);
        CHECK(report.failed_init);
        const nlohmann::json body = parse(waiting.get().body);
        CHECK(body["errorType"] == "Runtime.ExitError");
        CHECK_THAT(body["errorMessage"].get<std::string>(), Catch::Contains("exit status 3"));
        const InvokeResult meanwhile = lambda.invoke("later");
        const nlohmann::json again = parse(meanwhile.body);
        CHECK(again["errorType"] == "Runtime.ExitError");
        CHECK_THAT(again["errorMessage"].get<std::string>(),
                   Catch::Contains(meanwhile.request_id) && Catch::Contains("exit status 3"));
    }
    SECTION("stopped on purpose during init: the queued invocations wait for the next runtime") {
        lambda.runtime_started();
        auto waiting = queue_invoke(lambda, "waiting");
        const auto report = lambda.runtime_exited("signal: killed", true);
        CHECK_FALSE(report.failed_init);
        CHECK(lambda.queued() == 1);
        lambda.runtime_started();
        const HandedInvocation next = take(lambda, lambda.runtime_epoch());
        lambda.post_response(next.request_id, "ok");
        CHECK(waiting.get().body == "ok");
    }
}

TEST_CASE("LocalLambda: a /next from a runtime that has exited since is stale", "[serve][unit]") {
    LocalLambda lambda(options());
    lambda.runtime_started();
    const std::uint64_t epoch = lambda.runtime_epoch();
    HandedInvocation invocation;
    CHECK(lambda.next(epoch, 10ms, &invocation) == NextResult::kWaitAgain);
    CHECK(lambda.runtime_ready());
    lambda.runtime_exited("signal: killed", true);
    CHECK(lambda.next(epoch, 10ms, &invocation) == NextResult::kStale);
    CHECK(lambda.next(lambda.runtime_epoch(), 10ms, &invocation) == NextResult::kWaitAgain);
}

TEST_CASE("LocalLambda puts an undelivered invocation back at the head of the queue",
          "[serve][unit]") {
    LocalLambda lambda(options());
    auto first = queue_invoke(lambda, "first");
    auto second = queue_invoke(lambda, "second");
    const HandedInvocation lost = take(lambda);
    REQUIRE(*lost.event == "first");
    lambda.return_undelivered(lost.request_id);
    CHECK(lambda.in_flight() == 0);
    const HandedInvocation again = take(lambda);
    CHECK(*again.event == "first");
    CHECK(again.request_id == lost.request_id);
    lambda.post_response(again.request_id, "1");
    const HandedInvocation then = take(lambda);
    CHECK(*then.event == "second");
    lambda.post_response(then.request_id, "2");
    CHECK(first.get().body == "1");
    CHECK(second.get().body == "2");
}

TEST_CASE("LocalLambda shutdown answers every waiter with 503 and wakes /next", "[serve][unit]") {
    SECTION("an invocation in flight and one still queued are both answered 503") {
        LocalLambda lambda(options());
        auto held = queue_invoke(lambda, "held");
        take(lambda);
        auto queued = queue_invoke(lambda, "queued");
        REQUIRE(lambda.queued() == 1);
        lambda.shutdown();
        CHECK(held.get().status == 503);
        CHECK(queued.get().status == 503);
        CHECK(lambda.invoke("late").status == 503);
    }
    SECTION("a /next waiting with nothing queued wakes with kStopping") {
        // Nothing is queued, so the /next can only wait, however late its thread starts; if it
        // starts after shutdown() it must answer kStopping all the same.
        LocalLambda lambda(options());
        auto waiting_next = std::async(std::launch::async, [&lambda] {
            HandedInvocation invocation;
            return lambda.next(0, 10s, &invocation);
        });
        std::this_thread::sleep_for(20ms);
        lambda.shutdown();
        CHECK(waiting_next.get() == NextResult::kStopping);
    }
}

TEST_CASE("Error bodies have Lambda's shape", "[serve][unit]") {
    const nlohmann::json error =
        parse(kbatch::serve::error_body("Runtime.ExitError", "a \"quote\""));
    CHECK(error["errorType"] == "Runtime.ExitError");
    CHECK(error["errorMessage"] == "a \"quote\"");
    CHECK(error["stackTrace"] == nlohmann::json::array());

    // A posted JSON object passes unchanged; anything else is wrapped with the header's type.
    CHECK(kbatch::serve::invoker_error_body(R"({"errorType":"A"})", "B") == R"({"errorType":"A"})");
    const nlohmann::json wrapped =
        parse(kbatch::serve::invoker_error_body("", "Kbatch.InvalidEvent"));
    CHECK(wrapped["errorType"] == "Kbatch.InvalidEvent");
    const nlohmann::json unknown = parse(kbatch::serve::invoker_error_body("not json", ""));
    CHECK(unknown["errorType"] == "Runtime.Unknown");
    CHECK(unknown["errorMessage"] == "not json");
}

TEST_CASE("Request ids look like UUIDs and do not repeat", "[serve][unit]") {
    kbatch::serve::RequestIds ids;
    std::set<std::string> seen;
    const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    for (int i = 0; i < 1000; ++i) {
        const std::string id = ids.request_id();
        REQUIRE(std::regex_match(id, uuid));
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("Wait statuses are worded as Lambda words them", "[serve][unit]") {
    CHECK(kbatch::serve::describe_wait_status(3 << 8) == "exit status 3");
    CHECK(kbatch::serve::describe_wait_status(SIGSEGV) == "signal: segmentation fault");
    CHECK(kbatch::serve::describe_wait_status(SIGKILL) == "signal: killed");
    CHECK(kbatch::serve::describe_wait_status(SIGABRT) == "signal: aborted");
}

TEST_CASE("ChildProcess reports an exec failure at once and stops what it started",
          "[serve][unit]") {
    kbatch::serve::ChildProcess child;
    const kbatch::Status failed = child.start({"/nonexistent/kbatch-runtime"}, {});
    CHECK_FALSE(failed.is_ok());
    CHECK(failed.kind() == kbatch::ErrorKind::kIoError);
    CHECK_THAT(failed.message(), Catch::Contains("/nonexistent/kbatch-runtime") &&
                                     Catch::Contains("No such file or directory"));
    CHECK_FALSE(child.running());

    REQUIRE(child.start({"/bin/sleep", "30"}, {"PATH=/bin"}).is_ok());
    CHECK(child.running());
    CHECK_FALSE(child.poll_exit().has_value());
    const int status = child.stop(2s);  // sleep dies of SIGTERM
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    CHECK_FALSE(child.running());

    REQUIRE(child.start({"/bin/sh", "-c", "exit 4"}, {"PATH=/bin"}).is_ok());
    std::optional<int> exited;
    for (int i = 0; i < 500 && !exited; ++i) {
        exited = child.poll_exit();
        std::this_thread::sleep_for(10ms);
    }
    REQUIRE(exited);
    CHECK(kbatch::serve::describe_wait_status(*exited) == "exit status 4");
}

TEST_CASE("The runtime's environment is Lambda's over the caller's", "[serve][unit]") {
    kbatch::serve::RuntimeEnvironmentSettings settings;
    settings.runtime_api = "127.0.0.1:9001";
    settings.handler = "random_failure";
    settings.plugin_config = R"({"seed":7})";
    settings.plugin_dirs = {"/a", "/b"};
    settings.task_root = "/work";
    settings.runtime_dir = "/opt";
    settings.function_name = "function";
    settings.region = "eu-west-1";
    settings.timeout_seconds = 5;
    const std::vector<std::string> environment = kbatch::serve::runtime_environment(
        settings, {"PATH=/usr/bin", "AWS_LAMBDA_RUNTIME_API=elsewhere:1", "_X_AMZN_TRACE_ID=old",
                   "KBATCH_FAILURE_MODE=stop-on-first-failure"});
    auto has = [&environment](const std::string& entry) {
        return std::find(environment.begin(), environment.end(), entry) != environment.end();
    };
    CHECK(has("PATH=/usr/bin"));
    CHECK(has("AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"));
    CHECK_FALSE(has("AWS_LAMBDA_RUNTIME_API=elsewhere:1"));
    CHECK_FALSE(has("_X_AMZN_TRACE_ID=old"));
    CHECK(has("_HANDLER=random_failure"));
    CHECK(has(R"(KBATCH_PLUGIN_CONFIG={"seed":7})"));
    CHECK(has("KBATCH_FAILURE_MODE=stop-on-first-failure"));  // not given: inherited
    CHECK(has("KBATCH_PLUGIN_PATH=/a:/b"));
    CHECK(has("LAMBDA_TASK_ROOT=/work"));
    CHECK(has("AWS_LAMBDA_FUNCTION_TIMEOUT=5"));
    CHECK(has("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128"));
    CHECK(has("AWS_REGION=eu-west-1"));
}

TEST_CASE("FileWatch reports a settled change once", "[serve][unit]") {
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("kbatch-serve-watch-" + std::to_string(getpid()));
    std::ofstream(file) << "one";
    kbatch::serve::FileWatch watch([file]() -> std::optional<std::filesystem::path> {
        if (!std::filesystem::exists(file))
            return std::nullopt;
        return file;
    });
    CHECK_FALSE(watch.changed());
    std::ofstream(file) << "a longer two";
    CHECK_FALSE(watch.changed());  // first sight of the change: wait for it to hold still
    CHECK(watch.changed());
    CHECK_FALSE(watch.changed());
    std::filesystem::remove(file);
    CHECK_FALSE(watch.changed());
    CHECK(watch.changed());
    CHECK(watch.description() == "(not found)");
}
