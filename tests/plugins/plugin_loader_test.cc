// Finding and loading plugins (runtime/common/plugin_loader.h). Every failure must be one line that
// names the file and the problem, with the right ErrorKind, and must never crash or call into a
// plugin that failed a check.
#include <dlfcn.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "plugin_loader.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace {
namespace fs = std::filesystem;

// dlopen's own message for `file`, asked of dlopen directly (the loader must pass it on).
std::string dlopen_error(const fs::path& file) {
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
        ::dlclose(handle);
        return "(dlopen succeeded)";
    }
    return ::dlerror();
}

// Whether `file` is currently loaded in this process (RTLD_NOLOAD loads nothing).
bool is_loaded(const fs::path& file) {
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (handle == nullptr)
        return false;
    ::dlclose(handle);
    return true;
}

// Loads `file` with the host's loader, expecting success; the status is the failure's message.
std::unique_ptr<kbatch::LoadedPlugin> load_ok(const fs::path& file,
                                              nlohmann::json config = nlohmann::json::object()) {
    std::unique_ptr<kbatch::LoadedPlugin> plugin;
    const kbatch::Status status =
        kbatch::LoadedPlugin::load(file, kbatch::PluginConfig(std::move(config)), &plugin);
    INFO("loading " << file << ": " << status.to_string());
    REQUIRE(status.is_ok());
    REQUIRE(plugin != nullptr);
    return plugin;
}

// Loads `file`, expecting failure; checks what every failure must satisfy.
kbatch::Status load_failure(const fs::path& file,
                            nlohmann::json config = nlohmann::json::object()) {
    std::unique_ptr<kbatch::LoadedPlugin> plugin;
    const kbatch::Status status =
        kbatch::LoadedPlugin::load(file, kbatch::PluginConfig(std::move(config)), &plugin);
    INFO(file << ": " << status.to_string());
    REQUIRE_FALSE(status.is_ok());
    CHECK(plugin == nullptr);
    CHECK(status.message().find('\n') == std::string::npos);           // one line
    CHECK(status.message().find(file.string()) != std::string::npos);  // names the file
    return status;
}

}  // namespace

TEST_CASE("a bare NAME is libNAME.so, found in the second folder when not in the first") {
    kbatch::test::TempDir empty;
    const std::vector<fs::path> dirs = {empty.path(), kbatch::test::stub_dir()};
    fs::path file;
    const kbatch::Status status = kbatch::resolve_plugin("stub_never_fails", dirs, &file);
    INFO(status.to_string());
    REQUIRE(status.is_ok());
    CHECK(file == kbatch::test::stub_dir() / "libstub_never_fails.so");
}

TEST_CASE("the first folder that has the plugin wins") {
    kbatch::test::TempDir first;
    fs::copy_file(kbatch::test::stub_path("always_fails"), first / "libstub_never_fails.so");
    const std::vector<fs::path> dirs = {first.path(), kbatch::test::stub_dir()};
    fs::path file;
    REQUIRE(kbatch::resolve_plugin("stub_never_fails", dirs, &file).is_ok());
    CHECK(file == first / "libstub_never_fails.so");
    // And it is that file that loads: the copy of always_fails.
    auto plugin = load_ok(file);
    const kt::BatchOutcome outcome = kt::run_batch(plugin->processor(), {{"1", "x"}});
    CHECK(outcome.reason("1") == "always_fails: 1");
}

TEST_CASE("a bare name ending in .so is the file name itself") {
    const std::vector<fs::path> dirs = {kbatch::test::stub_dir()};
    fs::path file;
    REQUIRE(kbatch::resolve_plugin("libstub_always_fails.so", dirs, &file).is_ok());
    CHECK(file == kbatch::test::stub_dir() / "libstub_always_fails.so");
}

TEST_CASE("a value containing '/' is a path, used as it is") {
    kbatch::test::TempDir decoy;  // a folder with a same-named file, which must be ignored
    fs::copy_file(kbatch::test::stub_path("always_fails"), decoy / "libstub_never_fails.so");
    const std::vector<fs::path> dirs = {decoy.path()};
    const fs::path absolute = kbatch::test::stub_path("never_fails");
    fs::path file;
    REQUIRE(kbatch::resolve_plugin(absolute.string(), dirs, &file).is_ok());
    CHECK(file == absolute);

    const fs::path relative = fs::relative(absolute);
    REQUIRE(relative.string().find('/') != std::string::npos);
    REQUIRE(kbatch::resolve_plugin(relative.string(), dirs, &file).is_ok());
    CHECK(file == relative);
}

TEST_CASE("a path that does not exist is a load error naming it") {
    kbatch::test::TempDir dir;
    const fs::path missing = dir / "nowhere" / "libgone.so";
    fs::path file = "unchanged";
    const kbatch::Status status = kbatch::resolve_plugin(missing.string(), {}, &file);
    REQUIRE_FALSE(status.is_ok());
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(status.message(),
               Catch::Contains(missing.string()) && Catch::Contains("does not exist"));
    CHECK(file == "unchanged");
}

TEST_CASE("a name found nowhere is a load error listing every folder searched") {
    kbatch::test::TempDir a, b;
    const std::vector<fs::path> dirs = {a.path(), b.path()};
    fs::path file;
    const kbatch::Status status = kbatch::resolve_plugin("nope", dirs, &file);
    REQUIRE_FALSE(status.is_ok());
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK(status.message() == "plugin \"nope\" not found: looked for libnope.so in " +
                                  a.path().string() + ", " + b.path().string());

    const kbatch::Status none = kbatch::resolve_plugin("nope", {}, &file);
    CHECK(none.message() ==
          "plugin \"nope\" not found: looked for libnope.so in (no plugin folders configured)");
    const kbatch::Status empty = kbatch::resolve_plugin("", dirs, &file);
    CHECK_FALSE(empty.is_ok());
    CHECK(empty.kind() == kbatch::ErrorKind::kPluginLoadError);
}

TEST_CASE("a good plugin loads and its processor works") {
    const fs::path path = kbatch::test::stub_path("fails_on_substring");
    auto plugin = load_ok(path, {{"needle", "x"}});
    CHECK(plugin->file() == path);
    const kt::BatchOutcome outcome =
        kt::run_batch(plugin->processor(), {{"1", "a x b"}, {"2", "a y b"}});
    CHECK(outcome.failed_sequence_numbers() == std::vector<std::string>{"1"});
    CHECK(outcome.reason("1") == "contains x");
}

TEST_CASE("the shared object is loaded privately and stays mapped after the plugin is gone") {
    const fs::path path = kbatch::test::stub_path("throws_runtime_error");
    {
        auto plugin = load_ok(path);
        CHECK(is_loaded(path));
        // RTLD_LOCAL: its exports do not become global symbols other plugins could bind to.
        CHECK(::dlsym(RTLD_DEFAULT, "kbatch_plugin_info") == nullptr);
        CHECK(::dlsym(RTLD_DEFAULT, "kbatch_abi_version") == nullptr);
        // An exception from it is caught in the plugin, while it is loaded (the Boost.DLL
        // "Missuses" rule), and becomes the record's failure.
        const kt::BatchOutcome outcome = kt::run_batch(plugin->processor(), {{"7", "x"}});
        CHECK(outcome.reason("7") == "boom: 7");
    }
    // RTLD_NODELETE: the processor is gone, the code stays until the process ends, for any
    // thread the plugin left running (the SDK's promise).
    CHECK(is_loaded(path));
}

TEST_CASE("two instances of one plugin are independent") {
    const fs::path path = kbatch::test::stub_path("fails_on_substring");
    auto a = load_ok(path, {{"needle", "apple"}});
    auto b = load_ok(path, {{"needle", "pear"}});
    const std::vector<kt::TestRecord> records = {{"1", "apple"}, {"2", "pear"}};
    CHECK(kt::run_batch(a->processor(), records).failed_sequence_numbers() ==
          std::vector<std::string>{"1"});
    CHECK(kt::run_batch(b->processor(), records).failed_sequence_numbers() ==
          std::vector<std::string>{"2"});
    a.reset();  // the library stays loaded for b
    CHECK(kt::run_batch(b->processor(), records).failed_sequence_numbers() ==
          std::vector<std::string>{"2"});
    CHECK(is_loaded(path));
}

TEST_CASE("a file that does not exist: dlopen's text") {
    kbatch::test::TempDir dir;
    const fs::path missing = dir / "libmissing.so";
    const kbatch::Status status = load_failure(missing);
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(status.message(), Catch::Contains(dlopen_error(missing)) &&
                                     Catch::Contains("No such file or directory"));
}

TEST_CASE("a file that is not a shared object: dlopen's text") {
    kbatch::test::TempDir dir;
    const fs::path text = dir / "libtext.so";
    kbatch::test::write_file(text, "this is a text file, not an ELF shared object\n");
    const fs::path empty = dir / "libempty.so";
    kbatch::test::write_file(empty, "");
    for (const fs::path& file : {text, empty, dir.path()}) {
        const kbatch::Status status = load_failure(file);
        CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
        CHECK_THAT(status.message(),
                   Catch::StartsWith("cannot load plugin") && Catch::Contains(dlopen_error(file)));
    }
    CHECK_THAT(load_failure(empty).message(), Catch::Contains("file too short"));
}

TEST_CASE("a shared object without kbatch symbols is \"not a kbatch plugin\"") {
    const kbatch::Status status = load_failure(kbatch::test::stub_path("no_kbatch_symbols"));
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(status.message(), Catch::Contains("is not a kbatch plugin"));
}

TEST_CASE("a plugin built against another ABI is refused before its factory runs") {
    const kbatch::Status status = load_failure(kbatch::test::stub_path("wrong_abi"));
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(status.message(),
               Catch::Contains("version 99") && Catch::Contains("versions 1 and 2"));
    CHECK_THAT(status.message(), !Catch::Contains("called the factory"));
}

TEST_CASE("a plugin that exports only one of the two symbols is refused") {
    // (The version 1 forms of both: tests/abi/abi_v1_test.cc.)
    const kbatch::Status no_factory = load_failure(kbatch::test::stub_path("abi_only"));
    CHECK(no_factory.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(no_factory.message(),
               Catch::Contains("is not a kbatch plugin") && Catch::Contains("kbatch_plugin_info"));
    // Without a version the PluginInfo's layout is unknown: nothing of it may be called.
    const kbatch::Status no_version = load_failure(kbatch::test::stub_path("factory_only"));
    CHECK(no_version.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(no_version.message(), Catch::Contains("is not a kbatch plugin") &&
                                         Catch::Contains("kbatch_abi_version") &&
                                         !Catch::Contains("called a factory"));
    // A plugin that exports no version of its own but one symbol of a version's: the same.
    const kbatch::Status v1_no_version = load_failure(kbatch::test::stub_path("v1_factory_only"));
    CHECK_THAT(v1_no_version.message(), Catch::EndsWith("it exports no kbatch_abi_version"));
}

TEST_CASE("a factory that returns null is a load error") {
    const kbatch::Status status = load_failure(kbatch::test::stub_path("null_factory"));
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(status.message(), Catch::Contains("returned null"));
}

TEST_CASE("a missing symbol fails at load (RTLD_NOW), not mid-batch") {
    const kbatch::Status status = load_failure(kbatch::test::stub_path("unresolved_symbol"));
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(status.message(), Catch::Contains("kbatch_test_symbol_that_nothing_defines"));
}

TEST_CASE("a constructor's exception is a load error with its what()") {
    const kbatch::Status status = load_failure(kbatch::test::stub_path("throws_in_constructor"));
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(status.message(), Catch::Contains("cannot reach the database"));

    const kbatch::Status non_std =
        load_failure(kbatch::test::stub_path("throws_non_std"), {{"in_constructor", true}});
    CHECK(non_std.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(non_std.message(), Catch::Contains("unknown exception"));
}

TEST_CASE("a kbatch::ConfigError from the constructor is a configuration error") {
    const kbatch::Status status = load_failure(kbatch::test::stub_path("throws_config_error"));
    CHECK(status.kind() == kbatch::ErrorKind::kConfigError);
    CHECK_THAT(status.message(),
               Catch::Contains("stub_throws_config_error: \"answer\" must be 42"));
    CHECK_THAT(status.to_string(), Catch::StartsWith("Kbatch.ConfigError: "));

    // The same from a plugin whose configuration is merely incomplete.
    const kbatch::Status missing = load_failure(kbatch::test::stub_path("fails_on_substring"));
    CHECK(missing.kind() == kbatch::ErrorKind::kConfigError);
    CHECK_THAT(missing.message(), Catch::Contains("needle"));
}

TEST_CASE("a path to a folder is reported as not a plugin file, not as missing") {
    // The folder exists: "does not exist" would send the user looking in the wrong place.
    kbatch::test::TempDir dir;
    fs::path file;
    const kbatch::Status status = kbatch::resolve_plugin(dir.path().string() + "/", {}, &file);
    REQUIRE_FALSE(status.is_ok());
    CHECK(status.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK_THAT(status.message(),
               Catch::Contains(dir.path().string()) && !Catch::Contains("does not exist"));
}

TEST_CASE("the SDK's testing Plugin refuses every broken plugin with the host's own message") {
    // One loading sequence (kbatch/detail/plugin_loading.hpp): a plugin author's test must fail
    // exactly where the host would refuse the .so, and say what the host would say.
    kbatch::test::TempDir dir;
    std::vector<fs::path> files = {dir / "libmissing.so"};
    for (const char* stub : {"wrong_abi", "abi_only", "factory_only", "null_factory",
                             "unresolved_symbol", "no_kbatch_symbols", "throws_in_constructor"}) {
        files.push_back(kbatch::test::stub_path(stub));
    }
    for (const fs::path& file : files) {
        const kbatch::Status host = load_failure(file);
        REQUIRE(host.kind() == kbatch::ErrorKind::kPluginLoadError);
        CHECK_THROWS_AS(kt::Plugin(file), std::runtime_error);
        CHECK_THROWS_WITH(kt::Plugin(file), host.message());
    }
    // A refused configuration is a kbatch::ConfigError with the plugin's own words, which the
    // host's message ends with.
    const fs::path config_error = kbatch::test::stub_path("throws_config_error");
    const kbatch::Status host = load_failure(config_error);
    REQUIRE(host.kind() == kbatch::ErrorKind::kConfigError);
    CHECK_THROWS_AS(kt::Plugin(config_error), kbatch::ConfigError);
    CHECK_THROWS_WITH(kt::Plugin(config_error), "stub_throws_config_error: \"answer\" must be 42");
    CHECK_THAT(host.message(),
               Catch::EndsWith(": stub_throws_config_error: \"answer\" must be 42"));
}
