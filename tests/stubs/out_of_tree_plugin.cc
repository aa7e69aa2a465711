// A plugin written outside the kbatch tree: one file that includes only <kbatch/plugin.hpp>,
// compiled by out_of_tree_plugin_test with the plain compiler command the README documents.
//
// It fails exactly the records whose data starts with the configured prefix ("Hello" unless the
// configuration says {"prefix": "..."}), so the test can predict every outcome.
#include <kbatch/plugin.hpp>

class StartsWithFails final : public kbatch::RecordProcessor {
  public:
    explicit StartsWithFails(const kbatch::PluginConfig& config)
        : prefix_(config.json().value("prefix", std::string("Hello"))) {}

    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        if (record.text().starts_with(prefix_)) {
            return kbatch::Result::failure("starts with " + prefix_);
        }
        return kbatch::Result::ok();
    }

  private:
    std::string prefix_;
};

KBATCH_PLUGIN(StartsWithFails)
