// Test stub: throws a value that is not a std::exception (an int): from process() for every
// record, or from the constructor when configured with {"in_constructor": true}.
#include <kbatch/plugin.hpp>

namespace {

class ThrowsNonStd final : public kbatch::RecordProcessor {
  public:
    explicit ThrowsNonStd(const kbatch::PluginConfig& config) {
        if (config.json().value("in_constructor", false))
            throw 7;
    }
    kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context&) override {
        throw 42;
    }
};

}  // namespace

KBATCH_PLUGIN(ThrowsNonStd)
