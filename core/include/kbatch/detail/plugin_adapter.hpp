// kbatch plugin SDK, internal: what KBATCH_PLUGIN compiles into a plugin. It turns the plugin's
// processor class (RecordProcessor, Processor<...>, BatchProcessor<...>: plugin-side C++ with
// std::string, exceptions, nlohmann::json) into the plain boundary of abi.hpp (PluginInfo,
// PluginInstance), so that nothing whose layout depends on a library's version or flags crosses
// to the host. Not an API for plugins: it may change in any release, as long as what crosses
// keeps to abi.hpp's rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "kbatch/abi.hpp"
#include "kbatch/context.hpp"
#include "kbatch/plugin_config.hpp"
#include "kbatch/processor.hpp"
#include "kbatch/result.hpp"

namespace kbatch::detail {

/// This translation unit's side of the fingerprint (abi.hpp's PluginInfo). A macro's value, so
/// that it is the plugin's compiler that evaluates it when the plugin includes this header.
inline constexpr std::int32_t kLibstdcxxCxx11Abi =
#if defined(_GLIBCXX_USE_CXX11_ABI)
    _GLIBCXX_USE_CXX11_ABI;
#else
    -1;
#endif
inline constexpr std::int32_t kBoostDllUseStdFs =
#if defined(BOOST_DLL_USE_STD_FS)
    1;
#else
    0;
#endif

template <class List>
struct SourcesOf;
template <class... Records>
struct SourcesOf<RecordList<Records...>> {
    static constexpr SourceSet value = (SourceSet{0} | ... | source_bit(Records::kSource));
};

template <class Type>
concept DeclaresThreadSafety = requires {
    { Type::kThreadSafe } -> std::convertible_to<bool>;
};

/// Calls `f.template operator()<Record>()` for the Record of Type's list whose source is `source`;
/// returns false when Type handles no such source.
template <class Record, class... Rest, class F>
bool visit_source(Source source, RecordList<Record, Rest...>, F&& f) {
    if (Record::kSource == source) {
        f.template operator()<Record>();
        return true;
    }
    if constexpr (sizeof...(Rest) > 0)
        return visit_source(source, RecordList<Rest...>{}, std::forward<F>(f));
    else
        return false;
}

/// The host's view of a plugin's processor of class Type. Owns it unless made with kBorrowed (a
/// test's own processor object, driven as its shared object would be).
template <class Type>
class PluginAdapter final : public PluginInstance {
  public:
    enum Ownership { kOwned, kBorrowed };

    PluginAdapter(Type* processor, Ownership ownership) noexcept
        : processor_(processor), owned_(ownership == kOwned) {}

    void* query_interface(std::uint32_t, std::uint32_t) noexcept override { return nullptr; }

    void process_record(const BatchView& batch, std::size_t index, const InvocationView& invocation,
                        OutcomeSink& outcomes) noexcept override {
        if constexpr (Type::kbatch_form == ProcessingForm::kPerRecord) {
            const Context context(invocation);
            const bool handled =
                visit_source(batch.source, typename Type::kbatch_records{}, [&]<class Record>() {
                    const Record record = Batch<Record>(batch)[index];
                    try {
                        auto& entry = static_cast<RecordProcessorOf<Record>&>(*processor_);
                        const Result result = entry.process(record, context);
                        if (result.succeeded())
                            outcomes.succeeded(index);
                        else
                            outcomes.failed(index, result.reason());
                    } catch (const std::exception& e) {
                        outcomes.failed(index, e.what());
                    } catch (...) {
                        outcomes.failed(index, "unknown exception");
                    }
                });
            if (!handled)
                outcomes.failed(index, "the plugin does not handle this event source");
        } else {
            outcomes.failed(index, "the plugin takes whole batches, not single records");
        }
    }

    void process_batch(const BatchView& batch, const InvocationView& invocation,
                       OutcomeSink& sink) noexcept override {
        if constexpr (Type::kbatch_form == ProcessingForm::kBatch) {
            const Context context(invocation);
            Outcomes outcomes(sink);
            const bool handled =
                visit_source(batch.source, typename Type::kbatch_records{}, [&]<class Record>() {
                    try {
                        auto& entry = static_cast<BatchProcessorOf<Record>&>(*processor_);
                        entry.process(Batch<Record>(batch), context, outcomes);
                    } catch (const std::exception& e) {
                        sink.fail_unmarked(e.what());
                    } catch (...) {
                        sink.fail_unmarked("unknown exception");
                    }
                });
            if (!handled)
                sink.fail_unmarked("the plugin does not handle this event source");
        } else {
            sink.fail_unmarked("the plugin takes records one by one, not whole batches");
        }
    }

    void destroy(ErrorSink& errors) noexcept override {
        // A delete expression, not unique_ptr::reset (noexcept: a throwing destructor would end
        // the process there).
        Type* processor = owned_ ? processor_ : nullptr;
        processor_ = nullptr;
        try {
            delete processor;
        } catch (const std::exception& e) {
            errors.error(ErrorSink::kDestroyFailed, e.what());
        } catch (...) {
            errors.error(ErrorSink::kDestroyFailed, "unknown exception");
        }
        delete this;
    }

  private:
    ~PluginAdapter() = default;

    Type* processor_;
    bool owned_;
};

/// The factory PluginInfo points to: parses the configuration in the plugin, constructs Type from
/// it, and reports what went wrong through `errors`. Nothing thrown leaves it.
template <class Type>
PluginInstance* create_instance(const CreateArgs& args, ErrorSink& errors) noexcept {
    try {
        nlohmann::json json = nlohmann::json::object();
        if (!args.config_json.empty()) {
            try {
                json = nlohmann::json::parse(args.config_json);
            } catch (const nlohmann::json::exception& e) {
                errors.error(ErrorSink::kConfigRejected,
                             std::string("the configuration is not valid JSON: ") + e.what());
                return nullptr;
            }
        }
        PluginConfig::EnvLookup env = PluginConfig::process_environment;
        if (const Environment* environment = args.environment; environment != nullptr) {
            env = [environment](std::string_view name) -> std::optional<std::string> {
                std::string_view value;
                if (!environment->find(name, &value))
                    return std::nullopt;
                return std::string(value);
            };
        }
        const PluginConfig config(std::move(json), std::move(env));
        auto processor = std::make_unique<Type>(config);
        auto* instance = new PluginAdapter<Type>(processor.get(), PluginAdapter<Type>::kOwned);
        processor.release();
        return instance;
    } catch (const ConfigError& e) {
        errors.error(ErrorSink::kConfigRejected, e.what());
    } catch (const std::exception& e) {
        errors.error(ErrorSink::kFailedToStart, e.what());
    } catch (...) {
        errors.error(ErrorSink::kFailedToStart, "unknown exception");
    }
    return nullptr;
}

/// What a processor of class Type declares (sources, form, flags, fingerprint), without its
/// factory: all ProcessorHandle::of and borrow need for an object made by other means (a test's
/// processor, with whatever constructor it has), so that they do not instantiate
/// create_instance<Type>, which needs a constructor from PluginConfig.
template <class Type>
constexpr PluginInfo declared_info() noexcept {
    static_assert(std::is_base_of_v<ProcessorBase, Type>,
                  "KBATCH_PLUGIN needs a class derived from kbatch::RecordProcessor, "
                  "kbatch::Processor<...> or kbatch::BatchProcessor<...>");
    PluginInfo info;
    info.required_level = 1;  // everything ABI version 2 level 1 offers
    info.sources = SourcesOf<typename Type::kbatch_records>::value;
    info.form = Type::kbatch_form;
    if constexpr (DeclaresThreadSafety<Type>) {
        if (Type::kThreadSafe)
            info.flags |= kPluginThreadSafe;
    }
    info.libstdcxx_cxx11_abi = kLibstdcxxCxx11Abi;
    info.boost_dll_use_std_fs = kBoostDllUseStdFs;
    return info;
}

/// The PluginInfo a plugin of class Type exports: what it declares, and its factory.
template <class Type>
constexpr PluginInfo plugin_info() noexcept {
    PluginInfo info = declared_info<Type>();
    info.create = &create_instance<Type>;
    return info;
}

}  // namespace kbatch::detail
