#include "response_writer.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <string_view>

namespace kbatch {
namespace {

// Appends `text` as the inside of a JSON string. Sequence numbers are plain digits (the decoder
// and run_batch check), so this is a plain copy in practice; the escapes only keep the response
// valid JSON should a report built by other means hold something else.
void append_json_string_body(std::string& out, std::string_view text) {
    constexpr std::string_view kHex = "0123456789abcdef";
    std::size_t plain_from = 0;
    for (std::size_t at = 0; at < text.size(); ++at) {
        const auto c = static_cast<unsigned char>(text[at]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(text.substr(plain_from, at - plain_from));
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else {
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
        plain_from = at + 1;
    }
    out.append(text.substr(plain_from));
}

}  // namespace

void ResponseWriter::write(const BatchReport& report, std::string& out, bool pretty) {
    const std::vector<RecordFailure>& failures = report.failures;
    out.clear();
    if (failures.empty()) {
        out.append(pretty ? "{\n  \"batchItemFailures\": []\n}" : R"({"batchItemFailures":[]})");
        return;
    }
    // A hash set of the identifiers written so far, in a table at least twice the number of
    // failures (so probes stay short) that grows only: no allocation once it is large enough.
    const std::size_t table_size = std::bit_ceil(std::max<std::size_t>(16, failures.size() * 2));
    if (slots_.size() < table_size)
        slots_.resize(table_size);
    std::fill(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(table_size), kEmpty);
    const std::size_t mask = table_size - 1;
    const std::hash<std::string_view> hash;

    // Room for every identifier (repeats and escapes aside) at once, so that the first time the
    // string does not grow step by step; a reused string already has it.
    std::size_t needed = 32;
    for (const RecordFailure& failure : failures)
        needed += failure.identifier.size() + (pretty ? 48 : 24);
    out.reserve(needed);
    out.append(pretty ? "{\n  \"batchItemFailures\": [" : R"({"batchItemFailures":[)");
    bool first = true;
    for (std::size_t i = 0; i < failures.size(); ++i) {
        const std::string_view id = failures[i].identifier;
        std::size_t slot = hash(id) & mask;
        bool repeated = false;
        for (; slots_[slot] != kEmpty; slot = (slot + 1) & mask) {
            if (failures[slots_[slot]].identifier == id) {
                repeated = true;
                break;
            }
        }
        if (repeated)
            continue;
        slots_[slot] = static_cast<std::uint32_t>(i);
        if (pretty) {
            out.append(first ? "\n    {\n      \"itemIdentifier\": \""
                             : ",\n    {\n      \"itemIdentifier\": \"");
            append_json_string_body(out, id);
            out.append("\"\n    }");
        } else {
            out.append(first ? R"({"itemIdentifier":")" : R"(,{"itemIdentifier":")");
            append_json_string_body(out, id);
            out.append("\"}");
        }
        first = false;
    }
    out.append(pretty ? "\n  ]\n}" : "]}");
}

std::string write_batch_response(const BatchReport& report, bool pretty) {
    std::string out;
    ResponseWriter().write(report, out, pretty);
    return out;
}

}  // namespace kbatch
