// A team's project outside this repository: the model plugin's folder (plugins/json_check),
// copied to a temporary folder and built against the SDK installed by `cmake --install` with
// find_package(kbatch). Its own tests run there, its .so runs through the installed
// `kbatch invoke`, and its function zip runs with the installed layer in an empty root.
#include <filesystem>
#include <iostream>
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

namespace fs = std::filesystem;
namespace kt = kbatch::testing;
using kbatch::test::CommandResult;
using Strings = std::vector<std::string>;

void require_success(const std::string& step, const CommandResult& result) {
    INFO(step << ":\n" << result.out << result.err);
    REQUIRE(result.exit_code == 0);
}

}  // namespace

TEST_CASE("a plugin project built against the installed SDK runs locally and in Lambda") {
    kbatch::test::TempDir work;
    const fs::path prefix = work / "prefix";
    const fs::path source = work / "json_check";
    const fs::path build = work / "build";

    require_success("install",
                    kbatch::test::run_command({cmake_command(), "--install", build_dir().string(),
                                               "--prefix", prefix.string()}));
    CHECK(fs::exists(prefix / "include/kbatch/testing.hpp"));
    CHECK(fs::exists(prefix / "share/kbatch/kbatch-layer-x86_64.zip"));

    // Only the project's own files travel: what a team would copy.
    fs::create_directories(source);
    for (const char* file : {"CMakeLists.txt", "json_check.cc", "json_check_test.cc"})
        fs::copy_file(plugin_source() / file, source / file);

    require_success(
        "configure",
        kbatch::test::run_command(
            {cmake_command(), "-S", source.string(), "-B", build.string(), "-G", cmake_generator(),
             "-DCMAKE_MAKE_PROGRAM=" + make_program(), "-DCMAKE_CXX_COMPILER=" + cxx_compiler(),
             "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix.string()}));
    require_success("build",
                    kbatch::test::run_command({cmake_command(), "--build", build.string()}));
    const fs::path plugin = build / "libjson_check.so";
    const fs::path function = build / "json_check-function.zip";
    REQUIRE(fs::exists(plugin));
    REQUIRE(fs::exists(function));

    // The project's own Catch2 tests, written with <kbatch/testing.hpp> from the prefix.
    require_success("its tests",
                    kbatch::test::run_command(
                        {ctest_command(), "--test-dir", build.string(), "--output-on-failure"}));

    const std::string event =
        kt::event_json({{"1", R"({"id": 1, "amount": 2})"}, {"2", R"({"id": 2})"}, {"3", "{"}});
    const std::string config = R"({"required_fields":["id","amount"]})";

    {  // Through the installed `kbatch invoke`.
        const CommandResult invoked =
            kbatch::test::run_command({(prefix / "bin/kbatch").string(), "invoke", "--data-file",
                                       "-", "--plugin", plugin.string(), "--config", config},
                                      event);
        require_success("kbatch invoke", invoked);
        CHECK(kbatch::test::item_identifiers(invoked.out) == Strings{"2", "3"});
    }

    // With the installed layer, in an empty root (the rest of this test counts without it).
    if (const std::string why = why_no_empty_root(); !why.empty()) {
        std::cout << "out-of-tree test: the empty-root part is left out: " << why << std::endl;
    } else {
        EmptyRoot root;
        root.unpack(prefix / "share/kbatch/kbatch-layer-x86_64.zip", "opt");
        root.unpack(function, "var/task");
        root.add_shell();
        const FunctionRun run =
            invoke_in_root(root, {.handler = "json_check", .plugin_config = config}, {event});
        INFO("runtime log:\n" << run.log);
        CHECK(kbatch::test::item_identifiers(run.responses.at(0)) == Strings{"2", "3"});
        CHECK(loaded_plugin(run, "/var/task/libjson_check.so"));
    }
}

}  // namespace kbatch::deploy_test
