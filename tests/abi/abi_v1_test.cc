// Plugins of ABI version 1 keep working, unchanged, on this host (issue 13: "a v1 stub plugin built
// from the frozen headers loads and behaves as before"). Each stub source in tests/stubs that a
// version 1 plugin could have been is built twice (tests/CMakeLists.txt): against the frozen copy
// of the version 1 SDK (tests/abi_v1/include: libstub_v1_<name>.so) and against this SDK
// (libstub_<name>.so). Both builds load through the host's loader, kbatch::testing::Plugin and
// `kbatch invoke`, and must decide, log, fail to start and be refused exactly alike, besides what
// each test expects of them outright.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/detail/abi_v1.hpp>
#include <kbatch/detail/abi_v1_adapter.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "abi_test_support.h"
#include "abi_v1_layout.h"
#include "plugin_loader.h"
#include "test_support.h"

namespace at = kbatch::abi_test;
namespace kt = kbatch::testing;

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Version 2's Kinesis record begins with version 1's, member by member: the host hands a version
// 1 plugin a pointer into an array of version 2 records (AbiV1Instance), so one appended field
// in the wrong place would shift every field the plugin reads.
using V1Fields = kbatch::abi_v1::KinesisRecordFields;
using V2Fields = kbatch::KinesisRecordFields;
#define KBATCH_SAME_OFFSET(member) \
    static_assert(offsetof(V1Fields, member) == offsetof(V2Fields, member))
KBATCH_SAME_OFFSET(sequence_number);
KBATCH_SAME_OFFSET(partition_key);
KBATCH_SAME_OFFSET(data);
KBATCH_SAME_OFFSET(approximate_arrival);
KBATCH_SAME_OFFSET(encryption_type);
KBATCH_SAME_OFFSET(kinesis_schema_version);
KBATCH_SAME_OFFSET(event_id);
KBATCH_SAME_OFFSET(event_name);
KBATCH_SAME_OFFSET(event_source);
KBATCH_SAME_OFFSET(event_source_arn);
KBATCH_SAME_OFFSET(event_version);
KBATCH_SAME_OFFSET(invoke_identity_arn);
KBATCH_SAME_OFFSET(aws_region);
#undef KBATCH_SAME_OFFSET
static_assert(sizeof(V1Fields) <= sizeof(V2Fields));
static_assert(alignof(V1Fields) == alignof(V2Fields));

// A batch whose records say what each stub does; record 104's data is binary, a NUL included.
constexpr char kBinary[] = "bytes \x00\xff\x01 binary";
const std::vector<kt::TestRecord> kRecords = {
    {"101", "Hello World"},
    {"102", "a needle in it"},
    {"103", ""},
    {"104", std::string(kBinary, sizeof(kBinary) - 1)},
    {"105", "Hello again, needle"},
};

// No environment variable at all, whatever the shell that runs the tests sets.
const kbatch::PluginConfig::EnvLookup kNoVariables = kt::environment({});

// Loads `file` with the host's loader and runs kRecords through it as the host runs a batch in
// report-all mode.
kt::BatchOutcome run_with_host(const fs::path& file, const nlohmann::json& config,
                               const kbatch::PluginConfig::EnvLookup& env,
                               const kt::TestInvocation& invocation) {
    auto plugin = at::load_ok(file, config, env);
    return kt::run_batch(plugin->processor(), kRecords, invocation);
}

// The same through kbatch::testing::Plugin, as a plugin's own tests load it.
kt::BatchOutcome run_with_testing(const fs::path& file, const nlohmann::json& config,
                                  const kbatch::PluginConfig::EnvLookup& env,
                                  const kt::TestInvocation& invocation) {
    const kt::Plugin plugin(file, config, env);
    return kt::run_batch(plugin.processor(), kRecords, invocation);
}

// Runs stub `name` both ways, built against either SDK; every run must describe the same outcome.
// Returns the version 1 build's outcome through the host, for the caller's own expectations.
kt::BatchOutcome run_all_ways(std::string_view name, const nlohmann::json& config = {},
                              const kbatch::PluginConfig::EnvLookup& env = kNoVariables,
                              const kt::TestInvocation& invocation = kt::TestInvocation()) {
    const nlohmann::json object = config.is_null() ? nlohmann::json::object() : config;
    INFO("stub " << name << ", configuration " << object.dump());
    const kt::BatchOutcome v1 = run_with_host(at::v1_stub(name), object, env, invocation);
    const std::string expected = at::describe(v1);
    CHECK(at::describe(run_with_testing(at::v1_stub(name), object, env, invocation)) == expected);
    CHECK(at::describe(run_with_host(at::v2_stub(name), object, env, invocation)) == expected);
    CHECK(at::describe(run_with_testing(at::v2_stub(name), object, env, invocation)) == expected);
    REQUIRE(v1.records.size() == kRecords.size());
    return v1;
}

std::vector<std::string> reasons(const kt::BatchOutcome& outcome) {
    std::vector<std::string> all;
    for (const kt::RecordOutcome& record : outcome.records)
        all.push_back(record.failed ? record.reason : "ok");
    return all;
}

std::vector<std::string> messages(const kt::BatchOutcome& outcome) {
    std::vector<std::string> all;
    for (const kt::LogLine& line : outcome.log)
        all.push_back(line.message);
    return all;
}

// A clock that moves on by `step` every time it is read: a plugin's readings then depend on how
// often and in which order it reads, which must be the same whichever SDK it was built with.
class SteppingClock final : public kbatch::TimeSource {
  public:
    SteppingClock(std::int64_t start_ns, std::int64_t step_ns)
        : start_(start_ns), now_(start_ns), step_(step_ns) {}
    /// Back to the start, for the next run.
    void reset() noexcept { now_ = start_; }
    std::int64_t now_ns() const noexcept override {
        const std::int64_t now = now_;
        now_ += step_;
        return now;
    }

  private:
    std::int64_t start_;
    mutable std::int64_t now_;
    std::int64_t step_;
};

constexpr std::int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kNsPerMs = 1000000;

// Collects what a PluginInstance marks, for calling one directly.
class Marks final : public kbatch::OutcomeSink {
  public:
    explicit Marks(std::size_t count) : reasons_(count, "unmarked") {}
    void succeeded(std::size_t index) noexcept override {
        if (index < reasons_.size() && reasons_[index] == "unmarked")
            reasons_[index] = "ok";
    }
    void failed(std::size_t index, std::string_view reason) noexcept override {
        if (index < reasons_.size())
            reasons_[index] = std::string(reason);
    }
    void fail_unmarked(std::string_view reason) noexcept override {
        for (std::string& mark : reasons_) {
            if (mark == "unmarked")
                mark = std::string(reason);
        }
    }
    const std::vector<std::string>& reasons() const noexcept { return reasons_; }

  private:
    std::vector<std::string> reasons_;
};

}  // namespace

TEST_CASE("the host's declarations of version 1 match the frozen version 1 SDK's layout") {
    // abi_v1_layout.cc measures the frozen headers; kbatch/detail/abi_v1.hpp is what the host
    // calls version 1 plugins through.
    const KbatchTestV1Layout frozen = kbatch_test_v1_layout();
    CHECK(frozen.fields_size == sizeof(V1Fields));
    CHECK(frozen.fields_align == alignof(V1Fields));
    const std::size_t host_offsets[] = {
        offsetof(V1Fields, sequence_number),
        offsetof(V1Fields, partition_key),
        offsetof(V1Fields, data),
        offsetof(V1Fields, approximate_arrival),
        offsetof(V1Fields, encryption_type),
        offsetof(V1Fields, kinesis_schema_version),
        offsetof(V1Fields, event_id),
        offsetof(V1Fields, event_name),
        offsetof(V1Fields, event_source),
        offsetof(V1Fields, event_source_arn),
        offsetof(V1Fields, event_version),
        offsetof(V1Fields, invoke_identity_arn),
        offsetof(V1Fields, aws_region),
    };
    for (std::size_t i = 0; i < kKbatchTestV1FieldCount; ++i) {
        INFO("member " << i);
        CHECK(frozen.field_offsets[i] == host_offsets[i]);
        // And version 2's record begins with the frozen one.
        CHECK(frozen.field_offsets[i] < sizeof(V2Fields));
    }
    CHECK(frozen.record_size == sizeof(kbatch::abi_v1::KinesisRecord));
    CHECK(frozen.context_size == sizeof(kbatch::abi_v1::Context));
    CHECK(frozen.context_align == alignof(kbatch::abi_v1::Context));
    CHECK(frozen.result_size == sizeof(kbatch::abi_v1::Result));
    CHECK(frozen.config_size == sizeof(kbatch::abi_v1::PluginConfig));
}

TEST_CASE("a version 1 plugin loads as a per-record Kinesis plugin of ABI version 1") {
    for (const char* name : {"never_fails", "always_fails", "logs_records", "reads_clock"}) {
        INFO(name);
        auto v1 = at::load_ok(at::v1_stub(name));
        CHECK(v1->processor().traits().abi_version == 1);
        CHECK(v1->processor().traits().sources == kbatch::source_bit(kbatch::Source::kKinesis));
        CHECK(v1->processor().traits().form == kbatch::ProcessingForm::kPerRecord);
        CHECK(v1->processor().traits().flags == 0);
        CHECK(v1->processor().handles(kbatch::Source::kKinesis));
        CHECK_FALSE(v1->processor().handles(kbatch::Source::kSqs));
        CHECK_FALSE(v1->processor().handles(kbatch::Source::kDynamoDb));
        // The same source built against this SDK is a version 2 plugin with the same traits.
        auto v2 = at::load_ok(at::v2_stub(name));
        CHECK(v2->processor().traits().abi_version == 2);
        CHECK(v2->processor().traits().sources == v1->processor().traits().sources);
        CHECK(v2->processor().traits().form == v1->processor().traits().form);
        // kbatch::testing::Plugin sees the same.
        const kt::Plugin testing(at::v1_stub(name));
        CHECK(testing.traits().abi_version == 1);
        CHECK(testing.traits().sources == v1->processor().traits().sources);
    }
}

TEST_CASE("version 1 plugins decide as before: results, exceptions and their texts") {
    SECTION("never_fails") {
        const kt::BatchOutcome outcome = run_all_ways("never_fails");
        CHECK(outcome.failed_sequence_numbers().empty());
    }
    SECTION("always_fails: the plugin's reason, record by record") {
        const kt::BatchOutcome outcome = run_all_ways("always_fails");
        CHECK(reasons(outcome) == std::vector<std::string>{"always_fails: 101", "always_fails: 102",
                                                           "always_fails: 103", "always_fails: 104",
                                                           "always_fails: 105"});
    }
    SECTION("fails_on_substring: its configuration from config.json()") {
        const kt::BatchOutcome outcome = run_all_ways("fails_on_substring", {{"needle", "needle"}});
        CHECK(reasons(outcome) ==
              std::vector<std::string>{"ok", "contains needle", "ok", "ok", "contains needle"});
        // Binary data reaches it decoded, a NUL included.
        const kt::BatchOutcome binary =
            run_all_ways("fails_on_substring", {{"needle", std::string("\x00", 1)}});
        CHECK(binary.failed_sequence_numbers() == std::vector<std::string>{"104"});
    }
    SECTION("throws_runtime_error: what() is the reason") {
        const kt::BatchOutcome outcome = run_all_ways("throws_runtime_error");
        CHECK(reasons(outcome) == std::vector<std::string>{"boom: 101", "boom: 102", "boom: 103",
                                                           "boom: 104", "boom: 105"});
    }
    SECTION("throws_non_std: \"unknown exception\"") {
        const kt::BatchOutcome outcome = run_all_ways("throws_non_std");
        CHECK(reasons(outcome) == std::vector<std::string>(kRecords.size(), "unknown exception"));
    }
    SECTION("logs_records: ctx.logger() reaches the host's logger, at the level chosen") {
        const kt::BatchOutcome outcome = run_all_ways("logs_records");
        CHECK(outcome.failed_sequence_numbers().empty());
        CHECK(messages(outcome) ==
              std::vector<std::string>{
                  "stub_logs_records: 101 Hello World", "stub_logs_records: 102 a needle in it",
                  "stub_logs_records: 103 ", "stub_logs_records: 104 " + kRecords[3].data,
                  "stub_logs_records: 105 Hello again, needle"});
        CHECK(outcome.messages(kbatch::LogLevel::kInfo).size() == kRecords.size());
    }
    SECTION("config_and_env: config.json() and config.env() through the host") {
        const auto env = kt::environment({{"NEEDLE_SUFFIX", "lo a"}});
        const kt::BatchOutcome outcome =
            run_all_ways("config_and_env", {{"prefix", "Hel"}, {"env", "NEEDLE_SUFFIX"}}, env);
        CHECK(reasons(outcome) ==
              std::vector<std::string>{"ok", "ok", "ok", "ok",
                                       "stub_config_and_env: contains Hello a"});
        // The default variable name, and an empty value.
        const kt::BatchOutcome empty = run_all_ways("config_and_env", {{"prefix", "needle"}},
                                                    kt::environment({{"STUB_NEEDLE_SUFFIX", ""}}));
        CHECK(empty.failed_sequence_numbers() == std::vector<std::string>{"102", "105"});
    }
}

TEST_CASE("version 1 plugins read the invocation's context and the host's clock as before") {
    const kt::TestInvocation base;
    SECTION("a clock that moves on every reading gives both builds the same readings") {
        SteppingClock clock(kStartMs * kNsPerMs, 400 * kNsPerMs);
        kt::TestInvocation invocation;
        invocation.deadline =
            kbatch::Context::Clock::time_point(std::chrono::milliseconds(kStartMs)) + 2000ms;
        invocation.time = &clock;
        // Each run starts the clock afresh, so that every build sees the same readings.
        const auto run = [&](const fs::path& file, bool testing) {
            clock.reset();
            const nlohmann::json config = nlohmann::json::object();
            return at::describe(testing ? run_with_testing(file, config, kNoVariables, invocation)
                                        : run_with_host(file, config, kNoVariables, invocation));
        };
        const std::string v1 = run(at::v1_stub("reads_clock"), false);
        CHECK(run(at::v1_stub("reads_clock"), true) == v1);
        CHECK(run(at::v2_stub("reads_clock"), false) == v1);
        CHECK(run(at::v2_stub("reads_clock"), true) == v1);

        clock.reset();
        const kt::BatchOutcome outcome = run_with_host(
            at::v1_stub("reads_clock"), nlohmann::json::object(), kNoVariables, invocation);
        // Two readings per record: remaining_time() at 0, 800, 1600... ms, now() 400 ms later.
        CHECK(reasons(outcome) == std::vector<std::string>{"ok", "ok",
                                                           "stub_reads_clock: only 400 ms left",
                                                           "stub_reads_clock: only 0 ms left",
                                                           "stub_reads_clock: only 0 ms left"});
        const std::string ids = "request=" + base.request_id + " function=" + base.function_arn +
                                " trace=" + base.trace_id +
                                " deadline=" + std::to_string(kStartMs + 2000);
        REQUIRE(outcome.log.size() == 2 * kRecords.size());
        CHECK(outcome.log[0].message ==
              "stub_reads_clock: 101 now=" + std::to_string(kStartMs + 400) +
                  " remaining=2000 clock=host");
        CHECK(outcome.log[1].message == "stub_reads_clock: " + ids);
        CHECK(outcome.log[2].message ==
              "stub_reads_clock: 102 now=" + std::to_string(kStartMs + 1200) +
                  " remaining=1200 clock=host");
        CHECK(outcome.log[4].message ==
              "stub_reads_clock: 103 now=" + std::to_string(kStartMs + 2000) +
                  " remaining=400 clock=host");
        CHECK(outcome.log[6].message ==
              "stub_reads_clock: 104 now=" + std::to_string(kStartMs + 2800) +
                  " remaining=0 clock=host");
    }
    SECTION("a clock that stands still, and the configured margin") {
        kt::ManualClock clock;
        kt::TestInvocation invocation;
        invocation.deadline = clock.now() + 1500ms;
        invocation.time = &clock;
        const kt::BatchOutcome roomy = run_all_ways("reads_clock", {}, kNoVariables, invocation);
        CHECK(roomy.failed_sequence_numbers().empty());
        const kt::BatchOutcome tight =
            run_all_ways("reads_clock", {{"min_remaining_ms", 1501}}, kNoVariables, invocation);
        CHECK(reasons(tight) ==
              std::vector<std::string>(kRecords.size(), "stub_reads_clock: only 1500 ms left"));
    }
    SECTION("no deadline and no test clock: milliseconds::max() and the system clock") {
        // The system clock's readings differ from run to run: compared without them.
        const auto without_now = [](const kt::BatchOutcome& outcome) {
            return std::regex_replace(at::describe(outcome), std::regex("now=[0-9]+"), "now=N");
        };
        const nlohmann::json config = nlohmann::json::object();
        const kt::BatchOutcome outcome =
            run_with_host(at::v1_stub("reads_clock"), config, kNoVariables, base);
        CHECK(without_now(run_with_host(at::v2_stub("reads_clock"), config, kNoVariables, base)) ==
              without_now(outcome));
        CHECK(without_now(run_with_testing(at::v1_stub("reads_clock"), config, kNoVariables,
                                           base)) == without_now(outcome));
        CHECK(outcome.failed_sequence_numbers().empty());
        REQUIRE(outcome.log.size() == 2 * kRecords.size());
        CHECK_THAT(outcome.log[0].message, Catch::StartsWith("stub_reads_clock: 101 now=") &&
                                               Catch::EndsWith(" remaining=none clock=system"));
        CHECK_THAT(outcome.log[1].message, Catch::EndsWith(" deadline=none"));
    }
}

TEST_CASE("a version 1 plugin that fails to start is refused as before") {
    struct Case {
        const char* name;
        nlohmann::json config;
        kbatch::ErrorKind kind;
        std::string says;
    };
    const auto& no_variables = kNoVariables;
    const std::vector<Case> cases = {
        {"throws_in_constructor", nlohmann::json::object(), kbatch::ErrorKind::kPluginLoadError,
         "failed to start: stub_throws_in_constructor: cannot reach the database"},
        {"throws_non_std",
         {{"in_constructor", true}},
         kbatch::ErrorKind::kPluginLoadError,
         "failed to start: unknown exception"},
        {"throws_config_error", nlohmann::json::object(), kbatch::ErrorKind::kConfigError,
         "rejected its configuration: stub_throws_config_error: \"answer\" must be 42"},
        {"fails_on_substring", nlohmann::json::object(), kbatch::ErrorKind::kConfigError,
         "rejected its configuration: stub_fails_on_substring: needs {\"needle\": \"non-empty\"}"},
        {"config_and_env", nlohmann::json::object(), kbatch::ErrorKind::kConfigError,
         "rejected its configuration: stub_config_and_env: STUB_NEEDLE_SUFFIX is not set"},
        {"config_and_env", nlohmann::json::array({1, 2}), kbatch::ErrorKind::kConfigError,
         "rejected its configuration: stub_config_and_env: the configuration must be an object"},
        {"null_factory", nlohmann::json::object(), kbatch::ErrorKind::kPluginLoadError,
         "failed to start: its factory returned null"},
    };
    for (const Case& c : cases) {
        INFO(c.name << " with " << c.config.dump());
        const fs::path v1_file = at::v1_stub(c.name);
        const fs::path v2_file = at::v2_stub(c.name);
        const kbatch::Status v1 = at::load_refused(v1_file, c.config, no_variables);
        const kbatch::Status v2 = at::load_refused(v2_file, c.config, no_variables);
        CHECK(v1.kind() == c.kind);
        CHECK(v1.message() == "plugin " + kbatch::detail::quoted_path(v1_file) + " " + c.says);
        CHECK(v2.kind() == v1.kind());
        CHECK(at::replace_all(v2.message(), v2_file.string(), "<plugin>") ==
              at::replace_all(v1.message(), v1_file.string(), "<plugin>"));
        // kbatch::testing::Plugin: a ConfigError with the plugin's own words, or the host's line.
        for (const fs::path& file : {v1_file, v2_file}) {
            INFO(file);
            const kbatch::Status host = at::load_refused(file, c.config, no_variables);
            if (c.kind == kbatch::ErrorKind::kConfigError) {
                CHECK_THROWS_AS(kt::Plugin(file, c.config, no_variables), kbatch::ConfigError);
                const std::string prefix =
                    "plugin " + kbatch::detail::quoted_path(file) + " rejected its configuration: ";
                CHECK_THROWS_WITH(kt::Plugin(file, c.config, no_variables),
                                  host.message().substr(prefix.size()));
            } else {
                CHECK_THROWS_WITH(kt::Plugin(file, c.config, no_variables), host.message());
            }
        }
    }
}

TEST_CASE("a version 1 plugin without its factory or its version is refused by name") {
    const kbatch::Status no_factory = at::load_refused(at::v1_stub("abi_only"));
    CHECK(no_factory.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK(no_factory.message() == kbatch::detail::quoted_path(at::v1_stub("abi_only")) +
                                      " is not a kbatch plugin: it exports no "
                                      "kbatch_create_processor");
    // Without a version the factory's signature is unknown: it is not called (it would throw).
    const kbatch::Status no_version = at::load_refused(at::v1_stub("factory_only"));
    CHECK(no_version.kind() == kbatch::ErrorKind::kPluginLoadError);
    CHECK(no_version.message() == kbatch::detail::quoted_path(at::v1_stub("factory_only")) +
                                      " is not a kbatch plugin: it exports no kbatch_abi_version");
    CHECK_THROWS_WITH(kt::Plugin(at::v1_stub("abi_only")), no_factory.message());
    CHECK_THROWS_WITH(kt::Plugin(at::v1_stub("factory_only")), no_version.message());
}

TEST_CASE("a version 1 plugin reads the right records when the host's records are longer") {
    // A later host may append fields to the Kinesis record; the stride (BatchView::record_size)
    // tells every plugin, of either version, where record i starts.
    struct LongerRecord {
        V2Fields fields;
        std::uint64_t appended[5] = {1, 2, 3, 4, 5};
    };
    std::vector<std::unique_ptr<kt::RecordView>> views;
    std::vector<LongerRecord> longer;
    for (const kt::TestRecord& record : kRecords) {
        views.push_back(std::make_unique<kt::RecordView>(record));
        longer.push_back(LongerRecord{views.back()->record().fields()});
    }
    kbatch::BatchView batch;
    batch.source = kbatch::Source::kKinesis;
    batch.records = longer.data();
    batch.count = longer.size();
    batch.record_size = sizeof(LongerRecord);
    const kt::TestContext context;
    for (const fs::path& file : {at::v1_stub("always_fails"), at::v2_stub("always_fails")}) {
        INFO(file);
        auto plugin = at::load_ok(file);
        Marks marks(batch.count);
        for (std::size_t i = 0; i < batch.count; ++i)
            plugin->processor().instance().process_record(batch, i, context.context().view(),
                                                          marks);
        CHECK(marks.reasons() == std::vector<std::string>{"always_fails: 101", "always_fails: 102",
                                                          "always_fails: 103", "always_fails: 104",
                                                          "always_fails: 105"});
    }
}

TEST_CASE("a version 1 plugin is handed Kinesis records one by one, and nothing else") {
    auto plugin = at::load_ok(at::v1_stub("never_fails"));
    kbatch::PluginInstance& instance = plugin->processor().instance();
    const kt::TestContext context;
    // What a host would do wrongly: hand it an SQS batch, or the whole batch at once. The adapter
    // fails the records instead of calling the plugin with what it cannot read.
    kbatch::SqsMessageFields message;
    message.message_id = "m1";
    kbatch::BatchView sqs;
    sqs.source = kbatch::Source::kSqs;
    sqs.records = &message;
    sqs.count = 1;
    sqs.record_size = sizeof(message);
    Marks sqs_marks(1);
    instance.process_record(sqs, 0, context.context().view(), sqs_marks);
    CHECK(sqs_marks.reasons() ==
          std::vector<std::string>{"a version 1 plugin handles Kinesis records only"});

    const kt::RecordView view(kRecords[0]);
    kbatch::BatchView kinesis;
    kinesis.source = kbatch::Source::kKinesis;
    kinesis.records = &view.record().fields();
    kinesis.count = 1;
    kinesis.record_size = sizeof(V2Fields);
    Marks batch_marks(1);
    instance.process_batch(kinesis, context.context().view(), batch_marks);
    CHECK(batch_marks.reasons() ==
          std::vector<std::string>{"a version 1 plugin takes records one by one"});
    Marks record_marks(1);
    instance.process_record(kinesis, 0, context.context().view(), record_marks);
    CHECK(record_marks.reasons() == std::vector<std::string>{"ok"});
}

TEST_CASE("kbatch invoke runs a version 1 plugin as it runs the version 2 build of its source") {
    const std::string event = kt::event_json(kRecords);
    struct Case {
        const char* name;
        std::vector<std::string> extra_args;
        std::vector<std::string> env;
        std::vector<std::string> failed;  // the response's itemIdentifiers
    };
    const std::vector<Case> cases = {
        {"never_fails", {}, {}, {}},
        {"always_fails", {}, {}, {"101", "102", "103", "104", "105"}},
        {"fails_on_substring", {"--config", R"({"needle":"needle"})"}, {}, {"102", "105"}},
        {"throws_runtime_error", {}, {}, {"101", "102", "103", "104", "105"}},
        {"throws_non_std", {}, {}, {"101", "102", "103", "104", "105"}},
        {"logs_records", {}, {}, {}},
        {"config_and_env",
         {"--config", R"({"prefix":"Hello ","env":"STUB_SUFFIX"})"},
         {"STUB_SUFFIX=World"},
         {"101"}},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        std::vector<kbatch::test::CommandResult> runs;
        for (const fs::path& file : {at::v1_stub(c.name), at::v2_stub(c.name)}) {
            // At debug level the CLI logs each failed record with the plugin's reason.
            std::vector<std::string> args = {"invoke",      "--data-file", "-",    "--plugin",
                                             file.string(), "--log-level", "debug"};
            args.insert(args.end(), c.extra_args.begin(), c.extra_args.end());
            runs.push_back(kbatch::test::run_kbatch(args, event, c.env));
            INFO(file << "\nstdout: " << runs.back().out << "\nstderr: " << runs.back().err);
            CHECK(runs.back().signal == 0);
            REQUIRE(runs.back().exit_code == 0);
            CHECK(kbatch::test::item_identifiers(runs.back().out) == c.failed);
        }
        CHECK(runs[0].out == runs[1].out);
        CHECK(at::stable_stderr_lines(runs[0].err, at::v1_stub(c.name)) ==
              at::stable_stderr_lines(runs[1].err, at::v2_stub(c.name)));
    }
    // The per-record lines of the log carry the plugin's own words.
    const kbatch::test::CommandResult logs = kbatch::test::run_kbatch(
        {"invoke", "--data-file", "-", "--plugin", at::v1_stub("logs_records").string()}, event);
    CHECK_THAT(logs.err, Catch::Contains("stub_logs_records: 101 Hello World"));
    const kbatch::test::CommandResult boom = kbatch::test::run_kbatch(
        {"invoke", "--data-file", "-", "--plugin", at::v1_stub("throws_runtime_error").string(),
         "--log-level", "debug"},
        event);
    CHECK_THAT(boom.err, Catch::Contains("Records[2] 103 failed: boom: 103"));
}

TEST_CASE("kbatch invoke: a version 1 plugin on the repository's example, and its failures") {
    const std::string example = (kbatch::test::events_dir() / "example.json").string();
    const kbatch::test::CommandResult failing = kbatch::test::run_kbatch(
        {"invoke", "--data-file", example, "--plugin", at::v1_stub("always_fails").string()});
    INFO("stdout: " << failing.out << "\nstderr: " << failing.err);
    REQUIRE(failing.exit_code == 0);
    const std::vector<std::string> failed = kbatch::test::item_identifiers(failing.out);
    CHECK(failed.size() == 2);
    const kbatch::test::CommandResult v2 = kbatch::test::run_kbatch(
        {"invoke", "--data-file", example, "--plugin", at::v2_stub("always_fails").string()});
    CHECK(v2.out == failing.out);

    // Its configuration refused: exit 1, one line on stderr, nothing on stdout.
    for (const char* name : {"throws_config_error", "throws_in_constructor"}) {
        INFO(name);
        std::vector<std::string> lines;
        for (const fs::path& file : {at::v1_stub(name), at::v2_stub(name)}) {
            const kbatch::test::CommandResult refused = kbatch::test::run_kbatch(
                {"invoke", "--data-file", example, "--plugin", file.string()});
            INFO("stderr: " << refused.err);
            CHECK(refused.signal == 0);
            CHECK(refused.exit_code == 1);
            CHECK(refused.out.empty());
            CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
            lines.push_back(at::replace_all(refused.err, file.string(), "<plugin>"));
        }
        CHECK(lines[0] == lines[1]);
    }

    // Printing on stdout and throwing from the destructor: the response alone on stdout, the
    // throw a warning.
    const std::string records = kt::event_json({{"1", "fine"}, {"2", "fail"}});
    for (const fs::path& file :
         {at::v1_stub("misbehaves_on_stdout"), at::v2_stub("misbehaves_on_stdout")}) {
        INFO(file);
        const kbatch::test::CommandResult run = kbatch::test::run_kbatch(
            {"invoke", "--data-file", "-", "--plugin", file.string()}, records);
        INFO("stderr: " << run.err);
        CHECK(run.signal == 0);
        REQUIRE(run.exit_code == 0);
        CHECK(kbatch::test::item_identifiers(run.out) == std::vector<std::string>{"2"});
        CHECK_THAT(run.err,
                   Catch::Contains("the plugin's destructor threw: stub destructor failure"));
    }
}

TEST_CASE("kbatch invoke: an SQS or DynamoDB event to a version 1 plugin is refused by source") {
    for (const char* event : {"sqs-example.json", "dynamodb-example.json"}) {
        INFO(event);
        const kbatch::test::CommandResult run = kbatch::test::run_kbatch(
            {"invoke", "--data-file", (kbatch::test::events_dir() / event).string(), "--plugin",
             at::v1_stub("logs_records").string()});
        INFO("stderr: " << run.err);
        if (at::skip_without_source_decoding(run))
            return;
        CHECK(run.signal == 0);
        CHECK(run.exit_code == 1);
        CHECK(run.out.empty());
        CHECK_THAT(run.err, Catch::Contains("Kbatch.UnsupportedEventSource") &&
                                Catch::Contains("the plugin handles Kinesis only"));
        // Nothing reached the plugin.
        CHECK_THAT(run.err, !Catch::Contains("stub_logs_records"));
    }
}
