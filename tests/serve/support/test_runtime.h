// kbatch serve tests: the calls a runtime makes to the Runtime API, one request each.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "http_client.h"

namespace kbatch::serve_test {

/// What GET /2018-06-01/runtime/invocation/next answered.
struct NextInvocation {
    HttpResult http;
    std::string request_id;    // Lambda-Runtime-Aws-Request-Id
    std::int64_t deadline_ms;  // Lambda-Runtime-Deadline-Ms (0 when absent or not a number)
    std::string function_arn;  // Lambda-Runtime-Invoked-Function-Arn
    std::string trace_id;      // Lambda-Runtime-Trace-Id
    std::string event;

    bool ok() const { return http.ok && http.status == 200 && !request_id.empty(); }
};

NextInvocation next_invocation(std::uint16_t port, std::chrono::milliseconds timeout = 15s);

HttpResult post_response(std::uint16_t port, const std::string& request_id, std::string body);

/// POST /invocation/{id}/error with "Lambda-Runtime-Function-Error-Type: `error_type`" (none
/// when empty).
HttpResult post_error(std::uint16_t port, const std::string& request_id, std::string body,
                      const std::string& error_type);

HttpResult post_init_error(std::uint16_t port, std::string body, const std::string& error_type);

/// {"errorMessage":message,"errorType":type,"stackTrace":[]}.
std::string lambda_error(const std::string& type, const std::string& message);

}  // namespace kbatch::serve_test
