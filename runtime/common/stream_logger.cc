#include "stream_logger.h"

#include <cctype>
#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kbatch {
namespace {

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::kDebug:
            return "DEBUG";
        case LogLevel::kInfo:
            return "INFO";
        case LogLevel::kWarn:
            return "WARN";
        case LogLevel::kError:
            return "ERROR";
    }
    return "INFO";
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

Status parse_log_level(std::string_view name, LogLevel* level) {
    static constexpr std::pair<std::string_view, LogLevel> kNames[] = {
        {"TRACE", LogLevel::kDebug}, {"DEBUG", LogLevel::kDebug}, {"INFO", LogLevel::kInfo},
        {"WARN", LogLevel::kWarn},   {"ERROR", LogLevel::kError}, {"FATAL", LogLevel::kError},
    };
    for (const auto& [known, value] : kNames) {
        if (equals_ignoring_case(name, known)) {
            *level = value;
            return Status::ok();
        }
    }
    return Status::error(ErrorKind::kConfigError,
                         fmt::format("unknown log level \"{}\" (use TRACE, DEBUG, INFO, WARN, "
                                     "ERROR or FATAL)",
                                     name));
}

Status read_log_settings(const PluginConfig::EnvLookup& env, LogSettings* settings) {
    if (const std::string level = env("AWS_LAMBDA_LOG_LEVEL").value_or(""); !level.empty()) {
        if (Status status = parse_log_level(level, &settings->level); !status.is_ok()) {
            return Status::error(ErrorKind::kConfigError,
                                 fmt::format("AWS_LAMBDA_LOG_LEVEL: {}", status.message()));
        }
    }
    if (const std::string format = env("AWS_LAMBDA_LOG_FORMAT").value_or(""); !format.empty()) {
        if (equals_ignoring_case(format, "JSON")) {
            settings->format = LogFormat::kJson;
        } else if (equals_ignoring_case(format, "Text")) {
            settings->format = LogFormat::kText;
        } else {
            return Status::error(
                ErrorKind::kConfigError,
                fmt::format("AWS_LAMBDA_LOG_FORMAT: unknown format \"{}\" (use Text or JSON)",
                            format));
        }
    }
    return Status::ok();
}

void StreamLogger::log(LogLevel level, std::string_view message) noexcept {
    if (!enabled(level))
        return;
    try {
        std::string line;
        if (settings_.format == LogFormat::kJson) {
            const auto now = std::chrono::system_clock::now();
            const auto seconds = std::chrono::floor<std::chrono::seconds>(now);
            const auto millis =
                std::chrono::duration_cast<std::chrono::milliseconds>(now - seconds).count();
            nlohmann::json entry = {
                {"timestamp", fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", seconds, millis)},
                {"level", level_name(level)},
                {"message", message},
            };
            if (!request_id_.empty())
                entry["requestId"] = request_id_;
            // Invalid UTF-8 from a plugin is replaced rather than thrown on.
            line = entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        } else if (request_id_.empty()) {
            line = fmt::format("{} {}", level_name(level), message);
        } else {
            line = fmt::format("{} {} {}", level_name(level), request_id_, message);
        }
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stream_);
        std::fflush(stream_);
    } catch (...) {
        // Logging must never take the host down; a line that cannot be built is dropped.
    }
}

}  // namespace kbatch
