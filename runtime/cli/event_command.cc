#include "event_command.h"

#include <string>

#include "cli_settings.h"
#include "decoded_batch.h"
#include "document_output.h"
#include "exit_codes.h"
#include "sample_event.h"

namespace kbatch {

CLI::App* add_event_command(CLI::App& app, EventOptions& options) {
    CLI::App* event =
        app.add_subcommand("event",
                           "Write a valid sample event to stdout, to try a plugin with: "
                           "kbatch event kinesis | kbatch invoke --data-file -");
    event->add_option("source", options.source, "The event source: kinesis")
        ->required()
        ->check(CLI::IsMember({"kinesis"}));
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
    std::string error;
    const DocumentOutput output = DocumentOutput::take_stdout(&error);
    if (!output.write(sample_kinesis_event(sample), &error)) {
        print_cli_error("kbatch", error);
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace kbatch
