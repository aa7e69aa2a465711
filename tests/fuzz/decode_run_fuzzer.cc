// libFuzzer target: any bytes, as an event, through decode + run + respond, under every option.
// It traps when the invariant breaks: every record ends processed successfully, reported failed,
// or with the invocation failed; reported identifiers are non-empty sequence numbers of the batch,
// each once; under stop-on-first-failure exactly the first failure is reported and nothing after
// it reached the plugin.
#include <cstddef>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "invocation_handler.h"
#include "sequence_number.h"

namespace {

class NullLogger final : public kbatch::Logger {
  public:
    bool enabled(kbatch::LogLevel) const noexcept override { return false; }
    void log(kbatch::LogLevel, std::string_view) noexcept override {}
};

// Decides from the payload's first byte: ok, failure, std exception, other exception.
class ByteDecides final : public kbatch::RecordProcessor {
  public:
    kbatch::Result process(const kbatch::KinesisRecord& record, const kbatch::Context&) override {
        seen.push_back(record.sequence_number());
        const unsigned choice =
            record.data().empty() ? 0 : std::to_integer<unsigned>(record.data()[0]) % 4;
        if (choice == 1)
            return kbatch::Result::failure("fuzz failure");
        if (choice == 2)
            throw std::runtime_error("fuzz exception");
        if (choice == 3)
            throw 3;
        return kbatch::Result::ok();
    }
    std::vector<std::string_view> seen;
};

void require(bool condition) {
    if (!condition)
        __builtin_trap();
}

void check_one(kbatch::InvocationHandler& handler, std::string_view event) {
    NullLogger logger;
    const kbatch::Context context("fuzz", kbatch::Context::Clock::time_point::max(), "", "",
                                  logger);
    ByteDecides processor;
    std::string response;
    const kbatch::Status status =
        handler.handle(event, kbatch::ProcessorHandle::borrow(processor), context, &response);
    const kbatch::DecodedBatch& batch = handler.batch();
    const kbatch::BatchReport& report = handler.report();
    if (!status.is_ok()) {
        require(response.empty());
        require(status.kind() != kbatch::ErrorKind::kAllRecordsFailed || report.succeeded == 0);
        return;
    }

    std::set<std::string_view> in_batch;
    for (const kbatch::KinesisRecordFields& record : batch.kinesis)
        in_batch.insert(record.sequence_number);
    const nlohmann::json parsed = nlohmann::json::parse(response);
    require(parsed.size() == 1);
    std::set<std::string> reported;
    for (const nlohmann::json& item : parsed.at("batchItemFailures")) {
        const std::string id = item.at("itemIdentifier").get<std::string>();
        require(kbatch::is_usable_sequence_number(id));
        require(in_batch.count(id) == 1);
        require(reported.insert(id).second);
    }
    // Every record handed out either succeeded or is reported; with stop-on-first-failure the
    // records after the one reported were never handed out.
    const bool stop = handler.options().policy == kbatch::FailurePolicy::kStopOnFirstFailure;
    require(report.records == batch.kinesis.size());
    require(report.processed == processor.seen.size());
    require(report.succeeded + report.failures.size() + report.skipped_after_failure ==
            batch.kinesis.size());
    if (stop && !report.failures.empty()) {
        require(report.failures.size() == 1);
        // Every record before the failure succeeded; nothing after it was handed out.
        require(report.processed <= report.failures.front().index + 1);
        require(report.succeeded == report.failures.front().index);
    }
    for (const kbatch::RecordFailure& failure : report.failures) {
        require(reported.count(std::string(failure.identifier)) == 1);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static kbatch::InvocationHandler handlers[] = {
        kbatch::InvocationHandler({kbatch::FailurePolicy::kReportAll,
                                   kbatch::kDefaultDeadlineMargin,
                                   kbatch::AllFailedAction::kReport}),
        kbatch::InvocationHandler({kbatch::FailurePolicy::kStopOnFirstFailure,
                                   kbatch::kDefaultDeadlineMargin,
                                   kbatch::AllFailedAction::kError}),
    };
    const std::string_view event(reinterpret_cast<const char*>(data), size);
    for (kbatch::InvocationHandler& handler : handlers)
        check_one(handler, event);
    return 0;
}
