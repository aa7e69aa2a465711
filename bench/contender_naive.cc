// The naive contender: the obvious C++ a team would write first, with nlohmann/json.
#include <span>

#include <nlohmann/json.hpp>

#include "byte_sum.h"
#include "contender.h"
#include "scalar_base64.h"

namespace kbatch::bench {
namespace {

class NaiveContender final : public Contender {
  public:
    std::uint64_t run(std::string& event) override {
        const nlohmann::json doc = nlohmann::json::parse(event);
        std::uint64_t sum = 0;
        for (const nlohmann::json& record : doc.at("Records")) {
            const std::string bytes =
                scalar_base64_decode(record.at("kinesis").at("data").get_ref<const std::string&>());
            sum += sum_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())));
        }
        const nlohmann::json response = {{"batchItemFailures", nlohmann::json::array()}};
        response_ = response.dump();
        return sum;
    }

  private:
    std::string response_;
};

}  // namespace

std::unique_ptr<Contender> make_naive_contender() {
    return std::make_unique<NaiveContender>();
}

}  // namespace kbatch::bench
