#include "invoke_command.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <fmt/std.h>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include "batch_log.h"
#include "cli_options.h"
#include "cli_settings.h"
#include "decoded_batch.h"
#include "document_output.h"
#include "exit_codes.h"
#include "failure_policy.h"
#include "file_reader.h"
#include "http_client.h"
#include "invocation_handler.h"
#include "plugin_loader.h"
#include "stream_logger.h"

namespace kbatch {
namespace fs = std::filesystem;

namespace {

// Where a bare plugin name is looked up: the user's folders first, then the bundled ones.
std::vector<fs::path> plugin_search_dirs(const std::vector<std::string>& user_dirs) {
    std::vector<fs::path> dirs(user_dirs.begin(), user_dirs.end());
    for (fs::path& dir : bundled_plugin_dirs())
        dirs.push_back(std::move(dir));
    return dirs;
}

void print_error(std::string_view message) {
    print_cli_error("kbatch", message);
}

constexpr std::string_view kInvokePath = "/2015-03-31/functions/function/invocations";
constexpr std::size_t kMaxResponseBytes = 6 * 1024 * 1024;

}  // namespace

CLI::App* add_invoke_command(CLI::App& app, InvokeOptions& options) {
    CLI::App* invoke = app.add_subcommand(
        "invoke", "Process one event file through a plugin, in process, and print the response.");
    invoke->add_option("--data-file", options.data_file, "Event JSON file, or - for standard input")
        ->required();
    add_plugin_options(*invoke, options.plugin, options.plugin_dirs, options.config, "");
    add_failure_mode_option(*invoke, options.failure_mode)->capture_default_str();
    invoke
        ->add_option("--on-all-failed", options.on_all_failed,
                     "When no record succeeded: report (them all) or error (fail the invocation)")
        ->check(CLI::IsMember({"report", "error"}))
        ->capture_default_str();
    invoke->add_option(
        "--log-level", options.log_level,
        "TRACE, DEBUG, INFO, WARN, ERROR (default: $AWS_LAMBDA_LOG_LEVEL, else INFO)");
    invoke->add_flag("--pretty", options.pretty, "Indent the response");
    CLI::Option* endpoint = invoke->add_option("--endpoint", options.endpoint,
                                               "Post the event to a running `kbatch serve` "
                                               "(http://HOST:PORT) instead of loading a plugin");
    for (const char* in_process_only :
         {"--plugin", "--plugin-dir", "--config", "--failure-mode", "--on-all-failed"}) {
        endpoint->excludes(invoke->get_option(in_process_only));
    }
    return invoke;
}

namespace {

int print_document(const DocumentOutput& output, std::string_view document) {
    if (Status written = output.write(document); !written.is_ok()) {
        print_error(written.message());
        return kExitFailure;
    }
    return kExitOk;
}

// Posts the event to the invoke endpoint of a local Lambda and prints what it answers.
int invoke_endpoint(const std::string& endpoint, std::string_view event,
                    const DocumentOutput& output) {
    std::string host, port;
    if (!split_host_port(endpoint, &host, &port)) {
        print_error(fmt::format("--endpoint: \"{}\" is not http://HOST:PORT", endpoint));
        return kExitUsage;
    }
    HttpClient client(host, port);
    boost::beast::http::fields headers;
    headers.set(boost::beast::http::field::content_type, "application/json");
    HttpClientResponse response;
    std::string body;
    // Lambda's longest timeout; the local Lambda enforces the function's own.
    constexpr std::chrono::minutes kLongestInvocation{15};
    if (Status sent = client.request(boost::beast::http::verb::post, kInvokePath, headers, event,
                                     kLongestInvocation + std::chrono::seconds(30),
                                     kMaxResponseBytes, &response, &body);
        !sent.is_ok()) {
        print_error(sent.message());
        return exit_code_for(sent);
    }
    if (response.status != 200 || !response.header("X-Amz-Function-Error").empty()) {
        print_error(fmt::format("the function failed (HTTP {}): {}", response.status, body));
        return kExitFailure;
    }
    return print_document(output, body);
}

}  // namespace

int run_invoke(const InvokeOptions& options) {
    // Before any plugin is loaded: from here on descriptor 1 is stderr, and the response alone
    // goes to the real stdout. A failure is said and then lived with: the response still goes to
    // descriptor 1, only no longer kept apart from what the plugin prints.
    DocumentOutput output;
    if (Status taken = output.take_stdout(); !taken.is_ok())
        print_error(taken.message());

    LogSettings log_settings;
    if (Status status = read_cli_log_settings(PluginConfig::process_environment, options.log_level,
                                              &log_settings);
        !status.is_ok()) {
        print_error(status.message());
        return exit_code_for(status);
    }
    StreamLogger logger(stderr, log_settings);

    nlohmann::json config;
    if (Status status =
            read_cli_plugin_config(PluginConfig::process_environment, options.config, &config);
        !status.is_ok()) {
        print_error(status.message());
        return exit_code_for(status);
    }

    std::string event;
    // Lambda never delivers more; reading stops one byte past it, so /dev/zero or an endless pipe
    // cannot grow the process. Too large is an invalid event, said as every path says it.
    bool too_large = false;
    if (Status read = read_whole_file(options.data_file, &event, kMaxEventBytes, &too_large);
        !read.is_ok()) {
        if (too_large) {
            const Status invalid =
                Status::error(ErrorKind::kInvalidEvent,
                              fmt::format("the event is over Lambda's invocation limit of {} bytes",
                                          kMaxEventBytes));
            print_error(fmt::format("{}: {}", options.data_file, invalid.to_string()));
        } else {
            print_error(read.message());
        }
        return kExitFailure;
    }

    if (options.endpoint)
        return invoke_endpoint(*options.endpoint, event, output);

    fs::path plugin_file;
    const std::vector<fs::path> dirs = plugin_search_dirs(options.plugin_dirs);
    if (Status status = resolve_plugin(options.plugin, dirs, &plugin_file); !status.is_ok()) {
        print_error(status.message());
        return kExitFailure;
    }
    std::unique_ptr<LoadedPlugin> plugin;
    if (Status status = LoadedPlugin::load(plugin_file, PluginConfig(config), &plugin);
        !status.is_ok()) {
        print_error(status.message());
        return kExitFailure;
    }

    RunOptions run_options;
    run_options.policy = *parse_failure_policy(options.failure_mode);
    run_options.on_all_failed = *parse_all_failed_action(options.on_all_failed);
    InvocationHandler handler(run_options);
    handler.set_pretty(options.pretty);
    const Context context("local-invoke", Context::Clock::time_point::max(), "", "", logger);
    std::string response;
    const auto started = std::chrono::steady_clock::now();
    Status status = handler.handle_in_place(event, plugin->processor(), context, &response);
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - started;
    if (!status.is_ok()) {
        print_error(fmt::format("{}: {}", options.data_file, status.to_string()));
        return kExitFailure;
    }

    log_batch_report(logger, handler.report(), handler.decode_path(), elapsed);
    const int exit_code = print_document(output, response);
    // The batch's outcome stands whatever the plugin's destructor does.
    if (const std::string warning = plugin->destroy_processor(); !warning.empty())
        logger.warn(warning);
    return exit_code;
}

}  // namespace kbatch
