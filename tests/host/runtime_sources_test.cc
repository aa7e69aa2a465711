// kbatch-runtime end to end on SQS (standard and FIFO) and DynamoDB Streams batches: the real
// binary and the shipped json_check plugin against a scripted Runtime API, each answer checked
// against the one worked out by hand (tests/support/source_scenarios.h).
#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "runtime_process.h"
#include "scripted_runtime_api.h"
#include "source_scenarios.h"
#include "test_support.h"

namespace kbatch::test {
namespace {

using namespace std::chrono_literals;

// Long enough for a loaded machine; a run that needs it has hung.
constexpr auto kRunTimeout = 60s;

TEST_CASE("SQS and DynamoDB batches get the partial batch response their source's rules give") {
    int checked = 0;
    for (const auto& [run, scenarios] : source_scenarios_by_run()) {
        const auto& [config, failure_mode] = run;
        // One runtime serves the group's batches in turn, whatever their source.
        std::vector<NextStep> script;
        for (std::size_t i = 0; i < scenarios.size(); ++i)
            script.push_back(event_step(fmt::format("req-{}", i), scenarios[i].event));
        ScriptedRuntimeApi api(script);
        const RuntimeExit exit = run_with_environment(
            KBATCH_TEST_RUNTIME_BINARY,
            runtime_environment(
                api, {"_HANDLER=" KBATCH_TEST_JSON_CHECK_PLUGIN, "KBATCH_PLUGIN_CONFIG=" + config,
                      "KBATCH_FAILURE_MODE=" + failure_mode}),
            kRunTimeout);
        INFO(failure_mode << ", configuration " << config << "\n" << exit.output);
        REQUIRE_FALSE(exit.timed_out);
        const std::vector<RecordedPost> posts = api.posts();
        REQUIRE(posts.size() == scenarios.size());
        for (std::size_t i = 0; i < scenarios.size(); ++i) {
            INFO(scenarios[i].name);
            CHECK(posts[i].target == response_target(fmt::format("req-{}", i)));
            CHECK(posts[i].error_type_header.empty());
            CHECK(item_identifiers(posts[i].body) == scenarios[i].expected);
            ++checked;
        }
    }
    CHECK(checked == static_cast<int>(source_scenarios().size()));
}

}  // namespace
}  // namespace kbatch::test
