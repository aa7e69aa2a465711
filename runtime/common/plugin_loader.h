// kbatch runtime: finding and loading a record-processor plugin.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/dll/shared_library.hpp>
#include <kbatch/plugin_config.hpp>
#include <kbatch/processor_handle.hpp>

#include "status.h"

namespace kbatch {

/// Turns a --plugin / _HANDLER value into a file. A value containing '/' is a path, used as it is;
/// a bare NAME is "libNAME.so" (or NAME itself if it already ends in ".so") looked up in `dirs`, in
/// order. On failure the message lists every place searched.
Status resolve_plugin(std::string_view spec, std::span<const std::filesystem::path> dirs,
                      std::filesystem::path* file);

/// The folders where plugins shipped with kbatch live, relative to the running executable:
/// plugins/ next to it (the build tree) and ../lib/kbatch/plugins (an installed prefix). When
/// KBATCH_HOME is set (by the Lambda layer's bootstrap), only $KBATCH_HOME/lib/kbatch/plugins.
std::vector<std::filesystem::path> bundled_plugin_dirs();

/// The plugin loaded when none is named.
inline constexpr std::string_view kDefaultPlugin = "random_failure";

/// A plugin's shared object together with the processor it made.
///
/// Ownership: owns both. The processor is destroyed first; the library is then released but
/// never unmapped (RTLD_NODELETE), so no object, function, exception or thread of the plugin
/// outlives its code (Boost.DLL's "Missuses"), on any path.
/// Thread safety: none of its own; see ProcessorHandle.
class LoadedPlugin {
  public:
    /// Loads `file` with RTLD_NOW (a missing symbol fails here, not mid-batch), checks the ABI
    /// version it exports before anything else, and constructs its processor from `config`.
    /// Each failure is one line naming the file: dlopen's own text, "not a kbatch plugin", an ABI
    /// mismatch with both versions, or the constructor's exception (a kbatch::ConfigError gives
    /// kConfigError, anything else kPluginLoadError). The sequence is the SDK's own
    /// (kbatch::detail::load_plugin), which kbatch::testing::Plugin runs too.
    static Status load(const std::filesystem::path& file, const PluginConfig& config,
                       std::unique_ptr<LoadedPlugin>* plugin);

    ~LoadedPlugin();
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;

    /// The processor; valid until destroy_processor().
    const ProcessorHandle& processor() const noexcept { return processor_; }
    /// Destroys the processor now (the destructor does it otherwise). Returns a warning to log
    /// when the plugin's destructor threw, else "". Idempotent.
    std::string destroy_processor() noexcept;
    const std::filesystem::path& file() const noexcept { return file_; }

  private:
    LoadedPlugin() = default;

    std::filesystem::path file_;
    boost::dll::shared_library library_;  // declared before processor_: destroyed after it
    ProcessorHandle processor_;
};

}  // namespace kbatch
