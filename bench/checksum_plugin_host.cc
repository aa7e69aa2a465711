#include "checksum_plugin_host.h"

#include <stdexcept>
#include <utility>

namespace kbatch::bench {

ChecksumPluginHost::ChecksumPluginHost(const std::filesystem::path& file, nlohmann::json config) {
    const Status status = LoadedPlugin::load(file, PluginConfig(std::move(config)), &plugin_);
    if (!status.is_ok())
        throw std::runtime_error(status.to_string());
    channel_.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    total_ = &channel_.get_alias<ChecksumTotalFunction>(kChecksumTotalSymbol);
}

}  // namespace kbatch::bench
