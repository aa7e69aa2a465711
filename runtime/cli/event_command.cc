#include "event_command.h"

#include <string>

#include "cli_settings.h"
#include "decoded_batch.h"
#include "document_output.h"
#include "exit_codes.h"
#include "sample_event.h"
#include "sample_sources.h"

namespace kbatch {

CLI::App* add_event_command(CLI::App& app, EventOptions& options) {
    CLI::App* event =
        app.add_subcommand("event",
                           "Write a valid sample event to stdout, to try a plugin with: "
                           "kbatch event kinesis | kbatch invoke --data-file -");
    event
        ->add_option("source", options.source,
                     "The event source: kinesis, sqs, sqs-fifo (a FIFO queue) or dynamodb")
        ->required()
        ->check(CLI::IsMember({"kinesis", "sqs", "sqs-fifo", "dynamodb"}));
    event
        ->add_option("--records", options.records,
                     "How many records (1 to 10000, Lambda's most per batch)")
        ->check(CLI::Range(std::size_t{1}, kMaxRecords))
        ->capture_default_str();
    event->add_option("--seed", options.seed, "The same seed gives the same event")
        ->capture_default_str();
    return event;
}

int run_event(const EventOptions& options) {
    SampleEventOptions sample;
    sample.records = options.records;
    sample.seed = options.seed;
    DocumentOutput output;
    // No plugin runs here, so nothing else writes to stdout: when it cannot be taken, the event
    // goes to descriptor 1 as it is, and only a failed write is worth an error.
    static_cast<void>(output.take_stdout());
    std::string event;
    if (options.source == "sqs" || options.source == "sqs-fifo")
        event = sample_sqs_event(sample, options.source == "sqs-fifo");
    else if (options.source == "dynamodb")
        event = sample_dynamodb_event(sample);
    else
        event = sample_kinesis_event(sample);
    if (Status written = output.write(event); !written.is_ok()) {
        print_cli_error("kbatch", written.message());
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace kbatch
