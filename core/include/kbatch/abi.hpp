// kbatch plugin SDK: everything that crosses between the host and a plugin (ABI version 2).
//
// A plugin is a shared object the host loads at start-up. The two sides are compiled apart, by
// different teams, possibly with other compilers, library versions and flags, so only types whose
// layout the C++ standard library's ABI fixes cross between them: integers, string views, spans,
// plain structs and virtual interfaces. Never a std::string (its layout depends on the libstdc++
// dual ABI), a std::function, a container or another library's type; never an exception (every
// entry point is noexcept and reports errors through a sink). The plugin-side classes a plugin
// author writes against (RecordProcessor, Result, PluginConfig, the record views) live in the
// plugin, built from the SDK's headers, and are turned into these types by the adapter that
// KBATCH_PLUGIN instantiates (kbatch/detail/plugin_adapter.hpp).
//
// How version 2 grows without a version 3 (COM's and Vulkan's way):
//  - Every struct that crosses starts with its own size, as the side that filled it was built.
//    Fields are only ever appended; a reader reads a field only when the size covers it.
//  - Records are handed over as arrays with a stride (BatchView::record_size), so a host may send
//    longer records than a plugin knows, and a plugin tells from the stride whether a field it
//    knows is present.
//  - Interfaces are never changed once shipped. New ones are found with query_interface(id,
//    version), which answers null when the other side does not provide them.
//  - A plugin states the level of version 2 it needs (PluginInfo::required_level): the highest
//    level among the features it uses. A host refuses, by name, a plugin that needs more than it
//    provides; it loads every plugin that needs as much or less. The SDK version travels too, but
//    only for messages.
// A host also loads every earlier ABI version it has shipped (version 1: kbatch/detail/abi_v1.hpp).
#pragma once

// Every SDK header includes this one before any code of its own, so a plugin compiled in an
// older mode gets this line as its first error, naming the fix, rather than a page of errors from
// inside record.hpp (std::span) and the rest. (GCC and Clang report C++20 as 202002L; an early
// -std=c++2a reports less than that but more than C++17's 201703L, and is let through.)
#if __cplusplus <= 201703L
#error "kbatch plugins need C++20 (-std=c++20)"
#endif

#include <cstddef>
#include <cstdint>
#include <string_view>

/// The plugin ABI version this SDK describes: the value of the kbatch_abi_version symbol.
#define KBATCH_ABI_VERSION 2
/// The level of version 2 this SDK provides; features added within version 2 raise it.
#define KBATCH_ABI_LEVEL 1
/// The SDK's release, as project() in the top-level CMakeLists.txt says (a test checks).
#define KBATCH_SDK_VERSION "0.2.0"

/// Gives a type default visibility. Plugins build with -fvisibility=hidden; the interfaces whose
/// vtables cross the boundary between host and plugin must still be seen as one type.
#define KBATCH_API __attribute__((visibility("default")))

namespace kbatch {
inline namespace abi_v2 {

/// The ABI version and level as values, for code that compares them.
inline constexpr std::uint32_t kAbiVersion = KBATCH_ABI_VERSION;
inline constexpr std::uint32_t kAbiLevel = KBATCH_ABI_LEVEL;

/// The event sources a batch can come from. The values are bits of a SourceSet.
enum class Source : std::uint32_t {
    kKinesis = 1u << 0,   // eventSource "aws:kinesis"
    kSqs = 1u << 1,       // eventSource "aws:sqs"
    kDynamoDb = 1u << 2,  // eventSource "aws:dynamodb"
};

/// A set of sources, as bits.
using SourceSet = std::uint32_t;
inline constexpr SourceSet source_bit(Source source) noexcept {
    return static_cast<SourceSet>(source);
}

/// How a plugin takes its records.
enum class ProcessingForm : std::uint32_t {
    kPerRecord = 0,  // the host hands records out one by one (process_record)
    kBatch = 1,      // the plugin takes the whole batch at once (process_batch)
};

/// Capability flags of a plugin (PluginInfo::flags).
enum PluginFlags : std::uint32_t {
    /// The host may call process_record/process_batch from several threads at once.
    kPluginThreadSafe = 1u << 0,
};

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

/// A host-provided log sink. Implementations decide the format; plugins only pick a level.
///
/// Lifetime: owned by the host; valid for as long as the InvocationView or CreateArgs that hands
/// it out. Thread safety: implementations provided by kbatch may be called from any thread.
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

/// Where the host reads the current time: the one clock seam (as leveldb's Env::NowMicros), so
/// that tests can run the deadline guard, remaining_time() and record ages on a clock they move
/// by hand. Thread safety: now_ns() may be called from any thread.
class KBATCH_API TimeSource {
  public:
    /// The current time in nanoseconds since the Unix epoch (the system clock's scale).
    virtual std::int64_t now_ns() const noexcept = 0;

  protected:
    ~TimeSource() = default;
};

/// Receives an error's text from the other side of the boundary. The text is valid only during
/// the call. Thread safety: per call site, as documented there.
class KBATCH_API ErrorSink {
  public:
    enum Kind : std::uint32_t {
        kConfigRejected = 1,  // the plugin's constructor threw kbatch::ConfigError
        kFailedToStart = 2,   // it threw anything else, or could not be made
        kDestroyFailed = 3,   // its destructor threw
    };
    virtual void error(std::uint32_t kind, std::string_view message) noexcept = 0;

  protected:
    ~ErrorSink() = default;
};

/// The process environment as the host sees it (tests replace it).
class KBATCH_API Environment {
  public:
    /// Finds the variable `name`. On success `*value` views host memory valid until the
    /// plugin's constructor returns.
    virtual bool find(std::string_view name, std::string_view* value) const noexcept = 0;

  protected:
    ~Environment() = default;
};

/// An interface one side offers the other beyond this header's, found by id and version.
class KBATCH_API InterfaceProvider {
  public:
    /// The interface `id` at `version`, or null when not provided. The pointer stays valid for as
    /// long as the object answering.
    virtual void* query_interface(std::uint32_t id, std::uint32_t version) noexcept = 0;

  protected:
    ~InterfaceProvider() = default;
};

/// What the host hands the plugin's factory.
struct CreateArgs {
    std::uint32_t size = sizeof(CreateArgs);
    std::uint32_t host_level = kAbiLevel;  // the level of version 2 the host provides
    const char* host_sdk_version = KBATCH_SDK_VERSION;
    std::string_view config_json;              // the configuration document, as JSON text
    const Environment* environment = nullptr;  // never null from a kbatch host
    Logger* logger = nullptr;                  // for the constructor's own lines; never null
    InterfaceProvider* host = nullptr;         // the host's further interfaces; may be null
};

/// One invocation, as the plugin sees it.
struct InvocationView {
    std::uint32_t size = sizeof(InvocationView);
    std::string_view request_id;           // "Lambda-Runtime-Aws-Request-Id"
    std::string_view function_arn;         // "Lambda-Runtime-Invoked-Function-Arn"; empty locally
    std::string_view trace_id;             // "Lambda-Runtime-Trace-Id"; empty when not traced
    std::int64_t deadline_ns = INT64_MAX;  // epoch nanoseconds; INT64_MAX: no deadline
    Logger* logger = nullptr;              // never null from a kbatch host
    const TimeSource* time = nullptr;      // null: the system clock
};

/// A batch of records of one source: an array of that source's fields struct (KinesisRecordFields,
/// SqsMessageFields, DynamoDbRecordFields), each record_size bytes apart. Views into host memory
/// valid during the call that hands the batch out.
struct BatchView {
    std::uint32_t size = sizeof(BatchView);
    Source source = Source::kKinesis;
    const void* records = nullptr;
    std::size_t count = 0;
    std::size_t record_size = 0;  // the stride: sizeof the host's fields struct
};

/// Where a plugin marks each record's outcome. A record marked failed stays failed whatever is
/// marked after; an index out of range is ignored (and logged by the host).
/// Thread safety: a thread-safe plugin may mark from several threads at once.
class KBATCH_API OutcomeSink {
  public:
    virtual void succeeded(std::size_t index) noexcept = 0;
    virtual void failed(std::size_t index, std::string_view reason) noexcept = 0;
    /// Fails every record not marked yet (a batch-level processor that threw).
    virtual void fail_unmarked(std::string_view reason) noexcept = 0;

  protected:
    ~OutcomeSink() = default;
};

/// A plugin's processor, as the host calls it. Made by PluginInfo::create, destroyed by
/// destroy(); the host calls nothing else of it after destroy().
class KBATCH_API PluginInstance : public InterfaceProvider {
  public:
    /// Per-record form: processes record `index` of `batch` and marks its outcome. A record left
    /// unmarked is failed by the host.
    virtual void process_record(const BatchView& batch, std::size_t index,
                                const InvocationView& invocation,
                                OutcomeSink& outcomes) noexcept = 0;
    /// Batch form: processes the whole batch and marks outcomes record by record. Every record
    /// left unmarked is failed by the host, never taken as a success.
    virtual void process_batch(const BatchView& batch, const InvocationView& invocation,
                               OutcomeSink& outcomes) noexcept = 0;
    /// Destroys the processor, then this object. An error (a destructor that threw) goes to
    /// `errors` as kDestroyFailed.
    virtual void destroy(ErrorSink& errors) noexcept = 0;

  protected:
    ~PluginInstance() = default;
};

/// The record a version 2 plugin exports as kbatch_plugin_info, read by the host before it calls
/// anything: the fingerprint both sides must agree on, what the plugin handles, and its factory.
struct PluginInfo {
    std::uint32_t size = sizeof(PluginInfo);
    std::uint32_t abi_version = kAbiVersion;
    std::uint32_t required_level = 1;  // the level of version 2 the plugin needs
    SourceSet sources = 0;
    ProcessingForm form = ProcessingForm::kPerRecord;
    std::uint32_t flags = 0;  // PluginFlags
    // The fingerprint. Each value is what the plugin was compiled with; the host refuses a
    // mismatch with its own, naming the setting.
    std::int32_t libstdcxx_cxx11_abi = -1;         // _GLIBCXX_USE_CXX11_ABI; -1 when not libstdc++
    std::int32_t boost_dll_use_std_fs = 0;         // 1 when built with BOOST_DLL_USE_STD_FS
    const char* sdk_version = KBATCH_SDK_VERSION;  // for messages only
    /// Makes the processor. Null on failure, with the reason sent to `errors` (kConfigRejected or
    /// kFailedToStart).
    PluginInstance* (*create)(const CreateArgs& args, ErrorSink& errors) noexcept = nullptr;
};

/// The exported symbol names, read by the host. kbatch_abi_version is a std::uint32_t in every
/// version, so that any host can refuse a version it does not speak by name.
inline constexpr const char* kAbiVersionSymbol = "kbatch_abi_version";
inline constexpr const char* kPluginInfoSymbol = "kbatch_plugin_info";

/// The source's eventSource value ("aws:kinesis"...) and its name in messages ("Kinesis"...).
inline constexpr std::string_view event_source_value(Source source) noexcept {
    switch (source) {
        case Source::kKinesis:
            return "aws:kinesis";
        case Source::kSqs:
            return "aws:sqs";
        case Source::kDynamoDb:
            return "aws:dynamodb";
    }
    return "";
}
inline constexpr std::string_view source_name(Source source) noexcept {
    switch (source) {
        case Source::kKinesis:
            return "Kinesis";
        case Source::kSqs:
            return "SQS";
        case Source::kDynamoDb:
            return "DynamoDB Streams";
    }
    return "";
}

}  // namespace abi_v2
}  // namespace kbatch
