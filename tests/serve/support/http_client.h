// kbatch serve tests: a blocking HTTP/1.1 client with a deadline on every exchange (Boost.Beast).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kbatch::serve_test {

using namespace std::chrono_literals;

struct HttpResult {
    bool ok = false;    // a whole response arrived in time
    std::string error;  // why not
    int status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;

    /// The header's value ("" when absent); `name` in any case.
    std::string header(std::string_view name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One request on a fresh connection to 127.0.0.1:`port`. Connecting, sending and receiving
/// must all finish within `timeout`; otherwise the connection is closed and the result says so.
HttpResult http_request(std::uint16_t port, std::string_view method, std::string_view target,
                        std::string body = {}, std::chrono::milliseconds timeout = 15s,
                        const Headers& headers = {});

/// The same to `host` (an IP address: "127.0.0.1", "::1" or "[::1]").
HttpResult http_request_to(std::string_view host, std::uint16_t port, std::string_view method,
                           std::string_view target, std::string body = {},
                           std::chrono::milliseconds timeout = 15s, const Headers& headers = {});

/// POST /2015-03-31/functions/function/invocations.
HttpResult invoke(std::uint16_t port, std::string event, std::chrono::milliseconds timeout = 15s);

/// Sends `bytes` as they are and returns everything received until the server closes the
/// connection or `timeout` passes: for requests no well-behaved client would send.
std::string raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout = 5s);

}  // namespace kbatch::serve_test
