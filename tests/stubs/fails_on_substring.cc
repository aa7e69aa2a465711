// Test stub: fails a record when its decoded data contains the configured string.
// Configuration: {"needle": "..."} (required, a non-empty string).
#include <string>

#include <kbatch/plugin.hpp>

namespace {

class FailsOnSubstring final : public kbatch::RecordProcessor {
  public:
    explicit FailsOnSubstring(const kbatch::PluginConfig& config) {
        const nlohmann::json& json = config.json();
        if (!json.is_object() || !json.contains("needle") || !json["needle"].is_string() ||
            json["needle"].get<std::string>().empty()) {
            throw kbatch::ConfigError("stub_fails_on_substring: needs {\"needle\": \"non-empty\"}");
        }
        needle_ = json["needle"].get<std::string>();
    }

    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        if (record.text().find(needle_) != std::string_view::npos) {
            return kbatch::Result::failure("contains " + needle_);
        }
        return kbatch::Result::ok();
    }

  private:
    std::string needle_;
};

}  // namespace

KBATCH_PLUGIN(FailsOnSubstring)
