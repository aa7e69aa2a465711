// kbatch serve: the HTTP routes of the local Lambda, on one port.
//
//   GET  /2018-06-01/runtime/invocation/next            the Runtime API (a runtime's side)
//   POST /2018-06-01/runtime/invocation/{id}/response
//   POST /2018-06-01/runtime/invocation/{id}/error
//   POST /2018-06-01/runtime/init/error
//   POST /2015-03-31/functions/{name}/invocations        the invoke endpoint (the invoker's side;
//                                                        AWS's Runtime Interface Emulator uses
//                                                        "function" as the name)
#pragma once

#include <chrono>

#include <kbatch/logger.hpp>

#include "http_server.h"
#include "local_lambda.h"

namespace kbatch::serve {

/// Translates HTTP into LocalLambda calls and back: Lambda's headers on GET /next, 202 for
/// accepted posts, 400/403 in the Runtime API's error shape for unknown or finished request ids,
/// 403 for an init error posted after the runtime's init (once it has asked for an invocation),
/// "X-Amz-Function-Error: Unhandled" for function errors, 429 when too many invocations wait,
/// 404 for unknown paths and 405 (with Allow) for a known path with the wrong method. Paths are
/// matched by route_of() (api_paths.h), the query ignored, for requests and for 413s alike.
///
/// Ownership: does not own `lambda` or `logger`, which must outlive it.
/// Thread safety: handle() runs on many connection threads at once; it keeps no state of its own.
class ApiRoutes final : public RequestHandler {
  public:
    ApiRoutes(LocalLambda& lambda, Logger& logger) : lambda_(lambda), logger_(logger) {}

    Reply handle(HttpRequest& request, const Connection& connection) override;
    void body_too_large(const HttpRequest& request) override;

    /// How often a waiting GET /next checks that its runtime is still connected.
    static constexpr std::chrono::milliseconds kNextCheckInterval{200};

  private:
    Reply next(const Connection& connection);
    Reply post(std::string_view request_id, bool is_error, HttpRequest& request);
    Reply init_error(HttpRequest& request);
    Reply invoke(HttpRequest& request);

    LocalLambda& lambda_;
    Logger& logger_;
};

}  // namespace kbatch::serve
