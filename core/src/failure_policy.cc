#include "failure_policy.h"

#include <array>

#include <fmt/format.h>

namespace kbatch {
namespace {

constexpr std::array kPolicies = {FailurePolicy::kReportAll};

}  // namespace

std::string_view failure_policy_name(FailurePolicy policy) noexcept {
    switch (policy) {
        case FailurePolicy::kReportAll:
            return "report-all";
    }
    return "unknown";
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
