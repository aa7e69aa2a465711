#include "status.h"

#include <fmt/format.h>

namespace kbatch {

std::string_view error_type_name(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::kInvalidEvent:
            return "Kbatch.InvalidEvent";
        case ErrorKind::kUnidentifiableFailure:
            return "Kbatch.UnidentifiableFailure";
        case ErrorKind::kPluginLoadError:
            return "Kbatch.PluginLoadError";
        case ErrorKind::kConfigError:
            return "Kbatch.ConfigError";
        case ErrorKind::kAllRecordsFailed:
            return "Kbatch.AllRecordsFailed";
        case ErrorKind::kUnsupportedEventSource:
            return "Kbatch.UnsupportedEventSource";
        case ErrorKind::kIoError:
            return "Kbatch.IoError";
        case ErrorKind::kUsageError:
            return "Kbatch.UsageError";
        case ErrorKind::kRuntimeApiRefused:
            return "Kbatch.RuntimeApiRefused";
        case ErrorKind::kRuntimeApiError:
            return "Kbatch.RuntimeApiError";
    }
    return "Kbatch.Error";
}

std::string Status::to_string() const {
    if (ok_)
        return "OK";
    return fmt::format("{}: {}", error_type_name(kind_), message_);
}

}  // namespace kbatch
