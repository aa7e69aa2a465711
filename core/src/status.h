// kbatch core: errors as values (after leveldb's Status).
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace kbatch {

/// What went wrong, each kind with an errorType name. The first six say why an invocation fails
/// as a whole, and Lambda users see their names (do not rename them); the rest are failures of
/// the runtime and the CLI around the batch.
enum class ErrorKind {
    kInvalidEvent,            // the event cannot be decoded: Lambda retries the whole batch
    kUnidentifiableFailure,   // a record failed and has no usable sequence number to report
    kPluginLoadError,         // the plugin cannot be found, loaded or is not a kbatch plugin
    kConfigError,             // a setting or the plugin's configuration is wrong
    kAllRecordsFailed,        // no record succeeded and KBATCH_ON_ALL_FAILED=error
    kUnsupportedEventSource,  // the event's source is not one the plugin handles
    // The runtime's and the CLI's (core itself does no I/O).
    kIoError,            // a file, descriptor, socket or child process could not be used
    kUsageError,         // the command line was wrong (the CLI exits with kExitUsage)
    kRuntimeApiRefused,  // the Runtime API answered 4xx: it refused this request and is healthy
    kRuntimeApiError,    // the Runtime API is unreachable, kept failing, or answered unusably
};

/// The errorType reported to Lambda for `kind`, e.g. "Kbatch.InvalidEvent".
std::string_view error_type_name(ErrorKind kind) noexcept;

/// Success, or an error kind with a message that says what was wrong and where. The one way that
/// an operation which can fail with a reason says so: results go through out-parameters (as in
/// leveldb); a plain bool or optional is left to predicates and lookups with no reason to give.
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
    // User-provided, so that ok()'s Status() is not value-initialized: for a defaulted
    // constructor that zeroes the whole object first (a rep stos per Status, a tenth of the
    // decoder's general path, which makes one per field).
    Status() noexcept {}
    Status(ErrorKind kind, std::string message)
        : ok_(false), kind_(kind), message_(std::move(message)) {}

    bool ok_ = true;
    ErrorKind kind_ = ErrorKind::kInvalidEvent;
    std::string message_;
};

}  // namespace kbatch
