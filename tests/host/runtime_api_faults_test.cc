// kbatch-runtime when the Runtime API misbehaves: it retries with backoff, posts what it can,
// never answers a request it did not get in full, and otherwise exits with one clear line.
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "runtime_process.h"
#include "scripted_runtime_api.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace kbatch::test {
namespace {

using namespace std::chrono_literals;
constexpr auto kRunTimeout = 30s;

NextStep step(NextStep::Kind kind, std::string request_id, std::string body) {
    NextStep next;
    next.kind = kind;
    next.request_id = std::move(request_id);
    next.body = std::move(body);
    return next;
}

RuntimeExit run_against(const ScriptedRuntimeApi& api) {
    return run_with_environment(KBATCH_TEST_RUNTIME_BINARY,
                                {"AWS_LAMBDA_RUNTIME_API=" + api.address(),
                                 "_HANDLER=" + stub_path("always_fails").string()},
                                kRunTimeout);
}

const std::string kEvent = kt::event_json(numbered_records(2));
const std::vector<std::string> kAllFailed = {kt::sequence_number(0), kt::sequence_number(1)};

TEST_CASE("a 500 from GET /next is retried and the invocation is served") {
    ScriptedRuntimeApi api({step(NextStep::Kind::kStatus500, "", ""),
                            step(NextStep::Kind::kEvent, "after-500", kEvent)});
    const RuntimeExit exit = run_against(api);
    INFO(exit.output);
    REQUIRE_FALSE(exit.timed_out);
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].target == response_target("after-500"));
    CHECK(item_identifiers(posts[0].body) == kAllFailed);
}

TEST_CASE("an event cut off mid-body is never answered; the next one is") {
    ScriptedRuntimeApi api({step(NextStep::Kind::kCloseMidBody, "cut-off", kEvent),
                            step(NextStep::Kind::kEvent, "whole", kEvent)});
    const RuntimeExit exit = run_against(api);
    INFO(exit.output);
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].target == response_target("whole"));
}

TEST_CASE("a wrong Content-Length gives a truncated event: that request alone fails, as invalid") {
    ScriptedRuntimeApi api({step(NextStep::Kind::kShortLength, "short", kEvent),
                            step(NextStep::Kind::kEvent, "next", kEvent)});
    const RuntimeExit exit = run_against(api);
    INFO(exit.output);
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() >= 2);
    // The stray byte after the short body breaks the answer to the first post, which is sent
    // again on a fresh connection: a repeat of the same answer, never an answer to another id.
    for (std::size_t i = 0; i + 1 < posts.size(); ++i) {
        CHECK(posts[i].target == "/2018-06-01/runtime/invocation/short/error");
        CHECK(posts[i].error_type_header == "Kbatch.InvalidEvent");
    }
    CHECK(posts.back().target == response_target("next"));
    CHECK(item_identifiers(posts.back().body) == kAllFailed);
}

TEST_CASE("an event announced over the size limit is refused from its headers, unread") {
    // The API then holds that connection for 60 s: a runtime that read the body would sit there
    // past the test's own timeout.
    ScriptedRuntimeApi api({step(NextStep::Kind::kHugeLength, "huge", std::string(65536, ' ')),
                            step(NextStep::Kind::kEvent, "after-huge", kEvent)});
    const RuntimeExit exit = run_against(api);
    INFO(exit.output);
    REQUIRE_FALSE(exit.timed_out);
    // Said as a retry, with the count: the next GET /next is the second of six attempts.
    CHECK(exit.output.find("body of 200000000 bytes is over the limit of 8388608 bytes "
                           "(attempt 2 of 6 next)") != std::string::npos);
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].target == response_target("after-huge"));
}

TEST_CASE("an invocation without a request id ends the runtime with one clear line") {
    ScriptedRuntimeApi api({step(NextStep::Kind::kNoRequestId, "", kEvent),
                            step(NextStep::Kind::kEvent, "never-reached", kEvent)});
    const RuntimeExit exit = run_against(api);
    INFO(exit.output);
    REQUIRE_FALSE(exit.timed_out);
    CHECK(exit.exit_code == 1);
    CHECK(api.posts().empty());
    CHECK(exit.output.find("without a Lambda-Runtime-Aws-Request-Id header") != std::string::npos);
}

TEST_CASE("an unsafe request id is refused rather than put into a URL") {
    ScriptedRuntimeApi api({step(NextStep::Kind::kEvent, "../../init/error", kEvent)});
    const RuntimeExit exit = run_against(api);
    INFO(exit.output);
    CHECK(exit.exit_code == 1);
    CHECK(api.posts().empty());
    CHECK(exit.output.find("unusable Lambda-Runtime-Aws-Request-Id") != std::string::npos);
}

TEST_CASE("a post answered 500 is retried until it is accepted") {
    ScriptedRuntimeApi api({step(NextStep::Kind::kEvent, "flaky", kEvent),
                            step(NextStep::Kind::kEvent, "steady", kEvent)},
                           /*failing_posts=*/2);
    const RuntimeExit exit = run_against(api);
    INFO(exit.output);
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() == 4);
    CHECK(posts[0].target == response_target("flaky") + " (answered 500)");
    CHECK(posts[1].target == response_target("flaky") + " (answered 500)");
    CHECK(posts[2].target == response_target("flaky"));
    CHECK(posts[3].target == response_target("steady"));
}

TEST_CASE("GET /next waits as long as it takes: no client timeout") {
    NextStep slow = step(NextStep::Kind::kStall, "slow", kEvent);
    slow.stall = 1500ms;
    ScriptedRuntimeApi api({slow});
    const RuntimeExit exit = run_against(api);
    INFO(exit.output);
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].target == response_target("slow"));
}

}  // namespace
}  // namespace kbatch::test
