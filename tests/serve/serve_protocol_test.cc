// kbatch serve --no-spawn against a runtime written here: the Runtime API and the invoke endpoint
// as a runtime and an invoker see them, and the hygiene of the service.
#include <chrono>
#include <future>
#include <regex>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/idle_connections.h"
#include "support/ipv6_loopback.h"
#include "support/serve_process.h"
#include "support/test_runtime.h"
#include "test_support.h"

namespace {

using namespace kbatch::serve_test;
using namespace std::chrono_literals;

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::future<HttpResult> invoke_async(std::uint16_t port, std::string event,
                                     std::chrono::milliseconds timeout = 15s) {
    return std::async(std::launch::async, [port, event = std::move(event), timeout]() mutable {
        return invoke(port, std::move(event), timeout);
    });
}

nlohmann::json json_of(const std::string& text) {
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

TEST_CASE("serve prints its address and the lines that invoke it", "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});
    const std::string log = serve.log();
    const std::string url = "http://127.0.0.1:" + std::to_string(serve.port());
    // Lines that work anywhere: the event comes from `kbatch event`, kbatch is named by its path.
    CHECK_THAT(log, Catch::Contains(kbatch_exe() + " event kinesis | curl -sS " + url +
                                    "/2015-03-31/functions/function/invocations --data-binary @-"));
    CHECK_THAT(log, Catch::Contains(kbatch_exe() + " event kinesis | " + kbatch_exe() +
                                    " invoke --endpoint " + url + " --data-file -"));
    CHECK_THAT(log,
               Catch::Contains("AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(serve.port())));
    CHECK(serve.stop() == 0);
}

TEST_CASE("serve hands several invocations in a row to a runtime with Lambda's headers",
          "[serve][protocol]") {
    ServeProcess serve({"--no-spawn", "--timeout", "5"});
    for (int i = 0; i < 3; ++i) {
        const std::string event = R"({"n":)" + std::to_string(i) + "}";
        auto invoker = invoke_async(serve.port(), event);
        const std::int64_t before = now_ms();
        const NextInvocation next = next_invocation(serve.port());
        REQUIRE(next.ok());
        CHECK(next.event == event);
        CHECK(std::regex_match(next.request_id, kUuid));
        CHECK(next.deadline_ms >= before + 5000 - 50);
        CHECK(next.deadline_ms <= now_ms() + 5000 + 50);
        CHECK(
            std::regex_match(next.function_arn,
                             std::regex("arn:aws:lambda:[a-z0-9-]+:[0-9]{12}:function:function")));
        CHECK(std::regex_match(
            next.trace_id,
            std::regex("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0")));
        CHECK(next.http.header("Content-Type") == "application/json");

        const HttpResult posted =
            post_response(serve.port(), next.request_id, R"({"answer":)" + std::to_string(i) + "}");
        CHECK(posted.status == 202);
        const HttpResult answer = invoker.get();
        REQUIRE(answer.ok);
        CHECK(answer.status == 200);
        CHECK(answer.body == R"({"answer":)" + std::to_string(i) + "}");
        CHECK(answer.header("X-Amz-Function-Error").empty());
        CHECK(answer.header("X-Amzn-RequestId") == next.request_id);
        CHECK(answer.header("Content-Type") == "application/json");
    }
    CHECK(serve.stop() == 0);
}

TEST_CASE("serve queues invocations first in first out", "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});
    std::vector<std::future<HttpResult>> invokers;
    for (int i = 0; i < 3; ++i) {
        invokers.push_back(invoke_async(serve.port(), std::to_string(i)));
        // The invoke is logged only when answered, so wait a little for it to be queued.
        std::this_thread::sleep_for(150ms);
    }
    for (int i = 0; i < 3; ++i) {
        const NextInvocation next = next_invocation(serve.port());
        REQUIRE(next.ok());
        CHECK(next.event == std::to_string(i));
        post_response(serve.port(), next.request_id, "done " + next.event);
    }
    for (int i = 0; i < 3; ++i)
        CHECK(invokers[i].get().body == "done " + std::to_string(i));
}

TEST_CASE("A function error reaches the invoker with X-Amz-Function-Error: Unhandled",
          "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});

    SECTION("with the error body the runtime posted") {
        auto invoker = invoke_async(serve.port(), "{}");
        const NextInvocation next = next_invocation(serve.port());
        REQUIRE(next.ok());
        const std::string error = lambda_error("Kbatch.InvalidEvent", "Records: missing");
        const HttpResult posted =
            post_error(serve.port(), next.request_id, error, "Kbatch.InvalidEvent");
        CHECK(posted.status == 202);
        const HttpResult answer = invoker.get();
        CHECK(answer.status == 200);
        CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
        CHECK(answer.body == error);
    }
    SECTION("with only the error-type header: the body is built from it") {
        auto invoker = invoke_async(serve.port(), "{}");
        const NextInvocation next = next_invocation(serve.port());
        REQUIRE(next.ok());
        post_error(serve.port(), next.request_id, "", "Kbatch.UnidentifiableFailure");
        const HttpResult answer = invoker.get();
        CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
        CHECK(json_of(answer.body)["errorType"] == "Kbatch.UnidentifiableFailure");
    }
    CHECK(serve.stop() == 0);
}

TEST_CASE("An init error reaches the waiting invoker", "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});
    auto invoker = invoke_async(serve.port(), "{}");
    std::this_thread::sleep_for(150ms);
    const std::string error = lambda_error("Kbatch.PluginLoadError", "libnope.so: not found");
    const HttpResult posted = post_init_error(serve.port(), error, "Kbatch.PluginLoadError");
    CHECK(posted.status == 202);
    const HttpResult answer = invoker.get();
    REQUIRE(answer.ok);
    CHECK(answer.status == 200);
    CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
    CHECK(answer.body == error);
    CHECK(serve.wait_for_log("the runtime failed its init: Kbatch.PluginLoadError"));
    CHECK(serve.stop() == 0);
}

TEST_CASE("Unknown and finished request ids get Runtime API errors", "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});
    const HttpResult unknown = post_response(serve.port(), "no-such-request", "{}");
    CHECK(unknown.status == 400);
    CHECK(json_of(unknown.body)["errorType"] == "InvalidRequestID");
    const HttpResult unknown_error = post_error(serve.port(), "no-such-request", "{}", "X");
    CHECK(unknown_error.status == 400);

    auto invoker = invoke_async(serve.port(), "{}");
    const NextInvocation next = next_invocation(serve.port());
    REQUIRE(next.ok());
    CHECK(post_response(serve.port(), next.request_id, "first").status == 202);
    CHECK(invoker.get().body == "first");
    const HttpResult again = post_response(serve.port(), next.request_id, "second");
    CHECK(again.status == 403);
    CHECK(json_of(again.body)["errorType"] == "InvalidStateTransition");
    CHECK(post_error(serve.port(), next.request_id, "{}", "X").status == 403);
    CHECK(serve.stop() == 0);
}

TEST_CASE("Past the deadline the invoker gets a timeout error and the late answer is refused",
          "[serve][protocol]") {
    ServeProcess serve({"--no-spawn", "--timeout", "1"});
    auto invoker = invoke_async(serve.port(), R"({"slow":true})");
    const NextInvocation next = next_invocation(serve.port());
    REQUIRE(next.ok());
    // The runtime never answers: an answer within invoke()'s 15 s is serve's, at the deadline.
    const HttpResult answer = invoker.get();
    REQUIRE(answer.ok);
    CHECK(answer.status == 200);
    CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
    const nlohmann::json error = json_of(answer.body);
    CHECK(error["errorType"] == "Sandbox.Timedout");
    CHECK_THAT(error["errorMessage"].get<std::string>(),
               Catch::Contains("Task timed out after 1.00 seconds"));

    // The stale request is abandoned: its late answer is refused, and the next invoke works.
    CHECK(post_response(serve.port(), next.request_id, "late").status == 403);
    auto second = invoke_async(serve.port(), R"({"fast":true})");
    const NextInvocation next2 = next_invocation(serve.port());
    REQUIRE(next2.ok());
    CHECK(next2.request_id != next.request_id);
    CHECK(post_response(serve.port(), next2.request_id, "on time").status == 202);
    CHECK(second.get().body == "on time");
    CHECK(serve.stop() == 0);
}

TEST_CASE("Bodies over 6 MB get 413 and 6 MB exactly is accepted", "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});
    constexpr std::size_t kLimit = 6291456;

    const HttpResult too_large = invoke(serve.port(), std::string(kLimit + 1, 'x'));
    REQUIRE(too_large.ok);
    CHECK(too_large.status == 413);
    CHECK(json_of(too_large.body)["errorType"] == "RequestEntityTooLargeException");

    auto invoker = invoke_async(serve.port(), std::string(kLimit, 'y'));
    const NextInvocation next = next_invocation(serve.port());
    REQUIRE(next.ok());
    CHECK(next.event.size() == kLimit);

    SECTION("and a response over 6 MB fails the invocation, as on Lambda") {
        const HttpResult posted =
            post_response(serve.port(), next.request_id, std::string(kLimit + 1, 'z'));
        CHECK(posted.status == 413);
        const HttpResult answer = invoker.get();
        CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
        CHECK(json_of(answer.body)["errorType"] == "Function.ResponseSizeTooLarge");
    }
    SECTION("and a 6 MB response gets through") {
        CHECK(post_response(serve.port(), next.request_id, std::string(kLimit, 'z')).status == 202);
        CHECK(invoker.get().body.size() == kLimit);
    }
    CHECK(serve.stop() == 0);
}

TEST_CASE("A response over 6 MB posted to a URL with a query fails the invocation at once",
          "[serve][protocol]") {
    // The router ignores a query string; so must the check that fails the invocation on a 413,
    // or the invoker waits for the timeout instead.
    ServeProcess serve({"--no-spawn", "--timeout", "5"});
    auto invoker = invoke_async(serve.port(), "{}");
    const NextInvocation next = next_invocation(serve.port());
    REQUIRE(next.ok());
    const HttpResult posted =
        http_request(serve.port(), "POST",
                     "/2018-06-01/runtime/invocation/" + next.request_id + "/response?attempt=1",
                     std::string(6291457, 'z'), 15s, {{"Content-Type", "application/json"}});
    CHECK(posted.status == 413);
    const HttpResult answer = invoker.get();
    REQUIRE(answer.ok);
    CHECK(answer.header("X-Amz-Function-Error") == "Unhandled");
    CHECK(json_of(answer.body)["errorType"] == "Function.ResponseSizeTooLarge");
    CHECK(serve.stop() == 0);
}

TEST_CASE("An init error after the runtime's init is refused with 403 and fails no invocation",
          "[serve][protocol]") {
    ServeProcess serve({"--no-spawn", "--timeout", "5"});
    auto first = invoke_async(serve.port(), R"({"n":1})");
    const NextInvocation next = next_invocation(serve.port());
    REQUIRE(next.ok());

    // Out of sequence: the runtime has taken an invocation, so its init is over.
    const HttpResult refused = post_init_error(
        serve.port(), lambda_error("Kbatch.PluginLoadError", "too late"), "Kbatch.PluginLoadError");
    CHECK(refused.status == 403);
    CHECK(json_of(refused.body)["errorType"] == "InvalidStateTransition");
    CHECK(json_of(refused.body)["errorMessage"].is_string());

    // The invocation in flight is still its runtime's to answer...
    CHECK(post_response(serve.port(), next.request_id, "first answer").status == 202);
    const HttpResult first_answer = first.get();
    CHECK(first_answer.body == "first answer");
    CHECK(first_answer.header("X-Amz-Function-Error").empty());
    // ...and the next invocation goes to the runtime as usual.
    auto second = invoke_async(serve.port(), R"({"n":2})");
    const NextInvocation next2 = next_invocation(serve.port());
    REQUIRE(next2.ok());
    CHECK(next2.event == R"({"n":2})");
    CHECK(post_response(serve.port(), next2.request_id, "second answer").status == 202);
    CHECK(second.get().body == "second answer");
    CHECK(serve.stop() == 0);
}

TEST_CASE("Hundreds of idle connections neither stay open past the limit nor lock out an invoke",
          "[serve][protocol]") {
    // serve gets 256 descriptors: without a bound on connections, 400 idle ones would exhaust
    // them, and the invocation below would never be accepted.
    ServeProcess serve({"--no-spawn", "--timeout", "5"}, {}, 256);
    const IdleConnections idle(serve.port(), 400);

    auto invoker = invoke_async(serve.port(), "through the crowd", 10s);
    const NextInvocation next = next_invocation(serve.port(), 10s);
    REQUIRE(next.ok());
    CHECK(next.event == "through the crowd");
    CHECK(post_response(serve.port(), next.request_id, "answered").status == 202);
    const HttpResult answer = invoker.get();
    REQUIRE(answer.ok);
    CHECK(answer.body == "answered");
    // serve keeps at most 128 connections: the rest of the idle ones were closed for room.
    CHECK(idle.wait_closed(400 - 128, 10000) >= 400 - 128);
    CHECK(serve.process().running());
    CHECK(serve.stop() == 0);
}

TEST_CASE("Bodies are read whole whatever their framing, and over the limit refused unread",
          "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});
    SECTION("a chunked event reaches the runtime intact") {
        auto invoker = std::async(std::launch::async, [port = serve.port()] {
            return raw_exchange(port,
                                "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
                                "Host: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                "9\r\n{\"chunk\":\r\n3\r\ned}\r\n0\r\n\r\n",
                                10s);
        });
        const NextInvocation next = next_invocation(serve.port());
        REQUIRE(next.ok());
        CHECK(next.event == R"({"chunk":ed})");
        post_response(serve.port(), next.request_id, "ok");
        CHECK_THAT(invoker.get(), Catch::StartsWith("HTTP/1.1 200"));
    }
    SECTION("a Content-Length over 6 MB is answered 413 before any of the body is sent") {
        CHECK_THAT(raw_exchange(serve.port(),
                                "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
                                "Host: x\r\nContent-Length: 6291457\r\n\r\n"),
                   Catch::StartsWith("HTTP/1.1 413"));
    }
    SECTION("a chunk over 6 MB is answered 413") {
        CHECK_THAT(raw_exchange(serve.port(),
                                "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
                                "Host: x\r\nTransfer-Encoding: chunked\r\n\r\n600001\r\nxx"),
                   Catch::StartsWith("HTTP/1.1 413"));
    }
    CHECK(serve.stop() == 0);
}

TEST_CASE("serve --host ::1 listens on IPv6 and prints lines that reach it", "[serve][protocol]") {
    if (!has_ipv6_loopback()) {
        kbatch::test::report_skipped("this machine has no IPv6 loopback (cannot bind [::1])");
        return;
    }
    ServeProcess serve({"--no-spawn", "--host", "::1"});
    CHECK(serve.host() == "[::1]");
    const std::string url = serve.url();
    const std::string log = serve.log();
    // Quoted: a shell would take the brackets for a glob pattern (zsh refuses it unmatched).
    CHECK_THAT(log, Catch::Contains("curl -sS '" + url +
                                    "/2015-03-31/functions/function/invocations' --data-binary"));
    CHECK_THAT(log, Catch::Contains("kbatch invoke --endpoint '" + url + "' --data-file"));
    CHECK_THAT(log,
               Catch::Contains("AWS_LAMBDA_RUNTIME_API=[::1]:" + std::to_string(serve.port())));
    CHECK_THAT(log, !Catch::Contains("reachable from other machines"));

    // A runtime and an invoker over IPv6.
    auto invoker = std::async(std::launch::async, [port = serve.port()] {
        return http_request_to("::1", port, "POST", "/2015-03-31/functions/function/invocations",
                               "over six", 10s);
    });
    const HttpResult next =
        http_request_to("::1", serve.port(), "GET", "/2018-06-01/runtime/invocation/next", {}, 10s);
    REQUIRE(next.status == 200);
    CHECK(next.body == "over six");
    const std::string id = next.header("Lambda-Runtime-Aws-Request-Id");
    CHECK(http_request_to("::1", serve.port(), "POST",
                          "/2018-06-01/runtime/invocation/" + id + "/response", "answer six")
              .status == 202);
    CHECK(invoker.get().body == "answer six");
    CHECK(serve.stop() == 0);
}

TEST_CASE(
    "Malformed requests get 400 and unknown paths 404 and wrong methods 405 and the queue survives",
    "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});
    auto queued = invoke_async(serve.port(), R"({"keep":"me"})");
    std::this_thread::sleep_for(150ms);

    CHECK_THAT(raw_exchange(serve.port(), "THIS IS NOT HTTP\r\n\r\n"),
               Catch::StartsWith("HTTP/1.1 400"));
    CHECK_THAT(raw_exchange(serve.port(),
                            "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
                            "Host: x\r\nContent-Length: nope\r\n\r\n"),
               Catch::StartsWith("HTTP/1.1 400"));
    CHECK_THAT(raw_exchange(serve.port(),
                            "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
                            "Host: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n"),
               Catch::StartsWith("HTTP/1.1 400"));
    CHECK_THAT(raw_exchange(serve.port(), "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
               Catch::StartsWith("HTTP/1.1 400"));
    // A client that gives up halfway through its body.
    CHECK(raw_exchange(serve.port(),
                       "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\n"
                       "Host: x\r\nContent-Length: 100\r\n\r\n{\"half\":",
                       300ms)
              .empty());

    const HttpResult not_found = http_request(serve.port(), "GET", "/nothing/here");
    CHECK(not_found.status == 404);
    CHECK(http_request(serve.port(), "POST", "/2018-06-01/runtime/invocation/x/other").status ==
          404);
    CHECK(http_request(serve.port(), "POST", "/2015-03-31/functions/invocations").status == 404);

    const HttpResult get_invoke =
        http_request(serve.port(), "GET", "/2015-03-31/functions/function/invocations");
    CHECK(get_invoke.status == 405);
    CHECK(get_invoke.header("Allow") == "POST");
    const HttpResult post_next =
        http_request(serve.port(), "POST", "/2018-06-01/runtime/invocation/next");
    CHECK(post_next.status == 405);
    CHECK(post_next.header("Allow") == "GET");
    CHECK(http_request(serve.port(), "PUT", "/2018-06-01/runtime/init/error").status == 405);
    CHECK(http_request(serve.port(), "POST", "/2018-06-01/runtime/invocation//response").status ==
          400);
    CHECK(invoke(serve.port(), std::string(6291457, 'x')).status == 413);

    // None of that touched the invocation that was waiting.
    const NextInvocation next = next_invocation(serve.port());
    REQUIRE(next.ok());
    CHECK(next.event == R"({"keep":"me"})");
    post_response(serve.port(), next.request_id, "kept");
    CHECK(queued.get().body == "kept");
    CHECK(serve.stop() == 0);
}

TEST_CASE("A runtime that hangs up while waiting on /next does not swallow an invocation",
          "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});
    // A runtime that gives up on /next after 300 ms and goes away.
    const NextInvocation abandoned = next_invocation(serve.port(), 300ms);
    CHECK_FALSE(abandoned.http.ok);
    std::this_thread::sleep_for(400ms);  // longer than serve's check interval

    auto invoker = invoke_async(serve.port(), "for the live runtime");
    const NextInvocation next = next_invocation(serve.port(), 5s);
    REQUIRE(next.ok());
    CHECK(next.event == "for the live runtime");
    post_response(serve.port(), next.request_id, "ok");
    CHECK(invoker.get().body == "ok");
    CHECK(serve.stop() == 0);
}

TEST_CASE("An invocation that arrives just after its runtime hung up goes to the next runtime",
          "[serve][protocol]") {
    // As when a runtime is killed between invocations under --no-spawn: the invocation comes
    // while serve's wait for the dead runtime's /next has not yet looked at its connection.
    ServeProcess serve({"--no-spawn", "--timeout", "5"});
    const NextInvocation abandoned = next_invocation(serve.port(), 100ms);
    CHECK_FALSE(abandoned.http.ok);

    auto invoker = invoke_async(serve.port(), "for the live runtime");
    const NextInvocation next = next_invocation(serve.port(), 3s);
    REQUIRE(next.ok());
    CHECK(next.event == "for the live runtime");
    post_response(serve.port(), next.request_id, "ok");
    CHECK(invoker.get().body == "ok");
    CHECK(serve.stop() == 0);
}

TEST_CASE("SIGTERM stops serve promptly and answers waiting invokers", "[serve][protocol]") {
    ServeProcess serve({"--no-spawn"});
    auto waiting_invoke = invoke_async(serve.port(), "{}");
    auto waiting_next = std::async(std::launch::async,
                                   [port = serve.port()] { return next_invocation(port, 10s); });
    std::this_thread::sleep_for(150ms);
    // The runtime took the invocation; a second invoker waits in the queue.
    const NextInvocation held = waiting_next.get();
    REQUIRE(held.ok());
    auto queued_invoke = invoke_async(serve.port(), "{}");
    std::this_thread::sleep_for(150ms);

    // The held invocation is never answered: stopping at all means serve did not wait for it.
    CHECK(serve.stop(10s) == 0);
    CHECK(waiting_invoke.get().status == 503);
    CHECK(queued_invoke.get().status == 503);
    CHECK_THAT(serve.log(), Catch::Contains("SIGTERM: stopping"));
}

TEST_CASE("serve refuses a wrong command line", "[serve][protocol]") {
    SECTION("invalid --config JSON is a usage error") {
        Subprocess process(
            {{kbatch_exe(), "serve", "--port", "0", "--no-spawn", "--config", "{"}, {}, {}, {}});
        const auto status = process.wait(10s);
        REQUIRE(status);
        CHECK(exit_code(*status) == 2);
        CHECK_THAT(process.output(), Catch::Contains("--config: invalid JSON at line 1"));
    }
    SECTION("--watch needs a runtime to replace") {
        Subprocess process(
            {{kbatch_exe(), "serve", "--port", "0", "--no-spawn", "--watch"}, {}, {}, {}});
        const auto status = process.wait(10s);
        REQUIRE(status);
        CHECK(exit_code(*status) == 2);
    }
    SECTION("a runtime that does not exist is named, with what to do") {
        Subprocess process(
            {{kbatch_exe(), "serve", "--port", "0", "--runtime", "/nonexistent/rt"}, {}, {}, {}});
        const auto status = process.wait(10s);
        REQUIRE(status);
        CHECK(exit_code(*status) == 1);
        CHECK_THAT(process.output(),
                   Catch::Contains("/nonexistent/rt") && Catch::Contains("--no-spawn"));
    }
    SECTION("a port in use") {
        ServeProcess first({"--no-spawn"});
        Subprocess second(
            {{kbatch_exe(), "serve", "--no-spawn", "--port", std::to_string(first.port())},
             {},
             {},
             {}});
        const auto status = second.wait(10s);
        REQUIRE(status);
        CHECK(exit_code(*status) == 1);
        CHECK_THAT(second.output(),
                   Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
    }
}
