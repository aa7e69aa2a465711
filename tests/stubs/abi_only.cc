// Test stub: exports the SDK's ABI version but not the symbol that version makes processors with
// (version 2: kbatch_plugin_info; version 1, built against tests/abi_v1:
// kbatch_create_processor), so it cannot make a processor.
#include <cstdint>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

namespace abi_only_exports {

const std::uint32_t abi_version = kbatch::kAbiVersion;

}  // namespace abi_only_exports

BOOST_DLL_ALIAS(abi_only_exports::abi_version, kbatch_abi_version)
