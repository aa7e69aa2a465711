// The naive contender: the obvious C++ a team would write first, with nlohmann/json.
#include <span>

#include <nlohmann/json.hpp>

#include "byte_sum.h"
#include "contender.h"
#include "scalar_base64.h"

namespace kbatch::bench {
namespace {

std::uint64_t sum_text(const std::string& text) {
    return sum_bytes(std::as_bytes(std::span(text.data(), text.size())));
}

class NaiveContender final : public Contender {
  public:
    explicit NaiveContender(EventSource source) : source_(source) {}

    bool handles(EventSource source) const override { return source == source_; }

    std::uint64_t run(std::string& event) override {
        const nlohmann::json doc = nlohmann::json::parse(event);
        std::uint64_t sum = 0;
        for (const nlohmann::json& record : doc.at("Records")) {
            switch (source_) {
                case EventSource::kKinesis:
                    sum += sum_text(scalar_base64_decode(
                        record.at("kinesis").at("data").get_ref<const std::string&>()));
                    break;
                case EventSource::kSqs:
                    sum += sum_text(record.at("body").get_ref<const std::string&>());
                    break;
                case EventSource::kDynamoDb:
                    // The image's text again: compact, with its keys sorted by nlohmann/json,
                    // which moves bytes but changes none, so the sum is the image's.
                    if (const nlohmann::json& dynamodb = record.at("dynamodb");
                        dynamodb.contains("NewImage")) {
                        const std::string text = dynamodb["NewImage"].dump();
                        sum +=
                            sum_json_text_bytes(std::as_bytes(std::span(text.data(), text.size())));
                    }
                    break;
            }
        }
        const nlohmann::json response = {{"batchItemFailures", nlohmann::json::array()}};
        response_ = response.dump();
        return sum;
    }

  private:
    EventSource source_;
    std::string response_;
};

}  // namespace

std::unique_ptr<Contender> make_naive_contender(EventSource source) {
    return std::make_unique<NaiveContender>(source);
}

}  // namespace kbatch::bench
