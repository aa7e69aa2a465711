// `kbatch invoke`'s logging: standard error only, Text or JSON (AWS_LAMBDA_LOG_FORMAT), a level
// from --log-level or AWS_LAMBDA_LOG_LEVEL, and never the records' payloads.
#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace {
using kbatch::test::CommandResult;

std::vector<std::string> args_with(std::string_view stub, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"invoke", "--data-file",
                                     (kbatch::test::events_dir() / "example.json").string(),
                                     "--plugin", kbatch::test::stub_path(stub).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

void require_ok(const CommandResult& result) {
    INFO("stdout: " << result.out << "\nstderr: " << result.err);
    REQUIRE(result.signal == 0);
    REQUIRE(result.exit_code == 0);
}

}  // namespace

TEST_CASE("Text logs by default: the plugin's lines reach standard error with their level") {
    const CommandResult result = kbatch::test::run_kbatch(args_with("logs_records"));
    require_ok(result);
    CHECK_THAT(result.err,
               Catch::Contains("INFO stub_logs_records: "
                               "49568167373333333333333333333333333333333333333333333333"
                               " Hello World"));
    CHECK(result.out.find("stub_logs_records") == std::string::npos);
}

TEST_CASE("AWS_LAMBDA_LOG_FORMAT=JSON: every line is a JSON object with level and message") {
    // Record data that is not UTF-8 reaches the log through the plugin: the line must still be
    // valid JSON (replaced characters), not dropped or broken.
    const std::string event =
        kbatch::testing::event_json({{"1", "plain"}, {"2", std::string("\xFF\xFE bytes", 8)}});
    const CommandResult result =
        kbatch::test::run_kbatch({"invoke", "--data-file", "-", "--plugin",
                                  kbatch::test::stub_path("logs_records").string()},
                                 event, {"AWS_LAMBDA_LOG_FORMAT=JSON"});
    require_ok(result);
    std::vector<std::string> messages;
    for (const std::string& line : lines_of(result.err)) {
        INFO(line);
        const nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
        REQUIRE(json.is_object());
        REQUIRE(json.contains("level"));
        REQUIRE(json.contains("message"));
        CHECK(json["level"].is_string());
        REQUIRE(json["message"].is_string());
        messages.push_back(json["message"].get<std::string>());
    }
    CHECK(std::count(messages.begin(), messages.end(), "stub_logs_records: 1 plain") == 1);
    CHECK(std::count_if(messages.begin(), messages.end(), [](const std::string& m) {
              return m.starts_with("stub_logs_records: 2 ");
          }) == 1);
}

TEST_CASE("the level comes from --log-level, else AWS_LAMBDA_LOG_LEVEL") {
    const CommandResult quiet =
        kbatch::test::run_kbatch(args_with("logs_records", {"--log-level", "ERROR"}));
    require_ok(quiet);
    CHECK(quiet.err.empty());

    const CommandResult quiet_env =
        kbatch::test::run_kbatch(args_with("logs_records"), {}, {"AWS_LAMBDA_LOG_LEVEL=error"});
    require_ok(quiet_env);
    CHECK(quiet_env.err.empty());

    // The flag wins over the variable.
    const CommandResult flag_wins = kbatch::test::run_kbatch(
        args_with("logs_records", {"--log-level", "info"}), {}, {"AWS_LAMBDA_LOG_LEVEL=ERROR"});
    require_ok(flag_wins);
    CHECK_THAT(flag_wins.err, Catch::Contains("stub_logs_records: "));
}

TEST_CASE("DEBUG logs each failure with its reason, and never the payload") {
    const CommandResult result =
        kbatch::test::run_kbatch(args_with("always_fails", {"--log-level", "DEBUG"}));
    require_ok(result);
    CHECK_THAT(
        result.err,
        Catch::Contains("always_fails: 49568167373333333333333333333333333333333333333333333333") &&
            Catch::Contains(
                "always_fails: 49568167373333333334444444444444444444444444444444444444"));
    CHECK(result.err.find("Hello World") == std::string::npos);
}

TEST_CASE("DEBUG says which decoding path an event took") {
    // events/example.json is pretty-printed: Lambda's members in another spacing, which the fast
    // path reads too.
    const CommandResult pretty =
        kbatch::test::run_kbatch(args_with("never_fails", {"--log-level", "DEBUG"}));
    require_ok(pretty);
    CHECK_THAT(pretty.err, Catch::Contains("decode: fast path"));

    // A member Lambda never writes sends an event to the general path.
    const kbatch::test::TempDir extra_dir;
    const auto extra = extra_dir / "extra.json";
    kbatch::test::write_file(extra,
                             R"({"Records":[],"comment":{"written by":"a hand, not Lambda"}})");
    const CommandResult general = kbatch::test::run_kbatch(
        {"invoke", "--data-file", extra.string(), "--plugin",
         kbatch::test::stub_path("never_fails").string(), "--log-level", "DEBUG"});
    require_ok(general);
    CHECK_THAT(general.err, Catch::Contains("decode: general path"));
    CHECK_THAT(general.err, !Catch::Contains("decode: fast path"));

    const kbatch::test::TempDir dir;
    const auto compact = dir / "compact.json";
    kbatch::test::write_file(compact,
                             kbatch::test::lambda_form_event(kbatch::test::numbered_records(3)));
    const CommandResult fast = kbatch::test::run_kbatch(
        {"invoke", "--data-file", compact.string(), "--plugin",
         kbatch::test::stub_path("never_fails").string(), "--log-level", "DEBUG"});
    require_ok(fast);
    CHECK_THAT(fast.err, Catch::Contains("decode: fast path"));

    // Not at the default level.
    const CommandResult quiet = kbatch::test::run_kbatch(args_with("never_fails"));
    require_ok(quiet);
    CHECK_THAT(quiet.err, !Catch::Contains("decode:"));
}

TEST_CASE("bad log settings: a bad flag is a usage error, a bad variable a failure") {
    const CommandResult bad_flag =
        kbatch::test::run_kbatch(args_with("never_fails", {"--log-level", "LOUD"}));
    CHECK(bad_flag.exit_code == 2);
    CHECK_THAT(bad_flag.err, Catch::StartsWith("kbatch: error: ") && Catch::Contains("LOUD"));
    CHECK(bad_flag.out.empty());

    const CommandResult bad_level =
        kbatch::test::run_kbatch(args_with("never_fails"), {}, {"AWS_LAMBDA_LOG_LEVEL=LOUD"});
    CHECK(bad_level.exit_code == 1);
    CHECK_THAT(bad_level.err, Catch::Contains("AWS_LAMBDA_LOG_LEVEL") && Catch::Contains("LOUD"));

    const CommandResult bad_format =
        kbatch::test::run_kbatch(args_with("never_fails"), {}, {"AWS_LAMBDA_LOG_FORMAT=XML"});
    CHECK(bad_format.exit_code == 1);
    CHECK_THAT(bad_format.err, Catch::Contains("AWS_LAMBDA_LOG_FORMAT") && Catch::Contains("XML"));
}
