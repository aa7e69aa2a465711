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
// Other sources and whole batches: see processor.hpp (Processor<...>, BatchProcessor<...>).
//
// Build it as a shared object with -fvisibility=hidden, -fPIC, C++20, and -DBOOST_DLL_USE_STD_FS
// (the host is built with it and refuses a plugin built otherwise). The SDK is header-only: a
// plugin links against no kbatch library. What crosses to the host is only abi.hpp's plain types;
// this is the one SDK header that includes Boost.DLL, for the export macro.
#pragma once

#include <cstdint>

#include <boost/dll/alias.hpp>

#include "kbatch/abi.hpp"
#include "kbatch/context.hpp"
#include "kbatch/detail/plugin_adapter.hpp"
#include "kbatch/dynamodb_record.hpp"
#include "kbatch/logger.hpp"
#include "kbatch/plugin_config.hpp"
#include "kbatch/processor.hpp"
#include "kbatch/record.hpp"
#include "kbatch/result.hpp"
#include "kbatch/sqs.hpp"

/// Exports `Type` (a class derived from kbatch::RecordProcessor, kbatch::Processor<...> or
/// kbatch::BatchProcessor<...>, constructible from `const kbatch::PluginConfig&`) as this shared
/// object's processor: the ABI version (kbatch_abi_version, which every host reads first) and the
/// PluginInfo (kbatch_plugin_info: the fingerprint, the sources, the form and the factory). Use
/// once per shared object, at global scope.
#define KBATCH_PLUGIN(Type)                                                                    \
    namespace kbatch_plugin_exports {                                                          \
    inline constexpr std::uint32_t abi_version = ::kbatch::kAbiVersion;                        \
    inline constexpr ::kbatch::PluginInfo plugin_info = ::kbatch::detail::plugin_info<Type>(); \
    }                                                                                          \
    BOOST_DLL_ALIAS(kbatch_plugin_exports::abi_version, kbatch_abi_version)                    \
    BOOST_DLL_ALIAS(kbatch_plugin_exports::plugin_info, kbatch_plugin_info)
