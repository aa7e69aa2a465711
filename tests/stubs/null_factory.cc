// Test stub: the right ABI version and a factory that returns null instead of a processor.
#include <cstdint>
#include <memory>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

namespace null_factory_exports {

std::unique_ptr<kbatch::RecordProcessor> create_processor(const kbatch::PluginConfig&) {
    return nullptr;
}
const std::uint32_t abi_version = kbatch::kAbiVersion;

}  // namespace null_factory_exports

BOOST_DLL_ALIAS(null_factory_exports::create_processor, kbatch_create_processor)
BOOST_DLL_ALIAS(null_factory_exports::abi_version, kbatch_abi_version)
