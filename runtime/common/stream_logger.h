// kbatch runtime: log lines to a stdio stream, as Text or JSON (AWS_LAMBDA_LOG_FORMAT).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include <kbatch/logger.hpp>
#include <kbatch/plugin_config.hpp>

#include "status.h"

namespace kbatch {

enum class LogFormat { kText, kJson };

struct LogSettings {
    LogLevel level = LogLevel::kInfo;
    LogFormat format = LogFormat::kText;
};

/// Parses a level name as Lambda spells it (TRACE, DEBUG, INFO, WARN, ERROR, FATAL; any case).
/// TRACE counts as DEBUG and FATAL as ERROR. Unknown names give kConfigError.
Status parse_log_level(std::string_view name, LogLevel* level);

/// Reads AWS_LAMBDA_LOG_LEVEL and AWS_LAMBDA_LOG_FORMAT (Text or JSON) through `env` over
/// `settings`; unset variables leave it as it is. A wrong value gives kConfigError naming the
/// variable.
Status read_log_settings(const PluginConfig::EnvLookup& env, LogSettings* settings);

/// Writes each line with one fwrite, so lines from several threads never interleave. JSON lines
/// carry "timestamp", "level", "message" and "requestId" (Lambda's own JSON log keys) and are built
/// with nlohmann/json, so escaping is never hand-written.
///
/// Ownership: does not own `stream`, which must outlive the logger.
class StreamLogger final : public Logger {
  public:
    StreamLogger(std::FILE* stream, LogSettings settings) : stream_(stream), settings_(settings) {}

    /// Tags the following lines with this invocation's request id ("" for none).
    void set_request_id(std::string_view request_id) { request_id_ = request_id; }
    const LogSettings& settings() const noexcept { return settings_; }

    bool enabled(LogLevel level) const noexcept override { return level >= settings_.level; }
    void log(LogLevel level, std::string_view message) noexcept override;

  private:
    std::FILE* stream_;
    LogSettings settings_;
    std::string request_id_;
};

}  // namespace kbatch
