// kbatch plugin SDK: the logger a plugin writes to.
#pragma once

#include <string_view>

#include "kbatch/abi.hpp"

namespace kbatch {
inline namespace abi_v1 {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

/// A sink for log lines, provided by the host (on Lambda: stdout/stderr in the function's log
/// format, with the request id). Implementations decide the format; plugins only pick a level.
///
/// Lifetime: owned by the host; valid for as long as the Context that hands it out.
/// Thread safety: implementations provided by kbatch may be called from any thread.
class KBATCH_API Logger {
  public:
    virtual ~Logger() = default;

    /// Whether a line at `level` would be written; lets callers skip building expensive messages.
    virtual bool enabled(LogLevel level) const noexcept = 0;
    /// Writes one line. `message` is copied or written before the call returns.
    virtual void log(LogLevel level, std::string_view message) noexcept = 0;

    void debug(std::string_view message) noexcept { log(LogLevel::kDebug, message); }
    void info(std::string_view message) noexcept { log(LogLevel::kInfo, message); }
    void warn(std::string_view message) noexcept { log(LogLevel::kWarn, message); }
    void error(std::string_view message) noexcept { log(LogLevel::kError, message); }
};

}  // namespace abi_v1
}  // namespace kbatch
