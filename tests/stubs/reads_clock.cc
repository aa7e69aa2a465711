// Test stub: reads the invocation's context the way a plugin that does slow work does. For every
// record it logs what Context says, in two lines ("stub_reads_clock: <sequence number>
// now=<epoch ms> remaining=<ms or 'none'> clock=<host|system>", then "stub_reads_clock:
// request=<id> function=<arn> trace=<trace id> deadline=<epoch ms or 'none'>") and fails the
// record when less than {"min_remaining_ms": N} (default 1000) is left, with a reason that says
// how much was left.
// The source compiles against the ABI version 1 SDK and the version 2 SDK alike: the tests build
// it both ways and expect the same readings from one test clock.
#include <chrono>
#include <string>

#include <kbatch/plugin.hpp>

namespace {

class ReadsClock final : public kbatch::RecordProcessor {
  public:
    explicit ReadsClock(const kbatch::PluginConfig& config)
        : min_remaining_(config.json().value("min_remaining_ms", 1000)) {}

    kbatch::Result process(const kbatch::KinesisRecord& record,
                           const kbatch::Context& ctx) override {
        // One reading each, in this order, so that a clock that moves on every reading gives
        // every build the same values.
        const std::chrono::milliseconds remaining = ctx.remaining_time();
        const kbatch::Context::Clock::time_point now = ctx.now();
        const long long now_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
        const bool no_deadline = remaining == std::chrono::milliseconds::max();
        const std::string left = no_deadline ? "none" : std::to_string(remaining.count());
        ctx.logger().info("stub_reads_clock: " + std::string(record.sequence_number()) +
                          " now=" + std::to_string(now_ms) + " remaining=" + left +
                          " clock=" + (ctx.time_source() != nullptr ? "host" : "system"));
        const bool has_deadline = ctx.deadline() != kbatch::Context::Clock::time_point::max();
        const long long deadline_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline().time_since_epoch())
                .count();
        ctx.logger().info("stub_reads_clock: request=" + std::string(ctx.request_id()) +
                          " function=" + std::string(ctx.function_arn()) +
                          " trace=" + std::string(ctx.trace_id()) + " deadline=" +
                          (has_deadline ? std::to_string(deadline_ms) : std::string("none")));
        if (!no_deadline && remaining.count() < min_remaining_)
            return kbatch::Result::failure("stub_reads_clock: only " + left + " ms left");
        return kbatch::Result::ok();
    }

  private:
    long long min_remaining_;
};

}  // namespace

KBATCH_PLUGIN(ReadsClock)
