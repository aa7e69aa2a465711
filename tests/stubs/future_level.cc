// Test stub: a version 2 plugin from a later SDK (9.9.9) that needs level 99 of ABI version 2,
// with a fingerprint that matches the host's. Its kbatch_plugin_info is written by hand, as that
// SDK's KBATCH_PLUGIN would write it: the host must refuse it by name, before calling its factory,
// which reports an error so that a host that calls it anyway is caught out.
#include <cstdint>

#include <boost/dll/alias.hpp>
#include <kbatch/abi.hpp>

namespace {

kbatch::PluginInstance* create(const kbatch::CreateArgs&, kbatch::ErrorSink& errors) noexcept {
    errors.error(kbatch::ErrorSink::kFailedToStart,
                 "stub_future_level: the host called the factory of a plugin that needs level 99");
    return nullptr;
}

constexpr kbatch::PluginInfo make_info() {
    kbatch::PluginInfo info;
    info.required_level = 99;
    info.sources = kbatch::source_bit(kbatch::Source::kKinesis);
    info.libstdcxx_cxx11_abi = _GLIBCXX_USE_CXX11_ABI;
    info.boost_dll_use_std_fs = 1;
    info.sdk_version = "9.9.9";
    info.create = &create;
    return info;
}

}  // namespace

namespace future_level_exports {

const std::uint32_t abi_version = 2;
const kbatch::PluginInfo plugin_info = make_info();

}  // namespace future_level_exports

BOOST_DLL_ALIAS(future_level_exports::abi_version, kbatch_abi_version)
BOOST_DLL_ALIAS(future_level_exports::plugin_info, kbatch_plugin_info)
