// kbatch plugin SDK: a processor as the host drives it, whichever way it was made: loaded from a
// plugin's shared object (version 2, or version 1 behind an adapter), or constructed in process
// from a processor class (tests, benchmarks). The batch runner, kbatch::testing::run_batch and
// kbatch::testing::Plugin all work with this one type.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "kbatch/abi.hpp"
#include "kbatch/detail/plugin_adapter.hpp"

namespace kbatch {
inline namespace abi_v2 {

/// What the host knows of a processor before calling it: from the plugin's PluginInfo.
struct ProcessorTraits {
    SourceSet sources = 0;
    ProcessingForm form = ProcessingForm::kPerRecord;
    std::uint32_t flags = 0;                  // PluginFlags
    std::uint32_t abi_version = kAbiVersion;  // the ABI the plugin was built against

    bool handles(Source source) const noexcept { return (sources & source_bit(source)) != 0; }
};

/// Owns one PluginInstance and destroys it (through the instance's own destroy(), in the plugin
/// that made it) when it goes. The shared object it came from must stay loaded until then.
/// Thread safety: none of its own; the instance may be called from several threads only when its
/// traits say kPluginThreadSafe.
class ProcessorHandle {
  public:
    ProcessorHandle() = default;
    /// Takes ownership of `instance`.
    ProcessorHandle(PluginInstance* instance, const ProcessorTraits& traits) noexcept
        : instance_(instance), traits_(traits) {}
    ProcessorHandle(ProcessorHandle&& other) noexcept
        : instance_(std::exchange(other.instance_, nullptr)), traits_(other.traits_) {}
    ProcessorHandle& operator=(ProcessorHandle&& other) noexcept {
        if (this != &other) {
            destroy();
            instance_ = std::exchange(other.instance_, nullptr);
            traits_ = other.traits_;
        }
        return *this;
    }
    ~ProcessorHandle() { destroy(); }

    /// An in-process processor: `processor` behind the same adapter KBATCH_PLUGIN compiles into a
    /// plugin, so it is driven exactly as it would be from its shared object.
    template <class Type>
    static ProcessorHandle of(std::unique_ptr<Type> processor) {
        ProcessorHandle handle(
            new detail::PluginAdapter<Type>(processor.get(), detail::PluginAdapter<Type>::kOwned),
            traits_of<Type>());
        processor.release();
        return handle;
    }

    /// As of(), for a processor the caller keeps owning; it must outlive the handle.
    template <class Type>
    static ProcessorHandle borrow(Type& processor) {
        return ProcessorHandle(
            new detail::PluginAdapter<Type>(&processor, detail::PluginAdapter<Type>::kBorrowed),
            traits_of<Type>());
    }

    explicit operator bool() const noexcept { return instance_ != nullptr; }
    PluginInstance& instance() const noexcept { return *instance_; }
    const ProcessorTraits& traits() const noexcept { return traits_; }
    bool handles(Source source) const noexcept { return traits_.handles(source); }

    /// Destroys the processor now. Returns what its destructor threw ("" when nothing, or when
    /// there was no processor); idempotent.
    std::string destroy() noexcept {
        if (instance_ == nullptr)
            return {};
        struct Capture final : ErrorSink {
            std::string text;
            void error(std::uint32_t, std::string_view message) noexcept override {
                try {
                    text.assign(message);
                } catch (...) {
                }
            }
        } capture;
        std::exchange(instance_, nullptr)->destroy(capture);
        return std::move(capture.text);
    }

  private:
    template <class Type>
    static ProcessorTraits traits_of() noexcept {
        const PluginInfo info = detail::declared_info<Type>();
        ProcessorTraits traits;
        traits.sources = info.sources;
        traits.form = info.form;
        traits.flags = info.flags;
        return traits;
    }

    PluginInstance* instance_ = nullptr;
    ProcessorTraits traits_;
};

/// The names of the sources in `sources`, comma-separated ("Kinesis, SQS"), for messages.
inline std::string source_names(SourceSet sources) {
    std::string names;
    for (const Source source : {Source::kKinesis, Source::kSqs, Source::kDynamoDb}) {
        if ((sources & source_bit(source)) == 0)
            continue;
        if (!names.empty())
            names += ", ";
        names += source_name(source);
    }
    return names.empty() ? std::string("none") : names;
}

}  // namespace abi_v2
}  // namespace kbatch
