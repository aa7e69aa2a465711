#include "plugin_loader.h"

#include <dlfcn.h>

#include <cstdlib>
#include <exception>
#include <system_error>

#include <fmt/format.h>
#include <fmt/std.h>

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

    boost::dll::fs::error_code error;
    // rtld_local keeps the plugin's symbols from resolving other plugins' (or the host's) names.
    // RTLD_NODELETE keeps the code mapped after dlclose: a thread the plugin started may still run
    // when the host lets go of the library (at exit, or after a failed load), and must not find
    // its code unmapped. The SDK promises the shared object stays loaded until the process ends.
    // Boost.DLL hands the mode to dlopen as it is.
    const auto mode = static_cast<boost::dll::load_mode::type>(
        static_cast<int>(boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local) |
        RTLD_NODELETE);
    dlerror();  // clear any stale message so the one below is about this load
    loaded->library_.load(file, mode, error);
    if (error) {
        const char* reason = dlerror();
        return load_error(fmt::format("cannot load plugin {}: {}", file,
                                      reason != nullptr ? reason : error.message()));
    }

    boost::dll::shared_library& library = loaded->library_;
    const bool has_version = library.has(kAbiVersionSymbol);
    const bool has_factory = library.has(kFactorySymbol);
    if (!has_version && !has_factory) {
        return load_error(fmt::format(
            "{} is not a kbatch plugin: it exports no {} and no {} (define one with KBATCH_PLUGIN)",
            file, kAbiVersionSymbol, kFactorySymbol));
    }
    if (!has_version) {
        return load_error(
            fmt::format("{} is not a kbatch plugin: it exports no {}", file, kAbiVersionSymbol));
    }
    // The version is checked before anything else in the plugin is touched: with another ABI even
    // the factory's signature may differ.
    const std::uint32_t version = library.get_alias<const std::uint32_t>(kAbiVersionSymbol);
    if (version != kAbiVersion) {
        return load_error(fmt::format(
            "{} was built against kbatch plugin ABI version {}, but this host speaks version {}: "
            "rebuild the plugin against this SDK",
            file, version, kAbiVersion));
    }
    if (!has_factory) {
        return load_error(
            fmt::format("{} is not a kbatch plugin: it exports no {}", file, kFactorySymbol));
    }
    auto& factory = library.get_alias<ProcessorFactory>(kFactorySymbol);
    // The exception is caught and destroyed here, while the library that threw it is loaded.
    try {
        loaded->processor_ = factory(config);
    } catch (const ConfigError& e) {
        return Status::error(
            ErrorKind::kConfigError,
            fmt::format("plugin {} rejected its configuration: {}", file, e.what()));
    } catch (const std::exception& e) {
        return load_error(fmt::format("plugin {} failed to start: {}", file, e.what()));
    } catch (...) {
        return load_error(fmt::format("plugin {} failed to start: unknown exception", file));
    }
    if (loaded->processor_ == nullptr) {
        return load_error(
            fmt::format("plugin {} failed to start: its factory returned null", file));
    }
    *plugin = std::move(loaded);
    return Status::ok();
}

std::string LoadedPlugin::destroy_processor() noexcept {
    // Not unique_ptr::reset(), which is noexcept: an exception from the plugin's destructor would
    // end the process. A delete expression frees the memory even when the destructor throws.
    RecordProcessor* processor = processor_.release();
    if (processor == nullptr)
        return {};
    try {
        delete processor;
        return {};
    } catch (const std::exception& e) {
        return fmt::format("the plugin's destructor threw: {}", e.what());
    } catch (...) {
        return "the plugin's destructor threw an exception that is not a std::exception";
    }
}

LoadedPlugin::~LoadedPlugin() {
    destroy_processor();  // before library_ lets go of the code; a warning has no one to go to
}

}  // namespace kbatch
