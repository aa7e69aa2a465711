// Helpers shared by the kbatch tests: where things are, building Kinesis events, an independent
// base64 decoder, a logger that remembers, loading plugins and running the real CLI.
//
// The helpers that compute expectations (reference_base64_decode, item_identifiers) are written
// independently of the code under test, so a test never checks kbatch against itself.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kbatch/context.hpp>
#include <kbatch/logger.hpp>
#include <kbatch/plugin_config.hpp>
#include <nlohmann/json.hpp>

#include "plugin_loader.h"

namespace kbatch::test {

// ---- Paths (set by tests/CMakeLists.txt) ------------------------------------------------------

/// The folder the stub plugins are built into.
std::filesystem::path stub_dir();
/// The stub built from tests/stubs/<name>.cc: stub_dir()/libstub_<name>.so.
std::filesystem::path stub_path(std::string_view name);
/// ../shared/fixtures/peer-events, beside the repository.
std::filesystem::path fixtures_dir();
/// The repository's events/ folder.
std::filesystem::path events_dir();
/// Reports the running test case as skipped, with `reason`, in the one form ctest recognises
/// (SKIP_REGULAR_EXPRESSION "kbatch test skipped:"). The caller then returns.
void report_skipped(std::string_view reason);
/// When the peer fixtures are not beside the repository (a user's clone has no ../shared),
/// reports the test skipped and returns true.
bool skip_without_peer_fixtures();
/// core/include: the public SDK headers.
std::filesystem::path sdk_include_dir();
/// tests/stubs/out_of_tree_plugin.cc.
std::filesystem::path out_of_tree_source();
/// The built `kbatch` executable.
std::filesystem::path kbatch_binary();
/// The built default plugin, librandom_failure.so.
std::filesystem::path random_failure_plugin();

// ---- Files ------------------------------------------------------------------------------------

/// The whole file as bytes; fails the test if it cannot be read.
std::string read_file(const std::filesystem::path& path);
/// Writes `contents` to `path`, replacing it; fails the test on error.
void write_file(const std::filesystem::path& path, std::string_view contents);

/// A fresh folder under the system temp folder, removed with everything in it at destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }
    /// path() / name.
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

// ---- Base64 (the tests' own) ------------------------------------------------------------------

/// A deliberately simple RFC 4648 decoder (standard alphabet, '=' padding required), used to
/// compute expected bytes independently of kbatch's decoder. nullopt for anything invalid.
std::optional<std::string> reference_base64_decode(std::string_view text);

// ---- Events -----------------------------------------------------------------------------------

/// A record to put into a test event.
struct TestRecord {
    std::string sequence_number;
    std::string data;  // raw bytes; base64-encoded into the event
    std::string partition_key = "pk-1";
};

/// A 56-digit sequence number that grows with `index` (like Kinesis's).
std::string sequence_number(std::size_t index);

/// `count` records with sequence_number(i) and data "<prefix><i>".
std::vector<TestRecord> numbered_records(std::size_t count,
                                         std::string_view data_prefix = "record ");

/// One record as Lambda delivers it (every field present), as JSON to adjust in a test.
nlohmann::json record_json(const TestRecord& record);

/// {"Records": records}, serialized.
std::string event_from_records(const nlohmann::json& records);

/// A whole Kinesis event holding `records`.
std::string event_json(const std::vector<TestRecord>& records);

/// The same event in the form Lambda itself writes: compact, every field in Lambda's order
/// (kbatch decodes this form on its fast path, lambda_form_decoder.h).
std::string lambda_form_event(const std::vector<TestRecord>& records);

/// Parses a batch response and returns its item identifiers in order, checking the exact shape
/// Lambda requires on the way: one key "batchItemFailures" holding an array of objects that each
/// have exactly one key, "itemIdentifier", with a non-empty string value.
std::vector<std::string> item_identifiers(const std::string& response);

// ---- Invocation context -----------------------------------------------------------------------

/// A logger that keeps every line it is given.
class CapturingLogger final : public Logger {
  public:
    bool enabled(LogLevel) const noexcept override { return true; }
    void log(LogLevel level, std::string_view message) noexcept override {
        lines.emplace_back(level, std::string(message));
    }

    std::vector<std::pair<LogLevel, std::string>> lines;
};

/// A context without a deadline whose logger is a CapturingLogger.
struct TestContext {
    CapturingLogger logger;
    Context context{"test-request-id", Context::Clock::time_point::max(), "", "", logger};
};

// ---- Plugins ----------------------------------------------------------------------------------

/// Loads `file` with LoadedPlugin::load; fails the test (with the status) if it does not load.
std::unique_ptr<LoadedPlugin> load_plugin(const std::filesystem::path& file,
                                          nlohmann::json config = nlohmann::json::object());

// ---- Processes --------------------------------------------------------------------------------

/// How a child process ended and what it wrote.
struct CommandResult {
    int exit_code = -1;  // the exit status, or -1 when it did not exit normally
    int signal = 0;      // the signal that killed it, or 0
    std::string out;     // standard output
    std::string err;     // standard error
};

/// Runs `argv` (argv[0] looked up in PATH) and waits for it. Standard input is `input` (empty:
/// nothing). The child's environment is this process's without any KBATCH_*, AWS_LAMBDA_* or
/// _HANDLER variable (so the developer's shell cannot change the outcome), plus `extra_env`
/// ("NAME=value" entries).
CommandResult run_command(const std::vector<std::string>& argv, std::string_view input = {},
                          const std::vector<std::string>& extra_env = {});

/// run_command with kbatch_binary() as argv[0].
CommandResult run_kbatch(const std::vector<std::string>& args, std::string_view input = {},
                         const std::vector<std::string>& extra_env = {});

}  // namespace kbatch::test
