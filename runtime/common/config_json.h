// kbatch runtime: reading a plugin's JSON configuration, with errors that say where.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "status.h"

namespace kbatch {

/// Parses `text` as a plugin configuration into `config`. `origin` names where the text came
/// from ("KBATCH_PLUGIN_CONFIG", "--config", "--config @plugin.json"). On failure returns
/// kConfigError with one line that says where the text breaks:
/// "--config: invalid JSON at line 3, column 14: syntax error while parsing object - ...".
Status parse_config_json(std::string_view text, std::string_view origin, nlohmann::json* config);

}  // namespace kbatch
