// json_check: fails each record whose payload is not a JSON object holding every field the
// configuration names. The model plugin: copy this folder to start your own.
//
// Configuration (KBATCH_PLUGIN_CONFIG or --config): {"required_fields": ["id", "amount"]}
//   required_fields  array of field names, default none (then any JSON object passes). A field
//                    that is present but null counts as missing.
//
// Each failure is logged at WARN with the sequence number and the reason; the payload never is
// (it may hold personal data).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kbatch/plugin.hpp>
#include <nlohmann/json.hpp>

namespace {

class JsonCheck final : public kbatch::RecordProcessor {
  public:
    explicit JsonCheck(const kbatch::PluginConfig& config) {
        const nlohmann::json& json = config.json();
        if (!json.is_object())
            throw kbatch::ConfigError("json_check: the configuration must be a JSON object");
        for (const auto& [key, value] : json.items()) {
            if (key != "required_fields") {
                throw kbatch::ConfigError("json_check: unknown setting \"" + key +
                                          "\" (known: required_fields)");
            }
            if (!value.is_array())
                throw kbatch::ConfigError("json_check: required_fields must be an array of names");
            for (const nlohmann::json& field : value) {
                if (!field.is_string() || field.get_ref<const std::string&>().empty()) {
                    throw kbatch::ConfigError(
                        "json_check: required_fields must hold non-empty strings, got " +
                        field.dump());
                }
                required_fields_.push_back(field.get<std::string>());
            }
        }
    }

    kbatch::Result process(const kbatch::KinesisRecord& record,
                           const kbatch::Context& ctx) override {
        std::string reason = check(record.text());
        if (reason.empty())
            return kbatch::Result::ok();
        ctx.logger().warn("json_check: record " + std::string(record.sequence_number()) + ": " +
                          reason);
        return kbatch::Result::failure(std::move(reason));
    }

  private:
    // Why the payload is refused, or "" when it passes.
    std::string check(std::string_view payload) const {
        // Without exceptions: a bad payload is an expected outcome, not an error.
        const nlohmann::json document =
            nlohmann::json::parse(payload.begin(), payload.end(), nullptr,
                                  /*allow_exceptions=*/false);
        if (document.is_discarded())
            return "the payload is not valid JSON";
        if (!document.is_object())
            return std::string("the payload is a JSON ") + document.type_name() + ", not an object";
        std::string missing;
        for (const std::string& field : required_fields_) {
            const auto found = document.find(field);
            if (found == document.end() || found->is_null())
                missing += (missing.empty() ? "" : ", ") + field;
        }
        if (!missing.empty())
            return "missing required field(s): " + missing;
        return "";
    }

    std::vector<std::string> required_fields_;
};

}  // namespace

KBATCH_PLUGIN(JsonCheck)
