// Test stub: a version 2 batch-level plugin of Kinesis and SQS that marks some records and leaves
// others unmarked, as a bulk write that lost track of a few would. A record whose payload contains
// "fail" is marked failed ("stub_batch_leaves_unmarked: <item identifier>"), one that contains
// "skip" is left unmarked, every other one is marked succeeded. The host must report the unmarked
// ones failed, never successful.
#include <string>
#include <string_view>

#include <kbatch/plugin.hpp>

namespace {

class BatchLeavesUnmarked final
    : public kbatch::BatchProcessor<kbatch::KinesisRecord, kbatch::SqsMessage> {
  public:
    explicit BatchLeavesUnmarked(const kbatch::PluginConfig&) {}

    void process(const kbatch::Batch<kbatch::KinesisRecord>& batch, const kbatch::Context&,
                 kbatch::Outcomes& outcomes) override {
        for (auto it = batch.begin(); it != batch.end(); ++it)
            mark(outcomes, it.index(), (*it).item_identifier(), (*it).text());
    }
    void process(const kbatch::Batch<kbatch::SqsMessage>& batch, const kbatch::Context&,
                 kbatch::Outcomes& outcomes) override {
        for (std::size_t index = 0; index < batch.size(); ++index)
            mark(outcomes, index, batch[index].item_identifier(), batch[index].body());
    }

  private:
    static void mark(kbatch::Outcomes& outcomes, std::size_t index, std::string_view identifier,
                     std::string_view payload) {
        if (payload.find("fail") != std::string_view::npos)
            outcomes.failed(index, "stub_batch_leaves_unmarked: " + std::string(identifier));
        else if (payload.find("skip") == std::string_view::npos)
            outcomes.succeeded(index);
    }
};

}  // namespace

KBATCH_PLUGIN(BatchLeavesUnmarked)
