#include "failure_policy.h"

#include <array>

#include <fmt/format.h>

namespace kbatch {
namespace {

constexpr std::array kPolicies = {FailurePolicy::kReportAll, FailurePolicy::kStopOnFirstFailure,
                                  FailurePolicy::kSkipGroupOnError};

}  // namespace

std::string_view failure_policy_name(FailurePolicy policy) noexcept {
    switch (policy) {
        case FailurePolicy::kReportAll:
            return "report-all";
        case FailurePolicy::kStopOnFirstFailure:
            return "stop-on-first-failure";
        case FailurePolicy::kSkipGroupOnError:
            return "skip-group-on-error";
    }
    return "unknown";
}

std::string_view all_failed_action_name(AllFailedAction action) noexcept {
    return action == AllFailedAction::kError ? "error" : "report";
}

std::optional<AllFailedAction> parse_all_failed_action(std::string_view name) noexcept {
    if (name == "report")
        return AllFailedAction::kReport;
    if (name == "error")
        return AllFailedAction::kError;
    return std::nullopt;
}

std::optional<FailurePolicy> parse_failure_policy(std::string_view name) noexcept {
    for (const FailurePolicy policy : kPolicies) {
        if (failure_policy_name(policy) == name)
            return policy;
    }
    return std::nullopt;
}

std::string failure_policy_names() {
    std::string names;
    for (const FailurePolicy policy : kPolicies) {
        if (!names.empty())
            names += ", ";
        names += failure_policy_name(policy);
    }
    return names;
}

}  // namespace kbatch
