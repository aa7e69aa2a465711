// kbatch plugin SDK, internal: the one sequence that loads a plugin's shared object and makes its
// processor. The host (runtime/common/plugin_loader.cc) and <kbatch/testing.hpp>'s Plugin both
// call it, so a plugin's own tests load the .so exactly as Lambda will, and a check added here
// reaches both. Not an API for plugins: it may change in any release.
#pragma once

#include <dlfcn.h>

#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <boost/dll/shared_library.hpp>

#include "kbatch/abi.hpp"
#include "kbatch/detail/abi_v1.hpp"
#include "kbatch/detail/abi_v1_adapter.hpp"
#include "kbatch/detail/elf_imports.hpp"
#include "kbatch/plugin_config.hpp"
#include "kbatch/processor_handle.hpp"

namespace kbatch::detail {

/// Which step of the load failed.
enum class PluginLoadFailure {
    kCannotLoad,      // dlopen refused the file (missing, not ELF, an unresolved symbol...)
    kNotAPlugin,      // it lacks kbatch_abi_version or its version's other symbol
    kAbiMismatch,     // an ABI version, level or fingerprint setting this host cannot load
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

/// The host's own side of the fingerprint: what this translation unit was compiled with.
inline constexpr std::int32_t kHostLibstdcxxCxx11Abi = kLibstdcxxCxx11Abi;
inline constexpr std::int32_t kHostBoostDllUseStdFs = kBoostDllUseStdFs;

/// Discards lines: the constructor's logger when the caller gives none.
class NullLogger final : public Logger {
  public:
    bool enabled(LogLevel) const noexcept override { return false; }
    void log(LogLevel, std::string_view) noexcept override {}
};

/// A PluginConfig's environment lookup as the boundary's Environment. The values it hands out live
/// as long as it does (the plugin's constructor copies what it keeps).
class ConfigEnvironment final : public Environment {
  public:
    explicit ConfigEnvironment(const PluginConfig& config) noexcept : config_(config) {}
    bool find(std::string_view name, std::string_view* value) const noexcept override {
        try {
            std::optional<std::string> found = config_.env(name);
            if (!found)
                return false;
            *value = values_.emplace_back(std::move(*found));
            return true;
        } catch (...) {
            return false;
        }
    }

  private:
    const PluginConfig& config_;
    mutable std::deque<std::string> values_;  // a deque: earlier views stay valid as it grows
};

/// Keeps the first error a plugin reports.
class FirstError final : public ErrorSink {
  public:
    void error(std::uint32_t error_kind, std::string_view message) noexcept override {
        if (reported)
            return;
        reported = true;
        kind = error_kind;
        try {
            text.assign(message);
        } catch (...) {
        }
    }
    bool reported = false;
    std::uint32_t kind = 0;
    std::string text;
};

/// "_GLIBCXX_USE_CXX11_ABI=1", or "no _GLIBCXX_USE_CXX11_ABI (not libstdc++)".
inline std::string describe_cxx11_abi(std::int32_t value) {
    if (value < 0)
        return "no _GLIBCXX_USE_CXX11_ABI (not libstdc++)";
    return "_GLIBCXX_USE_CXX11_ABI=" + std::to_string(value);
}

inline std::string describe_std_fs(std::int32_t value) {
    return value != 0 ? "-DBOOST_DLL_USE_STD_FS" : "no BOOST_DLL_USE_STD_FS";
}

/// A version 1 plugin exports no fingerprint, so its libstdc++ dual ABI is told by what it imports:
/// one built with the other setting imports the other std::string's members. Returns the first
/// such symbol, or empty when it imports none (or the host is not built with libstdc++).
inline std::string import_of_other_dual_abi(const std::filesystem::path& file) {
    static constexpr std::string_view kPreCxx11String[] = {"_ZNSs", "_ZNKSs"};
    static constexpr std::string_view kCxx11String[] = {"_ZNSt7__cxx1112basic_string",
                                                        "_ZNKSt7__cxx1112basic_string"};
    if (kHostLibstdcxxCxx11Abi < 0)
        return {};
    return first_import_starting_with(file,
                                      kHostLibstdcxxCxx11Abi == 0 ? kCxx11String : kPreCxx11String);
}

/// Loads `file` into `library` and makes its processor from `config`, in this order, touching
/// nothing of the plugin before the step that needs it:
///  1. dlopen with RTLD_NOW (a missing symbol fails here, not mid-batch), RTLD_LOCAL (its symbols
///     resolve no other plugin's names) and RTLD_NODELETE (see below);
///  2. kbatch_abi_version, a std::uint32_t in every ABI version, says which version to speak:
///     1 (kbatch_create_processor, behind AbiV1Instance) or 2 (kbatch_plugin_info); any other is
///     refused with both sides' versions; a version 1 plugin that imports the other libstdc++
///     dual ABI's std::string is refused (it has no fingerprint, see import_of_other_dual_abi);
///  3. for version 2, PluginInfo is read and checked before anything of the plugin is called:
///     its size, the fingerprint (the libstdc++ dual ABI and BOOST_DLL_USE_STD_FS, each refused
///     with the setting, the plugin's value and the host's), the level of version 2 it needs
///     (refused when above this host's, naming both SDK versions), its sources and form;
///  4. the factory; a version 1 factory's exception is caught, and copied into `error`, here,
///     while the library that threw it is loaded (Boost.DLL's "Missuses"); a version 2 factory
///     throws nothing (it reports through an ErrorSink);
///  5. a processor that is not null.
/// Returns the processor, or an empty handle with `*error` filled in. `logger` receives the
/// constructor's lines (version 2); null discards them.
///
/// RTLD_NODELETE keeps the code mapped after `library` lets go of it: a thread the plugin started
/// may still run then (at exit, or after a failed load) and must not find its code unmapped. The
/// SDK promises that the shared object stays loaded until the process ends. The caller must
/// destroy the processor before `library`.
inline ProcessorHandle load_plugin(boost::dll::shared_library& library,
                                   const std::filesystem::path& file, const PluginConfig& config,
                                   PluginLoadError* error, Logger* logger = nullptr) {
    const std::string name = quoted_path(file);
    const auto fail = [error](PluginLoadFailure failure, std::string message) {
        error->failure = failure;
        error->message = std::move(message);
        return ProcessorHandle();
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
    const bool has_info = library.has(kPluginInfoSymbol);
    const bool has_v1_factory = library.has(abi_v1::kFactorySymbol);
    if (!has_version) {
        if (!has_info && !has_v1_factory) {
            return fail(PluginLoadFailure::kNotAPlugin,
                        name + " is not a kbatch plugin: it exports no " + kAbiVersionSymbol +
                            " and no " + kPluginInfoSymbol + " (define one with KBATCH_PLUGIN)");
        }
        return fail(PluginLoadFailure::kNotAPlugin,
                    name + " is not a kbatch plugin: it exports no " + kAbiVersionSymbol);
    }
    const std::uint32_t version = library.get_alias<const std::uint32_t>(kAbiVersionSymbol);
    if (version == abi_v1::kAbiVersion) {
        if (!has_v1_factory) {
            return fail(PluginLoadFailure::kNotAPlugin,
                        name + " is not a kbatch plugin: it exports no " + abi_v1::kFactorySymbol);
        }
        boost::dll::fs::error_code location_error;
        const auto location = library.location(location_error);
        const std::string other_abi_import =
            location_error ? std::string() : import_of_other_dual_abi(location);
        if (!other_abi_import.empty()) {
            return fail(PluginLoadFailure::kAbiMismatch,
                        "plugin " + name + " was built with " +
                            describe_cxx11_abi(kHostLibstdcxxCxx11Abi == 0 ? 1 : 0) +
                            " (it imports " + other_abi_import + "), but this host with " +
                            describe_cxx11_abi(kHostLibstdcxxCxx11Abi) +
                            ": rebuild the plugin with the host's setting (a plugin of ABI "
                            "version 1 exports no fingerprint; its imports tell the setting)");
        }
        auto& factory = library.get_alias<abi_v1::ProcessorFactory>(abi_v1::kFactorySymbol);
        std::unique_ptr<abi_v1::RecordProcessor> processor;
        try {
            const abi_v1::PluginConfig v1_config(
                config.json(),
                [&config](std::string_view variable) { return config.env(variable); });
            processor = factory(v1_config);
        } catch (const abi_v1::ConfigError& e) {
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
        ProcessorTraits traits;
        traits.sources = source_bit(Source::kKinesis);
        traits.abi_version = abi_v1::kAbiVersion;
        return ProcessorHandle(new AbiV1Instance(std::move(processor)), traits);
    }
    if (version != kAbiVersion) {
        return fail(PluginLoadFailure::kAbiMismatch,
                    name + " was built against kbatch plugin ABI version " +
                        std::to_string(version) + ", but this host speaks versions 1 and " +
                        std::to_string(kAbiVersion) + ": rebuild the plugin against this SDK (" +
                        KBATCH_SDK_VERSION + ")");
    }
    if (!has_info) {
        return fail(PluginLoadFailure::kNotAPlugin,
                    name + " is not a kbatch plugin: it exports no " + kPluginInfoSymbol);
    }
    const PluginInfo& info = library.get_alias<const PluginInfo>(kPluginInfoSymbol);
    // Nothing past info.size is read before the size is known to cover it: a record too short to
    // be a PluginInfo has other data (or nothing mapped) where sdk_version and create would be.
    constexpr std::size_t kLevel1Size = offsetof(PluginInfo, create) + sizeof(PluginInfo::create);
    if (info.size < kLevel1Size || info.abi_version != kAbiVersion || info.create == nullptr) {
        const bool covers_version =
            info.size >= offsetof(PluginInfo, abi_version) + sizeof(PluginInfo::abi_version);
        return fail(
            PluginLoadFailure::kAbiMismatch,
            name + "'s kbatch_plugin_info is damaged (size " + std::to_string(info.size) +
                (covers_version ? ", ABI version " + std::to_string(info.abi_version) : "") +
                "): rebuild the plugin with KBATCH_PLUGIN");
    }
    const std::string built_with = std::string(" (plugin built with kbatch SDK ") +
                                   (info.sdk_version != nullptr ? info.sdk_version : "?") +
                                   ", host " + KBATCH_SDK_VERSION + ")";
    if (info.libstdcxx_cxx11_abi != kHostLibstdcxxCxx11Abi) {
        return fail(PluginLoadFailure::kAbiMismatch,
                    "plugin " + name + " was built with " +
                        describe_cxx11_abi(info.libstdcxx_cxx11_abi) + ", but this host with " +
                        describe_cxx11_abi(kHostLibstdcxxCxx11Abi) +
                        ": rebuild the plugin with the host's setting" + built_with);
    }
    if (info.boost_dll_use_std_fs != kHostBoostDllUseStdFs) {
        return fail(PluginLoadFailure::kAbiMismatch,
                    "plugin " + name + " was built with " +
                        describe_std_fs(info.boost_dll_use_std_fs) + ", but this host with " +
                        describe_std_fs(kHostBoostDllUseStdFs) +
                        ": rebuild the plugin with the host's setting" + built_with);
    }
    if (info.required_level > kAbiLevel) {
        return fail(PluginLoadFailure::kAbiMismatch,
                    "plugin " + name + " needs kbatch plugin ABI 2." +
                        std::to_string(info.required_level) + ", but this host provides 2." +
                        std::to_string(kAbiLevel) + ": upgrade the kbatch host (layer)" +
                        built_with);
    }
    constexpr SourceSet kKnownSources =
        source_bit(Source::kKinesis) | source_bit(Source::kSqs) | source_bit(Source::kDynamoDb);
    if ((info.sources & kKnownSources) == 0 ||
        (info.form != ProcessingForm::kPerRecord && info.form != ProcessingForm::kBatch)) {
        return fail(
            PluginLoadFailure::kAbiMismatch,
            "plugin " + name + " declares no event source or form this host knows" + built_with);
    }

    NullLogger null_logger;
    ConfigEnvironment environment(config);
    std::string config_text;
    try {
        config_text = config.json().dump();
    } catch (const std::exception& e) {
        return fail(PluginLoadFailure::kConfigRejected,
                    "plugin " + name + "'s configuration cannot be written as JSON: " + e.what());
    }
    CreateArgs args;
    args.config_json = config_text;
    args.environment = &environment;
    args.logger = logger != nullptr ? logger : &null_logger;
    FirstError reported;
    PluginInstance* instance = info.create(args, reported);
    if (instance == nullptr) {
        if (reported.kind == ErrorSink::kConfigRejected) {
            error->plugin_message = reported.text;
            return fail(PluginLoadFailure::kConfigRejected,
                        "plugin " + name + " rejected its configuration: " + reported.text);
        }
        return fail(PluginLoadFailure::kFailedToStart,
                    "plugin " + name + " failed to start: " +
                        (reported.reported ? reported.text : "its factory returned null"));
    }
    ProcessorTraits traits;
    traits.sources = info.sources & kKnownSources;
    traits.form = info.form;
    traits.flags = info.flags;
    return ProcessorHandle(instance, traits);
}

}  // namespace kbatch::detail
