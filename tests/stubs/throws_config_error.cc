// Test stub: the constructor rejects its configuration with kbatch::ConfigError, which the host
// must report as a configuration error rather than a load error.
#include <kbatch/plugin.hpp>

namespace {

class ThrowsConfigError final : public kbatch::RecordProcessor {
  public:
    explicit ThrowsConfigError(const kbatch::PluginConfig&) {
        throw kbatch::ConfigError("stub_throws_config_error: \"answer\" must be 42");
    }
    kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context&) override {
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(ThrowsConfigError)
