// kbatch core: one invocation from event bytes to response bytes (decode, run, respond).
#pragma once

#include <string>
#include <string_view>

#include <kbatch/context.hpp>
#include <kbatch/processor_handle.hpp>

#include "batch_runner.h"
#include "event_decoder.h"
#include "response_writer.h"
#include "status.h"

namespace kbatch {

/// Decodes an event, runs it through a processor and writes the partial batch response. The CLI,
/// the Lambda runtime host, the tests and the benchmarks all drive batches through this one class.
///
/// Ownership: owns the decoder, the report and the response writer, all reused across invocations
/// so that the steady state allocates nothing per record (nor, with a reused `response` string,
/// per invocation). report() views the last event and is valid until the next call.
/// Thread safety: none; one handler per thread.
class InvocationHandler {
  public:
    explicit InvocationHandler(RunOptions options = {}) : options_(options) {}

    /// Handles one event. On success `response` holds the batchItemFailures JSON. On error the
    /// invocation must fail as a whole (the status says why: kInvalidEvent,
    /// kUnidentifiableFailure, or kAllRecordsFailed under AllFailedAction::kError) and
    /// `response` is left empty. `response` is overwritten, keeping
    /// its capacity: a caller that passes the same string each time allocates nothing for it.
    Status handle(std::string_view event, const ProcessorHandle& processor, const Context& context,
                  std::string* response);

    /// As handle(), parsing `event` in place (see EventDecoder::decode_in_place).
    Status handle_in_place(std::string& event, const ProcessorHandle& processor,
                           const Context& context, std::string* response);

    const BatchReport& report() const noexcept { return report_; }
    /// The last decoded event (empty after a decode error).
    const DecodedBatch& batch() const noexcept { return decoder_.batch(); }
    /// The decoder's path for the last event: fast for Lambda's own form, general otherwise.
    EventDecoder::Path decode_path() const noexcept { return decoder_.last_path(); }
    const RunOptions& options() const noexcept { return options_; }
    void set_pretty(bool pretty) noexcept { pretty_ = pretty; }

  private:
    Status run_and_respond(Status decoded, const ProcessorHandle& processor, const Context& context,
                           std::string* response);

    RunOptions options_;
    bool pretty_ = false;
    EventDecoder decoder_;
    BatchReport report_;
    ResponseWriter writer_;
};

}  // namespace kbatch
