// kbatch bench: the checksum plugin, loaded as the runtime loads plugins.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include <boost/dll/shared_library.hpp>
#include <kbatch/plugin.hpp>
#include <nlohmann/json.hpp>

#include "checksum_plugin/checksum_channel.h"
#include "plugin_loader.h"

namespace kbatch::bench {

/// The `checksum` plugin's .so loaded through kbatch's own LoadedPlugin (RTLD_NOW, the ABI check,
/// the factory), plus the side channel that reads how many bytes its processors have summed.
///
/// Ownership: owns the plugin and a second reference to the same shared object (dlopen counts
/// references, so it is one library in memory). Thread safety: none.
class ChecksumPluginHost {
  public:
    /// Throws std::runtime_error with the loader's message if the file does not load.
    explicit ChecksumPluginHost(const std::filesystem::path& file,
                                nlohmann::json config = nlohmann::json::object());

    const ProcessorHandle& processor() const noexcept { return plugin_->processor(); }
    /// The sum of every byte the plugin's processors have read since it was loaded.
    std::uint64_t total() const { return total_(); }

  private:
    std::unique_ptr<LoadedPlugin> plugin_;
    boost::dll::shared_library channel_;
    ChecksumTotalFunction* total_ = nullptr;
};

}  // namespace kbatch::bench
