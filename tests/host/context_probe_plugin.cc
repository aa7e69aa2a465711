// A stub plugin that checks what the host handed it. Each record's partition key states an
// expectation; the record fails when it does not hold, so the batch response shows what the
// plugin saw:
//   "trace=<value>"     _X_AMZN_TRACE_ID equals <value> (empty: unset) and so does ctx.trace_id()
//   "deadline=<ms>"     ctx.deadline() is <ms> milliseconds after the epoch
//   "arn=<value>"       ctx.function_arn() equals <value>
#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

#include <kbatch/plugin.hpp>

namespace {

class ContextProbe final : public kbatch::RecordProcessor {
  public:
    explicit ContextProbe(const kbatch::PluginConfig&) {}

    kbatch::Result process(const kbatch::KinesisRecord& record,
                           const kbatch::Context& ctx) override {
        const std::string_view key = record.partition_key();
        const auto equals = key.find('=');
        if (equals == std::string_view::npos)
            return kbatch::Result::failure("no expectation");
        const std::string_view what = key.substr(0, equals), expected = key.substr(equals + 1);
        bool holds = false;
        if (what == "trace") {
            const char* env = std::getenv("_X_AMZN_TRACE_ID");
            holds = std::string_view(env != nullptr ? env : "") == expected &&
                    ctx.trace_id() == expected;
        } else if (what == "deadline") {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                ctx.deadline().time_since_epoch());
            holds = std::to_string(ms.count()) == expected;
        } else if (what == "arn") {
            holds = ctx.function_arn() == expected;
        }
        return holds ? kbatch::Result::ok() : kbatch::Result::failure("expectation not met");
    }
};

}  // namespace

KBATCH_PLUGIN(ContextProbe)
