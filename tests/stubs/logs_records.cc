// Test stub: logs one line per record it is given ("stub_logs_records: <sequence number> <data>")
// through the host's logger and succeeds. Tests read the log to see exactly which records reached
// the plugin, in which order, with which decoded data and invocation context.
#include <string>

#include <kbatch/plugin.hpp>

namespace {

class LogsRecords final : public kbatch::RecordProcessor {
  public:
    explicit LogsRecords(const kbatch::PluginConfig&) {}
    kbatch::Result process(const kbatch::KinesisRecord& record,
                           const kbatch::Context& ctx) override {
        ctx.logger().info("stub_logs_records: " + std::string(record.sequence_number()) + " " +
                          std::string(record.text()));
        return kbatch::Result::ok();
    }
};

}  // namespace

KBATCH_PLUGIN(LogsRecords)
