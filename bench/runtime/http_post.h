// bench/runtime: one blocking HTTP/1.1 POST on loopback (Boost.Beast), for timing invocations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kbatch::bench {

struct PostResult {
    int status = 0;  // 0: no answer (the error says why)
    std::string error;
    std::string body;
    bool function_error = false;  // X-Amz-Function-Error was set
};

/// POSTs `body` to http://127.0.0.1:`port``target` on a new connection and reads the answer.
/// Never throws; no timeout (the caller runs it against a local serve with its own timeout).
PostResult http_post(std::uint16_t port, std::string_view target, const std::string& body);

}  // namespace kbatch::bench
