// kbatch plugin SDK: the one header a record-processor plugin includes.
//
//   #include <kbatch/plugin.hpp>
//
//   class MyProcessor final : public kbatch::RecordProcessor {
//   public:
//       explicit MyProcessor(const kbatch::PluginConfig& config);
//       kbatch::Result process(const kbatch::KinesisRecord& record,
//                              const kbatch::Context& ctx) override;
//   };
//   KBATCH_PLUGIN(MyProcessor)
//
// Build it as a shared object with -fvisibility=hidden, -fPIC, C++20, and -DBOOST_DLL_USE_STD_FS
// (the host is built with it; every translation unit must agree). The SDK is header-only: a
// plugin links against no kbatch library, only libstdc++ (dynamically: std::string and exceptions
// cross the boundary).
#pragma once

#include <cstdint>
#include <memory>

#include <boost/dll/alias.hpp>

#include "kbatch/abi.hpp"
#include "kbatch/context.hpp"
#include "kbatch/logger.hpp"
#include "kbatch/plugin_config.hpp"
#include "kbatch/record.hpp"
#include "kbatch/result.hpp"

namespace kbatch {
inline namespace abi_v1 {

/// A record processor: the plugin's one job.
///
/// Lifetime: the host constructs one instance when it loads the plugin (at start-up on Lambda) and
/// keeps it, and the shared object, until the process ends; it is used for every batch.
/// Threading: ABI version 1 calls process() from one thread only, one record at a time, in event
/// order. Any future concurrency will be opt-in per plugin.
/// Errors: return Result::failure(reason) for a record that should be retried. An exception that
/// escapes process() marks that record failed with its what() ("unknown exception" for a value that
/// is not a std::exception); it never escapes into the host.
class KBATCH_API RecordProcessor {
  public:
    /// Declared potentially-throwing so that an exception from a plugin's destructor reaches the
    /// host, which reports it as a warning, instead of ending the process in std::terminate.
    virtual ~RecordProcessor() noexcept(false) {}

    /// Processes one record. `record` and `ctx` are valid only during the call.
    virtual Result process(const KinesisRecord& record, const Context& ctx) = 0;
};

/// The factory a plugin exports: constructs its processor from the configuration.
using ProcessorFactory = std::unique_ptr<RecordProcessor>(const PluginConfig& config);

/// The exported symbol names, read by the host.
inline constexpr const char* kAbiVersionSymbol = "kbatch_abi_version";
inline constexpr const char* kFactorySymbol = "kbatch_create_processor";

}  // namespace abi_v1
}  // namespace kbatch

/// Exports `Type` (a RecordProcessor constructible from `const kbatch::PluginConfig&`) as this
/// shared object's processor, with the ABI version it was built against. Use once per shared
/// object, at global scope.
#define KBATCH_PLUGIN(Type)                                                           \
    namespace kbatch_plugin_exports {                                                 \
    inline std::unique_ptr<::kbatch::RecordProcessor> create_processor(               \
        const ::kbatch::PluginConfig& config) {                                       \
        return std::make_unique<Type>(config);                                        \
    }                                                                                 \
    inline constexpr std::uint32_t abi_version = ::kbatch::kAbiVersion;               \
    }                                                                                 \
    BOOST_DLL_ALIAS(kbatch_plugin_exports::create_processor, kbatch_create_processor) \
    BOOST_DLL_ALIAS(kbatch_plugin_exports::abi_version, kbatch_abi_version)
