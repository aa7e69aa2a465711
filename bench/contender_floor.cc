// The floor contender: the least work that reads an event's payloads, for kbatch to be measured
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

std::span<const std::byte> as_bytes(std::string_view text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

class FloorContender final : public Contender {
  public:
    explicit FloorContender(EventSource source) : source_(source) {}

    bool handles(EventSource source) const override { return source == source_; }

    std::uint64_t run(std::string& event) override {
        const std::size_t size = event.size();
        event.reserve(size + simdjson::SIMDJSON_PADDING);
        // Decoded data is shorter than the event, so one buffer of its size always fits.
        if (source_ == EventSource::kKinesis && buffer_.size() < size)
            buffer_.resize(size);
        // Skip a UTF-8 byte-order mark, as kbatch's decoder does (some SDKs' sample events have
        // one).
        const std::size_t bom = std::string_view(event).starts_with("\xEF\xBB\xBF") ? 3 : 0;
        ondemand::document doc =
            parser_.iterate(event.data() + bom, size - bom, event.capacity() - bom);
        std::uint64_t sum = 0;
        switch (source_) {
            case EventSource::kKinesis:
                for (ondemand::object record : doc["Records"]) {
                    ondemand::value data = record["kinesis"]["data"];
                    sum += sum_bytes(decode(data));
                }
                break;
            case EventSource::kSqs:
                // simdjson unescapes the body into its own buffer, reused from run to run.
                for (ondemand::object record : doc["Records"])
                    sum += sum_bytes(as_bytes(record["body"].get_string()));
                break;
            case EventSource::kDynamoDb:
                for (ondemand::object record : doc["Records"]) {
                    ondemand::object image;
                    const simdjson::error_code error =
                        record["dynamodb"].get_object().find_field_unordered("NewImage").get(image);
                    if (error == simdjson::NO_SUCH_FIELD)
                        continue;  // REMOVE: no new image
                    if (error)
                        throw simdjson::simdjson_error(error);
                    sum += sum_json_text_bytes(as_bytes(image.raw_json()));
                }
                break;
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

    EventSource source_;
    ondemand::parser parser_;
    std::vector<std::byte> buffer_;
};

}  // namespace

std::unique_ptr<Contender> make_floor_contender(EventSource source) {
    return std::make_unique<FloorContender>(source);
}

}  // namespace kbatch::bench
