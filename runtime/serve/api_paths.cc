#include "api_paths.h"

namespace kbatch::serve {
namespace {

constexpr std::string_view kInvocationPrefix = "/2018-06-01/runtime/invocation/";
constexpr std::string_view kFunctionsPrefix = "/2015-03-31/functions/";
constexpr std::string_view kInvocationsSuffix = "/invocations";

}  // namespace

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find_first_of("?#"));
}

Route route_of(std::string_view target) {
    const std::string_view path = path_of(target);
    if (path == "/2018-06-01/runtime/invocation/next")
        return {RouteKind::kNext, {}};
    if (path == "/2018-06-01/runtime/init/error")
        return {RouteKind::kInitError, {}};
    if (path.starts_with(kInvocationPrefix)) {
        const std::string_view rest = path.substr(kInvocationPrefix.size());
        const std::size_t slash = rest.find('/');
        if (slash == std::string_view::npos)
            return {};
        const std::string_view id = rest.substr(0, slash);
        const std::string_view action = rest.substr(slash + 1);
        if (action == "response")
            return {RouteKind::kResponse, id};
        if (action == "error")
            return {RouteKind::kError, id};
        return {};
    }
    // Any function name is accepted, so that `aws lambda invoke --endpoint-url` works too.
    if (path.size() > kFunctionsPrefix.size() + kInvocationsSuffix.size() &&
        path.starts_with(kFunctionsPrefix) && path.ends_with(kInvocationsSuffix)) {
        const std::string_view name =
            path.substr(kFunctionsPrefix.size(),
                        path.size() - kFunctionsPrefix.size() - kInvocationsSuffix.size());
        if (name.find('/') == std::string_view::npos)
            return {RouteKind::kInvoke, {}};
    }
    return {};
}

}  // namespace kbatch::serve
