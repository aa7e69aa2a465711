// `kbatch invoke`, end to end: the real binary in a child process, its standard output, standard
// error and exit code. Exit 0 when the batch was processed (failures included), 1 for an invalid
// event or a plugin that cannot be loaded (one line "kbatch: error: ..."), 2 for usage errors.
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "invocation_handler.h"
#include "test_support.h"

namespace kt = kbatch::testing;

namespace {
namespace fs = std::filesystem;
using kbatch::test::CommandResult;

constexpr std::string_view kFirst = "49568167373333333333333333333333333333333333333333333333";
constexpr std::string_view kSecond = "49568167373333333334444444444444444444444444444444444444";

std::string example_path() {
    return (kbatch::test::events_dir() / "example.json").string();
}

// The response the in-process path gives for `event` with random_failure and `config`: the
// same plugin file and InvocationHandler the CLI uses, without the CLI.
std::string in_process_response(const std::string& event, const std::string& config) {
    kt::Plugin plugin(kbatch::test::random_failure_plugin(), nlohmann::json::parse(config));
    kbatch::InvocationHandler handler;
    kt::TestContext context;
    std::string response;
    REQUIRE(handler.handle(event, plugin.processor(), context.context(), &response).is_ok());
    return response;
}

// A processed batch: exit 0, the response alone on standard output.
void require_processed(const CommandResult& result) {
    INFO("stdout: " << result.out << "\nstderr: " << result.err);
    REQUIRE(result.signal == 0);
    REQUIRE(result.exit_code == 0);
    REQUIRE_FALSE(result.out.empty());
    CHECK(result.out.back() == '\n');
}

// A failure: `exit_code`, nothing on standard output, and standard error exactly one line
// "kbatch: error: ..." that contains each of `parts`.
void require_error_line(const CommandResult& result, int exit_code,
                        const std::vector<std::string>& parts) {
    INFO("stdout: " << result.out << "\nstderr: " << result.err);
    REQUIRE(result.signal == 0);  // never a crash
    CHECK(result.exit_code == exit_code);
    CHECK(result.out.empty());
    CHECK_THAT(result.err, Catch::StartsWith("kbatch: error: ") && Catch::EndsWith("\n"));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    for (const std::string& part : parts)
        CHECK_THAT(result.err, Catch::Contains(part));
}

// A usage error: exit 2, never a crash, and standard error says something.
void require_usage_error(const CommandResult& result, std::string_view mention) {
    INFO("stdout: " << result.out << "\nstderr: " << result.err);
    REQUIRE(result.signal == 0);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains(std::string(mention)));
}

}  // namespace

TEST_CASE("kbatch invoke answers what the in-process path answers, seed by seed") {
    const std::string event = kbatch::test::read_file(example_path());
    std::set<std::string> distinct;
    for (int seed = 0; seed < 12; ++seed) {
        const std::string config = R"({"seed":)" + std::to_string(seed) + "}";
        INFO("config " << config);
        const CommandResult result =
            kbatch::test::run_kbatch({"invoke", "--data-file", example_path(), "--config", config});
        require_processed(result);
        const std::string expected = in_process_response(event, config);
        CHECK(result.out == expected + "\n");
        distinct.insert(expected);
    }
    // Twelve seeds over two records: the comparison above saw several different answers.
    CHECK(distinct.size() >= 3);
}

TEST_CASE(
    "kbatch invoke --plugin PATH: always_fails reports both records of the example, in order") {
    const CommandResult result =
        kbatch::test::run_kbatch({"invoke", "--data-file", example_path(), "--plugin",
                                  kbatch::test::stub_path("always_fails").string()});
    require_processed(result);
    CHECK(result.out == R"({"batchItemFailures":[{"itemIdentifier":")" + std::string(kFirst) +
                            R"("},{"itemIdentifier":")" + std::string(kSecond) + "\"}]}\n");
}

TEST_CASE("kbatch invoke --plugin NAME with --plugin-dir: never_fails reports nothing") {
    const CommandResult result = kbatch::test::run_kbatch(
        {"invoke", "--data-file", example_path(), "--plugin", "stub_never_fails", "--plugin-dir",
         kbatch::test::stub_dir().string()});
    require_processed(result);
    CHECK(result.out == "{\"batchItemFailures\":[]}\n");
}

TEST_CASE("kbatch invoke --data-file - reads the event from standard input") {
    const std::string event = kbatch::test::read_file(example_path());
    const std::vector<std::string> plugin = {"--plugin",
                                             kbatch::test::stub_path("always_fails").string()};
    std::vector<std::string> from_stdin = {"invoke", "--data-file", "-"};
    from_stdin.insert(from_stdin.end(), plugin.begin(), plugin.end());
    const CommandResult piped = kbatch::test::run_kbatch(from_stdin, event);
    require_processed(piped);
    CHECK(kbatch::test::item_identifiers(piped.out) ==
          std::vector<std::string>{std::string(kFirst), std::string(kSecond)});

    // An empty standard input is not an event.
    const CommandResult empty = kbatch::test::run_kbatch(from_stdin, "");
    require_error_line(empty, 1, {"Kbatch.InvalidEvent"});
}

TEST_CASE("kbatch invoke --config @FILE reads a file; a broken configuration says where") {
    const kbatch::test::TempDir dir;
    const fs::path good = dir.path() / "config.json";
    kbatch::test::write_file(good, "{\n  \"failure_rate\": 1\n}\n");
    const CommandResult from_file = kbatch::test::run_kbatch(
        {"invoke", "--data-file", example_path(), "--config", "@" + good.string()});
    require_processed(from_file);
    CHECK(kbatch::test::item_identifiers(from_file.out).size() == 2);

    const fs::path broken = dir.path() / "broken.json";
    kbatch::test::write_file(broken, "{\n  \"failure_rate\": 1,\n}\n");
    require_error_line(kbatch::test::run_kbatch({"invoke", "--data-file", example_path(),
                                                 "--config", "@" + broken.string()}),
                       2,
                       {"--config @" + broken.string() + ": invalid JSON at line 3, column 1: "});
    require_error_line(
        kbatch::test::run_kbatch({"invoke", "--data-file", example_path(), "--config",
                                  "@" + (dir.path() / "absent.json").string()}),
        2, {"--config @", "absent.json: cannot open"});
    require_error_line(kbatch::test::run_kbatch(
                           {"invoke", "--data-file", example_path(), "--config", R"({"seed":)"}),
                       2, {"--config: invalid JSON at line 1, column 9: "});
}

TEST_CASE("kbatch event kinesis writes a valid event in Lambda's form, the same for a seed") {
    const CommandResult first =
        kbatch::test::run_kbatch({"event", "kinesis", "--records", "7", "--seed", "3"});
    REQUIRE(first.exit_code == 0);
    CHECK(first.out ==
          kbatch::test::run_kbatch({"event", "kinesis", "--records", "7", "--seed", "3"}).out);
    CHECK(first.out !=
          kbatch::test::run_kbatch({"event", "kinesis", "--records", "7", "--seed", "4"}).out);

    // Every record reaches a plugin, in increasing sequence order, through the fast path.
    const CommandResult invoked =
        kbatch::test::run_kbatch({"invoke", "--data-file", "-", "--log-level", "DEBUG", "--plugin",
                                  kbatch::test::stub_path("always_fails").string()},
                                 first.out);
    require_processed(invoked);
    const std::vector<std::string> failed = kbatch::test::item_identifiers(invoked.out);
    REQUIRE(failed.size() == 7);
    for (std::size_t i = 0; i + 1 < failed.size(); ++i) {
        CHECK(failed[i].size() == 56);
        CHECK(failed[i] < failed[i + 1]);  // same length: text order is number order
    }
    CHECK_THAT(invoked.err, Catch::Contains("decode: fast path"));
    // Each record's data is a JSON object, so json-checking plugins have something to read.
    const nlohmann::json event = nlohmann::json::parse(first.out);
    for (const nlohmann::json& record : event["Records"]) {
        const auto data =
            kbatch::test::reference_base64_decode(record["kinesis"]["data"].get<std::string>());
        REQUIRE(data);
        CHECK(nlohmann::json::parse(*data).contains("id"));
    }

    require_usage_error(kbatch::test::run_kbatch({"event", "kinesis", "--records", "0"}),
                        "--records");
    require_usage_error(kbatch::test::run_kbatch({"event", "kinesis", "--records", "10001"}),
                        "--records");
    require_usage_error(kbatch::test::run_kbatch({"event", "carrier-pigeon"}), "kinesis");
}

TEST_CASE("kbatch --version and kbatch-runtime --version print the project's version") {
    const CommandResult kbatch_version = kbatch::test::run_kbatch({"--version"});
    CHECK(kbatch_version.exit_code == 0);
    CHECK(kbatch_version.out == "kbatch " KBATCH_TEST_PROJECT_VERSION " (plugin ABI 2)\n");
    const fs::path runtime = kbatch::test::kbatch_binary().parent_path() / "kbatch-runtime";
    const CommandResult runtime_version =
        kbatch::test::run_command({runtime.string(), "--version"});
    CHECK(runtime_version.exit_code == 0);
    CHECK(runtime_version.out == "kbatch-runtime " KBATCH_TEST_PROJECT_VERSION " (plugin ABI 2)\n");
    // Lambda starts it without arguments; anything else is a mistake, said as one.
    const CommandResult stray = kbatch::test::run_command({runtime.string(), "--verbose"});
    CHECK(stray.exit_code == 2);
    CHECK_THAT(stray.err, Catch::Contains("usage: kbatch-runtime"));
}

TEST_CASE("KBATCH_PLUGIN_CONFIG configures the plugin and --config wins over it") {
    const std::vector<std::string> args = {"invoke", "--data-file", example_path()};
    const CommandResult from_env =
        kbatch::test::run_kbatch(args, {}, {R"(KBATCH_PLUGIN_CONFIG={"failure_rate":1})"});
    require_processed(from_env);
    CHECK(kbatch::test::item_identifiers(from_env.out).size() == 2);

    std::vector<std::string> with_config = args;
    with_config.insert(with_config.end(), {"--config", R"({"failure_rate":0})"});
    const CommandResult overridden =
        kbatch::test::run_kbatch(with_config, {}, {R"(KBATCH_PLUGIN_CONFIG={"failure_rate":1})"});
    require_processed(overridden);
    CHECK(overridden.out == "{\"batchItemFailures\":[]}\n");

    const CommandResult bad_env =
        kbatch::test::run_kbatch(args, {}, {"KBATCH_PLUGIN_CONFIG={not json"});
    require_error_line(bad_env, 1, {"KBATCH_PLUGIN_CONFIG"});
}

TEST_CASE("kbatch invoke --pretty indents the same response") {
    const CommandResult result =
        kbatch::test::run_kbatch({"invoke", "--data-file", example_path(), "--pretty", "--plugin",
                                  kbatch::test::stub_path("always_fails").string()});
    require_processed(result);
    CHECK(std::count(result.out.begin(), result.out.end(), '\n') > 2);
    CHECK(kbatch::test::item_identifiers(result.out) ==
          std::vector<std::string>{std::string(kFirst), std::string(kSecond)});
}

TEST_CASE("logs go to standard error, the response alone to standard output") {
    // Record 1's data is not base64: it fails without reaching the plugin, which logs each
    // record it gets.
    nlohmann::json records = nlohmann::json::array();
    for (const auto& r : kbatch::test::numbered_records(3, "payload ")) {
        records.push_back(kt::record_json(r));
    }
    records[1]["kinesis"]["data"] = "***";
    const CommandResult result =
        kbatch::test::run_kbatch({"invoke", "--data-file", "-", "--plugin",
                                  kbatch::test::stub_path("logs_records").string()},
                                 kbatch::test::event_from_records(records));
    require_processed(result);
    CHECK(result.out ==
          R"({"batchItemFailures":[{"itemIdentifier":")" + kt::sequence_number(1) + "\"}]}\n");
    const std::string seen_0 = "stub_logs_records: " + kt::sequence_number(0) + " payload 0";
    const std::string seen_2 = "stub_logs_records: " + kt::sequence_number(2) + " payload 2";
    CHECK_THAT(result.err, Catch::Contains(seen_0) && Catch::Contains(seen_2));
    CHECK(result.err.find(kt::sequence_number(1) + " payload") == std::string::npos);
    CHECK(result.err.find(seen_0) < result.err.find(seen_2));
}

TEST_CASE("a batch of 10,000 records through the CLI reports every failure in order") {
    const auto records = kbatch::test::numbered_records(10000);
    const CommandResult result =
        kbatch::test::run_kbatch({"invoke", "--data-file", "-", "--plugin",
                                  kbatch::test::stub_path("always_fails").string()},
                                 kt::event_json(records));
    require_processed(result);
    const std::vector<std::string> identifiers = kbatch::test::item_identifiers(result.out);
    REQUIRE(identifiers.size() == records.size());
    bool in_order = true;
    for (std::size_t i = 0; i < records.size(); ++i) {
        in_order = in_order && identifiers[i] == records[i].sequence_number;
    }
    CHECK(in_order);
}

TEST_CASE("a plugin that cannot be found or loaded: exit 1 and one line naming the problem") {
    kbatch::test::TempDir dir;
    const CommandResult missing =
        kbatch::test::run_kbatch({"invoke", "--data-file", example_path(), "--plugin", "nope",
                                  "--plugin-dir", dir.path().string()});
    require_error_line(missing, 1, {"not found", "libnope.so", dir.path().string()});

    const fs::path nowhere = dir / "libgone.so";
    require_error_line(kbatch::test::run_kbatch(
                           {"invoke", "--data-file", example_path(), "--plugin", nowhere.string()}),
                       1, {nowhere.string(), "does not exist"});

    const fs::path text = dir / "libtext.so";
    kbatch::test::write_file(text, "not an ELF file\n");
    require_error_line(kbatch::test::run_kbatch(
                           {"invoke", "--data-file", example_path(), "--plugin", text.string()}),
                       1, {text.string(), "cannot load plugin"});

    struct Stub {
        const char* name;
        std::vector<std::string> parts;
    };
    const Stub stubs[] = {
        {"no_kbatch_symbols", {"not a kbatch plugin"}},
        // The plugin's version and every version this host loads.
        {"wrong_abi", {"version 99", "versions 1 and 2"}},
        {"unresolved_symbol", {"kbatch_test_symbol_that_nothing_defines"}},
        {"null_factory", {"returned null"}},
        {"throws_in_constructor", {"cannot reach the database"}},
        {"throws_config_error", {R"("answer" must be 42)"}},
    };
    for (const Stub& stub : stubs) {
        INFO(stub.name);
        const std::string path = kbatch::test::stub_path(stub.name).string();
        std::vector<std::string> parts = stub.parts;
        parts.push_back(path);
        require_error_line(
            kbatch::test::run_kbatch({"invoke", "--data-file", example_path(), "--plugin", path}),
            1, parts);
    }

    // The default plugin refusing its configuration.
    require_error_line(kbatch::test::run_kbatch({"invoke", "--data-file", example_path(),
                                                 "--config", R"({"failure_rate":2})"}),
                       1, {"failure_rate must be within [0, 1], got 2"});
}

TEST_CASE("an event that cannot be processed: exit 1 and one line naming the place") {
    kbatch::test::TempDir dir;
    const fs::path not_object = dir / "array.json";
    kbatch::test::write_file(not_object, "[]");
    require_error_line(kbatch::test::run_kbatch({"invoke", "--data-file", not_object.string()}), 1,
                       {not_object.string() +
                        ": Kbatch.InvalidEvent: the event: expected an object, got an array"});

    nlohmann::json records = nlohmann::json::array();
    for (const auto& r : kbatch::test::numbered_records(4)) {
        records.push_back(kt::record_json(r));
    }
    records[3].erase("kinesis");
    require_error_line(kbatch::test::run_kbatch({"invoke", "--data-file", "-"},
                                                kbatch::test::event_from_records(records)),
                       1, {"Kbatch.InvalidEvent: Records[3].kinesis: missing"});

    // A record that fails without a usable sequence number fails the invocation.
    records[3] = kt::record_json({"not-a-number", "x"});
    require_error_line(kbatch::test::run_kbatch({"invoke", "--data-file", "-"},
                                                kbatch::test::event_from_records(records)),
                       1, {"Kbatch.UnidentifiableFailure", "Records[3]"});

    const fs::path truncated = dir / "truncated.json";
    const std::string example = kbatch::test::read_file(example_path());
    kbatch::test::write_file(truncated, example.substr(0, example.size() / 2));
    require_error_line(kbatch::test::run_kbatch({"invoke", "--data-file", truncated.string()}), 1,
                       {"Kbatch.InvalidEvent: invalid JSON"});
}

TEST_CASE("a data file that cannot be read: exit 1 and one line") {
    kbatch::test::TempDir dir;
    const fs::path missing = dir / "missing.json";
    require_error_line(kbatch::test::run_kbatch({"invoke", "--data-file", missing.string()}), 1,
                       {"cannot open " + missing.string(), "No such file or directory"});
}

TEST_CASE("usage errors exit 2") {
    require_usage_error(kbatch::test::run_kbatch({"invoke"}), "--data-file");
    require_usage_error(kbatch::test::run_kbatch({"invoke", "--data-file", example_path(),
                                                  "--failure-mode", "stop-on-nothing"}),
                        "stop-on-nothing");
    require_usage_error(kbatch::test::run_kbatch(
                            {"invoke", "--data-file", example_path(), "--config", "{not json"}),
                        "--config");
    require_usage_error(kbatch::test::run_kbatch({}), "subcommand");
    require_usage_error(
        kbatch::test::run_kbatch({"invoke", "--data-file", example_path(), "--no-such-option"}),
        "--no-such-option");
    require_usage_error(kbatch::test::run_kbatch({"no-such-command"}), "subcommand");
}

TEST_CASE("kbatch --help and kbatch invoke --help exit 0") {
    const CommandResult top = kbatch::test::run_kbatch({"--help"});
    INFO(top.out << top.err);
    CHECK(top.exit_code == 0);
    CHECK_THAT(top.out, Catch::Contains("invoke"));

    const CommandResult invoke = kbatch::test::run_kbatch({"invoke", "--help"});
    INFO(invoke.out << invoke.err);
    CHECK(invoke.exit_code == 0);
    CHECK_THAT(invoke.out, Catch::Contains("--data-file") && Catch::Contains("--plugin") &&
                               Catch::Contains("--config") && Catch::Contains("--failure-mode") &&
                               Catch::Contains("report-all"));
}
