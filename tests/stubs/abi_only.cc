// Test stub: exports this SDK's ABI version but no factory, so it cannot make a processor.
#include <cstdint>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

namespace abi_only_exports {

const std::uint32_t abi_version = kbatch::kAbiVersion;

}  // namespace abi_only_exports

BOOST_DLL_ALIAS(abi_only_exports::abi_version, kbatch_abi_version)
