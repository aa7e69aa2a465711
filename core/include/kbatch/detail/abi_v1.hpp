// kbatch plugin SDK, internal: the types of plugin ABI version 1, as a host needs them to load a
// version 1 plugin and call it. A host loads every ABI version kbatch has shipped, so that a
// team's deployed .so keeps working when the layer is upgraded.
//
// These declarations must match the version 1 SDK exactly in layout, virtual functions and
// mangled names (the namespace kbatch::abi_v1 was inline in that SDK, which changes nothing in
// the names). The frozen copy of the version 1 SDK is tests/abi_v1/include; the test suite builds
// stub plugins against it and runs them through the host, which checks this file.
//
// Version 1 handed the plugin a nlohmann::json and a std::function: their layouts depend on the
// library versions and flags of both sides, which is why version 2 does not. A version 1 plugin
// runs only where those agree, as it always did.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "kbatch/abi.hpp"

namespace kbatch::abi_v1 {

inline constexpr std::uint32_t kAbiVersion = 1;
inline constexpr const char* kFactorySymbol = "kbatch_create_processor";

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

class KBATCH_API Logger {
  public:
    virtual ~Logger() = default;
    virtual bool enabled(LogLevel level) const noexcept = 0;
    virtual void log(LogLevel level, std::string_view message) noexcept = 0;
};

class KBATCH_API TimeSource {
  public:
    virtual std::chrono::system_clock::time_point now() const noexcept = 0;

  protected:
    ~TimeSource() = default;
};

/// Version 1's Context: its members in their order (the plugin's inline accessors read them).
class Context {
  public:
    using Clock = std::chrono::system_clock;
    Context(std::string_view request_id, Clock::time_point deadline, std::string_view function_arn,
            std::string_view trace_id, Logger& logger, const TimeSource* time) noexcept
        : request_id_(request_id),
          deadline_(deadline),
          function_arn_(function_arn),
          trace_id_(trace_id),
          logger_(&logger),
          time_(time) {}

  private:
    std::string_view request_id_;
    Clock::time_point deadline_;
    std::string_view function_arn_;
    std::string_view trace_id_;
    Logger* logger_;
    const TimeSource* time_;
};

/// Version 1's record: the fields by value, in version 1's order (version 2's
/// KinesisRecordFields begins with the same members).
struct KinesisRecordFields {
    std::string_view sequence_number;
    std::string_view partition_key;
    std::span<const std::byte> data;
    double approximate_arrival = 0;
    std::string_view encryption_type;
    std::string_view kinesis_schema_version;
    std::string_view event_id;
    std::string_view event_name;
    std::string_view event_source;
    std::string_view event_source_arn;
    std::string_view event_version;
    std::string_view invoke_identity_arn;
    std::string_view aws_region;
};

class KinesisRecord {
  public:
    explicit KinesisRecord(const KinesisRecordFields& fields) noexcept : fields_(fields) {}

  private:
    KinesisRecordFields fields_;
};

/// Version 1's Result, returned by value from process().
class Result {
  public:
    bool succeeded() const noexcept { return succeeded_; }
    const std::string& reason() const noexcept { return reason_; }

  private:
    Result() = delete;
    bool succeeded_ = true;
    std::string reason_;
};

class KBATCH_API ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Version 1's PluginConfig: a nlohmann::json and a std::function, in this order.
class PluginConfig {
  public:
    using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
    PluginConfig(nlohmann::json json, EnvLookup env)
        : json_(std::move(json)), env_(std::move(env)) {}

  private:
    nlohmann::json json_;
    EnvLookup env_;
};

class KBATCH_API RecordProcessor {
  public:
    virtual ~RecordProcessor() noexcept(false) {}
    virtual Result process(const KinesisRecord& record, const Context& ctx) = 0;
};

using ProcessorFactory = std::unique_ptr<RecordProcessor>(const PluginConfig& config);

}  // namespace kbatch::abi_v1
