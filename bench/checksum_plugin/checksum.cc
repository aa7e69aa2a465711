// The `checksum` plugin: sums every byte of every record's payload, so a benchmark measures the
// host handing real data to real plugin code and nothing can be skipped. It handles all three
// sources, each payload as bench/contender.h defines it (what the floor, naive and Powertools
// contenders sum too):
//   Kinesis           the record's data, base64-decoded;
//   SQS               the message's body, the text as sent (JSON-unescaped);
//   DynamoDB Streams  the NewImage's JSON text as the event writes it, every byte above 0x20
//                     (whitespace left out, as bench/byte_sum.h's sum_json_text_bytes); nothing
//                     for a record without one (REMOVE).
//
// Configuration: {"fail_one_in": N}. With N > 0 a record fails when its byte sum is a multiple of
// N (about one in N records), to measure the failure path; default 0, nothing fails. (A record
// with nothing to sum, a REMOVE, sums to 0 and so fails whenever N > 0.)
#include <cstdint>
#include <span>
#include <string_view>

#include <boost/dll/alias.hpp>
#include <kbatch/plugin.hpp>

#include "checksum_channel.h"

namespace {

// Every processor adds to this one total (the host calls process from one thread at a time, as the
// class does not declare kThreadSafe, so a plain integer is enough). Read by the benchmarks through
// kbatch_bench_checksum_total.
std::uint64_t total_sum = 0;

std::uint64_t checksum_total() {
    return total_sum;
}

std::span<const std::byte> as_bytes(std::string_view text) noexcept {
    return std::as_bytes(std::span(text.data(), text.size()));
}

class Checksum final
    : public kbatch::Processor<kbatch::KinesisRecord, kbatch::SqsMessage, kbatch::DynamoDbRecord> {
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

    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        return account(sum_bytes(record.data()));
    }

    kbatch::Result process(const kbatch::SqsMessage& message, const kbatch::Context&) override {
        return account(sum_bytes(as_bytes(message.body())));
    }

    kbatch::Result process(const kbatch::DynamoDbRecord& record, const kbatch::Context&) override {
        // The image's text straight from the event (a view; empty for a REMOVE), not read through
        // dynamodb::Item: the work is the same bytes every contender sums.
        return account(sum_json_text_bytes(as_bytes(record.fields().new_image)));
    }

  private:
    static std::uint64_t sum_bytes(std::span<const std::byte> bytes) noexcept {
        std::uint64_t sum = 0;
        for (const std::byte b : bytes)
            sum += static_cast<std::uint8_t>(b);
        return sum;
    }

    // Valid JSON holds no byte at or below 0x20 but spaces, tabs and line breaks.
    static std::uint64_t sum_json_text_bytes(std::span<const std::byte> text) noexcept {
        std::uint64_t sum = 0;
        for (const std::byte b : text) {
            const auto value = static_cast<std::uint8_t>(b);
            sum += value > 0x20 ? value : 0;
        }
        return sum;
    }

    kbatch::Result account(std::uint64_t sum) {
        total_sum += sum;
        if (fail_one_in_ != 0 && sum % fail_one_in_ == 0) {
            // Short enough for the string's inline buffer: failing allocates no reason text.
            return kbatch::Result::failure("checksum hit");
        }
        return kbatch::Result::ok();
    }

    std::uint64_t fail_one_in_ = 0;
};

}  // namespace

KBATCH_PLUGIN(Checksum)
BOOST_DLL_ALIAS(checksum_total, kbatch_bench_checksum_total)
