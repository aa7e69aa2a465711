#include "test_runtime.h"

#include <nlohmann/json.hpp>

namespace kbatch::serve_test {
namespace {

Headers error_headers(const std::string& error_type) {
    Headers headers = {{"Content-Type", "application/json"}};
    if (!error_type.empty())
        headers.emplace_back("Lambda-Runtime-Function-Error-Type", error_type);
    return headers;
}

}  // namespace

NextInvocation next_invocation(std::uint16_t port, std::chrono::milliseconds timeout) {
    NextInvocation next;
    next.http = http_request(port, "GET", "/2018-06-01/runtime/invocation/next", {}, timeout);
    next.request_id = next.http.header("Lambda-Runtime-Aws-Request-Id");
    try {
        next.deadline_ms = std::stoll(next.http.header("Lambda-Runtime-Deadline-Ms"));
    } catch (const std::exception&) {
        next.deadline_ms = 0;
    }
    next.function_arn = next.http.header("Lambda-Runtime-Invoked-Function-Arn");
    next.trace_id = next.http.header("Lambda-Runtime-Trace-Id");
    next.event = next.http.body;
    return next;
}

HttpResult post_response(std::uint16_t port, const std::string& request_id, std::string body) {
    return http_request(port, "POST", "/2018-06-01/runtime/invocation/" + request_id + "/response",
                        std::move(body), 15s, {{"Content-Type", "application/json"}});
}

HttpResult post_error(std::uint16_t port, const std::string& request_id, std::string body,
                      const std::string& error_type) {
    return http_request(port, "POST", "/2018-06-01/runtime/invocation/" + request_id + "/error",
                        std::move(body), 15s, error_headers(error_type));
}

HttpResult post_init_error(std::uint16_t port, std::string body, const std::string& error_type) {
    return http_request(port, "POST", "/2018-06-01/runtime/init/error", std::move(body), 15s,
                        error_headers(error_type));
}

std::string lambda_error(const std::string& type, const std::string& message) {
    return nlohmann::json{
        {"errorMessage", message}, {"errorType", type}, {"stackTrace", nlohmann::json::array()}}
        .dump();
}

}  // namespace kbatch::serve_test
