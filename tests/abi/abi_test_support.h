// Helpers of the ABI tests (tests/abi): loading a stub through the host's loader, comparing what
// two builds of one stub decided, and reading what `kbatch invoke` said.
#pragma once

#include <dlfcn.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "plugin_loader.h"
#include "test_support.h"

namespace kbatch::abi_test {

namespace fs = std::filesystem;
namespace kt = kbatch::testing;

/// The stub built from tests/stubs/<name>.cc against the version 2 SDK (core/include).
inline fs::path v2_stub(std::string_view name) {
    return kbatch::test::stub_path(name);
}
/// The same source built against the frozen version 1 SDK (tests/abi_v1/include).
inline fs::path v1_stub(std::string_view name) {
    return kbatch::test::stub_path("v1_" + std::string(name));
}

/// Loads `file` with the host's loader (LoadedPlugin, what kbatch-runtime and `kbatch invoke`
/// use), expecting success.
inline std::unique_ptr<LoadedPlugin> load_ok(
    const fs::path& file, nlohmann::json config = nlohmann::json::object(),
    PluginConfig::EnvLookup env = PluginConfig::process_environment) {
    std::unique_ptr<LoadedPlugin> plugin;
    const Status status =
        LoadedPlugin::load(file, PluginConfig(std::move(config), std::move(env)), &plugin);
    INFO("loading " << file << ": " << status.to_string());
    REQUIRE(status.is_ok());
    REQUIRE(plugin != nullptr);
    REQUIRE(plugin->processor());
    return plugin;
}

/// Loads `file` with the host's loader, expecting failure: one line that names the file.
inline Status load_refused(const fs::path& file, nlohmann::json config = nlohmann::json::object(),
                           PluginConfig::EnvLookup env = PluginConfig::process_environment) {
    std::unique_ptr<LoadedPlugin> plugin;
    const Status status =
        LoadedPlugin::load(file, PluginConfig(std::move(config), std::move(env)), &plugin);
    INFO(file << ": " << status.to_string());
    REQUIRE_FALSE(status.is_ok());
    CHECK(plugin == nullptr);
    CHECK(status.message().find('\n') == std::string::npos);
    CHECK(status.message().find(file.string()) != std::string::npos);
    return status;
}

/// `text` with every occurrence of `from` replaced by `to`.
inline std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

/// A batch outcome as text, record by record and line by line, so that two outcomes compare
/// with one CHECK and a difference reads plainly.
inline std::string describe(const kt::BatchOutcome& outcome) {
    std::ostringstream out;
    for (const kt::RecordOutcome& record : outcome.records) {
        out << record.sequence_number << ": "
            << (record.failed ? "failed (" + record.reason + ")" : std::string("succeeded"))
            << "\n";
    }
    for (const kt::LogLine& line : outcome.log)
        out << "log " << static_cast<int>(line.level) << ": " << line.message << "\n";
    return out.str();
}

/// The response lines `kbatch invoke` logs per failed record and its other lines, without what
/// depends on the run (timings) or on the file name: what two builds of one plugin must share.
/// `file` is replaced by "<plugin>".
inline std::vector<std::string> stable_stderr_lines(const std::string& err, const fs::path& file) {
    std::vector<std::string> lines;
    std::istringstream in(replace_all(err, file.string(), "<plugin>"));
    for (std::string line; std::getline(in, line);) {
        // The batch summary carries how long the batch took.
        if (line.find(" ms") != std::string::npos && line.find("batch") != std::string::npos)
            continue;
        lines.push_back(line);
    }
    return lines;
}

/// When `run` (a `kbatch invoke` of an SQS or DynamoDB event) shows that this tree's decoder
/// reads Kinesis events only, reports the test skipped and returns true. The sources' decoding
/// is being written apart from the ABI (issue 13, point 4); these tests start to run when it
/// lands.
inline bool skip_without_source_decoding(const kbatch::test::CommandResult& run) {
    if (run.err.find("this kbatch host handles Kinesis events only") == std::string::npos)
        return false;
    kbatch::test::report_skipped(
        "the event decoder of this tree reads Kinesis events only (SQS and DynamoDB decoding is "
        "not merged yet): " +
        run.err.substr(0, run.err.find('\n')));
    return true;
}

/// Whether `file` is loaded in this process (RTLD_NOLOAD loads nothing).
inline bool is_loaded(const fs::path& file) {
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (handle == nullptr)
        return false;
    ::dlclose(handle);
    return true;
}

}  // namespace kbatch::abi_test
