// Test stub: exports a factory but no ABI version. Without the version the host cannot know the
// factory's signature, so it must refuse the plugin without calling it.
#include <memory>
#include <stdexcept>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

namespace factory_only_exports {

std::unique_ptr<kbatch::RecordProcessor> create_processor(const kbatch::PluginConfig&) {
    throw std::logic_error("stub_factory_only: the host called a factory without an ABI version");
}

}  // namespace factory_only_exports

BOOST_DLL_ALIAS(factory_only_exports::create_processor, kbatch_create_processor)
