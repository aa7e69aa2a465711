// kbatch serve: which route a request target names. One function for everyone who asks (the
// router and the server's 413 path), so that a target means the same thing to both.
#pragma once

#include <string_view>

namespace kbatch::serve {

enum class RouteKind { kNone, kNext, kResponse, kError, kInitError, kInvoke };

struct Route {
    RouteKind kind = RouteKind::kNone;
    std::string_view request_id;  // kResponse and kError: a view into the target given
};

/// The target's path: everything before its query ("?...") or fragment ("#...").
std::string_view path_of(std::string_view target);

/// The route of a request target as it arrives on the request line (a query string is ignored,
/// as Lambda ignores it). The request id, when there is one, points into `target`.
Route route_of(std::string_view target);

}  // namespace kbatch::serve
