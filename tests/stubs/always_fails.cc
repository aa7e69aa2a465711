// Test stub: every record fails, with a reason that names the record (so tests can tell that the
// reason travels from the plugin to the report unchanged).
#include <string>

#include <kbatch/plugin.hpp>

namespace {

class AlwaysFails final : public kbatch::RecordProcessor {
  public:
    explicit AlwaysFails(const kbatch::PluginConfig&) {}
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        return kbatch::Result::failure("always_fails: " + std::string(record.sequence_number()));
    }
};

}  // namespace

KBATCH_PLUGIN(AlwaysFails)
