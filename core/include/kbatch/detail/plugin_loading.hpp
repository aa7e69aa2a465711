// kbatch plugin SDK, internal: the one sequence that loads a plugin's shared object and makes its
// processor. The host (runtime/common/plugin_loader.cc) and <kbatch/testing.hpp>'s Plugin both
// call it, so a plugin's own tests load the .so exactly as Lambda will, and a check added here
// reaches both. Not an API for plugins: it may change in any release.
#pragma once

#include <dlfcn.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <boost/dll/shared_library.hpp>

#include "kbatch/plugin.hpp"
#include "kbatch/plugin_config.hpp"

namespace kbatch::detail {

/// Which step of the load failed.
enum class PluginLoadFailure {
    kCannotLoad,      // dlopen refused the file (missing, not ELF, an unresolved symbol...)
    kNotAPlugin,      // it lacks kbatch_abi_version or kbatch_create_processor
    kAbiMismatch,     // built against another plugin ABI version
    kConfigRejected,  // the factory threw kbatch::ConfigError
    kFailedToStart,   // the factory threw anything else, or returned null
};

/// Why a load failed.
struct PluginLoadError {
    PluginLoadFailure failure = PluginLoadFailure::kCannotLoad;
    std::string message;         // one line that names the file: what the host reports
    std::string plugin_message;  // kConfigRejected: the ConfigError's what(), as the plugin put it
};

/// `file` in double quotes, '"' and '\' escaped: the form the host's messages have always named
/// files in (fmt's for a path), so that a name with spaces stays readable.
inline std::string quoted_path(const std::filesystem::path& file) {
    std::string out = "\"";
    for (const char c : file.string()) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '"';
}

/// Loads `file` into `library` and makes its processor from `config`, in this order, touching
/// nothing of the plugin before the step that needs it:
///  1. dlopen with RTLD_NOW (a missing symbol fails here, not mid-batch), RTLD_LOCAL (its symbols
///     resolve no other plugin's names) and RTLD_NODELETE (see below);
///  2. both kbatch symbols present;
///  3. the ABI version it exports is this SDK's (with another ABI even the factory's signature
///     may differ, so it is checked before the factory is looked at);
///  4. the factory, whose exception is caught, and copied into `error`, here, while the library
///     that threw it is loaded (Boost.DLL's "Missuses");
///  5. a processor that is not null.
/// Returns the processor, or null with `*error` filled in.
///
/// RTLD_NODELETE keeps the code mapped after `library` lets go of it: a thread the plugin started
/// may still run then (at exit, or after a failed load) and must not find its code unmapped. The
/// SDK promises that the shared object stays loaded until the process ends. The caller must
/// destroy the processor before `library`.
inline std::unique_ptr<RecordProcessor> load_plugin(boost::dll::shared_library& library,
                                                    const std::filesystem::path& file,
                                                    const PluginConfig& config,
                                                    PluginLoadError* error) {
    const std::string name = quoted_path(file);
    const auto fail = [error](PluginLoadFailure failure, std::string message) {
        error->failure = failure;
        error->message = std::move(message);
        return nullptr;
    };

    boost::dll::fs::error_code load_error;
    // Boost.DLL hands the mode to dlopen as it is.
    const auto mode = static_cast<boost::dll::load_mode::type>(
        static_cast<int>(boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local) |
        RTLD_NODELETE);
    dlerror();  // clear any stale message so the one below is about this load
    library.load(file, mode, load_error);
    if (load_error) {
        // dlopen's own text names the cause (the missing symbol, "file too short"); the error
        // code alone says only "invalid argument".
        const char* reason = dlerror();
        return fail(PluginLoadFailure::kCannotLoad,
                    "cannot load plugin " + name + ": " +
                        (reason != nullptr ? std::string(reason) : load_error.message()));
    }

    const bool has_version = library.has(kAbiVersionSymbol);
    const bool has_factory = library.has(kFactorySymbol);
    if (!has_version && !has_factory) {
        return fail(PluginLoadFailure::kNotAPlugin,
                    name + " is not a kbatch plugin: it exports no " + kAbiVersionSymbol +
                        " and no " + kFactorySymbol + " (define one with KBATCH_PLUGIN)");
    }
    if (!has_version) {
        return fail(PluginLoadFailure::kNotAPlugin,
                    name + " is not a kbatch plugin: it exports no " + kAbiVersionSymbol);
    }
    const std::uint32_t version = library.get_alias<const std::uint32_t>(kAbiVersionSymbol);
    if (version != kAbiVersion) {
        return fail(PluginLoadFailure::kAbiMismatch,
                    name + " was built against kbatch plugin ABI version " +
                        std::to_string(version) + ", but this host speaks version " +
                        std::to_string(kAbiVersion) + ": rebuild the plugin against this SDK");
    }
    if (!has_factory) {
        return fail(PluginLoadFailure::kNotAPlugin,
                    name + " is not a kbatch plugin: it exports no " + kFactorySymbol);
    }
    auto& factory = library.get_alias<ProcessorFactory>(kFactorySymbol);
    std::unique_ptr<RecordProcessor> processor;
    try {
        processor = factory(config);
    } catch (const ConfigError& e) {
        error->plugin_message = e.what();
        return fail(PluginLoadFailure::kConfigRejected,
                    "plugin " + name + " rejected its configuration: " + e.what());
    } catch (const std::exception& e) {
        return fail(PluginLoadFailure::kFailedToStart,
                    "plugin " + name + " failed to start: " + e.what());
    } catch (...) {
        return fail(PluginLoadFailure::kFailedToStart,
                    "plugin " + name + " failed to start: unknown exception");
    }
    if (processor == nullptr) {
        return fail(PluginLoadFailure::kFailedToStart,
                    "plugin " + name + " failed to start: its factory returned null");
    }
    return processor;
}

}  // namespace kbatch::detail
