// kbatch core: what the batch runner does once a record has failed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kbatch {

/// How a batch goes on after a failed record. For Kinesis and DynamoDB Streams, Lambda checkpoints
/// at the lowest failed sequence number and delivers everything after it again, so the policy
/// trades finished work against duplicate processing. For SQS, Lambda deletes every message not
/// reported, so whatever a policy leaves unprocessed is reported failed; on a FIFO queue
/// kReportAll and kStopOnFirstFailure both stop at the first failure (going on would break its
/// group's order), as AWS prescribes.
enum class FailurePolicy {
    /// Process every record and report every failure (Powertools' behaviour; the default).
    kReportAll,
    /// Stop at the first failure and report only it. Nothing after it reaches the plugin, so no
    /// record is processed twice and the order of every partition key holds.
    kStopOnFirstFailure,
    /// Go on with the other keys and stop only the failed record's own: every later record of its
    /// SQS message group (Kinesis: partition key; DynamoDB: item key) is not processed and is
    /// reported failed with it. What SQS FIFO queues with several message groups want.
    kSkipGroupOnError,
};

/// What to do when no record of a batch succeeded.
enum class AllFailedAction {
    /// Answer with every record reported failed (the default).
    kReport,
    /// Fail the invocation instead, so that BisectBatchOnFunctionError can split the batch and
    /// isolate a poison record.
    kError,
};

/// "report" or "error" (for KBATCH_ON_ALL_FAILED and --on-all-failed).
std::string_view all_failed_action_name(AllFailedAction action) noexcept;
std::optional<AllFailedAction> parse_all_failed_action(std::string_view name) noexcept;

/// The setting's name, e.g. "report-all" (for --failure-mode and KBATCH_FAILURE_MODE).
std::string_view failure_policy_name(FailurePolicy policy) noexcept;

/// Parses a setting's name; nullopt for an unknown one.
std::optional<FailurePolicy> parse_failure_policy(std::string_view name) noexcept;

/// Every policy's name, comma-separated ("report-all, stop-on-first-failure, skip-group-on-error"),
/// for messages and
/// --help.
std::string failure_policy_names();

}  // namespace kbatch
