// Test stub: every record succeeds.
#include <kbatch/plugin.hpp>

namespace {

class NeverFails final : public kbatch::RecordProcessor {
  public:
    explicit NeverFails(const kbatch::PluginConfig&) {}
    kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context&) override {
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(NeverFails)
