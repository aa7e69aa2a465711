// A plugin written outside the tree: tests/stubs/out_of_tree_plugin.cc, one file that includes
// only <kbatch/plugin.hpp>, compiled here with the plain compiler command the README documents
// (no CMake, no kbatch library), then run by the real `kbatch invoke`. It fails exactly the
// records whose data starts with "Hello" (or the configured prefix).
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace kt = kbatch::testing;

namespace {
namespace fs = std::filesystem;
using kt::TestRecord;

// Compiles the out-of-tree plugin into `dir` with exactly the documented command.
fs::path build_plugin(const kbatch::test::TempDir& dir) {
    const fs::path plugin = dir / "libout_of_tree.so";
    const kbatch::test::CommandResult compiled = kbatch::test::run_command({
        "c++",
        "-std=c++20",
        "-shared",
        "-fPIC",
        "-fvisibility=hidden",
        "-DBOOST_DLL_USE_STD_FS",
        "-I",
        kbatch::test::sdk_include_dir().string(),
        "-o",
        plugin.string(),
        kbatch::test::out_of_tree_source().string(),
    });
    INFO("compiler output:\n" << compiled.out << compiled.err);
    REQUIRE(compiled.exit_code == 0);
    REQUIRE(fs::is_regular_file(plugin));
    return plugin;
}

}  // namespace

TEST_CASE("a plugin built outside the tree with the documented command decides the outcomes") {
    kbatch::test::TempDir dir;
    const fs::path plugin = build_plugin(dir);
    REQUIRE(plugin.is_absolute());

    const std::vector<TestRecord> records = {
        {"101", "Hello World"},
        {"102", "hello (lower case)"},
        {"103", "Say Hello"},
        {"104", "Hello"},
        {"105", ""},
        {"106", "Hell"},
    };
    const kbatch::test::CommandResult result = kbatch::test::run_kbatch(
        {"invoke", "--data-file", "-", "--plugin", plugin.string()}, kt::event_json(records));
    INFO("stdout: " << result.out << "\nstderr: " << result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(kbatch::test::item_identifiers(result.out) == std::vector<std::string>{"101", "104"});

    // Its configuration reaches it through --config.
    const kbatch::test::CommandResult configured =
        kbatch::test::run_kbatch({"invoke", "--data-file", "-", "--plugin", plugin.string(),
                                  "--config", R"({"prefix":"Say"})"},
                                 kt::event_json(records));
    INFO("stdout: " << configured.out << "\nstderr: " << configured.err);
    REQUIRE(configured.exit_code == 0);
    CHECK(kbatch::test::item_identifiers(configured.out) == std::vector<std::string>{"103"});

    // And the repository's example: both records say "Hello World".
    const kbatch::test::CommandResult example = kbatch::test::run_kbatch(
        {"invoke", "--data-file", (kbatch::test::events_dir() / "example.json").string(),
         "--plugin", plugin.string()});
    REQUIRE(example.exit_code == 0);
    CHECK(kbatch::test::item_identifiers(example.out).size() == 2);
}

TEST_CASE("an out-of-tree plugin loads in process too") {
    kbatch::test::TempDir dir;
    const fs::path plugin = build_plugin(dir);
    kt::Plugin loaded(plugin, {{"prefix", "x"}});
    // Built with the version 2 SDK, it is a version 2 plugin of Kinesis records.
    CHECK(loaded.traits().abi_version == 2);
    CHECK(loaded.traits().sources == kbatch::source_bit(kbatch::Source::kKinesis));
    const kt::BatchOutcome outcome = kt::run_batch(loaded.processor(), {{"1", "xyz"}, {"2", "yx"}});
    CHECK(outcome.failed_sequence_numbers() == std::vector<std::string>{"1"});
    CHECK(outcome.reason("1") == "starts with x");
}

TEST_CASE("each SDK header compiles on its own, warning-free under strict flags") {
    // Users include the SDK with -I, so its warnings become theirs; and each header promises to
    // include what it uses.
    // Recursive: the detail/ headers that testing.hpp includes are installed with the SDK too.
    const fs::path sdk = kbatch::test::sdk_include_dir();
    std::vector<fs::path> headers;
    for (const auto& entry : fs::recursive_directory_iterator(sdk / "kbatch")) {
        if (entry.path().extension() == ".hpp")
            headers.push_back(entry.path().lexically_relative(sdk));
    }
    REQUIRE(headers.size() >= 9);
    CHECK(std::find(headers.begin(), headers.end(), "kbatch/detail/plugin_loading.hpp") !=
          headers.end());
    for (const fs::path& header : headers) {
        INFO(header);
        const std::string source = "#include <" + header.string() + ">\n";
        const kbatch::test::CommandResult compiled = kbatch::test::run_command(
            {"c++", "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow",
             "-Wconversion", "-Werror", "-DBOOST_DLL_USE_STD_FS", "-I",
             kbatch::test::sdk_include_dir().string(), "-x", "c++", "-"},
            source);
        INFO(compiled.err);
        CHECK(compiled.exit_code == 0);
    }
}
