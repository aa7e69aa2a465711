// Test stub: process() throws std::runtime_error("boom: <sequence number>") for every record.
#include <stdexcept>
#include <string>

#include <kbatch/plugin.hpp>

namespace {

class ThrowsRuntimeError final : public kbatch::RecordProcessor {
  public:
    explicit ThrowsRuntimeError(const kbatch::PluginConfig&) {}
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        throw std::runtime_error("boom: " + std::string(record.sequence_number()));
    }
};

}  // namespace

KBATCH_PLUGIN(ThrowsRuntimeError)
