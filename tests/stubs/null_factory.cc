// Test stub: the right ABI version and a factory that returns null instead of a processor,
// reporting nothing. Built against either SDK: against the version 2 SDK its kbatch_plugin_info
// is written by hand (KBATCH_PLUGIN cannot make a null factory); against the frozen version 1
// SDK (tests/abi_v1) it exports version 1's kbatch_create_processor.
#include <cstdint>
#include <memory>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

#if KBATCH_ABI_VERSION == 1

namespace null_factory_exports {

std::unique_ptr<kbatch::RecordProcessor> create_processor(const kbatch::PluginConfig&) {
    return nullptr;
}
const std::uint32_t abi_version = kbatch::kAbiVersion;

}  // namespace null_factory_exports

BOOST_DLL_ALIAS(null_factory_exports::create_processor, kbatch_create_processor)
BOOST_DLL_ALIAS(null_factory_exports::abi_version, kbatch_abi_version)

#else

namespace {

kbatch::PluginInstance* create(const kbatch::CreateArgs&, kbatch::ErrorSink&) noexcept {
    return nullptr;
}

constexpr kbatch::PluginInfo make_info() {
    kbatch::PluginInfo info;
    info.sources = kbatch::source_bit(kbatch::Source::kKinesis);
    info.libstdcxx_cxx11_abi = kbatch::detail::kLibstdcxxCxx11Abi;
    info.boost_dll_use_std_fs = kbatch::detail::kBoostDllUseStdFs;
    info.create = &create;
    return info;
}

}  // namespace

namespace null_factory_exports {

const std::uint32_t abi_version = kbatch::kAbiVersion;
const kbatch::PluginInfo plugin_info = make_info();

}  // namespace null_factory_exports

BOOST_DLL_ALIAS(null_factory_exports::abi_version, kbatch_abi_version)
BOOST_DLL_ALIAS(null_factory_exports::plugin_info, kbatch_plugin_info)

#endif
