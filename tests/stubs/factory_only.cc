// Test stub: exports what makes a processor but no ABI version (version 2: a kbatch_plugin_info;
// version 1, built against tests/abi_v1: a kbatch_create_processor). Without the version the host
// cannot know what the symbol is, so it must refuse the plugin without calling anything; the
// factory reports or throws so that a host that calls it anyway is caught out.
#include <memory>
#include <stdexcept>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

#if KBATCH_ABI_VERSION == 1

namespace factory_only_exports {

std::unique_ptr<kbatch::RecordProcessor> create_processor(const kbatch::PluginConfig&) {
    throw std::logic_error("stub_factory_only: the host called a factory without an ABI version");
}

}  // namespace factory_only_exports

BOOST_DLL_ALIAS(factory_only_exports::create_processor, kbatch_create_processor)

#else

namespace {

kbatch::PluginInstance* create(const kbatch::CreateArgs&, kbatch::ErrorSink& errors) noexcept {
    errors.error(kbatch::ErrorSink::kFailedToStart,
                 "stub_factory_only: the host called a factory without an ABI version");
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

namespace factory_only_exports {

const kbatch::PluginInfo plugin_info = make_info();

}  // namespace factory_only_exports

BOOST_DLL_ALIAS(factory_only_exports::plugin_info, kbatch_plugin_info)

#endif
