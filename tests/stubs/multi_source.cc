// Test stub: a version 2 per-record plugin of every source, declared thread-safe. A record whose
// payload (Kinesis data, SQS body, DynamoDB NewImage text) contains "fail" fails with
// "stub_multi_source: <source> <item identifier>"; every record is logged the same way
// ("stub_multi_source: seen <source> <item identifier>") and the others succeed.
#include <string>
#include <string_view>

#include <kbatch/plugin.hpp>

namespace {

class MultiSource final
    : public kbatch::Processor<kbatch::KinesisRecord, kbatch::SqsMessage, kbatch::DynamoDbRecord> {
  public:
    static constexpr bool kThreadSafe = true;

    explicit MultiSource(const kbatch::PluginConfig&) {}

    kbatch::Result process(const kbatch::KinesisRecord& record,
                           const kbatch::Context& ctx) override {
        return decide(ctx, "kinesis", record.item_identifier(), record.text());
    }
    kbatch::Result process(const kbatch::SqsMessage& message, const kbatch::Context& ctx) override {
        return decide(ctx, "sqs", message.item_identifier(), message.body());
    }
    kbatch::Result process(const kbatch::DynamoDbRecord& record,
                           const kbatch::Context& ctx) override {
        return decide(ctx, "dynamodb", record.item_identifier(), record.fields().new_image);
    }

  private:
    static kbatch::Result decide(const kbatch::Context& ctx, std::string_view source,
                                 std::string_view identifier, std::string_view payload) {
        const std::string name =
            "stub_multi_source: " + std::string(source) + " " + std::string(identifier);
        ctx.logger().info("stub_multi_source: seen " + std::string(source) + " " +
                          std::string(identifier));
        if (payload.find("fail") != std::string_view::npos)
            return kbatch::Result::failure(name);
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(MultiSource)
