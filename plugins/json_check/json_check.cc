// json_check: fails each record whose payload is not a JSON object holding every field the
// configuration names. The model plugin: copy this folder to start your own.
//
// The payload is a Kinesis record's data, an SQS message's body, or a DynamoDB Streams record's
// item (NewImage; OldImage for a REMOVE), whose attributes are the fields.
//
// Configuration (KBATCH_PLUGIN_CONFIG or --config): {"required_fields": ["id", "amount"]}
//   required_fields  array of field names, default none (then any JSON object passes). A field
//                    that is present but null counts as missing.
//
// Each failure is logged at WARN with the record's identifier and the reason; the payload never is
// (it may hold personal data).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kbatch/plugin.hpp>
#include <nlohmann/json.hpp>

namespace {

class JsonCheck final
    : public kbatch::Processor<kbatch::KinesisRecord, kbatch::SqsMessage, kbatch::DynamoDbRecord> {
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
        return outcome("record", record.sequence_number(), check(record.text()), ctx);
    }

    kbatch::Result process(const kbatch::SqsMessage& message, const kbatch::Context& ctx) override {
        return outcome("message", message.message_id(), check(message.body()), ctx);
    }

    kbatch::Result process(const kbatch::DynamoDbRecord& record,
                           const kbatch::Context& ctx) override {
        const bool removed = record.event_name() == "REMOVE";
        const bool has_image = removed ? record.has_old_image() : record.has_new_image();
        std::string reason;
        if (!has_image) {
            reason = removed
                         ? "the record carries no OldImage (the stream's view type leaves it out)"
                         : "the record carries no NewImage (the stream's view type leaves it out)";
        } else {
            reason = check_item(removed ? record.old_image() : record.new_image());
        }
        return outcome("record", record.sequence_number(), std::move(reason), ctx);
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

    // The same for a DynamoDB item: each required field an attribute that is not NULL.
    std::string check_item(const kbatch::dynamodb::Item& item) const {
        std::string missing;
        for (const std::string& field : required_fields_) {
            const auto found = item.find(field);
            if (!found && found.error().code() != kbatch::dynamodb::Errc::kMissing)
                return "the item is malformed: " + found.error().message();
            if (!found || found->is_null())
                missing += (missing.empty() ? "" : ", ") + field;
        }
        if (!missing.empty())
            return "missing required field(s): " + missing;
        return "";
    }

    static kbatch::Result outcome(std::string_view what, std::string_view identifier,
                                  std::string reason, const kbatch::Context& ctx) {
        if (reason.empty())
            return kbatch::Result::ok();
        ctx.logger().warn("json_check: " + std::string(what) + " " + std::string(identifier) +
                          ": " + reason);
        return kbatch::Result::failure(std::move(reason));
    }

    std::vector<std::string> required_fields_;
};

}  // namespace

KBATCH_PLUGIN(JsonCheck)
