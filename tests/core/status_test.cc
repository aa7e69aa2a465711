// Status (errors as values) and the failure-policy setting: the errorType names are a contract
// with Lambda and with users' alarms, and the policy names are CLI and environment values.
#include <catch2/catch.hpp>

#include "batch_runner.h"
#include "failure_policy.h"
#include "status.h"

TEST_CASE("each error kind has the errorType Lambda reports") {
    using kbatch::ErrorKind;
    CHECK(kbatch::error_type_name(ErrorKind::kInvalidEvent) == "Kbatch.InvalidEvent");
    CHECK(kbatch::error_type_name(ErrorKind::kUnidentifiableFailure) ==
          "Kbatch.UnidentifiableFailure");
    CHECK(kbatch::error_type_name(ErrorKind::kPluginLoadError) == "Kbatch.PluginLoadError");
    CHECK(kbatch::error_type_name(ErrorKind::kConfigError) == "Kbatch.ConfigError");
    CHECK(kbatch::error_type_name(ErrorKind::kAllRecordsFailed) == "Kbatch.AllRecordsFailed");
    // The runtime's and the CLI's own kinds: each has a name of its own too.
    CHECK(kbatch::error_type_name(ErrorKind::kIoError) == "Kbatch.IoError");
    CHECK(kbatch::error_type_name(ErrorKind::kUsageError) == "Kbatch.UsageError");
    CHECK(kbatch::error_type_name(ErrorKind::kRuntimeApiRefused) == "Kbatch.RuntimeApiRefused");
    CHECK(kbatch::error_type_name(ErrorKind::kRuntimeApiError) == "Kbatch.RuntimeApiError");
}

TEST_CASE("Status keeps its kind and message and prints both") {
    const kbatch::Status ok = kbatch::Status::ok();
    CHECK(ok.is_ok());
    CHECK(ok.to_string() == "OK");

    const kbatch::Status error =
        kbatch::Status::error(kbatch::ErrorKind::kInvalidEvent, "Records[3].kinesis: missing");
    CHECK_FALSE(error.is_ok());
    CHECK(error.kind() == kbatch::ErrorKind::kInvalidEvent);
    CHECK(error.message() == "Records[3].kinesis: missing");
    CHECK(error.to_string() == "Kbatch.InvalidEvent: Records[3].kinesis: missing");
}

TEST_CASE("failure policy names parse and print") {
    CHECK(kbatch::failure_policy_name(kbatch::FailurePolicy::kReportAll) == "report-all");
    CHECK(kbatch::parse_failure_policy("report-all") == kbatch::FailurePolicy::kReportAll);
    CHECK_FALSE(kbatch::parse_failure_policy("Report-All"));
    CHECK_FALSE(kbatch::parse_failure_policy(""));
    CHECK_FALSE(kbatch::parse_failure_policy("stop-on-everything"));
    // The list offered in --help and in error messages names every policy that parses.
    CHECK(kbatch::failure_policy_names().find("report-all") != std::string::npos);
    // The default of RunOptions is the documented default.
    CHECK(kbatch::RunOptions{}.policy == kbatch::FailurePolicy::kReportAll);
}
