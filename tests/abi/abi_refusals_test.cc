// What the host refuses, and how (issue 13: "a plugin built with -D_GLIBCXX_USE_CXX11_ABI=0, or
// without -DBOOST_DLL_USE_STD_FS, is refused with a one-line message naming the setting; no
// crash"): the fingerprint of kbatch/abi.hpp's PluginInfo, the level of version 2 a plugin needs,
// a damaged PluginInfo and an ABI version the host does not speak. Every refusal is one line that
// names the file, comes before anything of the plugin is called, and reads the same from the
// host's loader, kbatch::testing::Plugin and `kbatch invoke`.
//
// (An old version 1 host refusing a version 2 plugin cannot be tested here: there is no version 1
// host in this tree. It reads kbatch_abi_version, which every version exports as a uint32, and
// refuses 2 by its own "another ABI version" message.)
#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/detail/elf_imports.hpp>
#include <kbatch/detail/plugin_loading.hpp>
#include <kbatch/testing.hpp>

#include "abi_test_support.h"
#include "plugin_loader.h"
#include "test_support.h"

namespace at = kbatch::abi_test;
namespace kt = kbatch::testing;

namespace {
namespace fs = std::filesystem;

// How many processors the counts_constructions stub built from `file` has constructed in this
// process (its exported int stub_constructions); the library must be loaded already.
int constructions(const fs::path& file) {
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(handle != nullptr);
    const auto* count = static_cast<const int*>(::dlsym(handle, "stub_constructions"));
    ::dlclose(handle);
    REQUIRE(count != nullptr);
    return *count;
}

// The host's own value of _GLIBCXX_USE_CXX11_ABI (the test is built as the host is).
const std::string kHostCxx11Abi =
    "_GLIBCXX_USE_CXX11_ABI=" + std::to_string(_GLIBCXX_USE_CXX11_ABI);

// Runs `kbatch invoke` on the repository's Kinesis example with `file` as the plugin, expecting the
// load to be refused: exit code 1, nothing on stdout, no signal, and `message` as the one line
// on stderr (after the CLI's own prefix).
void check_invoke_refuses(const fs::path& file, const std::string& message) {
    const kbatch::test::CommandResult run = kbatch::test::run_kbatch(
        {"invoke", "--data-file", (kbatch::test::events_dir() / "example.json").string(),
         "--plugin", file.string()});
    INFO(file << "\nstdout: " << run.out << "\nstderr: " << run.err);
    CHECK(run.signal == 0);
    CHECK(run.exit_code == 1);
    CHECK(run.out.empty());
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK_THAT(run.err, Catch::EndsWith(message + "\n"));
}

// The host's loader refuses `file` as an ABI mismatch; kbatch::testing::Plugin says the same;
// returns the message.
std::string refused_as_mismatch(const fs::path& file) {
    const kbatch::Status status = at::load_refused(file);
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THROWS_AS(kt::Plugin(file), std::runtime_error);
    CHECK_THROWS_WITH(kt::Plugin(file), status.message());
    return status.message();
}

}  // namespace

TEST_CASE("the good build of the fingerprint stub loads and constructs once per load") {
    const fs::path good = at::v2_stub("counts_constructions");
    auto plugin = at::load_ok(good);
    CHECK(constructions(good) == 1);
    const kt::BatchOutcome outcome = kt::run_batch(plugin->processor(), {{"1", "a"}});
    CHECK(outcome.failed_sequence_numbers().empty());
}

TEST_CASE("a plugin built with -D_GLIBCXX_USE_CXX11_ABI=0 is refused, naming the setting") {
    const fs::path file = at::v2_stub("cxx11_abi_0");
    const std::string message = refused_as_mismatch(file);
    CHECK(message == "plugin " + kbatch::detail::quoted_path(file) +
                         " was built with _GLIBCXX_USE_CXX11_ABI=0, but this host with " +
                         kHostCxx11Abi +
                         ": rebuild the plugin with the host's setting (plugin built with kbatch "
                         "SDK " KBATCH_SDK_VERSION ", host " KBATCH_SDK_VERSION ")");
    // Refused before anything of it ran: its constructor never did.
    CHECK(constructions(file) == 0);
    check_invoke_refuses(file, message);
}

TEST_CASE(
    "a version 1 plugin built with -D_GLIBCXX_USE_CXX11_ABI=0 is refused, naming the setting") {
    // Version 1 has no fingerprint: before this check the host died in free() calling it. Its
    // imports give it away: the old std::string's members are named _ZNSs... (std::string is "Ss"
    // in the Itanium mangling), the C++11 one's _ZNSt7__cxx1112basic_string...
    const fs::path file = at::v1_stub("cxx11_abi_0");
    const std::string message = refused_as_mismatch(file);
    const std::string prefix = "plugin " + kbatch::detail::quoted_path(file) +
                               " was built with _GLIBCXX_USE_CXX11_ABI=0 (it imports _ZNSs";
    CHECK_THAT(message, Catch::StartsWith(prefix));
    CHECK_THAT(message,
               Catch::EndsWith("), but this host with " + kHostCxx11Abi +
                               ": rebuild the plugin with the host's setting (a plugin of ABI "
                               "version 1 exports no fingerprint; its imports tell the setting)"));
    check_invoke_refuses(file, message);
    // The good build of the same source is not mistaken for one.
    auto good = at::load_ok(at::v1_stub("never_fails"));
    CHECK(kt::run_batch(good->processor(), {{"1", "a"}}).failed_sequence_numbers().empty());
}

TEST_CASE("a plugin built without -DBOOST_DLL_USE_STD_FS is refused, naming the setting") {
    const fs::path file = at::v2_stub("no_std_fs");
    const std::string message = refused_as_mismatch(file);
    CHECK(message == "plugin " + kbatch::detail::quoted_path(file) +
                         " was built with no BOOST_DLL_USE_STD_FS, but this host with "
                         "-DBOOST_DLL_USE_STD_FS: rebuild the plugin with the host's setting "
                         "(plugin built with kbatch SDK " KBATCH_SDK_VERSION
                         ", host " KBATCH_SDK_VERSION ")");
    CHECK(constructions(file) == 0);
    check_invoke_refuses(file, message);
}

TEST_CASE("a plugin that needs a higher level of version 2 is refused by name") {
    const fs::path file = at::v2_stub("future_level");
    const std::string message = refused_as_mismatch(file);
    CHECK(message == "plugin " + kbatch::detail::quoted_path(file) +
                         " needs kbatch plugin ABI 2.99, but this host provides 2." +
                         std::to_string(KBATCH_ABI_LEVEL) +
                         ": upgrade the kbatch host (layer) (plugin built with kbatch SDK 9.9.9, "
                         "host " KBATCH_SDK_VERSION ")");
    // Its factory reports an error when called: the message would carry it.
    CHECK_THAT(message, !Catch::Contains("called the factory"));
    check_invoke_refuses(file, message);
}

TEST_CASE("a plugin from a later SDK with a longer PluginInfo but level 1 loads") {
    // Version 2 grows by appending: a host reads the fields it knows and loads every plugin that
    // needs no more than it provides.
    const fs::path file = at::v2_stub("future_sdk_level1");
    auto plugin = at::load_ok(file);
    CHECK(plugin->processor().traits().abi_version == 2);
    CHECK(plugin->processor().traits().sources == kbatch::source_bit(kbatch::Source::kKinesis));
    const kt::BatchOutcome outcome = kt::run_batch(plugin->processor(), {{"7", "x"}});
    CHECK(outcome.reason("7") == "stub_future_sdk_level1: 7");

    const kbatch::test::CommandResult run = kbatch::test::run_kbatch(
        {"invoke", "--data-file", (kbatch::test::events_dir() / "example.json").string(),
         "--plugin", file.string()});
    INFO("stderr: " << run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(kbatch::test::item_identifiers(run.out).size() == 2);
}

TEST_CASE("a damaged PluginInfo is refused without reading past its size") {
    // The record's size says 16 bytes; behind them lie pointers to address 1 where sdk_version
    // and create would be. Reading either crashes the host.
    const fs::path file = at::v2_stub("damaged_info");
    const std::string message = refused_as_mismatch(file);
    CHECK(message == kbatch::detail::quoted_path(file) +
                         "'s kbatch_plugin_info is damaged (size 16, ABI version 2): rebuild the "
                         "plugin with KBATCH_PLUGIN");
    check_invoke_refuses(file, message);
}

TEST_CASE("a plugin of ABI version 3 is refused, naming both versions") {
    const fs::path file = at::v2_stub("abi_v3");
    const std::string message = refused_as_mismatch(file);
    CHECK(message ==
          kbatch::detail::quoted_path(file) +
              " was built against kbatch plugin ABI version 3, but this host speaks "
              "versions 1 and 2: rebuild the plugin against this SDK (" KBATCH_SDK_VERSION ")");
    CHECK_THAT(message, !Catch::Contains("called the factory"));
    check_invoke_refuses(file, message);
    // The same for a version from further off.
    CHECK_THAT(refused_as_mismatch(at::v2_stub("wrong_abi")),
               Catch::Contains("ABI version 99") && Catch::Contains("versions 1 and 2"));
}

TEST_CASE("version 2 plugins without their PluginInfo, version or factory are refused by name") {
    const fs::path abi_only = at::v2_stub("abi_only");
    const kbatch::Status no_info = at::load_refused(abi_only);
    CHECK(no_info.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK(no_info.message() == kbatch::detail::quoted_path(abi_only) +
                                   " is not a kbatch plugin: it exports no kbatch_plugin_info");
    const fs::path info_only = at::v2_stub("factory_only");
    const kbatch::Status no_version = at::load_refused(info_only);
    CHECK(no_version.message() == kbatch::detail::quoted_path(info_only) +
                                      " is not a kbatch plugin: it exports no kbatch_abi_version");
    const fs::path null_factory = at::v2_stub("null_factory");
    const kbatch::Status null = at::load_refused(null_factory);
    CHECK(null.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK(null.message() == "plugin " + kbatch::detail::quoted_path(null_factory) +
                                " failed to start: its factory returned null");
    for (const fs::path& file : {abi_only, info_only, null_factory})
        CHECK_THROWS_WITH(kt::Plugin(file), at::load_refused(file).message());
}

TEST_CASE("the imports reader reads inside the file only, whatever the file holds") {
    // It reads files the host is asked to load, which may be anything: cut short, or with
    // offsets and sizes pointing anywhere. Seeded cuts and byte changes of a real plugin must
    // answer an import name or nothing, never read outside the file (ASan would see it).
    const std::string plugin = kbatch::test::read_file(at::v1_stub("cxx11_abi_0"));
    const std::string_view prefixes[] = {"_ZNSs", "_ZNKSs"};
    kbatch::test::TempDir dir;
    const fs::path copy = dir / "copy.so";
    kbatch::test::write_file(copy, plugin);
    CHECK_THAT(kbatch::detail::first_import_starting_with(copy, prefixes),
               Catch::StartsWith("_ZNSs") || Catch::StartsWith("_ZNKSs"));

    kbatch::test::write_file(copy, "not an ELF file at all");
    CHECK(kbatch::detail::first_import_starting_with(copy, prefixes).empty());
    CHECK(kbatch::detail::first_import_starting_with(dir / "missing.so", prefixes).empty());

    std::mt19937_64 engine(20261201);
    for (int round = 0; round < 200; ++round) {
        std::string damaged = plugin;
        if (round % 2 == 0) {
            damaged.resize(std::uniform_int_distribution<std::size_t>(0, plugin.size())(engine));
        } else {
            for (int change = 0; change < 16; ++change) {
                const std::size_t at =
                    std::uniform_int_distribution<std::size_t>(0, damaged.size() - 1)(engine);
                damaged[at] = static_cast<char>(engine());
            }
        }
        kbatch::test::write_file(copy, damaged);
        const std::string found = kbatch::detail::first_import_starting_with(copy, prefixes);
        INFO("round " << round);
        CHECK((found.empty() || found.starts_with("_ZNSs") || found.starts_with("_ZNKSs")));
    }
}
