#include "error_body.h"

#include <nlohmann/json.hpp>

namespace kbatch::serve {
namespace {

// A runtime or a path may carry bytes that are not UTF-8; replace them rather than throw.
std::string dump(const nlohmann::json& json) {
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string error_body(std::string_view type, std::string_view message) {
    return dump(
        {{"errorMessage", message}, {"errorType", type}, {"stackTrace", nlohmann::json::array()}});
}

std::string api_error_body(std::string_view type, std::string_view message) {
    return dump({{"errorMessage", message}, {"errorType", type}});
}

std::string invoker_error_body(std::string_view posted, std::string_view header_type) {
    const nlohmann::json parsed =
        nlohmann::json::parse(posted, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object())
        return std::string(posted);
    const std::string_view type = header_type.empty() ? "Runtime.Unknown" : header_type;
    return error_body(type, posted);
}

}  // namespace kbatch::serve
