#include "runtime_api_client.h"

#include <charconv>
#include <thread>

#include <fmt/format.h>
#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

namespace kbatch {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kNextPath = "/2018-06-01/runtime/invocation/next";
constexpr std::string_view kInitErrorPath = "/2018-06-01/runtime/init/error";
// Lambda's payload limit is 6 MB; reading a little more lets an oversize event reach the decoder,
// which refuses it for its own request id, instead of breaking the connection.
constexpr std::size_t kMaxReadableEventBytes = 8 * 1024 * 1024;
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

// Lambda's request ids are UUIDs; anything outside this set could change the path it goes into.
bool is_safe_request_id(std::string_view id) {
    for (const char c : id) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!safe)
            return false;
    }
    return id != "." && id != "..";
}

Status api_error(std::string message) {
    return Status::error(ErrorKind::kRuntimeApiError, std::move(message));
}

// `sent` is what HttpClient::request returned for `response`.
bool is_transient(const Status& sent, const HttpClientResponse& response) {
    return !sent.is_ok() || response.status >= 500 || response.status == 429;
}

}  // namespace

std::chrono::system_clock::time_point parse_deadline_header(std::string_view value) noexcept {
    using Clock = std::chrono::system_clock;
    std::int64_t milliseconds = 0;
    const auto [end, error] =
        std::from_chars(value.data(), value.data() + value.size(), milliseconds);
    if (value.empty() || end != value.data() + value.size())
        return Clock::time_point::max();
    if (error == std::errc::result_out_of_range)
        return value.starts_with('-') ? Clock::time_point::min() : Clock::time_point::max();
    if (error != std::errc())
        return Clock::time_point::max();
    // The largest whole number of milliseconds the clock can hold, either way.
    constexpr auto kMostMilliseconds =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::duration::max()).count();
    if (milliseconds > kMostMilliseconds)
        return Clock::time_point::max();
    if (milliseconds < -kMostMilliseconds)
        return Clock::time_point::min();
    return Clock::time_point(std::chrono::milliseconds(milliseconds));
}

std::string error_document(std::string_view error_type, std::string_view message) {
    const nlohmann::json document = {
        {"errorMessage", message},
        {"errorType", error_type},
        {"stackTrace", nlohmann::json::array()},
    };
    return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

RuntimeApiClient::RuntimeApiClient(std::string_view host, std::string_view port, RetryPolicy retry)
    : http_(std::string(host), std::string(port)), retry_(std::move(retry)) {
    if (!retry_.sleep) {
        retry_.sleep = [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
    }
}

Status RuntimeApiClient::send(http::verb verb, std::string_view target, const http::fields& headers,
                              std::string_view body,
                              std::optional<std::chrono::milliseconds> timeout,
                              std::size_t body_limit, std::string* response_body) {
    std::chrono::milliseconds delay = retry_.first_delay;
    std::string failure;
    for (int attempt = 1; attempt <= retry_.attempts; ++attempt) {
        const Status sent = http_.request(verb, target, headers, body, timeout, body_limit,
                                          &response_, response_body);
        if (sent.is_ok() && response_.status / 100 == 2)
            return Status::ok();
        failure = !sent.is_ok() ? sent.message()
                                : fmt::format("{} {} answered {}: {}", http::to_string(verb),
                                              target, response_.status, *response_body);
        if (!is_transient(sent, response_))
            return Status::error(ErrorKind::kRuntimeApiRefused, std::move(failure));
        // A kept-alive connection the API had closed is tried again at once, on a new one; it
        // still counts as an attempt, so that the count in the log is the number of sends.
        if (attempt == retry_.attempts)
            break;
        if (retry_.on_retry) {
            retry_.on_retry(
                fmt::format("{} (attempt {} of {} next)", failure, attempt + 1, retry_.attempts));
        }
        if (!response_.stale_connection) {
            retry_.sleep(delay);
            delay *= 2;
        }
    }
    return api_error(fmt::format("{} (gave up after {} attempts)", failure, retry_.attempts));
}

Status RuntimeApiClient::next(InvocationHeaders* invocation, std::string* event) {
    const http::fields no_headers;
    // No timeout: between invocations Lambda freezes the process, and a frozen clock must not
    // turn into an error when it thaws.
    if (Status status = send(http::verb::get, kNextPath, no_headers, {}, std::nullopt,
                             kMaxReadableEventBytes, event);
        !status.is_ok()) {
        return status;
    }

    invocation->request_id = std::string(response_.header("Lambda-Runtime-Aws-Request-Id"));
    invocation->function_arn = std::string(response_.header("Lambda-Runtime-Invoked-Function-Arn"));
    invocation->trace_id = std::string(response_.header("Lambda-Runtime-Trace-Id"));
    invocation->deadline = parse_deadline_header(response_.header("Lambda-Runtime-Deadline-Ms"));
    // Without a usable id nothing can be answered, and a guessed or mangled one could answer
    // the wrong request: the id goes into the URL of the response, so it must be one path part.
    if (invocation->request_id.empty()) {
        return api_error("GET /next answered without a Lambda-Runtime-Aws-Request-Id header");
    }
    if (!is_safe_request_id(invocation->request_id)) {
        return api_error(
            fmt::format("GET /next answered with an unusable Lambda-Runtime-Aws-Request-Id {:?}",
                        invocation->request_id.substr(0, 80)));
    }
    return Status::ok();
}

Status RuntimeApiClient::post(std::string_view target, std::string_view body,
                              std::string_view error_type) {
    http::fields headers;
    headers.set(http::field::content_type, "application/json");
    if (!error_type.empty()) {
        headers.set("Lambda-Runtime-Function-Error-Type", error_type);
    }
    return send(http::verb::post, target, headers, body, retry_.post_timeout, kMaxAnswerBytes,
                &scratch_);
}

Status RuntimeApiClient::post_response(std::string_view request_id, std::string_view body) {
    return post(fmt::format("/2018-06-01/runtime/invocation/{}/response", request_id), body);
}

Status RuntimeApiClient::post_error(std::string_view request_id, std::string_view error_type,
                                    std::string_view message) {
    return post(fmt::format("/2018-06-01/runtime/invocation/{}/error", request_id),
                error_document(error_type, message), error_type);
}

Status RuntimeApiClient::post_init_error(std::string_view error_type, std::string_view message) {
    return post(kInitErrorPath, error_document(error_type, message), error_type);
}

}  // namespace kbatch
