// Test stub: a version 2 plugin from a later SDK (0.9.0) whose PluginInfo has grown (fields
// appended after create, and a size that says so) but that needs only level 1. The host must load
// it, reading only the fields it knows: version 2 grows without a version 3. Its processor is the
// SDK's own adapter around a processor that fails every record with "stub_future_sdk_level1:
// <sequence number>".
#include <cstdint>
#include <string>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

namespace {

class FutureSdk final : public kbatch::RecordProcessor {
  public:
    explicit FutureSdk(const kbatch::PluginConfig&) {}
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        return kbatch::Result::failure("stub_future_sdk_level1: " +
                                       std::string(record.sequence_number()));
    }
};

// The later SDK's PluginInfo: this SDK's, then fields this host does not know.
struct LaterPluginInfo {
    kbatch::PluginInfo known;
    std::uint64_t appended_field = 0xfeedfacecafebeefu;
    const char* appended_text = "a field of ABI 2.2";
};

constexpr LaterPluginInfo make_info() {
    LaterPluginInfo later;
    later.known = kbatch::detail::plugin_info<FutureSdk>();
    later.known.size = sizeof(LaterPluginInfo);
    later.known.sdk_version = "0.9.0";
    return later;
}

}  // namespace

namespace future_sdk_level1_exports {

const std::uint32_t abi_version = kbatch::kAbiVersion;
const LaterPluginInfo plugin_info = make_info();

}  // namespace future_sdk_level1_exports

BOOST_DLL_ALIAS(future_sdk_level1_exports::abi_version, kbatch_abi_version)
BOOST_DLL_ALIAS(future_sdk_level1_exports::plugin_info, kbatch_plugin_info)
