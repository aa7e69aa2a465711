// The floor contender: the least work that reads an event's data, for kbatch to be measured
// against. Built with the decoder's SIMD flags (see CMakeLists.txt), as event_decoder.cc is.
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include <simdjson.h>

#include "base64.h"
#include "byte_sum.h"
#include "contender.h"

namespace kbatch::bench {
namespace {

namespace ondemand = simdjson::ondemand;

class FloorContender final : public Contender {
  public:
    std::uint64_t run(std::string& event) override {
        const std::size_t size = event.size();
        event.reserve(size + simdjson::SIMDJSON_PADDING);
        // Decoded data is shorter than the event, so one buffer of its size always fits.
        if (buffer_.size() < size)
            buffer_.resize(size);
        // Skip a UTF-8 byte-order mark, as kbatch's decoder does (some SDKs' sample events have
        // one).
        const std::size_t bom = std::string_view(event).starts_with("\xEF\xBB\xBF") ? 3 : 0;
        ondemand::document doc =
            parser_.iterate(event.data() + bom, size - bom, event.capacity() - bom);
        std::uint64_t sum = 0;
        for (ondemand::object record : doc["Records"]) {
            ondemand::value data = record["kinesis"]["data"];
            sum += sum_bytes(decode(data));
        }
        return sum;
    }

  private:
    // Decodes straight from the event buffer; only text that base64 refuses (which includes any
    // JSON escape) is unescaped by simdjson first and tried again.
    std::span<const std::byte> decode(ondemand::value& data) {
        std::string_view token = data.raw_json_token();
        while (!token.empty() && token.back() != '"')
            token.remove_suffix(1);  // the spaces up to the next token
        if (token.size() < 2 || token.front() != '"')
            throw std::runtime_error("floor: kinesis.data is not a string");
        std::optional<Base64Error> error;
        std::size_t size = base64_decode(token.substr(1, token.size() - 2), buffer_.data(), &error);
        if (error) {
            error.reset();
            size = base64_decode(std::string_view(data.get_string()), buffer_.data(), &error);
            if (error)
                throw std::runtime_error("floor: kinesis.data is not base64: " + error->what);
        }
        return {buffer_.data(), size};
    }

    ondemand::parser parser_;
    std::vector<std::byte> buffer_;
};

}  // namespace

std::unique_ptr<Contender> make_floor_contender() {
    return std::make_unique<FloorContender>();
}

}  // namespace kbatch::bench
