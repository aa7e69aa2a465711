// kbatch serve tests: a plugin that takes its time, to run past `serve --timeout`.
//
// Records whose partition key is "slow" take sleep_ms (configuration, default 5000) each; the
// others succeed at once.
#include <chrono>
#include <thread>

#include <kbatch/plugin.hpp>

namespace {

class SlowProcessor final : public kbatch::RecordProcessor {
  public:
    explicit SlowProcessor(const kbatch::PluginConfig& config) {
        sleep_ms_ = config.json().value("sleep_ms", 5000);
    }

    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        if (record.partition_key() == "slow") {
            std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
        }
        return kbatch::Result::ok();
    }

  private:
    int sleep_ms_ = 5000;
};

}  // namespace

KBATCH_PLUGIN(SlowProcessor)
