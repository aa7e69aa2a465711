// kbatch core: errors as values (after leveldb's Status).
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace kbatch {

/// Why an invocation fails as a whole. Each kind has the errorType that Lambda sees.
enum class ErrorKind {
    kInvalidEvent,           // the event cannot be decoded: Lambda retries the whole batch
    kUnidentifiableFailure,  // a record failed and has no usable sequence number to report
    kPluginLoadError,        // the plugin cannot be found, loaded or is not a kbatch plugin
    kConfigError,            // a setting or the plugin's configuration is wrong
    kAllRecordsFailed,       // no record succeeded and KBATCH_ON_ALL_FAILED=error
};

/// The errorType reported to Lambda for `kind`, e.g. "Kbatch.InvalidEvent".
std::string_view error_type_name(ErrorKind kind) noexcept;

/// Success, or an error kind with a message that says what was wrong and where.
class [[nodiscard]] Status {
  public:
    static Status ok() { return Status(); }
    static Status error(ErrorKind kind, std::string message) {
        return Status(kind, std::move(message));
    }

    bool is_ok() const noexcept { return ok_; }
    /// Only meaningful when !is_ok().
    ErrorKind kind() const noexcept { return kind_; }
    const std::string& message() const noexcept { return message_; }
    /// "Kbatch.InvalidEvent: Records[3].kinesis: missing"; "OK" for success.
    std::string to_string() const;

  private:
    Status() = default;
    Status(ErrorKind kind, std::string message)
        : ok_(false), kind_(kind), message_(std::move(message)) {}

    bool ok_ = true;
    ErrorKind kind_ = ErrorKind::kInvalidEvent;
    std::string message_;
};

}  // namespace kbatch
