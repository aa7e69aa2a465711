// The packages in a root file system that holds nothing else: the layer unpacked into /opt, a
// function into /var/task, a static busybox as /bin/sh for bootstrap's #!, and no /proc, /dev,
// /etc, /lib or /usr. If the host needed anything of the build machine's (its libc, libstdc++,
// loader, or a plugin found through /proc/self/exe), it would not start here.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "deploy_paths.h"
#include "empty_root.h"
#include "lambda_in_root.h"
#include "test_support.h"

namespace kbatch::deploy_test {
namespace {

namespace kt = kbatch::testing;
using Strings = std::vector<std::string>;

const char* const kJsonCheckConfig = R"({"required_fields":["id","amount"]})";

// Two batches for json_check: what fails is decided by the payloads alone.
std::vector<std::string> json_check_events() {
    return {
        kt::event_json(
            {{"101", R"({"id": 1, "amount": 2})"}, {"102", R"({"id": 2})"}, {"103", "not json"}}),
        kt::event_json({{"201", R"({"id": 3, "amount": 4})"}, {"202", "[]"}}),
    };
}

void check_json_check_answers(const FunctionRun& run) {
    INFO("runtime log:\n" << run.log);
    REQUIRE(run.responses.size() == 2);
    CHECK(kbatch::test::item_identifiers(run.responses[0]) == Strings{"102", "103"});
    CHECK(kbatch::test::item_identifiers(run.responses[1]) == Strings{"202"});
    // The plugin's own log line (its reason) reaches the function's log.
    CHECK(run.log.find("json_check: record 102: missing required field(s): amount") !=
          std::string::npos);
}

// random_failure with failure_rate 1 fails every record: the answer proves which plugin ran.
void check_default_plugin_answers(const FunctionRun& run, const std::string& plugin_file) {
    INFO("runtime log:\n" << run.log);
    REQUIRE(run.responses.size() == 1);
    CHECK(kbatch::test::item_identifiers(run.responses[0]) == Strings{"1", "2", "3"});
    CHECK(loaded_plugin(run, plugin_file));
}

const std::vector<std::string> kThreeRecords = {
    kt::event_json({{"1", "a"}, {"2", "b"}, {"3", "c"}})};

}  // namespace

TEST_CASE("layer in /opt and function in /var/task: the function's plugin answers") {
    if (!can_run_in_empty_root())
        return;
    EmptyRoot root;
    root.unpack(layer_zip(), "opt");
    root.unpack(function_zip(), "var/task");
    root.add_shell();
    INFO("the root holds:\n" << Catch::Detail::stringify(root.files()));

    const FunctionRun run = invoke_in_root(
        root, {.handler = "json_check", .plugin_config = kJsonCheckConfig}, json_check_events());
    check_json_check_answers(run);
    // The function's copy, not the layer's json_check: /var/task comes first.
    CHECK(loaded_plugin(run, "/var/task/libjson_check.so"));
}

TEST_CASE("layer alone with an empty handler: the layer's default plugin answers") {
    if (!can_run_in_empty_root())
        return;
    EmptyRoot root;
    root.unpack(layer_zip(), "opt");
    root.add_shell();

    const FunctionRun run = invoke_in_root(
        root, {.handler = "", .plugin_config = R"({"failure_rate": 1})"}, kThreeRecords);
    check_default_plugin_answers(run, "/opt/lib/kbatch/plugins/librandom_failure.so");
}

TEST_CASE("layer alone: a plugin the layer ships is found by name") {
    if (!can_run_in_empty_root())
        return;
    EmptyRoot root;
    root.unpack(layer_zip(), "opt");
    root.add_shell();

    const FunctionRun run = invoke_in_root(
        root, {.handler = "json_check", .plugin_config = kJsonCheckConfig}, json_check_events());
    check_json_check_answers(run);
    CHECK(loaded_plugin(run, "/opt/lib/kbatch/plugins/libjson_check.so"));
}

TEST_CASE("standalone zip in /var/task, no layer: the same answers") {
    if (!can_run_in_empty_root())
        return;
    {
        EmptyRoot root;
        root.unpack(standalone_zip(), "var/task");
        root.add_shell();
        const FunctionRun run = invoke_in_root(root,
                                               {.bootstrap = "/var/task/bootstrap",
                                                .handler = "json_check",
                                                .plugin_config = kJsonCheckConfig},
                                               json_check_events());
        check_json_check_answers(run);
    }
    {
        EmptyRoot root;
        root.unpack(standalone_zip(), "var/task");
        root.add_shell();
        const FunctionRun run = invoke_in_root(root,
                                               {.bootstrap = "/var/task/bootstrap",
                                                .handler = "",
                                                .plugin_config = R"({"failure_rate": 1})"},
                                               kThreeRecords);
        check_default_plugin_answers(run, "/var/task/lib/kbatch/plugins/librandom_failure.so");
    }
}

TEST_CASE("a plugin's standalone zip in /var/task, no layer: its plugin and library answer") {
    if (!can_run_in_empty_root())
        return;
    EmptyRoot root;
    root.unpack(library_standalone_zip(), "var/task");
    root.add_shell();

    const FunctionRun run =
        invoke_in_root(root,
                       {.bootstrap = "/var/task/bootstrap",
                        .handler = "deploy_greeting_plugin",
                        .plugin_config = "{}"},
                       {kt::event_json({{"1", "hello from lib/"}, {"2", "hello from elsewhere"}})});
    INFO("runtime log:\n" << run.log);
    CHECK(kbatch::test::item_identifiers(run.responses.at(0)) == Strings{"2"});
    CHECK(loaded_plugin(run, "/var/task/libdeploy_greeting_plugin.so"));
}

TEST_CASE("a function's own library in /var/task/lib is found, whatever the loader's path") {
    if (!can_run_in_empty_root())
        return;
    EmptyRoot root;
    root.unpack(layer_zip(), "opt");
    root.unpack(library_function_zip(), "var/task");
    root.add_shell();

    const FunctionRun run =
        invoke_in_root(root, {.handler = "deploy_greeting_plugin", .plugin_config = "{}"},
                       {kt::event_json({{"1", "hello from lib/"}, {"2", "hello from elsewhere"}})});
    INFO("runtime log:\n" << run.log);
    CHECK(kbatch::test::item_identifiers(run.responses.at(0)) == Strings{"2"});
}

}  // namespace kbatch::deploy_test
