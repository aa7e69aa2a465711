// kbatch-runtime end to end: the real binary against a scripted Runtime API.
#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "invocation_handler.h"
#include "runtime_process.h"
#include "scripted_runtime_api.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace kbatch::test {
namespace {

using namespace std::chrono_literals;

// Long enough for a loaded machine; a run that needs it has hung.
constexpr auto kRunTimeout = 30s;

// The error document Lambda expects, checked key by key.
void require_error_document(const std::string& body, std::string_view error_type,
                            std::string_view message_part) {
    INFO("error body: " << body);
    const nlohmann::json document = nlohmann::json::parse(body);
    REQUIRE(document.size() == 3);
    REQUIRE(document.at("errorType") == error_type);
    REQUIRE(document.at("errorMessage").get<std::string>().find(message_part) != std::string::npos);
    REQUIRE(document.at("stackTrace") == nlohmann::json::array());
}

TEST_CASE("answers each invocation to its own request id, as the in-process handler would") {
    std::vector<std::string> events;
    for (int batch = 0; batch < 3; ++batch) {
        events.push_back(
            kt::event_json(numbered_records(20, fmt::format("batch {} record ", batch))));
    }
    ScriptedRuntimeApi api({event_step("req-a", events[0]), event_step("req-b", events[1]),
                            event_step("req-c", events[2])});
    const RuntimeExit exit = run_with_environment(
        KBATCH_TEST_RUNTIME_BINARY, runtime_environment(api, {"KBATCH_PLUGIN_CONFIG={\"seed\":7}"}),
        kRunTimeout);
    INFO(exit.output);
    REQUIRE_FALSE(exit.timed_out);

    // The same plugin, seed and events in process: one plugin instance serves all three batches.
    kt::Plugin plugin(random_failure_plugin(), {{"seed", 7}});
    InvocationHandler handler;
    kt::TestContext context;
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() == 3);
    const char* ids[] = {"req-a", "req-b", "req-c"};
    for (std::size_t i = 0; i < 3; ++i) {
        std::string expected;
        REQUIRE(
            handler.handle(events[i], plugin.processor(), context.context(), &expected).is_ok());
        CHECK(posts[i].target == response_target(ids[i]));
        CHECK(posts[i].content_type == "application/json");
        CHECK(posts[i].error_type_header.empty());
        CHECK(item_identifiers(posts[i].body) == item_identifiers(expected));
    }
    // With the script used up the API stops listening: the runtime gives up after its retries.
    CHECK(exit.exit_code == 1);
    CHECK(exit.output.find("exiting so that Lambda replaces this runtime") != std::string::npos);
}

TEST_CASE("the ReportBatchItemFailures watch speaks only when KBATCH_RBIF_WATCH=on") {
    // Record 0 fails; the next batch of the same shard starts after it, as Lambda does when the
    // event source mapping lacks ReportBatchItemFailures.
    const std::string first =
        kt::event_json({{kt::sequence_number(0), "fail"}, {kt::sequence_number(1), "ok"}});
    const std::string second = kt::event_json({{kt::sequence_number(2), "ok"}});
    const auto run = [&](std::vector<std::string> extra) {
        ScriptedRuntimeApi api({event_step("one", first), event_step("two", second)});
        extra.push_back("_HANDLER=" + stub_path("fails_on_substring").string());
        extra.push_back(R"(KBATCH_PLUGIN_CONFIG={"needle":"fail"})");
        const RuntimeExit exit = run_with_environment(KBATCH_TEST_RUNTIME_BINARY,
                                                      runtime_environment(api, extra), kRunTimeout);
        INFO(exit.output);
        REQUIRE(api.posts().size() == 2);
        CHECK(item_identifiers(api.posts()[0].body) == std::vector{kt::sequence_number(0)});
        return exit.output;
    };
    const std::string warning = "records reported failed were not delivered again";
    CHECK(run({}).find(warning) == std::string::npos);
    CHECK(run({"KBATCH_RBIF_WATCH=off"}).find(warning) == std::string::npos);
    CHECK(run({"KBATCH_RBIF_WATCH=on"}).find(warning) != std::string::npos);
}

TEST_CASE("an invalid event fails the invocation with Kbatch.InvalidEvent and the loop goes on") {
    ScriptedRuntimeApi api({event_step("bad", R"({"Records": 5})"),
                            event_step("good", kt::event_json(numbered_records(2)))});
    const RuntimeExit exit = run_with_environment(
        KBATCH_TEST_RUNTIME_BINARY,
        runtime_environment(api, {"_HANDLER=" + stub_path("always_fails").string()}), kRunTimeout);
    INFO(exit.output);
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() == 2);
    CHECK(posts[0].target == error_target("bad"));
    CHECK(posts[0].error_type_header == "Kbatch.InvalidEvent");
    CHECK(posts[0].content_type == "application/json");
    require_error_document(posts[0].body, "Kbatch.InvalidEvent", "Records: expected an array");
    CHECK(posts[1].target == response_target("good"));
    CHECK(item_identifiers(posts[1].body) ==
          std::vector{kt::sequence_number(0), kt::sequence_number(1)});
}

TEST_CASE("start-up failures go to /init/error with their errorType, before any /next") {
    struct Case {
        std::string variable;
        std::string error_type;
        std::string message_part;
    };
    const Case cases[] = {
        {"_HANDLER=no_such_plugin", "Kbatch.PluginLoadError", "libno_such_plugin.so"},
        {"_HANDLER=" + stub_path("no_kbatch_symbols").string(), "Kbatch.PluginLoadError",
         "not a kbatch plugin"},
        {"KBATCH_PLUGIN_CONFIG={\"failure_rate\":2}", "Kbatch.ConfigError", "failure_rate"},
        {"KBATCH_PLUGIN_CONFIG={not json", "Kbatch.ConfigError", "KBATCH_PLUGIN_CONFIG"},
        {"KBATCH_FAILURE_MODE=sometimes", "Kbatch.ConfigError", "KBATCH_FAILURE_MODE"},
        {"AWS_LAMBDA_LOG_LEVEL=LOUD", "Kbatch.ConfigError", "AWS_LAMBDA_LOG_LEVEL"},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.variable) {
            ScriptedRuntimeApi api({});
            const RuntimeExit exit = run_with_environment(
                KBATCH_TEST_RUNTIME_BINARY, runtime_environment(api, {c.variable}), kRunTimeout);
            INFO(exit.output);
            REQUIRE_FALSE(exit.timed_out);
            CHECK(exit.exit_code != 0);
            CHECK(api.next_requests() == 0);
            const std::vector<RecordedPost> posts = api.posts();
            REQUIRE(posts.size() == 1);
            CHECK(posts[0].target == "/2018-06-01/runtime/init/error");
            CHECK(posts[0].error_type_header == c.error_type);
            require_error_document(posts[0].body, c.error_type, c.message_part);
        }
    }
}

TEST_CASE("without AWS_LAMBDA_RUNTIME_API the runtime says so in one line and exits") {
    const RuntimeExit exit = run_with_environment(KBATCH_TEST_RUNTIME_BINARY, {}, kRunTimeout);
    CHECK(exit.exit_code == 1);
    CHECK(exit.output == "ERROR kbatch-runtime cannot start: AWS_LAMBDA_RUNTIME_API is not set\n");
}

// The probe plugin fails a record when the expectation in its partition key does not hold.
kt::TestRecord probe(std::size_t index, std::string expectation) {
    return kt::TestRecord{kt::sequence_number(index), "x", std::move(expectation)};
}

TEST_CASE("the trace id, the deadline and the function ARN reach the plugin") {
    NextStep traced = event_step(
        "traced",
        kt::event_json({probe(0, "trace=Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"),
                        probe(1, "deadline=1900000000123"),
                        probe(2, "arn=arn:aws:lambda:us-east-1:123456789012:function:test"),
                        probe(3, "trace=something else")}));
    traced.trace_id = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    traced.deadline_ms = 1900000000123;
    // The next invocation has no trace: the variable must not keep the previous one.
    NextStep untraced = event_step("untraced", kt::event_json({probe(0, "trace=")}));
    ScriptedRuntimeApi api({traced, untraced});
    const RuntimeExit exit = run_with_environment(
        KBATCH_TEST_RUNTIME_BINARY,
        runtime_environment(api, {"_HANDLER=" + std::string(KBATCH_TEST_PROBE_PLUGIN)}),
        kRunTimeout);
    INFO(exit.output);
    const std::vector<RecordedPost> posts = api.posts();
    REQUIRE(posts.size() == 2);
    CHECK(posts[0].target == response_target("traced"));
    // Only the record whose expectation is false fails, which shows the probe can fail.
    CHECK(item_identifiers(posts[0].body) == std::vector{kt::sequence_number(3)});
    CHECK(posts[1].target == response_target("untraced"));
    CHECK(item_identifiers(posts[1].body).empty());
}

TEST_CASE("JSON logs carry the request id and one line per batch, never the payload") {
    ScriptedRuntimeApi api(
        {event_step("req-json", kt::event_json(numbered_records(3, "SECRET-PAYLOAD ")))});
    const RuntimeExit exit = run_with_environment(
        KBATCH_TEST_RUNTIME_BINARY,
        runtime_environment(
            api, {"AWS_LAMBDA_LOG_FORMAT=JSON", "_HANDLER=" + stub_path("always_fails").string()}),
        kRunTimeout);
    INFO(exit.output);
    CHECK(exit.output.find("SECRET-PAYLOAD") == std::string::npos);
    int batch_lines = 0;
    std::size_t start = 0;
    while (start < exit.output.size()) {
        const std::size_t end = exit.output.find('\n', start);
        const std::string line = exit.output.substr(start, end - start);
        start = end == std::string::npos ? exit.output.size() : end + 1;
        const nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
        REQUIRE_FALSE(entry.is_discarded());  // every line is one JSON object
        REQUIRE(entry.contains("level"));
        REQUIRE(entry.contains("timestamp"));
        if (entry.at("message").get<std::string>().starts_with("batch: ")) {
            ++batch_lines;
            CHECK(entry.at("requestId") == "req-json");
            CHECK(entry.at("message").get<std::string>().find("3 records, 3 failed") !=
                  std::string::npos);
        }
    }
    CHECK(batch_lines == 1);
}

}  // namespace
}  // namespace kbatch::test
