// Source compatibility (issue 13: "the README's ten-line plugin, and any v1 plugin that uses only
// what the v1 README documents (config.json() and config.env() included), compiles unchanged
// against the v2 SDK ... and becomes a v2 plugin"). Teams rebuild their plugins against the newest
// SDK in CI, with their own warning flags: each source here is compiled with -Wall -Wextra
// -Wpedantic -Werror against core/include, by the compiler command the README documents.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>

#include "abi_test_support.h"
#include "test_support.h"

namespace at = kbatch::abi_test;
namespace kt = kbatch::testing;

namespace {
namespace fs = std::filesystem;

const std::vector<std::string> kStrict = {"-Wall", "-Wextra", "-Wpedantic", "-Werror"};

// The first ```cpp block after the line `after` in README.md: what a reader copies.
std::string readme_block(std::string_view after) {
    const std::string readme = kbatch::test::read_file(KBATCH_TEST_README);
    const std::size_t heading = readme.find(after);
    INFO("README.md: " << after);
    REQUIRE(heading != std::string::npos);
    const std::string_view open = "```cpp\n";
    const std::size_t start = readme.find(open, heading);
    REQUIRE(start != std::string::npos);
    const std::size_t end = readme.find("```\n", start + open.size());
    REQUIRE(end != std::string::npos);
    return readme.substr(start + open.size(), end - start - open.size());
}

// Compiles `source` into a plugin in `dir`, as the README says (plus `extra` flags), against
// `include` (core/include unless said otherwise). Returns the plugin; the compile must succeed.
fs::path build_plugin(const kbatch::test::TempDir& dir, const fs::path& source,
                      const std::string& name, const fs::path& include,
                      const std::vector<std::string>& extra = kStrict) {
    const fs::path plugin = dir / ("lib" + name + ".so");
    std::vector<std::string> argv = {"c++",
                                     "-std=c++20",
                                     "-O2",
                                     "-shared",
                                     "-fPIC",
                                     "-fvisibility=hidden",
                                     "-DBOOST_DLL_USE_STD_FS"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"-I", include.string(), "-o", plugin.string(), source.string()});
    const kbatch::test::CommandResult compiled = kbatch::test::run_command(argv);
    INFO(source << " against " << include << ":\n" << compiled.out << compiled.err);
    REQUIRE(compiled.exit_code == 0);
    CHECK(compiled.err.empty());  // not even a warning that -Werror let through
    REQUIRE(fs::is_regular_file(plugin));
    return plugin;
}

// Checks that `source` compiles against this SDK with the strict flags (-fsyntax-only).
void check_compiles_strictly(const fs::path& source, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {"c++", "-std=c++20", "-fsyntax-only",
                                     "-DBOOST_DLL_USE_STD_FS"};
    argv.insert(argv.end(), kStrict.begin(), kStrict.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"-I", kbatch::test::sdk_include_dir().string(), source.string()});
    const kbatch::test::CommandResult compiled = kbatch::test::run_command(argv);
    INFO(source << ":\n" << compiled.out << compiled.err);
    CHECK(compiled.exit_code == 0);
    CHECK(compiled.err.empty());
}

std::string without_whitespace(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c != ' ' && c != '\n' && c != '\t')
            out += c;
    }
    return out;
}

}  // namespace

TEST_CASE("the README's plugin compiles unchanged against the version 2 SDK and is a v2 plugin") {
    const std::string source = readme_block("## Write a plugin");
    REQUIRE_THAT(source, Catch::Contains("KBATCH_PLUGIN(RejectEmpty)"));
    // The deployment tests build fixtures/readme_plugin/my_plugin.cc as the README's plugin: it
    // must be that plugin, token for token (clang-format lays it out differently).
    CHECK(without_whitespace(kbatch::test::read_file(KBATCH_TEST_README_FIXTURE)) ==
          without_whitespace(source));

    kbatch::test::TempDir dir;
    const fs::path file = dir / "reject_empty.cpp";
    kbatch::test::write_file(file, source);
    const std::vector<kt::TestRecord> records = {{"1", "a payload"}, {"2", ""}, {"3", "x"}};

    const fs::path v2 = build_plugin(dir, file, "reject_empty", kbatch::test::sdk_include_dir());
    const kt::Plugin plugin(v2);
    CHECK(plugin.traits().abi_version == 2);
    CHECK(plugin.traits().sources == kbatch::source_bit(kbatch::Source::kKinesis));
    const kt::BatchOutcome outcome = kt::run_batch(plugin.processor(), records);
    CHECK(outcome.failed_sequence_numbers() == std::vector<std::string>{"2"});
    CHECK(outcome.reason("2") == "empty payload");

    // Built against the version 1 SDK it was written for, it is a version 1 plugin that this host
    // runs to the same outcome.
    const fs::path v1 = build_plugin(dir, file, "reject_empty_v1", KBATCH_TEST_ABI_V1_INCLUDE_DIR);
    const kt::Plugin old(v1);
    CHECK(old.traits().abi_version == 1);
    CHECK(at::describe(kt::run_batch(old.processor(), records)) == at::describe(outcome));

    // And the README's command line runs it.
    const kbatch::test::CommandResult run = kbatch::test::run_kbatch(
        {"invoke", "--data-file", "-", "--plugin", v2.string()}, kt::event_json(records));
    INFO("stderr: " << run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(kbatch::test::item_identifiers(run.out) == std::vector<std::string>{"2"});
}

TEST_CASE("a v1 plugin configured through config.json() and config.env() builds as a v2 plugin") {
    kbatch::test::TempDir dir;
    const fs::path source = fs::path(KBATCH_TEST_STUBS_SOURCE_DIR) / "config_and_env.cc";
    const fs::path v2 =
        build_plugin(dir, source, "config_and_env", kbatch::test::sdk_include_dir());
    const kt::Plugin plugin(v2, {{"prefix", "ab"}, {"env", "SUFFIX"}},
                            kt::environment({{"SUFFIX", "cd"}}));
    CHECK(plugin.traits().abi_version == 2);
    const kt::BatchOutcome outcome =
        kt::run_batch(plugin.processor(), {{"1", "xxabcdxx"}, {"2", "abc"}});
    CHECK(outcome.failed_sequence_numbers() == std::vector<std::string>{"1"});
    CHECK(outcome.reason("1") == "stub_config_and_env: contains abcd");
    CHECK_THROWS_WITH(kt::Plugin(v2, {{"env", "SUFFIX"}}, kt::environment({})),
                      "stub_config_and_env: SUFFIX is not set");
}

TEST_CASE("every version 1 stub source compiles warning-free against the version 2 SDK") {
    // The sources the suite also builds against the frozen version 1 SDK (tests/CMakeLists.txt),
    // and the out-of-tree plugin the version 1 README's command compiled.
    const fs::path stubs = KBATCH_TEST_STUBS_SOURCE_DIR;
    for (const char* name :
         {"never_fails", "always_fails", "fails_on_substring", "logs_records",
          "throws_runtime_error", "throws_non_std", "throws_in_constructor", "throws_config_error",
          "misbehaves_on_stdout", "reads_clock", "config_and_env", "crashes_on_substring",
          "leaves_thread_running", "out_of_tree_plugin"}) {
        INFO(name);
        check_compiles_strictly(stubs / (std::string(name) + ".cc"));
    }
}

TEST_CASE("the README's test of its plugin compiles against the version 2 SDK") {
    kbatch::test::TempDir dir;
    const fs::path file = dir / "my_plugin_test.cc";
    kbatch::test::write_file(file, readme_block("`my_plugin_test.cc`:"));
    check_compiles_strictly(file, {"-DMY_PLUGIN=\"libmy_plugin.so\""});
}
