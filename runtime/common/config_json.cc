#include "config_json.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace kbatch {

Status parse_config_json(std::string_view text, std::string_view origin, nlohmann::json* config) {
    try {
        *config = nlohmann::json::parse(text);
        return Status::ok();
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 3,
        // column 14: syntax error ..."; the place is counted here from e.byte (the 1-based
        // position of the byte that broke it), the description taken from after the place.
        const std::size_t at = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
        const std::string_view before = text.substr(0, at);
        const std::size_t line =
            1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
        const std::size_t line_start = before.rfind('\n');
        const std::size_t column =
            at - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
        std::string_view what = e.what();
        if (const std::size_t place = what.find(", column "); place != std::string_view::npos) {
            if (const std::size_t colon = what.find(": ", place); colon != std::string_view::npos)
                what.remove_prefix(colon + 2);
        }
        return Status::error(
            ErrorKind::kConfigError,
            fmt::format("{}: invalid JSON at line {}, column {}: {}", origin, line, column, what));
    }
}

}  // namespace kbatch
