// Test stub: a version 2 batch-level Kinesis plugin whose bulk write throws part way. It marks the
// records in order (failed, "stub_batch_throws: <sequence number>", when the data contains
// "fail"; succeeded otherwise) until it meets one whose data contains "throw": there it throws
// std::runtime_error("stub_batch_throws: bulk write failed at <sequence number>"), or the int 42
// when the data contains "throw int". That record and the ones after it are left unmarked: the
// SDK fails them with the exception's text, and the marks made before the throw stand.
#include <stdexcept>
#include <string>
#include <string_view>

#include <kbatch/plugin.hpp>

namespace {

class BatchThrows final : public kbatch::BatchProcessor<kbatch::KinesisRecord> {
  public:
    explicit BatchThrows(const kbatch::PluginConfig&) {}

    void process(const kbatch::Batch<kbatch::KinesisRecord>& batch, const kbatch::Context&,
                 kbatch::Outcomes& outcomes) override {
        for (std::size_t index = 0; index < batch.size(); ++index) {
            const kbatch::KinesisRecord record = batch[index];
            const std::string_view text = record.text();
            if (text.find("throw int") != std::string_view::npos)
                throw 42;
            if (text.find("throw") != std::string_view::npos) {
                throw std::runtime_error("stub_batch_throws: bulk write failed at " +
                                         std::string(record.sequence_number()));
            }
            if (text.find("fail") != std::string_view::npos)
                outcomes.failed(index,
                                "stub_batch_throws: " + std::string(record.sequence_number()));
            else
                outcomes.succeeded(index);
        }
    }
};

}  // namespace

KBATCH_PLUGIN(BatchThrows)
