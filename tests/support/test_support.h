// Helpers shared by the kbatch tests that a plugin author would not need: where things are,
// temporary folders, skipping, an independent base64 decoder, events a test takes apart, and
// running the real CLI. Records, events, contexts, logs and loading a plugin come from the SDK's
// own <kbatch/testing.hpp> (namespace kt = kbatch::testing), so that what plugin authors rely on
// is what this suite runs every day.
//
// The helpers that compute expectations (reference_base64_decode, item_identifiers) are written
// independently of the code under test, so a test never checks kbatch against itself.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

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

// ---- Data -----------------------------------------------------------------------------------

/// `size` bytes of any value drawn from `engine`: seeded, so a failure repeats.
std::string random_bytes(std::mt19937& engine, std::size_t size);

// ---- Events ---------------------------------------------------------------------------------

/// `count` records with kt::sequence_number(i) and data "<prefix><i>", for i from 0: the index
/// a test names a record by is its place in the event.
std::vector<kbatch::testing::TestRecord> numbered_records(std::size_t count,
                                                          std::string_view data_prefix = "record ");

/// {"Records": records}, serialized: an event made of records a test has changed (kt::record_json
/// gives one to change), such as ones Lambda would never send.
std::string event_from_records(const nlohmann::json& records);

/// The event in the form Lambda itself writes: compact, every field in Lambda's order
/// (kt::basic_record_json<nlohmann::ordered_json>), which kbatch decodes on its fast path
/// (lambda_form_decoder.h).
std::string lambda_form_event(const std::vector<kbatch::testing::TestRecord>& records);

/// Parses a batch response and returns its item identifiers in order, checking the exact shape
/// Lambda requires on the way: one key "batchItemFailures" holding an array of objects that each
/// have exactly one key, "itemIdentifier", with a non-empty string value.
std::vector<std::string> item_identifiers(const std::string& response);

// ---- Processes --------------------------------------------------------------------------------

/// How a child process ended and what it wrote.
struct CommandResult {
    int exit_code = -1;  // the exit status, or -1 when it did not exit normally
    int signal = 0;      // the signal that killed it, or 0
    std::string out;     // standard output
    std::string err;     // standard error
};

/// `strings` as the null-terminated array of C strings that execve and posix_spawn take (for argv
/// and the environment). The pointers point into `strings`, which must outlive the result
/// unchanged.
std::vector<char*> exec_array(const std::vector<std::string>& strings);

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
