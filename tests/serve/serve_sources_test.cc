// kbatch serve with kbatch-runtime behind it on SQS (standard and FIFO) and DynamoDB Streams
// batches: each invocation's answer, through the invoke endpoint as a caller gets it, against the
// one worked out by hand (tests/support/source_scenarios.h). The plugin is the shipped json_check.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "source_scenarios.h"
#include "support/http_client.h"
#include "support/serve_process.h"
#include "test_support.h"

namespace {

using namespace kbatch::serve_test;
using kbatch::test::item_identifiers;

TEST_CASE("serve answers SQS and DynamoDB batches as their source's rules say",
          "[serve][runtime]") {
    std::size_t checked = 0;
    for (const auto& [run, scenarios] : kbatch::test::source_scenarios_by_run()) {
        const auto& [config, failure_mode] = run;
        INFO(failure_mode << ", configuration " << config);
        ServeProcess serve({"--plugin", KBATCH_TEST_JSON_CHECK_PLUGIN, "--config", config,
                            "--failure-mode", failure_mode});
        for (const kbatch::test::SourceScenario& scenario : scenarios) {
            INFO(scenario.name);
            const HttpResult answer = invoke(serve.port(), scenario.event);
            REQUIRE(answer.ok);
            INFO(answer.body);
            CHECK(answer.status == 200);
            CHECK(answer.header("X-Amz-Function-Error").empty());
            CHECK(item_identifiers(answer.body) == scenario.expected);
            ++checked;
        }
        // One runtime served the group's batches, of several sources in turn.
        CHECK(serve.runtime_pids().size() == 1);
        CHECK(serve.stop() == 0);
    }
    CHECK(checked == kbatch::test::source_scenarios().size());
}

}  // namespace
