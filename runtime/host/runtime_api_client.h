// kbatch runtime: the Lambda Runtime API (2018-06-01), as a custom runtime speaks it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "http_client.h"
#include "status.h"

namespace kbatch {

/// What GET /next says about the invocation it hands out, from its Lambda-Runtime-* headers; the
/// event itself goes into a buffer the caller reuses (see RuntimeApiClient::next).
struct InvocationHeaders {
    std::string request_id;  // Lambda-Runtime-Aws-Request-Id
    /// Lambda-Runtime-Deadline-Ms (see parse_deadline_header).
    std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
    std::string function_arn;  // Lambda-Runtime-Invoked-Function-Arn
    std::string trace_id;      // Lambda-Runtime-Trace-Id
};

/// The instant a Lambda-Runtime-Deadline-Ms value (milliseconds since the epoch) names. A value
/// that is absent or not a decimal integer means no deadline: time_point::max(). A value beyond
/// the clock's range (it counts nanoseconds in 64 bits: about the year 2262) saturates to
/// time_point::max() or ::min() instead of wrapping round into a wrong instant.
std::chrono::system_clock::time_point parse_deadline_header(std::string_view value) noexcept;

/// How hard to try before a Runtime API failure is final.
struct RetryPolicy {
    int attempts = 6;                                      // including the first
    std::chrono::milliseconds first_delay{50};             // doubled after each failure
    std::chrono::milliseconds post_timeout{10'000};        // bound on each POST exchange
    std::function<void(std::chrono::milliseconds)> sleep;  // replaced by tests; default sleeps
    /// Told of each failure that will be tried again ("... (attempt 2 of 6 next)"); may be empty.
    std::function<void(std::string_view)> on_retry;
};

/// The Lambda Runtime API client. Transient failures (connection errors, 5xx, 429) are retried
/// with exponential backoff up to RetryPolicy::attempts; a 4xx answer is final at once.
///
/// Each call returns OK or one line saying what went wrong, of one of two kinds:
/// kRuntimeApiRefused when the API answered 4xx (it refused this request and is healthy: the
/// next invocation is still to be served), kRuntimeApiError when it stayed unreachable, kept
/// failing or answered something unusable (the runtime should exit so that Lambda replaces it).
/// Thread safety: none; the host calls it from its one loop.
class RuntimeApiClient {
  public:
    /// `host` and `port` are AWS_LAMBDA_RUNTIME_API's two parts (see split_host_port).
    RuntimeApiClient(std::string_view host, std::string_view port, RetryPolicy retry = {});

    /// Waits (without a timeout: Lambda freezes the process between invocations) for the next
    /// invocation; its body goes into `event`, whose capacity is reused.
    Status next(InvocationHeaders* invocation, std::string* event);
    /// Posts the function's response for `request_id`.
    Status post_response(std::string_view request_id, std::string_view body);
    /// Posts a function error for `request_id`: Lambda retries the whole batch.
    Status post_error(std::string_view request_id, std::string_view error_type,
                      std::string_view message);
    /// Posts an initialization error. The caller then exits.
    Status post_init_error(std::string_view error_type, std::string_view message);

  private:
    Status post(std::string_view target, std::string_view body, std::string_view error_type = {});
    // Sends with retries until a 2xx, a 4xx or the last attempt.
    Status send(boost::beast::http::verb verb, std::string_view target,
                const boost::beast::http::fields& headers, std::string_view body,
                std::optional<std::chrono::milliseconds> timeout, std::size_t body_limit,
                std::string* response_body);

    HttpClient http_;
    RetryPolicy retry_;
    HttpClientResponse response_;
    std::string scratch_;  // bodies of answers to posts
};

/// The error document Lambda expects: {"errorMessage","errorType","stackTrace":[]}.
std::string error_document(std::string_view error_type, std::string_view message);

}  // namespace kbatch
