// kbatch-runtime's settings, read from a fake environment.
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "runtime_settings.h"

namespace kbatch::test {
namespace {

using Environment = std::map<std::string, std::string, std::less<>>;

Status read(const Environment& environment, RuntimeSettings* settings) {
    return read_runtime_settings(
        [&environment](std::string_view name) -> std::optional<std::string> {
            const auto it = environment.find(name);
            if (it == environment.end())
                return std::nullopt;
            return it->second;
        },
        settings);
}

TEST_CASE("defaults: random_failure, report-all, the task root before the bundled plugins") {
    RuntimeSettings settings;
    REQUIRE(read({{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"}, {"LAMBDA_TASK_ROOT", "/var/task"}},
                 &settings)
                .is_ok());
    CHECK(settings.api_host == "127.0.0.1");
    CHECK(settings.api_port == "9001");
    CHECK(settings.plugin == "random_failure");
    REQUIRE(settings.plugin_dirs.size() >= 2);
    CHECK(settings.plugin_dirs[0] == "/var/task");
    CHECK(settings.plugin_dirs[1] == "/var/task/lib");
    CHECK(settings.run_options.policy == FailurePolicy::kReportAll);
    CHECK(settings.run_options.on_all_failed == AllFailedAction::kReport);
    CHECK(settings.run_options.deadline_margin == kDefaultDeadlineMargin);
    CHECK(settings.plugin_config == nlohmann::json::object());
    CHECK(settings.log.level == LogLevel::kInfo);
    CHECK(settings.log.format == LogFormat::kText);
    CHECK_FALSE(settings.rbif_watch);  // off on Lambda: see RetryWatch
}

TEST_CASE("every kbatch setting is read") {
    RuntimeSettings settings;
    REQUIRE(read({{"AWS_LAMBDA_RUNTIME_API", "localhost:9001"},
                  {"_HANDLER", "json_check"},
                  {"KBATCH_PLUGIN_PATH", "/a::/b"},
                  {"LAMBDA_TASK_ROOT", "/var/task"},
                  {"KBATCH_PLUGIN_CONFIG", R"({"seed": 3})"},
                  {"KBATCH_FAILURE_MODE", "stop-on-first-failure"},
                  {"KBATCH_ON_ALL_FAILED", "error"},
                  {"KBATCH_DEADLINE_MARGIN_MS", "1200"},
                  {"KBATCH_RBIF_WATCH", "on"},
                  {"AWS_LAMBDA_LOG_FORMAT", "JSON"},
                  {"AWS_LAMBDA_LOG_LEVEL", "debug"}},
                 &settings)
                .is_ok());
    CHECK(settings.plugin == "json_check");
    REQUIRE(settings.plugin_dirs.size() >= 4);
    CHECK(settings.plugin_dirs[0] == "/a");  // the empty entry between "::" is skipped
    CHECK(settings.plugin_dirs[1] == "/b");
    CHECK(settings.plugin_dirs[2] == "/var/task");
    CHECK(settings.plugin_config == nlohmann::json{{"seed", 3}});
    CHECK(settings.run_options.policy == FailurePolicy::kStopOnFirstFailure);
    CHECK(settings.run_options.on_all_failed == AllFailedAction::kError);
    CHECK(settings.run_options.deadline_margin == std::chrono::milliseconds(1200));
    CHECK(settings.rbif_watch);
    CHECK(settings.log.format == LogFormat::kJson);
    CHECK(settings.log.level == LogLevel::kDebug);
}

TEST_CASE("a wrong setting is a ConfigError that names the variable, with the API still known") {
    const std::pair<std::string, std::string> wrong[] = {
        {"KBATCH_FAILURE_MODE", "sometimes"}, {"KBATCH_ON_ALL_FAILED", "panic"},
        {"KBATCH_DEADLINE_MARGIN_MS", "-5"},  {"KBATCH_DEADLINE_MARGIN_MS", "1s"},
        {"KBATCH_PLUGIN_CONFIG", "{"},        {"AWS_LAMBDA_LOG_FORMAT", "XML"},
        {"AWS_LAMBDA_LOG_LEVEL", "CHATTY"},   {"KBATCH_RBIF_WATCH", "yes"},
    };
    for (const auto& [name, value] : wrong) {
        INFO(name << "=" << value);
        RuntimeSettings settings;
        const Status status =
            read({{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"}, {name, value}}, &settings);
        REQUIRE_FALSE(status.is_ok());
        CHECK(status.kind() == ErrorKind::kConfigError);
        CHECK(status.message().find(name) != std::string::npos);
        // So that the failure can still be posted to /init/error.
        CHECK(settings.api_host == "127.0.0.1");
    }
}

TEST_CASE("a configuration that is not JSON says where it breaks: line and column") {
    RuntimeSettings settings;
    const Status status = read({{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"},
                                {"KBATCH_PLUGIN_CONFIG", "{\n  \"seed\": 7,\n  \"rate\": ]\n}"}},
                               &settings);
    REQUIRE_FALSE(status.is_ok());
    CHECK(status.kind() == ErrorKind::kConfigError);
    CHECK_THAT(status.message(),
               Catch::StartsWith("KBATCH_PLUGIN_CONFIG: invalid JSON at line 3, column 11: "));
    CHECK_THAT(status.message(), Catch::Contains("unexpected ']'"));
}

TEST_CASE("AWS_LAMBDA_RUNTIME_API may name an IPv6 host, in brackets") {
    RuntimeSettings settings;
    REQUIRE(read({{"AWS_LAMBDA_RUNTIME_API", "[::1]:9001"}}, &settings).is_ok());
    CHECK(settings.api_host == "::1");
    CHECK(settings.api_port == "9001");
}

TEST_CASE("a missing or malformed AWS_LAMBDA_RUNTIME_API leaves nowhere to report to") {
    for (const char* api : {"", "no-port", "host:", ":9001", "host:port", "::1:9001"}) {
        INFO("AWS_LAMBDA_RUNTIME_API=" << api);
        RuntimeSettings settings;
        const Status status = read({{"AWS_LAMBDA_RUNTIME_API", api}}, &settings);
        CHECK_FALSE(status.is_ok());
        CHECK(status.message().find("AWS_LAMBDA_RUNTIME_API") != std::string::npos);
        CHECK(settings.api_host.empty());
    }
}

}  // namespace
}  // namespace kbatch::test
