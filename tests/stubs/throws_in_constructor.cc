// Test stub: the constructor throws std::runtime_error, as a plugin that cannot reach a resource
// it needs at start-up would.
#include <stdexcept>

#include <kbatch/plugin.hpp>

namespace {

class ThrowsInConstructor final : public kbatch::RecordProcessor {
  public:
    explicit ThrowsInConstructor(const kbatch::PluginConfig&) {
        throw std::runtime_error("stub_throws_in_constructor: cannot reach the database");
    }
    kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context&) override {
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(ThrowsInConstructor)
