// The `checksum` plugin: sums every decoded byte of every record, so a benchmark measures the
// host handing real data to real plugin code and nothing can be skipped.
//
// Configuration: {"fail_one_in": N}. With N > 0 a record fails when its byte sum is a multiple of
// N (about one in N records), to measure the failure path; default 0, nothing fails.
#include <cstdint>
#include <span>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

#include "checksum_channel.h"

namespace {

// Every processor adds to this one total (ABI version 1 calls process from one thread, so a plain
// integer is enough). Read by the benchmarks through kbatch_bench_checksum_total.
std::uint64_t total_sum = 0;

std::uint64_t checksum_total() {
    return total_sum;
}

class Checksum final : public kbatch::RecordProcessor {
  public:
    explicit Checksum(const kbatch::PluginConfig& config) {
        const nlohmann::json& json = config.json();
        if (!json.is_object())
            throw kbatch::ConfigError("checksum: the configuration must be a JSON object");
        for (const auto& [key, value] : json.items()) {
            if (key != "fail_one_in") {
                throw kbatch::ConfigError("checksum: unknown setting \"" + key +
                                          "\" (known: fail_one_in)");
            }
            // Parsed JSON holds 7 as unsigned, but a document built in code holds it signed.
            if (!value.is_number_unsigned() &&
                !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
                throw kbatch::ConfigError("checksum: fail_one_in must be a non-negative integer");
            }
            fail_one_in_ = value.get<std::uint64_t>();
        }
    }

    // TODO(issue 13, ABI v2): handle SQS and DynamoDB Streams too, summing into total_sum what
    // bench's floor, naive and Powertools contenders sum (bench/contender.h): every byte of each
    // SQS message's body (the text as sent, JSON-unescaped), and every byte above 0x20 of each
    // DynamoDB record's NewImage JSON text (whitespace left out: bench/byte_sum.h's
    // sum_json_text_bytes; nothing for a record without one). Then list both sources in
    // KbatchContender::handles (bench/contender_kbatch.cc), and bench/compare times kbatch on the
    // sqs and dynamodb shapes.
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        std::uint64_t sum = 0;
        for (const std::byte b : record.data())
            sum += static_cast<std::uint8_t>(b);
        total_sum += sum;
        if (fail_one_in_ != 0 && sum % fail_one_in_ == 0) {
            // Short enough for the string's inline buffer: failing allocates no reason text.
            return kbatch::Result::failure("checksum hit");
        }
        return kbatch::Result::ok();
    }

  private:
    std::uint64_t fail_one_in_ = 0;
};

}  // namespace

KBATCH_PLUGIN(Checksum)
BOOST_DLL_ALIAS(checksum_total, kbatch_bench_checksum_total)
