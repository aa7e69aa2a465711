// Test stub: a plugin built against a future SDK. It exports kbatch_abi_version = 99 and a
// factory, by hand (KBATCH_PLUGIN would export this SDK's version). The host must refuse it on
// the version alone; its factory throws so that a host that calls it anyway is caught out.
#include <cstdint>
#include <memory>
#include <stdexcept>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

namespace wrong_abi_exports {

std::unique_ptr<kbatch::RecordProcessor> create_processor(const kbatch::PluginConfig&) {
    throw std::logic_error("stub_wrong_abi: the host called the factory of a plugin of ABI 99");
}
const std::uint32_t abi_version = 99;

}  // namespace wrong_abi_exports

BOOST_DLL_ALIAS(wrong_abi_exports::create_processor, kbatch_create_processor)
BOOST_DLL_ALIAS(wrong_abi_exports::abi_version, kbatch_abi_version)
