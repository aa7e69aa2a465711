// A team's project outside this repository, built against the SDK installed by
// `cmake --install` with find_package(kbatch):
// - the model plugin's folder (plugins/json_check), copied to a temporary folder: its own tests
//   run there, its .so runs through the installed `kbatch invoke`, and its function zip runs
//   with the installed layer in an empty root;
// - the README's plugin project (fixtures/readme_plugin), configured as the README says, with
//   no build type: its plugin is optimised, its zips hold it stripped, `ctest` runs its test,
//   and its standalone zip runs alone in an empty root.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "deploy_paths.h"
#include "elf_sections.h"
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

// The installed layer's file name: kbatch-layer-<version>-<arch>.zip.
std::string layer_name() {
    return layer_zip().filename().string();
}

void install_sdk(const fs::path& prefix) {
    require_success("install",
                    kbatch::test::run_command({cmake_command(), "--install", build_dir().string(),
                                               "--prefix", prefix.string()}));
}

// The compile command of `file` in a build folder's compile_commands.json.
std::string compile_command(const fs::path& build, const std::string& file) {
    const nlohmann::json commands =
        nlohmann::json::parse(kbatch::test::read_file(build / "compile_commands.json"));
    for (const nlohmann::json& command : commands) {
        if (command.at("file").get<std::string>().ends_with("/" + file))
            return command.at("command").get<std::string>();
    }
    FAIL("no compile command for " << file);
    return "";
}

}  // namespace

TEST_CASE("a plugin project built against the installed SDK runs locally and in Lambda") {
    kbatch::test::TempDir work;
    const fs::path prefix = work / "prefix";
    const fs::path source = work / "json_check";
    const fs::path build = work / "build";

    install_sdk(prefix);
    CHECK(fs::exists(prefix / "include/kbatch/testing.hpp"));
    // testing.hpp loads a plugin with the host's own sequence, from a header it includes.
    CHECK(fs::exists(prefix / "include/kbatch/detail/plugin_loading.hpp"));
    CHECK(fs::exists(prefix / "share/kbatch" / layer_name()));
    // The SAM template, beside the layer zip its default names.
    CHECK(kbatch::test::read_file(prefix / "share/kbatch/template.yaml") ==
          kbatch::test::read_file(template_file()));
    // The sample events, for a project that has no copy of this repository.
    CHECK(kbatch::test::read_file(prefix / "share/kbatch/events/example.json") ==
          kbatch::test::read_file(kbatch::test::events_dir() / "example.json"));

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
        root.unpack(prefix / "share/kbatch" / layer_name(), "opt");
        root.unpack(function, "var/task");
        root.add_shell();
        const FunctionRun run =
            invoke_in_root(root, {.handler = "json_check", .plugin_config = config}, {event});
        INFO("runtime log:\n" << run.log);
        CHECK(kbatch::test::item_identifiers(run.responses.at(0)) == Strings{"2", "3"});
        CHECK(loaded_plugin(run, "/var/task/libjson_check.so"));
    }
}

TEST_CASE("the README's plugin project, with no build type: optimised, stripped, tested") {
    kbatch::test::TempDir work;
    const fs::path prefix = work / "prefix";
    const fs::path build = work / "build";
    install_sdk(prefix);

    // As the README says, with no CMAKE_BUILD_TYPE (the toolchain is this build's, and the
    // compile commands are written to read the flags back).
    require_success(
        "configure",
        kbatch::test::run_command(
            {cmake_command(), "-S", readme_project().string(), "-B", build.string(), "-G",
             cmake_generator(), "-DCMAKE_MAKE_PROGRAM=" + make_program(),
             "-DCMAKE_CXX_COMPILER=" + cxx_compiler(), "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
             "-DCMAKE_PREFIX_PATH=" + prefix.string()}));
    require_success("build",
                    kbatch::test::run_command({cmake_command(), "--build", build.string()}));
    // Its test, which ctest must find: none found is an error.
    require_success("its tests",
                    kbatch::test::run_command({ctest_command(), "--test-dir", build.string(),
                                               "--no-tests=error", "--output-on-failure"}));

    {  // Optimised: the plugin's own compile line, read back (the test's is the project's).
        const std::string command = compile_command(build, "my_plugin.cc");
        INFO(command);
        CHECK(command.find(" -O2") != std::string::npos);
        CHECK(command.find(" -DNDEBUG") != std::string::npos);
        CHECK(command.find("++20") != std::string::npos);
        CHECK(compile_command(build, "my_plugin_test.cc").find(" -O2") == std::string::npos);
    }

    const fs::path plugin = build / "libmy_plugin.so";
    REQUIRE(fs::exists(plugin));
    // The built file keeps its debug information; the zips get it stripped.
    CHECK(has_elf_section(plugin, ".debug_info"));
    EmptyRoot root;
    root.unpack(build / "my_plugin-function.zip", "function");
    root.unpack(build / "my_plugin-standalone.zip", "var/task");
    for (const fs::path& packaged :
         {root.path() / "function/libmy_plugin.so", root.path() / "var/task/libmy_plugin.so"}) {
        INFO(packaged.string());
        CHECK_FALSE(has_elf_section(packaged, ".debug_info"));
        CHECK_FALSE(has_elf_section(packaged, ".symtab"));
    }
    std::cout << "README plugin: libmy_plugin.so " << fs::file_size(plugin) << " bytes built, "
              << fs::file_size(root.path() / "function/libmy_plugin.so") << " bytes in its zips"
              << std::endl;
    // The standalone zip is the installed runtime tree with the plugin at its root.
    CHECK(fs::exists(root.path() / "var/task/bootstrap"));
    CHECK(fs::exists(root.path() / "var/task/bin/kbatch-runtime"));
    CHECK(kbatch::test::read_file(root.path() / "var/task/kbatch-version") ==
          kbatch_version() + "\n");

    // The standalone zip alone, in an empty root, as Lambda runs it with Handler my_plugin.
    if (const std::string why = why_no_empty_root(); !why.empty()) {
        std::cout << "README project test: the empty-root part is left out: " << why << std::endl;
        return;
    }
    root.add_shell();
    const FunctionRun run = invoke_in_root(
        root, {.bootstrap = "/var/task/bootstrap", .handler = "my_plugin", .plugin_config = "{}"},
        {kt::event_json({{"1", "a payload"}, {"2", ""}, {"3", "another"}})});
    INFO("runtime log:\n" << run.log);
    CHECK(kbatch::test::item_identifiers(run.responses.at(0)) == Strings{"2"});
    CHECK(loaded_plugin(run, "/var/task/libmy_plugin.so"));
}

}  // namespace kbatch::deploy_test
