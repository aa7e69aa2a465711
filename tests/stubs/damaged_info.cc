// Test stub: exports ABI version 2 and a kbatch_plugin_info that is too short to be one (its size
// says 16 bytes, less than a level 1 PluginInfo). What follows the size in memory is not a
// PluginInfo: where a full one would hold sdk_version and create there are bad pointers (1), so a
// host that reads past the size before refusing the record crashes.
#include <cstdint>

#include <boost/dll/alias.hpp>

namespace damaged_info_exports {

struct Damaged {
    std::uint32_t size;
    std::uint32_t abi_version;
    std::uint32_t required_level;
    std::uint32_t sources;
    std::uintptr_t not_a_plugin_info[4];
};

const std::uint32_t abi_version = 2;
const Damaged plugin_info = {16, 2, 1, 1, {1, 1, 1, 1}};

}  // namespace damaged_info_exports

BOOST_DLL_ALIAS(damaged_info_exports::abi_version, kbatch_abi_version)
BOOST_DLL_ALIAS(damaged_info_exports::plugin_info, kbatch_plugin_info)
