// Test stub: a plugin of a future ABI version 3. It exports kbatch_abi_version = 3 and, under the
// version 2 name, a record whose factory reports an error: the host must refuse the plugin on the
// version alone, naming both versions, and call nothing of it.
#include <cstdint>

#include <boost/dll/alias.hpp>
#include <kbatch/abi.hpp>

namespace {

kbatch::PluginInstance* create(const kbatch::CreateArgs&, kbatch::ErrorSink& errors) noexcept {
    errors.error(kbatch::ErrorSink::kFailedToStart,
                 "stub_abi_v3: the host called the factory of a plugin of ABI version 3");
    return nullptr;
}

constexpr kbatch::PluginInfo make_info() {
    kbatch::PluginInfo info;
    info.abi_version = 3;
    info.sources = kbatch::source_bit(kbatch::Source::kKinesis);
    info.libstdcxx_cxx11_abi = _GLIBCXX_USE_CXX11_ABI;
    info.boost_dll_use_std_fs = 1;
    info.sdk_version = "3.0.0";
    info.create = &create;
    return info;
}

}  // namespace

namespace abi_v3_exports {

const std::uint32_t abi_version = 3;
const kbatch::PluginInfo plugin_info = make_info();

}  // namespace abi_v3_exports

BOOST_DLL_ALIAS(abi_v3_exports::abi_version, kbatch_abi_version)
BOOST_DLL_ALIAS(abi_v3_exports::plugin_info, kbatch_plugin_info)
