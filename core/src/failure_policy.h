// kbatch core: what the batch runner does once a record has failed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kbatch {

/// How a batch goes on after a failed record. Lambda checkpoints at the lowest failed sequence
/// number and delivers everything after it again, so the policy trades finished work against
/// duplicate processing.
enum class FailurePolicy {
    /// Process every record and report every failure (Powertools' behaviour; the default).
    kReportAll,
};

/// The setting's name, e.g. "report-all" (for --failure-mode and KBATCH_FAILURE_MODE).
std::string_view failure_policy_name(FailurePolicy policy) noexcept;

/// Parses a setting's name; nullopt for an unknown one.
std::optional<FailurePolicy> parse_failure_policy(std::string_view name) noexcept;

/// "report-all" (and later others), for messages and --help.
std::string failure_policy_names();

}  // namespace kbatch
