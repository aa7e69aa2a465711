#include "plugin_loader.h"

#include <cstdlib>
#include <exception>
#include <system_error>

#include <fmt/format.h>
#include <fmt/std.h>
#include <kbatch/detail/plugin_loading.hpp>

namespace kbatch {
namespace fs = std::filesystem;

namespace {

Status load_error(std::string message) {
    return Status::error(ErrorKind::kPluginLoadError, std::move(message));
}

}  // namespace

std::vector<fs::path> bundled_plugin_dirs() {
    // The Lambda bootstrap starts the host through the loader it ships, so /proc/self/exe names
    // that loader (and an empty root may have no /proc at all): it says where kbatch lives.
    if (const char* home = std::getenv("KBATCH_HOME"); home != nullptr && *home != '\0')
        return {fs::path(home) / "lib" / "kbatch" / "plugins"};
    std::error_code error;
    const fs::path exe = fs::read_symlink("/proc/self/exe", error);
    if (error)
        return {};
    return {exe.parent_path() / "plugins",
            exe.parent_path().parent_path() / "lib" / "kbatch" / "plugins"};
}

Status resolve_plugin(std::string_view spec, std::span<const fs::path> dirs, fs::path* file) {
    if (spec.empty())
        return load_error("no plugin named (an empty name)");
    if (spec.find('/') != std::string_view::npos) {
        const fs::path path(spec);
        std::error_code error;
        const fs::file_status status = fs::status(path, error);
        if (!fs::exists(status)) {
            return load_error(fmt::format("plugin file {} does not exist", path));
        }
        if (!fs::is_regular_file(status)) {
            return load_error(fmt::format("plugin path {} is not a file", path));
        }
        *file = path;
        return Status::ok();
    }
    const std::string file_name =
        spec.ends_with(".so") ? std::string(spec) : fmt::format("lib{}.so", spec);
    std::string searched;
    for (const fs::path& dir : dirs) {
        const fs::path candidate = dir / file_name;
        std::error_code error;
        if (fs::is_regular_file(candidate, error)) {
            *file = candidate;
            return Status::ok();
        }
        searched += searched.empty() ? "" : ", ";
        searched += dir.string();
    }
    if (searched.empty())
        searched = "(no plugin folders configured)";
    return load_error(
        fmt::format("plugin \"{}\" not found: looked for {} in {}", spec, file_name, searched));
}

Status LoadedPlugin::load(const fs::path& file, const PluginConfig& config,
                          std::unique_ptr<LoadedPlugin>* plugin) {
    std::unique_ptr<LoadedPlugin> loaded(new LoadedPlugin());
    loaded->file_ = file;
    // The sequence and its messages are the SDK's (kbatch/detail/plugin_loading.hpp), shared with
    // kbatch::testing::Plugin, so that a plugin's tests refuse exactly what the host refuses.
    detail::PluginLoadError error;
    loaded->processor_ = detail::load_plugin(loaded->library_, file, config, &error);
    if (!loaded->processor_) {
        return Status::error(error.failure == detail::PluginLoadFailure::kConfigRejected
                                 ? ErrorKind::kConfigError
                                 : ErrorKind::kPluginLoadError,
                             std::move(error.message));
    }
    *plugin = std::move(loaded);
    return Status::ok();
}

std::string LoadedPlugin::destroy_processor() noexcept {
    // The processor is destroyed in the plugin (PluginInstance::destroy), which catches what its
    // destructor throws and hands the text over.
    std::string thrown = processor_.destroy();
    if (thrown.empty())
        return {};
    try {
        return fmt::format("the plugin's destructor threw: {}", thrown);
    } catch (...) {
        return "the plugin's destructor threw";
    }
}

LoadedPlugin::~LoadedPlugin() {
    destroy_processor();  // before library_ lets go of the code; a warning has no one to go to
}

}  // namespace kbatch
