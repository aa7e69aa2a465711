// Test stub: every record succeeds, and every construction of its processor is counted in the
// exported int stub_constructions, which a test reads with dlsym. The fingerprint stubs are built
// from this source with a setting the host does not share (tests/CMakeLists.txt): a host that
// refuses them before calling anything leaves the count at zero.
#include <kbatch/plugin.hpp>

extern "C" __attribute__((visibility("default"))) int stub_constructions;
int stub_constructions = 0;

namespace {

class CountsConstructions final : public kbatch::RecordProcessor {
  public:
    explicit CountsConstructions(const kbatch::PluginConfig&) { ++stub_constructions; }
    kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context&) override {
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(CountsConstructions)
