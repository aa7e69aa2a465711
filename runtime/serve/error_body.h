// kbatch serve: error bodies in the shape Lambda uses, for the invoker and the Runtime API.
#pragma once

#include <string>
#include <string_view>

namespace kbatch::serve {

/// {"errorMessage":message,"errorType":type,"stackTrace":[]}: the shape of every Lambda error,
/// built with nlohmann/json so that escaping is never hand-written.
std::string error_body(std::string_view type, std::string_view message);

/// {"errorMessage":message,"errorType":type}: the shape of the Runtime API's own errors (an
/// unknown request id, a bad path) and of the local service's HTTP errors.
std::string api_error_body(std::string_view type, std::string_view message);

/// What the invoker receives for an error a runtime posted to /invocation/{id}/error or
/// /init/error. A JSON object passes unchanged, since the runtime chose it. Anything else (empty,
/// not JSON) is wrapped as an error body whose type is `header_type` (the
/// Lambda-Runtime-Function-Error-Type header), as Lambda builds one when the payload is missing,
/// or "Runtime.Unknown" without that header.
std::string invoker_error_body(std::string_view posted, std::string_view header_type);

}  // namespace kbatch::serve
