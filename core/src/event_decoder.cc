#include "event_decoder.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

#include "cpu_support.h"
#include "general_decoder.h"
#include "lambda_form_decoder.h"
#include "text_scan.h"

namespace kbatch {

namespace ondemand = simdjson::ondemand;

struct EventDecoder::Parser {
    ondemand::parser parser;
};

namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// The shape of a document's brackets, found by a plain scan. Used only to explain an error:
// simdjson reports both content after the event and excessive nesting as a broken document.
struct BracketScan {
    int max_depth = 0;
    bool unclosed = false;                // the input ends inside the first value: truncated
    std::optional<std::size_t> trailing;  // where non-space content starts after the first value
};

BracketScan scan_brackets(std::string_view json) {
    BracketScan scan;
    std::size_t at = 0;
    while (at < json.size() && is_json_space(json[at]))
        ++at;
    if (at == json.size() || (json[at] != '{' && json[at] != '['))
        return scan;
    int depth = 0;
    bool in_string = false;
    for (; at < json.size(); ++at) {
        const char c = json[at];
        if (in_string) {
            if (c == '\\') {
                ++at;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            scan.max_depth = std::max(scan.max_depth, ++depth);
        } else if ((c == '}' || c == ']') && --depth == 0) {
            break;
        }
    }
    if (at >= json.size()) {
        scan.unclosed = true;
        return scan;
    }
    for (++at; at < json.size(); ++at) {
        if (!is_json_space(json[at])) {
            scan.trailing = at;
            break;
        }
    }
    return scan;
}

}  // namespace

#define KBATCH_STRINGIFY_INNER(x) #x
#define KBATCH_STRINGIFY(x) KBATCH_STRINGIFY_INNER(x)

std::string_view decoder_implementation_name() {
    // The implementation this file was compiled for (not libsimdjson's own default).
    return KBATCH_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);
}

EventDecoder::EventDecoder(FastPath fast_path)
    : fast_path_(fast_path), parser_(std::make_unique<Parser>()) {}
EventDecoder::~EventDecoder() = default;

Status EventDecoder::decode(std::string_view event) {
    // Grow only: the buffer is reused, so steady-state batches copy without allocating.
    const std::size_t needed = event.size() + simdjson::SIMDJSON_PADDING;
    if (padded_input_.size() < needed)
        padded_input_.resize(std::max(needed, padded_input_.size() * 2));
    std::copy(event.begin(), event.end(), padded_input_.begin());
    return decode_padded(padded_input_.data(), event.size(), padded_input_.size());
}

Status EventDecoder::decode_in_place(std::string& event) {
    const std::size_t size = event.size();
    const std::size_t needed = size + simdjson::SIMDJSON_PADDING;
    if (event.capacity() < needed)
        event.reserve(needed);
    return decode_padded(event.data(), size, event.capacity());
}

Status EventDecoder::decode_padded(const char* data, std::size_t size, std::size_t capacity) {
    batch_.clear();
    if (size > kMaxEventBytes) {
        return Status::error(
            ErrorKind::kInvalidEvent,
            fmt::format("the event is {} bytes, over Lambda's invocation limit of {}", size,
                        kMaxEventBytes));
    }
    const char* const input = data;
    if (std::string_view(data, size).starts_with(kByteOrderMark)) {
        data += kByteOrderMark.size();
        size -= kByteOrderMark.size();
        capacity -= kByteOrderMark.size();
    }
    if (arena_.size() < size)
        arena_.resize(std::max(size, arena_.size() * 2));

    static_assert(simdjson::SIMDJSON_PADDING >= kLambdaFormReadAhead);
    if (fast_path_ == FastPath::kTry &&
        decode_lambda_form(std::string_view(data, size), arena_.data(), batch_)) {
        last_path_ = Path::kLambdaForm;
        return Status::ok();
    }
    last_path_ = Path::kGeneral;
    batch_.clear();

    // Said plainly: `curl --data-binary @missing.json` sends an empty body without a word, and
    // simdjson's "Empty: no JSON found" does not point at that.
    if (std::string_view(data, size).find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return Status::error(ErrorKind::kInvalidEvent,
                             "the event is empty: the request body is empty (was the file that "
                             "should have been sent there?)");
    }
    Status status =
        decode_general(parser_->parser, data, size, capacity, input, arena_.data(), batch_);
    if (!status.is_ok()) {
        const BracketScan scan = scan_brackets(std::string_view(data, size));
        if (scan.max_depth > kMaxJsonDepth) {
            status = Status::error(
                ErrorKind::kInvalidEvent,
                fmt::format("invalid JSON: nested deeper than {} levels", kMaxJsonDepth));
        } else if (scan.unclosed) {
            // simdjson's location for a cut document is wherever its index ran out, often the
            // first byte; the useful fact is that the end is missing.
            status = Status::error(
                ErrorKind::kInvalidEvent,
                fmt::format("invalid JSON: the event ends at byte {} before its closing bracket "
                            "(truncated?)",
                            size + static_cast<std::size_t>(data - input)));
        } else if (scan.trailing) {
            status = Status::error(
                ErrorKind::kInvalidEvent,
                fmt::format("invalid JSON: unexpected content after the event at byte {}",
                            *scan.trailing + static_cast<std::size_t>(data - input)));
        }
        batch_.clear();
    }
    return status;
}

}  // namespace kbatch
