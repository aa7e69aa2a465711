// kbatch: the developer CLI. Subcommands live in their own files; this one only dispatches.
#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <kbatch/abi.hpp>

#include "cpu_support.h"
#include "event_command.h"
#include "exit_codes.h"
#include "invoke_command.h"
#include "kbatch_version.h"
#include "serve_command.h"

int main(int argc, char** argv) {
    if (kbatch::Status status = kbatch::check_cpu_support(); !status.is_ok()) {
        fmt::print(stderr, "kbatch: error: {}\n", status.message());
        return kbatch::kExitFailure;
    }
    CLI::App app{"kbatch: Kinesis record processors on AWS Lambda, with partial batch failure"};
    app.require_subcommand(1);
    app.set_version_flag("--version", fmt::format("kbatch {} (plugin ABI {})", kbatch::kVersion,
                                                  kbatch::kAbiVersion));

    kbatch::InvokeOptions invoke_options;
    CLI::App* invoke = kbatch::add_invoke_command(app, invoke_options);
    kbatch::ServeOptions serve_options;
    CLI::App* serve = kbatch::add_serve_command(app, serve_options);
    kbatch::EventOptions event_options;
    CLI::App* event = kbatch::add_event_command(app, event_options);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help is a "parse error" with exit code 0; every real one is a usage error.
        return app.exit(e) == 0 ? kbatch::kExitOk : kbatch::kExitUsage;
    }
    if (invoke->parsed())
        return kbatch::run_invoke(invoke_options);
    if (serve->parsed())
        return kbatch::run_serve(serve_options);
    if (event->parsed())
        return kbatch::run_event(event_options);
    return kbatch::kExitUsage;
}
