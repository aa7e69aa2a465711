// <kbatch/testing.hpp>, the SDK's helpers for plugin authors, checked against the real host code:
// a record made with RecordView must look to a plugin exactly like the record the host decodes
// from event_json()'s event, and run_batch() must answer what the host answers.
#include <chrono>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>
#include <kbatch/testing.hpp>
#include <nlohmann/json.hpp>

#include "invocation_handler.h"
#include "test_support.h"

namespace {

namespace kt = kbatch::testing;

// Copies every field of every record it sees; fails records whose payload starts with "fail"
// and throws for "throw".
class Recorder final : public kbatch::RecordProcessor {
  public:
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        seen.push_back({
            {"sequence_number", record.sequence_number()},
            {"partition_key", record.partition_key()},
            {"text", record.text()},
            {"approximate_arrival", record.approximate_arrival()},
            {"encryption_type", record.encryption_type()},
            {"kinesis_schema_version", record.kinesis_schema_version()},
            {"event_id", record.event_id()},
            {"event_name", record.event_name()},
            {"event_source", record.event_source()},
            {"event_source_arn", record.event_source_arn()},
            {"event_version", record.event_version()},
            {"invoke_identity_arn", record.invoke_identity_arn()},
            {"aws_region", record.aws_region()},
        });
        if (record.text() == "throw")
            throw std::runtime_error("thrown on purpose");
        if (record.text().starts_with("fail"))
            return kbatch::Result::failure("failed on purpose");
        return kbatch::Result::ok();
    }

    std::vector<nlohmann::json> seen;
};

std::vector<kt::TestRecord> sample_records() {
    std::vector<kt::TestRecord> records = {
        {kt::sequence_number(1), "plain text"},
        {kt::sequence_number(2), "fail: this one"},
        {kt::sequence_number(3), std::string("\x00\xff\x7f binary", 10)},
        {kt::sequence_number(4), "throw"},
        {kt::sequence_number(5), ""},
    };
    records[2].partition_key = "another key";
    records[2].encryption_type = "KMS";
    records[3].encryption_type = "";  // the optional field left out
    records[4].shard_id = "shardId-000000000007";
    records[4].aws_region = "eu-west-1";
    return records;
}

}  // namespace

TEST_CASE("base64_encode follows RFC 4648 (its test vectors, and every byte value)") {
    CHECK(kt::base64_encode("") == "");
    CHECK(kt::base64_encode("f") == "Zg==");
    CHECK(kt::base64_encode("fo") == "Zm8=");
    CHECK(kt::base64_encode("foo") == "Zm9v");
    CHECK(kt::base64_encode("foob") == "Zm9vYg==");
    CHECK(kt::base64_encode("fooba") == "Zm9vYmE=");
    CHECK(kt::base64_encode("foobar") == "Zm9vYmFy");
    std::string every_byte;
    for (int value = 0; value < 256; ++value)
        every_byte += static_cast<char>(value);
    for (std::size_t length = 0; length <= every_byte.size(); length += 37) {
        const std::string bytes = every_byte.substr(0, length);
        CHECK(kbatch::test::reference_base64_decode(kt::base64_encode(bytes)) == bytes);
    }
}

TEST_CASE("a RecordView shows a plugin the same record the host decodes from event_json") {
    const std::vector<kt::TestRecord> records = sample_records();

    Recorder in_process;
    const kt::BatchOutcome outcome = kt::run_batch(in_process, records);

    Recorder through_host;
    kbatch::InvocationHandler handler;
    kt::TestContext context;
    std::string response;
    REQUIRE(handler
                .handle(kt::event_json(records), kbatch::ProcessorHandle::borrow(through_host),
                        context.context(), &response)
                .is_ok());

    REQUIRE(in_process.seen.size() == records.size());
    REQUIRE(through_host.seen.size() == records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        INFO("record " << i);
        CHECK(in_process.seen[i] == through_host.seen[i]);
    }
    CHECK(in_process.seen[4]["event_id"] == "shardId-000000000007:" + kt::sequence_number(5));

    // And the same answer, exceptions included.
    CHECK(outcome.response() == nlohmann::json::parse(response));
    CHECK(outcome.failed_sequence_numbers() ==
          std::vector<std::string>{kt::sequence_number(2), kt::sequence_number(4)});
    CHECK(outcome.reason(kt::sequence_number(4)) == "thrown on purpose");
    CHECK(outcome.reason(kt::sequence_number(1)) == std::nullopt);
}

TEST_CASE("run_batch reports a repeated failed sequence number once, as the host does") {
    Recorder processor;
    const kt::BatchOutcome outcome =
        kt::run_batch(processor, {{"7", "fail once"}, {"7", "fail twice"}, {"8", "ok"}});
    CHECK(outcome.failed_sequence_numbers() == std::vector<std::string>{"7", "7"});
    CHECK(outcome.response().dump() == R"({"batchItemFailures":[{"itemIdentifier":"7"}]})");
}

TEST_CASE("run_batch passes the invocation to the plugin and keeps what it logs") {
    class Probe final : public kbatch::RecordProcessor {
      public:
        kbatch::Result process(const kbatch::KinesisRecord& record,
                               const kbatch::Context& ctx) override {
            ctx.logger().info(std::string(ctx.request_id()) + " " +
                              std::string(record.sequence_number()));
            ctx.logger().error("trace " + std::string(ctx.trace_id()));
            return kbatch::Result::ok();
        }
    } probe;
    kt::TestInvocation invocation;
    invocation.request_id = "req-42";
    invocation.trace_id = "Root=1-abc";
    const kt::BatchOutcome outcome = kt::run_batch(probe, {{"1", "x"}}, invocation);
    CHECK(outcome.messages(kbatch::LogLevel::kInfo) == std::vector<std::string>{"req-42 1"});
    CHECK(outcome.messages(kbatch::LogLevel::kError) ==
          std::vector<std::string>{"trace Root=1-abc"});
}

TEST_CASE("the old name Invocation still compiles, naming TestInvocation") {
    // Plugin authors' tests written before the rename keep compiling, with a warning.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    STATIC_REQUIRE(std::is_same_v<kt::Invocation, kt::TestInvocation>);
#pragma GCC diagnostic pop
}

TEST_CASE("a TestContext gives a processor called by hand its invocation, and keeps its log") {
    class Probe final : public kbatch::RecordProcessor {
      public:
        kbatch::Result process(const kbatch::KinesisRecord& record,
                               const kbatch::Context& ctx) override {
            ctx.logger().warn(std::string(ctx.request_id()) + " " +
                              std::string(ctx.function_arn()) + " " +
                              std::string(record.sequence_number()));
            return kbatch::Result::failure(std::to_string(ctx.remaining_time().count()));
        }
    } probe;
    kt::ManualClock clock;
    kt::TestInvocation invocation;
    invocation.request_id = "req-7";
    invocation.function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:f";
    invocation.deadline = clock.now() + std::chrono::seconds(3);
    invocation.time = &clock;
    const kt::TestContext context(invocation);
    invocation.request_id = "changed after";  // the context keeps its own copy

    const kt::TestRecord record{"42", "payload"};
    const kt::RecordView view(record);
    const kbatch::Result result = probe.process(view.record(), context.context());
    CHECK(result.failed());
    CHECK(result.reason() == "3000");
    REQUIRE(context.log().size() == 1);
    CHECK(context.log()[0].level == kbatch::LogLevel::kWarn);
    CHECK(context.log()[0].message == "req-7 arn:aws:lambda:eu-west-1:123456789012:function:f 42");
}

TEST_CASE("basic_record_json writes Lambda's field order, record_json the same JSON sorted") {
    const kt::TestRecord record{kt::sequence_number(1), "ordered"};
    const nlohmann::ordered_json ordered = kt::basic_record_json<nlohmann::ordered_json>(record);
    std::vector<std::string> keys, kinesis_keys;
    for (const auto& [key, value] : ordered.items())
        keys.push_back(key);
    for (const auto& [key, value] : ordered["kinesis"].items())
        kinesis_keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"kinesis", "eventSource", "eventVersion", "eventID",
                                           "eventName", "invokeIdentityArn", "awsRegion",
                                           "eventSourceARN"});
    CHECK(kinesis_keys ==
          std::vector<std::string>{"kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data",
                                   "approximateArrivalTimestamp", "encryptionType"});
    CHECK(nlohmann::json::parse(ordered.dump()) == kt::record_json(record));
}

TEST_CASE("environment() gives a plugin exactly the variables the test names") {
    const kbatch::PluginConfig config(nlohmann::json::object(),
                                      kt::environment({{"TABLE", "orders"}}));
    CHECK(config.env("TABLE") == "orders");
    CHECK(config.env("PATH") == std::nullopt);
}

TEST_CASE("Plugin refuses a file that is not a kbatch plugin, naming it") {
    kbatch::test::TempDir dir;
    const std::filesystem::path missing = dir / "libmissing.so";
    CHECK_THROWS_WITH(kt::Plugin(missing), Catch::Contains("libmissing.so"));
}
