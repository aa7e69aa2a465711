// Test stub: a version 2 plugin that handles SQS messages only. A message whose body contains
// "fail" fails with "stub_sqs_only: <message id>"; every other message succeeds. Given a Kinesis or
// DynamoDB event, the host must fail the invocation (Kbatch.UnsupportedEventSource) without
// calling it.
#include <string>

#include <kbatch/plugin.hpp>

namespace {

class SqsOnly final : public kbatch::Processor<kbatch::SqsMessage> {
  public:
    explicit SqsOnly(const kbatch::PluginConfig&) {}
    kbatch::Result process(const kbatch::SqsMessage& message, const kbatch::Context&) override {
        if (message.body().find("fail") != std::string_view::npos)
            return kbatch::Result::failure("stub_sqs_only: " + std::string(message.message_id()));
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(SqsOnly)
