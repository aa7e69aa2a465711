// kbatch bench: the invocation context the benchmarks hand to the plugin.
#pragma once

#include <string_view>

#include <kbatch/context.hpp>
#include <kbatch/logger.hpp>

namespace kbatch::bench {

/// Drops every line: the benchmarks measure batches, not logging (and a batch that succeeds logs
/// nothing per record anyway).
class NullLogger final : public Logger {
  public:
    bool enabled(LogLevel) const noexcept override { return false; }
    void log(LogLevel, std::string_view) noexcept override {}
};

/// A context like the runtime host builds on Lambda, with a deadline 15 minutes away (Lambda's
/// longest timeout). A real deadline matters: the batch runner then reads the clock for every
/// record, as it does on Lambda, where a context without one would skip that.
Context lambda_like_context(Logger& logger);

}  // namespace kbatch::bench
