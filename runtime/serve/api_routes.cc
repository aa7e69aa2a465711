#include "api_routes.h"

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "api_paths.h"
#include "error_body.h"

namespace kbatch::serve {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kRuntimePrefix = "/2018-06-01/runtime/";
constexpr std::size_t kPayloadLimit = 6291456;

// Beast's own string_view (boost::string_view unless BOOST_BEAST_USE_STD_STRING_VIEW, which is
// not defined here: every translation unit that uses Beast in one program must agree on it).
std::string_view view(boost::beast::string_view text) {
    return {text.data(), text.size()};
}

Reply drop() {
    Reply reply;
    reply.drop = true;
    return reply;
}

ServerResponse json_response(http::status status, Payload body) {
    ServerResponse response{status, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = std::move(body);
    return response;
}

Reply reply_of(ServerResponse response) {
    Reply reply;
    reply.response = std::move(response);
    return reply;
}

Reply api_error(http::status status, std::string_view type, std::string_view message) {
    return reply_of(json_response(status, api_error_body(type, message)));
}

Reply accepted() {
    return reply_of(json_response(http::status::accepted, std::string(R"({"status":"OK"})")));
}

// "Kbatch.InvalidEvent" from an error body, for log lines; "" when it has none.
std::string error_type_of(std::string_view body) {
    const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) {
        auto it = parsed.find("errorType");
        if (it != parsed.end() && it->is_string())
            return it->get<std::string>();
    }
    return {};
}

}  // namespace

Reply ApiRoutes::handle(HttpRequest& request, const Connection& connection) {
    const std::string_view path = path_of(view(request.target()));
    const Route route = route_of(view(request.target()));
    if (route.kind == RouteKind::kNone) {
        const std::string_view type =
            path.starts_with(kRuntimePrefix) ? "NotFound" : "ResourceNotFoundException";
        return api_error(http::status::not_found, type, fmt::format("No route for {}", path));
    }
    const http::verb expected = route.kind == RouteKind::kNext ? http::verb::get : http::verb::post;
    if (request.method() != expected) {
        Reply reply =
            api_error(http::status::method_not_allowed, "MethodNotAllowed",
                      fmt::format("{} takes {}, not {}", path, view(http::to_string(expected)),
                                  view(request.method_string())));
        reply.response.set(http::field::allow, http::to_string(expected));
        return reply;
    }
    if ((route.kind == RouteKind::kResponse || route.kind == RouteKind::kError) &&
        route.request_id.empty()) {
        return api_error(http::status::bad_request, "InvalidRequestID", "Empty request ID");
    }
    switch (route.kind) {
        case RouteKind::kNext:
            return next(connection);
        case RouteKind::kResponse:
            return post(route.request_id, /*is_error=*/false, request);
        case RouteKind::kError:
            return post(route.request_id, /*is_error=*/true, request);
        case RouteKind::kInitError:
            return init_error(request);
        case RouteKind::kInvoke:
            return invoke(request);
        case RouteKind::kNone:
            break;
    }
    return api_error(http::status::not_found, "NotFound", "No route");
}

void ApiRoutes::body_too_large(const HttpRequest& request) {
    // Lambda fails an invocation whose response is too large rather than leave it running.
    const Route route = route_of(view(request.target()));
    if (route.kind != RouteKind::kResponse && route.kind != RouteKind::kError)
        return;
    lambda_.post_error(route.request_id,
                       error_body("Function.ResponseSizeTooLarge",
                                  fmt::format("Response payload size exceeded maximum allowed "
                                              "payload size ({} bytes).",
                                              kPayloadLimit)));
}

Reply ApiRoutes::next(const Connection& connection) {
    // The moment a runtime is ready: what a developer watching a slow start wants to see, and
    // what bench/runtime_figures times a cold start by.
    logger_.debug("a runtime is waiting for an invocation (GET /next)");
    const std::uint64_t epoch = lambda_.runtime_epoch();
    HandedInvocation invocation;
    for (;;) {
        // Checked before every take, so an invocation is not handed to a runtime that has gone.
        if (connection.peer_closed())
            return drop();
        const NextResult result = lambda_.next(epoch, kNextCheckInterval, &invocation);
        if (result == NextResult::kInvocation) {
            // The runtime may have died while this waited (killed between invocations, with
            // --no-spawn nobody else notices): a write to its half-closed socket would still
            // succeed, and the invocation would be lost to a timeout. Put it back for the next.
            if (connection.peer_closed()) {
                lambda_.return_undelivered(invocation.request_id);
                return drop();
            }
            break;
        }
        if (result != NextResult::kWaitAgain)
            return drop();  // stale runtime, or stopping
    }
    // The event stays shared with the queue (it goes back there if this answer is undelivered):
    // written from where it is, not copied.
    ServerResponse response = json_response(http::status::ok, Payload(std::move(invocation.event)));
    response.set("Lambda-Runtime-Aws-Request-Id", invocation.request_id);
    response.set("Lambda-Runtime-Deadline-Ms", std::to_string(invocation.deadline_ms));
    response.set("Lambda-Runtime-Invoked-Function-Arn", invocation.function_arn);
    response.set("Lambda-Runtime-Trace-Id", invocation.trace_id);
    Reply reply = reply_of(std::move(response));
    reply.on_undelivered = [this, id = invocation.request_id] { lambda_.return_undelivered(id); };
    return reply;
}

Reply ApiRoutes::post(std::string_view request_id, bool is_error, HttpRequest& request) {
    PostResult result;
    if (is_error) {
        const std::string_view header_type = view(request["Lambda-Runtime-Function-Error-Type"]);
        std::string body = invoker_error_body(request.body(), header_type);
        logger_.info(fmt::format("{}: function error {}", request_id, error_type_of(body)));
        result = lambda_.post_error(request_id, std::move(body));
    } else {
        result = lambda_.post_response(request_id, std::move(request.body()));
    }
    switch (result) {
        case PostResult::kAccepted:
            return accepted();
        case PostResult::kUnknownRequest:
            return api_error(http::status::bad_request, "InvalidRequestID",
                             fmt::format("Invalid request ID: {}", request_id));
        case PostResult::kAlreadyFinished:
            logger_.warn(fmt::format("{}: late {} refused: the invocation is already finished",
                                     request_id, is_error ? "error" : "response"));
            return api_error(http::status::forbidden, "InvalidStateTransition",
                             fmt::format("Invocation {} is already finished (answered, timed out "
                                         "or failed)",
                                         request_id));
        case PostResult::kOutOfSequence:
            break;  // only init errors are refused for the runtime's state
    }
    return accepted();
}

Reply ApiRoutes::init_error(HttpRequest& request) {
    const std::string body =
        invoker_error_body(request.body(), view(request["Lambda-Runtime-Function-Error-Type"]));
    const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    std::string message;
    if (parsed.is_object() && parsed.contains("errorMessage") &&
        parsed["errorMessage"].is_string()) {
        message = parsed["errorMessage"].get<std::string>();
    }
    if (lambda_.post_init_error(body) == PostResult::kOutOfSequence) {
        // Its init is over: it has asked for an invocation. An init error now speaks for no
        // invocation, and the ones in flight are finished only by the runtime that holds them.
        logger_.warn(
            fmt::format("init error refused (403): the runtime has already asked for an "
                        "invocation: {}: {}",
                        error_type_of(body), message));
        return api_error(http::status::forbidden, "InvalidStateTransition",
                         "State transition from Ready to InitError failed for runtime. Error: "
                         "the runtime's init is over (it has asked for an invocation)");
    }
    logger_.error(fmt::format("the runtime failed its init: {}: {}", error_type_of(body), message));
    return accepted();
}

Reply ApiRoutes::invoke(HttpRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    InvokeResult result = lambda_.invoke(std::move(request.body()));
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - started;

    ServerResponse response =
        json_response(static_cast<http::status>(result.status), std::move(result.body));
    if (!result.request_id.empty())
        response.set("X-Amzn-RequestId", result.request_id);
    response.set("X-Amz-Executed-Version", "$LATEST");
    if (result.function_error)
        response.set("X-Amz-Function-Error", "Unhandled");
    std::string outcome = "response";
    if (result.function_error) {
        outcome = error_type_of(response.body().view());
    } else if (result.status != 200) {
        outcome = fmt::format("HTTP {}", result.status);
    }
    logger_.info(fmt::format("{}: {} in {:.1f} ms", result.request_id, outcome, elapsed.count()));
    return reply_of(std::move(response));
}

}  // namespace kbatch::serve
