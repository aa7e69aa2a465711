// Test stub: configured the ABI version 1 way, through config.json() and config.env(), as the
// version 1 README documents. The needle is {"prefix": "..."} followed by the value of the
// environment variable named by {"env": "NAME"} (default STUB_NEEDLE_SUFFIX); a record whose data
// contains the needle fails with "stub_config_and_env: contains <needle>". A configuration that is
// not an object, a prefix that is not a string, or an unset variable is a kbatch::ConfigError.
// The source compiles against the ABI version 1 SDK and the version 2 SDK alike.
#include <optional>
#include <string>

#include <kbatch/plugin.hpp>

namespace {

class ConfigAndEnv final : public kbatch::RecordProcessor {
  public:
    explicit ConfigAndEnv(const kbatch::PluginConfig& config) {
        const nlohmann::json& json = config.json();
        if (!json.is_object())
            throw kbatch::ConfigError("stub_config_and_env: the configuration must be an object");
        if (json.contains("prefix") && !json["prefix"].is_string())
            throw kbatch::ConfigError("stub_config_and_env: \"prefix\" must be a string");
        const std::string variable = json.value("env", std::string("STUB_NEEDLE_SUFFIX"));
        const std::optional<std::string> suffix = config.env(variable);
        if (!suffix)
            throw kbatch::ConfigError("stub_config_and_env: " + variable + " is not set");
        needle_ = json.value("prefix", std::string()) + *suffix;
    }

    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        if (record.text().find(needle_) != std::string_view::npos)
            return kbatch::Result::failure("stub_config_and_env: contains " + needle_);
        return kbatch::Result::ok();
    }

  private:
    std::string needle_;
};

}  // namespace

KBATCH_PLUGIN(ConfigAndEnv)
