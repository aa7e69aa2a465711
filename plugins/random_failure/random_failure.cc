// The default plugin: fails each record independently with probability failure_rate, whatever its
// source (Kinesis, SQS, DynamoDB Streams). A demo of partial batch failure and a chaos tool for
// testing a pipeline's retries.
//
// Configuration (KBATCH_PLUGIN_CONFIG or --config): {"failure_rate": 0.5, "seed": 42}
//   failure_rate  number in [0, 1], default 0.5
//   seed          unsigned integer; without it every start draws a fresh random seed
#include <cstdint>
#include <random>
#include <string>

#include <kbatch/plugin.hpp>

namespace {

// Every source: the draw does not depend on the record, so one sequence of draws serves all three.
class RandomFailure final
    : public kbatch::Processor<kbatch::KinesisRecord, kbatch::SqsMessage, kbatch::DynamoDbRecord> {
  public:
    explicit RandomFailure(const kbatch::PluginConfig& config) {
        const nlohmann::json& json = config.json();
        if (!json.is_object()) {
            throw kbatch::ConfigError("random_failure: the configuration must be a JSON object");
        }
        std::uint64_t seed = std::random_device{}();
        for (const auto& [key, value] : json.items()) {
            if (key == "failure_rate") {
                if (!value.is_number()) {
                    throw kbatch::ConfigError(
                        "random_failure: failure_rate must be a number, got " + value.dump());
                }
                failure_rate_ = value.get<double>();
                if (!(failure_rate_ >= 0.0 && failure_rate_ <= 1.0)) {
                    throw kbatch::ConfigError(
                        "random_failure: failure_rate must be within [0, 1], got " + value.dump());
                }
            } else if (key == "seed") {
                // Parsed JSON holds 7 as unsigned, but a document built in code holds it signed.
                const bool non_negative_integer =
                    value.is_number_unsigned() ||
                    (value.is_number_integer() && value.get<std::int64_t>() >= 0);
                if (!non_negative_integer) {
                    throw kbatch::ConfigError(
                        "random_failure: seed must be a non-negative integer, got " + value.dump());
                }
                seed = value.get<std::uint64_t>();
            } else {
                throw kbatch::ConfigError("random_failure: unknown setting \"" + key +
                                          "\" (known: failure_rate, seed)");
            }
        }
        engine_.seed(seed);
    }

    kbatch::Result process(const kbatch::KinesisRecord&, const kbatch::Context&) override {
        return draw();
    }
    kbatch::Result process(const kbatch::SqsMessage&, const kbatch::Context&) override {
        return draw();
    }
    kbatch::Result process(const kbatch::DynamoDbRecord&, const kbatch::Context&) override {
        return draw();
    }

  private:
    kbatch::Result draw() {
        // One draw per record, in order, so a seed gives the same answer on every run and host.
        // The uniform value is built from the top 53 bits by hand: std::uniform_real_distribution's
        // algorithm is not fixed by the standard, so it could differ between standard libraries.
        const double draw = static_cast<double>(engine_() >> 11) * 0x1.0p-53;  // in [0, 1)
        if (draw < failure_rate_)
            return kbatch::Result::failure("random failure (chaos)");
        return kbatch::Result::ok();
    }

    double failure_rate_ = 0.5;
    std::mt19937_64 engine_;
};

}  // namespace

KBATCH_PLUGIN(RandomFailure)
