// Version 2's sources and forms, as plugins declare them (issue 13, point 1): what a plugin's
// kbatch_plugin_info says (sources, form, the thread-safe flag, the fingerprint), what the host
// makes of it (ProcessorTraits), per-record plugins of one and of every source, batch-level plugins
// that leave records unmarked or throw, an event of a source the plugin does not handle
// (Kbatch.UnsupportedEventSource), and the record stride that lets either side grow.
#include <dlfcn.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/plugin.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "abi_test_support.h"
#include "plugin_loader.h"
#include "test_support.h"

namespace at = kbatch::abi_test;
namespace kt = kbatch::testing;

namespace {
namespace fs = std::filesystem;

constexpr kbatch::SourceSet kKinesis = kbatch::source_bit(kbatch::Source::kKinesis);
constexpr kbatch::SourceSet kSqs = kbatch::source_bit(kbatch::Source::kSqs);
constexpr kbatch::SourceSet kDynamoDb = kbatch::source_bit(kbatch::Source::kDynamoDb);

// The PluginInfo `file` exports, read as a host reads it (BOOST_DLL_ALIAS exports a pointer to
// the record under the alias's name). The library stays loaded (RTLD_NODELETE is not needed:
// the handle is kept for the process).
const kbatch::PluginInfo& exported_info(const fs::path& file) {
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    INFO(file << ": " << (handle == nullptr ? ::dlerror() : "loaded"));
    REQUIRE(handle != nullptr);
    const auto* alias = static_cast<const void* const*>(::dlsym(handle, "kbatch_plugin_info"));
    REQUIRE(alias != nullptr);
    return *static_cast<const kbatch::PluginInfo*>(*alias);
}

// The repository's SQS example (4 messages) with the given bodies in place of its own.
std::string sqs_event(const std::vector<std::string>& bodies) {
    nlohmann::json event = nlohmann::json::parse(
        kbatch::test::read_file(kbatch::test::events_dir() / "sqs-example.json"));
    nlohmann::json& records = event["Records"];
    REQUIRE(records.size() == bodies.size());
    for (std::size_t i = 0; i < bodies.size(); ++i)
        records[i]["body"] = bodies[i];
    return event.dump();
}

// The message ids of the repository's SQS example, in order.
std::vector<std::string> sqs_ids() {
    const nlohmann::json event = nlohmann::json::parse(
        kbatch::test::read_file(kbatch::test::events_dir() / "sqs-example.json"));
    std::vector<std::string> ids;
    for (const nlohmann::json& record : event["Records"])
        ids.push_back(record["messageId"].get<std::string>());
    return ids;
}

// `kbatch invoke` with `plugin` on `event` (text on stdin, or a file of events/).
kbatch::test::CommandResult invoke(const fs::path& plugin, const std::string& event,
                                   bool from_file = false) {
    std::vector<std::string> args = {
        "invoke", "--data-file",
        from_file ? (kbatch::test::events_dir() / event).string() : std::string("-"), "--plugin",
        plugin.string(),
        // DEBUG: each failure's reason is logged, which the tests read.
        "--log-level", "DEBUG"};
    return kbatch::test::run_kbatch(args, from_file ? std::string_view() : event);
}

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

std::vector<std::string> reasons(const kt::BatchOutcome& outcome) {
    std::vector<std::string> all;
    for (const kt::RecordOutcome& record : outcome.records)
        all.push_back(record.failed ? record.reason : "ok");
    return all;
}

// An in-process SQS processor that reports how much of each message the host filled.
class SeesFilledSize final : public kbatch::Processor<kbatch::SqsMessage> {
  public:
    explicit SeesFilledSize(const kbatch::PluginConfig&) {}
    kbatch::Result process(const kbatch::SqsMessage& message, const kbatch::Context&) override {
        const bool has_attributes =
            message.has_field(offsetof(kbatch::SqsMessageFields, message_attributes),
                              sizeof(kbatch::SqsMessageFields::message_attributes));
        return kbatch::Result::failure(std::string(message.message_id()) + " filled " +
                                       std::to_string(message.filled_size()) +
                                       (has_attributes ? " with" : " without") + " attributes");
    }
};

}  // namespace

TEST_CASE("a version 2 plugin's exported PluginInfo: fingerprint, level, sources, form, flags") {
    struct Case {
        const char* stub;
        kbatch::SourceSet sources;
        kbatch::ProcessingForm form;
        std::uint32_t flags;
    };
    const Case cases[] = {
        {"sqs_only", kSqs, kbatch::ProcessingForm::kPerRecord, 0},
        {"multi_source", kKinesis | kSqs | kDynamoDb, kbatch::ProcessingForm::kPerRecord,
         kbatch::kPluginThreadSafe},
        {"batch_leaves_unmarked", kKinesis | kSqs, kbatch::ProcessingForm::kBatch, 0},
        {"batch_throws", kKinesis, kbatch::ProcessingForm::kBatch, 0},
        {"never_fails", kKinesis, kbatch::ProcessingForm::kPerRecord, 0},
    };
    for (const Case& c : cases) {
        INFO(c.stub);
        const fs::path file = at::v2_stub(c.stub);
        const kbatch::PluginInfo& info = exported_info(file);
        CHECK(info.size == sizeof(kbatch::PluginInfo));
        CHECK(info.abi_version == 2);
        CHECK(info.required_level == 1);
        CHECK(info.sources == c.sources);
        CHECK(info.form == c.form);
        CHECK(info.flags == c.flags);
        CHECK(info.libstdcxx_cxx11_abi == _GLIBCXX_USE_CXX11_ABI);
        CHECK(info.boost_dll_use_std_fs == 1);
        REQUIRE(info.sdk_version != nullptr);
        CHECK(std::string(info.sdk_version) == KBATCH_SDK_VERSION);
        CHECK(info.create != nullptr);

        // What the host and kbatch::testing::Plugin make of it.
        auto plugin = at::load_ok(file);
        const kbatch::ProcessorTraits& traits = plugin->processor().traits();
        CHECK(traits.abi_version == 2);
        CHECK(traits.sources == c.sources);
        CHECK(traits.form == c.form);
        CHECK(traits.flags == c.flags);
        const kt::Plugin testing(file);
        CHECK(testing.traits().sources == c.sources);
        CHECK(testing.traits().form == c.form);
        CHECK(testing.traits().flags == c.flags);
    }
}

TEST_CASE("an in-process processor has the traits its class declares") {
    const kbatch::ProcessorHandle handle =
        kbatch::ProcessorHandle::of(std::make_unique<SeesFilledSize>(kbatch::PluginConfig()));
    CHECK(handle.traits().sources == kSqs);
    CHECK(handle.traits().form == kbatch::ProcessingForm::kPerRecord);
    CHECK(handle.traits().flags == 0);
    CHECK(handle.handles(kbatch::Source::kSqs));
    CHECK_FALSE(handle.handles(kbatch::Source::kKinesis));
}

TEST_CASE("a Kinesis batch through per-record plugins of one source and of every source") {
    const std::vector<kt::TestRecord> records = {{"1", "fine"}, {"2", "fail me"}, {"3", "fine"}};
    SECTION("multi_source decides Kinesis records and names their source") {
        for (const bool through_testing : {false, true}) {
            INFO((through_testing ? "kbatch::testing::Plugin" : "the host's loader"));
            std::unique_ptr<kbatch::LoadedPlugin> host;
            std::unique_ptr<kt::Plugin> testing;
            if (through_testing)
                testing = std::make_unique<kt::Plugin>(at::v2_stub("multi_source"));
            else
                host = at::load_ok(at::v2_stub("multi_source"));
            const kbatch::ProcessorHandle& processor =
                through_testing ? testing->processor() : host->processor();
            const kt::BatchOutcome outcome = kt::run_batch(processor, records);
            CHECK(reasons(outcome) ==
                  std::vector<std::string>{"ok", "stub_multi_source: kinesis 2", "ok"});
            REQUIRE(outcome.log.size() == 3);
            CHECK(outcome.log[2].message == "stub_multi_source: seen kinesis 3");
        }
    }
    SECTION("an SQS-only plugin is never handed Kinesis records") {
        const kt::Plugin plugin(at::v2_stub("sqs_only"));
        CHECK_THROWS_WITH(kt::run_batch(plugin.processor(), records),
                          "the processor does not handle Kinesis records (it handles SQS)");
    }
}

TEST_CASE("batch-level plugins: what they leave unmarked or throw over is reported failed") {
    SECTION("unmarked records fail, marked ones keep their mark") {
        const kt::Plugin plugin(at::v2_stub("batch_leaves_unmarked"));
        const kt::BatchOutcome outcome =
            kt::run_batch(plugin.processor(),
                          {{"1", "ok"}, {"2", "fail"}, {"3", "skip"}, {"4", "ok"}, {"5", "skip"}});
        CHECK(reasons(outcome) ==
              std::vector<std::string>{"ok", "stub_batch_leaves_unmarked: 2",
                                       "the plugin marked no outcome for the record", "ok",
                                       "the plugin marked no outcome for the record"});
        // The host reports the same records.
        const kbatch::test::CommandResult run =
            invoke(at::v2_stub("batch_leaves_unmarked"),
                   kt::event_json(
                       {{"1", "ok"}, {"2", "fail"}, {"3", "skip"}, {"4", "ok"}, {"5", "skip"}}));
        INFO("stderr: " << run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(kbatch::test::item_identifiers(run.out) == std::vector<std::string>{"2", "3", "5"});
    }
    SECTION("a throw fails every record not yet marked, with what() or \"unknown exception\"") {
        const kt::Plugin plugin(at::v2_stub("batch_throws"));
        const std::vector<kt::TestRecord> records = {
            {"1", "a"}, {"2", "fail"}, {"3", "b"}, {"4", "throw"}, {"5", "c"}};
        const kt::BatchOutcome outcome = kt::run_batch(plugin.processor(), records);
        CHECK(reasons(outcome) ==
              std::vector<std::string>{"ok", "stub_batch_throws: 2", "ok",
                                       "stub_batch_throws: bulk write failed at 4",
                                       "stub_batch_throws: bulk write failed at 4"});
        const kt::BatchOutcome non_std =
            kt::run_batch(plugin.processor(), {{"1", "a"}, {"2", "throw int"}});
        CHECK(reasons(non_std) == std::vector<std::string>{"ok", "unknown exception"});

        const kbatch::test::CommandResult run =
            invoke(at::v2_stub("batch_throws"), kt::event_json(records));
        INFO("stderr: " << run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(kbatch::test::item_identifiers(run.out) == std::vector<std::string>{"2", "4", "5"});
        // And a throw before any mark fails them all.
        const kbatch::test::CommandResult all =
            invoke(at::v2_stub("batch_throws"), kt::event_json({{"1", "throw"}, {"2", "a"}}));
        REQUIRE(all.exit_code == 0);
        CHECK(kbatch::test::item_identifiers(all.out) == std::vector<std::string>{"1", "2"});
    }
}

namespace {

struct UnsupportedCase {
    const char* stub;
    const char* event;
    std::string says;
};

// `kbatch invoke` of events/<event> with the stub: the invocation fails as a whole, before any
// record reaches the plugin. Returns false when the test is skipped.
bool check_unsupported(const UnsupportedCase& c) {
    INFO(c.stub << " on " << c.event);
    const kbatch::test::CommandResult run = invoke(at::v2_stub(c.stub), c.event, true);
    INFO("stdout: " << run.out << "\nstderr: " << run.err);
    if (at::skip_without_source_decoding(run))
        return false;
    CHECK(run.signal == 0);
    CHECK(run.exit_code == 1);
    CHECK(run.out.empty());
    CHECK(run.err == "kbatch: error: " + (kbatch::test::events_dir() / c.event).string() + ": " +
                         c.says + "\n");
    return true;
}

}  // namespace

TEST_CASE("kbatch invoke: a Kinesis event to an SQS-only plugin is Kbatch.UnsupportedEventSource") {
    check_unsupported({"sqs_only", "example.json",
                       "Kbatch.UnsupportedEventSource: the event holds Kinesis records "
                       "(eventSource \"aws:kinesis\"), but the plugin handles SQS only"});
}

TEST_CASE("kbatch invoke: SQS and DynamoDB events to plugins that do not handle them") {
    const std::vector<UnsupportedCase> cases = {
        {"sqs_only", "dynamodb-example.json",
         "Kbatch.UnsupportedEventSource: the event holds DynamoDB Streams records (eventSource "
         "\"aws:dynamodb\"), but the plugin handles SQS only"},
        {"batch_throws", "sqs-example.json",
         "Kbatch.UnsupportedEventSource: the event holds SQS records (eventSource \"aws:sqs\"), "
         "but the plugin handles Kinesis only"},
        {"batch_leaves_unmarked", "dynamodb-example.json",
         "Kbatch.UnsupportedEventSource: the event holds DynamoDB Streams records (eventSource "
         "\"aws:dynamodb\"), but the plugin handles Kinesis, SQS only"},
    };
    for (const UnsupportedCase& c : cases) {
        if (!check_unsupported(c))
            return;
    }
}

TEST_CASE("kbatch invoke: SQS and DynamoDB events through version 2 plugins") {
    const std::vector<std::string> ids = sqs_ids();
    REQUIRE(ids.size() == 4);
    const std::string event = sqs_event({"fine", "fail", "skip", "fail and skip"});
    SECTION("per record, SQS only: every failed message is reported") {
        const kbatch::test::CommandResult run = invoke(at::v2_stub("sqs_only"), event);
        INFO("stderr: " << run.err);
        if (at::skip_without_source_decoding(run))
            return;
        REQUIRE(run.exit_code == 0);
        CHECK(kbatch::test::item_identifiers(run.out) == std::vector<std::string>{ids[1], ids[3]});
        CHECK_THAT(run.err, Catch::Contains("stub_sqs_only: " + ids[1]));
    }
    SECTION("per record, every source") {
        const kbatch::test::CommandResult run = invoke(at::v2_stub("multi_source"), event);
        INFO("stderr: " << run.err);
        if (at::skip_without_source_decoding(run))
            return;
        REQUIRE(run.exit_code == 0);
        CHECK(kbatch::test::item_identifiers(run.out) == std::vector<std::string>{ids[1], ids[3]});
        CHECK_THAT(run.err, Catch::Contains("stub_multi_source: seen sqs " + ids[2]));

        // DynamoDB: the repository's example, with "fail" written into the MODIFY's NewImage.
        nlohmann::json dynamodb = nlohmann::json::parse(
            kbatch::test::read_file(kbatch::test::events_dir() / "dynamodb-example.json"));
        nlohmann::json& modify = dynamodb["Records"][1];
        REQUIRE(modify["eventName"] == "MODIFY");
        modify["dynamodb"]["NewImage"]["note"] = {{"S", "fail"}};
        const std::string sequence = modify["dynamodb"]["SequenceNumber"].get<std::string>();
        const kbatch::test::CommandResult streams =
            invoke(at::v2_stub("multi_source"), dynamodb.dump());
        INFO("stderr: " << streams.err);
        REQUIRE(streams.exit_code == 0);
        CHECK(kbatch::test::item_identifiers(streams.out) == std::vector<std::string>{sequence});
        CHECK_THAT(streams.err, Catch::Contains("stub_multi_source: dynamodb " + sequence));
    }
    SECTION("batch-level: the unmarked messages are reported with the failed ones") {
        const kbatch::test::CommandResult run = invoke(at::v2_stub("batch_leaves_unmarked"), event);
        INFO("stderr: " << run.err);
        if (at::skip_without_source_decoding(run))
            return;
        REQUIRE(run.exit_code == 0);
        CHECK(kbatch::test::item_identifiers(run.out) ==
              std::vector<std::string>{ids[1], ids[2], ids[3]});
    }
}

TEST_CASE("the record stride: a later host's longer records, an earlier host's shorter ones") {
    // Longer: a host that appended fields to SqsMessageFields. The plugin finds each message at
    // its stride and reads the fields it knows.
    struct LongerMessage {
        kbatch::SqsMessageFields fields;
        std::uint64_t appended[3] = {7, 7, 7};
    };
    const std::vector<std::string> bodies = {"fine", "fail", "fine"};
    std::vector<LongerMessage> longer(bodies.size());
    const std::vector<std::string> ids = {"m-1", "m-2", "m-3"};
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        longer[i].fields.message_id = ids[i];
        longer[i].fields.body = bodies[i];
        longer[i].fields.event_source = "aws:sqs";
    }
    kbatch::BatchView batch;
    batch.source = kbatch::Source::kSqs;
    batch.records = longer.data();
    batch.count = longer.size();
    batch.record_size = sizeof(LongerMessage);
    const kt::TestContext context;
    for (const char* stub : {"sqs_only", "multi_source", "batch_leaves_unmarked"}) {
        INFO(stub);
        auto plugin = at::load_ok(at::v2_stub(stub));
        Marks marks(batch.count);
        if (plugin->processor().traits().form == kbatch::ProcessingForm::kBatch) {
            plugin->processor().instance().process_batch(batch, context.context().view(), marks);
        } else {
            for (std::size_t i = 0; i < batch.count; ++i) {
                plugin->processor().instance().process_record(batch, i, context.context().view(),
                                                              marks);
            }
        }
        CHECK(marks.reasons()[0] == "ok");
        CHECK_THAT(marks.reasons()[1], Catch::EndsWith(" m-2"));
        CHECK(marks.reasons()[2] == "ok");
    }

    // Shorter: a host built before the last two fields existed. The view says how much it
    // filled, and a field past it reads as absent.
    const std::size_t older = offsetof(kbatch::SqsMessageFields, dead_letter_queue_source_arn);
    // Room past the second record, so that nothing the view could touch lies outside the buffer.
    std::vector<unsigned char> bytes(older * 2 + sizeof(kbatch::SqsMessageFields));
    for (std::size_t i = 0; i < 2; ++i) {
        kbatch::SqsMessageFields fields;
        fields.message_id = ids[i];
        std::memcpy(bytes.data() + i * older, &fields, older);
    }
    kbatch::BatchView shorter;
    shorter.source = kbatch::Source::kSqs;
    shorter.records = bytes.data();
    shorter.count = 2;
    shorter.record_size = older;
    const kbatch::ProcessorHandle handle =
        kbatch::ProcessorHandle::of(std::make_unique<SeesFilledSize>(kbatch::PluginConfig()));
    Marks marks(2);
    for (std::size_t i = 0; i < 2; ++i)
        handle.instance().process_record(shorter, i, context.context().view(), marks);
    CHECK(marks.reasons() ==
          std::vector<std::string>{"m-1 filled " + std::to_string(older) + " without attributes",
                                   "m-2 filled " + std::to_string(older) + " without attributes"});
}
