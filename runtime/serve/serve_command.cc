#include "serve_command.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api_routes.h"
#include "cli_options.h"
#include "cli_settings.h"
#include "exit_codes.h"
#include "failure_policy.h"
#include "file_watch.h"
#include "http_server.h"
#include "local_lambda.h"
#include "plugin_copies.h"
#include "plugin_loader.h"
#include "runtime_environment.h"
#include "runtime_settings.h"
#include "runtime_supervisor.h"
#include "status.h"
#include "stream_logger.h"

namespace kbatch {
namespace fs = std::filesystem;

namespace {

// The name in the invoke path that AWS's Runtime Interface Emulator uses, so one name serves both.
constexpr std::string_view kFunctionName = "function";

void print_error(std::string_view message) {
    print_cli_error("kbatch serve", message);
}

fs::path executable_dir() {
    std::error_code error;
    const fs::path exe = fs::read_symlink("/proc/self/exe", error);
    return error ? fs::current_path() : exe.parent_path();
}

std::string environment_or(const char* name, std::string fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

// Connections kept for the runtime beyond those of waiting invokers: its GET /next, its post of
// an answer, and one to spare for a reconnection.
constexpr std::size_t kRuntimeConnections = 4;

// The address as given, without the brackets of the URL form ("[::1]" is "::1").
std::string bare_host(const std::string& host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        return host.substr(1, host.size() - 2);
    return host;
}

// "127.0.0.1:9000", "[::1]:9000": for URLs and AWS_LAMBDA_RUNTIME_API. A wildcard address is
// shown as the loopback address that reaches it, and "localhost" as the address serve binds for
// it (a client might resolve the name to ::1 first, where nothing listens).
std::string authority(const std::string& host, std::uint16_t port) {
    const std::string bare = bare_host(host);
    std::string shown = bare == "0.0.0.0" || bare == "localhost" ? "127.0.0.1"
                        : bare == "::"                           ? "::1"
                                                                 : bare;
    if (shown.find(':') != std::string::npos)
        shown = "[" + shown + "]";
    return fmt::format("{}:{}", shown, port);
}

// The file the runtime will load, found the way the runtime finds it: by its own settings reader
// over the environment it is given. For --watch.
std::optional<fs::path> locate_plugin(const std::vector<std::string>& environment) {
    const auto lookup = [&environment](std::string_view name) -> std::optional<std::string> {
        for (const std::string& entry : environment) {
            if (entry.size() > name.size() && entry.starts_with(name) &&
                entry[name.size()] == '=') {
                return entry.substr(name.size() + 1);
            }
        }
        return std::nullopt;
    };
    RuntimeSettings settings;
    if (!read_runtime_settings(lookup, &settings).is_ok())
        return std::nullopt;
    fs::path file;
    if (!resolve_plugin(settings.plugin, settings.plugin_dirs, &file).is_ok())
        return std::nullopt;
    return file;
}

// `text` as one shell word: quoted when it has characters a shell would expand or split on
// ("[::1]" is a glob pattern, and zsh refuses one that matches no file; a path may hold spaces).
std::string shell_word(const std::string& text) {
    if (text.find_first_of("[]*? '\"$\\`&;|<>()") == std::string::npos)
        return text;
    std::string quoted = "'";
    for (const char c : text)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

void print_banner(const ServeOptions& options, const std::string& address,
                  const std::string& runtime) {
    const std::string url = "http://" + address;
    fmt::print(stderr,
               "kbatch serve: listening on {} (the Lambda Runtime API and the invoke endpoint; "
               "timeout {} s)\n",
               url, options.timeout_seconds);
    if (options.no_spawn) {
        fmt::print(stderr,
                   "  --no-spawn: start a runtime yourself, with AWS_LAMBDA_RUNTIME_API={}\n",
                   address);
    } else {
        fmt::print(stderr, "  runtime: {} (plugin {}){}\n", runtime, options.plugin,
                   options.watch ? ", reloaded when the plugin changes" : "");
    }
    // Lines that work wherever they are pasted: the event comes from `kbatch event`, not from a
    // file of this repository, and kbatch is named by its path, in or out of PATH.
    const std::string kbatch = shell_word((executable_dir() / "kbatch").string());
    fmt::print(stderr, "  invoke it with:\n");
    fmt::print(stderr, "    {} event kinesis | curl -sS {} --data-binary @-\n", kbatch,
               shell_word(url + "/2015-03-31/functions/function/invocations"));
    fmt::print(stderr, "    {} event kinesis | {} invoke --endpoint {} --data-file -\n", kbatch,
               kbatch, shell_word(url));
    std::fflush(stderr);
}

// How the runtime is started: Lambda's environment for it, and the watch of its plugin.
serve::SupervisorOptions runtime_supervision(const ServeOptions& options, const fs::path& runtime,
                                             const std::string& address, const std::string& region,
                                             const nlohmann::json& config) {
    serve::RuntimeEnvironmentSettings settings;
    settings.runtime_api = address;
    // A path is made absolute so that it means the same whatever the runtime's directory.
    settings.handler = options.plugin.find('/') == std::string::npos
                           ? options.plugin
                           : fs::absolute(options.plugin).string();
    // As read above: `--config @FILE` reaches the runtime as the file's JSON, not its name.
    if (options.config)
        settings.plugin_config = config.dump();
    settings.failure_mode = options.failure_mode;
    for (const std::string& dir : options.plugin_dirs) {
        settings.plugin_dirs.push_back(fs::absolute(dir).string());
    }
    // The current directory plays /var/task: the function's own files, searched for plugins.
    settings.task_root = fs::current_path().string();
    settings.runtime_dir = runtime.parent_path().string();
    settings.function_name = std::string(kFunctionName);
    settings.region = region;
    settings.timeout_seconds = options.timeout_seconds;

    serve::SupervisorOptions supervision;
    supervision.argv = {runtime.string()};
    supervision.environment = serve::runtime_environment(settings, serve::current_environment());
    if (options.watch) {
        supervision.watch = std::make_unique<serve::FileWatch>(
            [environment = supervision.environment] { return locate_plugin(environment); });
    }
    return supervision;
}

// Blocks SIGINT and SIGTERM (to be taken by sigwait()) and ignores SIGPIPE (a vanished peer is an
// error code, not a death). Before any thread exists, so that every thread inherits the mask and
// the signals reach sigwait() rather than a thread in the middle of a request.
sigset_t take_over_stop_signals() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, nullptr);
    return stop_signals;
}

std::string signal_name(int signal_number) {
    const char* abbreviation = sigabbrev_np(signal_number);
    return abbreviation != nullptr ? fmt::format("SIG{}", abbreviation)
                                   : std::to_string(signal_number);
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, ServeOptions& options) {
    CLI::App* serve = app.add_subcommand(
        "serve",
        "Run a local Lambda for one function: the Runtime API and the invoke endpoint on one "
        "port, with kbatch-runtime started against it.");
    serve->add_option("--port", options.port, "Port to listen on (0 picks a free one)")
        ->capture_default_str();
    serve->add_option("--host", options.host, "Address to listen on (loopback unless told)")
        ->capture_default_str();
    add_plugin_options(*serve, options.plugin, options.plugin_dirs, options.config,
                       "; given to the runtime as _HANDLER");
    add_failure_mode_option(*serve, options.failure_mode);
    serve
        ->add_option("--timeout", options.timeout_seconds,
                     "Function timeout in seconds, as Lambda's (1 to 900)")
        ->check(CLI::Range(1, 900))
        ->capture_default_str();
    serve->add_flag("--watch", options.watch, "Replace the runtime when the plugin file changes");
    serve->add_flag("--no-spawn", options.no_spawn,
                    "Serve the APIs only: run any runtime against it yourself");
    serve->add_option("--runtime", options.runtime,
                      "The runtime host to start (default: kbatch-runtime next to kbatch)");
    serve->add_option(
        "--log-level", options.log_level,
        "TRACE, DEBUG, INFO, WARN, ERROR (default: $AWS_LAMBDA_LOG_LEVEL, else INFO)");
    return serve;
}

int run_serve(const ServeOptions& options) {
    LogSettings log_settings;
    if (Status status = read_cli_log_settings(PluginConfig::process_environment, options.log_level,
                                              &log_settings);
        !status.is_ok()) {
        print_error(status.message());
        return exit_code_for(status);
    }
    // Read as `kbatch invoke` reads it, so that a bad configuration is refused here at start
    // rather than as an init error at every invocation; the runtime reads it again from its
    // environment, as on Lambda. A wrong flag is always refused; without a runtime of ours, the
    // environment's configuration is not ours to judge.
    nlohmann::json config;
    if (Status status =
            read_cli_plugin_config(PluginConfig::process_environment, options.config, &config);
        !status.is_ok() && (options.config || !options.no_spawn)) {
        print_error(status.message());
        return exit_code_for(status);
    }
    if (options.no_spawn && options.watch) {
        print_error("--watch replaces the runtime that serve starts; it cannot go with --no-spawn");
        return kExitUsage;
    }

    const fs::path runtime =
        options.runtime ? fs::absolute(*options.runtime) : executable_dir() / "kbatch-runtime";
    if (!options.no_spawn && access(runtime.c_str(), X_OK) != 0) {
        const int access_error = errno;
        print_error(fmt::format(
            "cannot run the runtime {}: {} (build the kbatch-runtime target, pass --runtime PATH, "
            "or use --no-spawn and start a runtime yourself)",
            runtime.string(), std::generic_category().message(access_error)));
        return kExitFailure;
    }

    // Before listening, so that a TMPDIR that cannot hold the copies is refused at start. The
    // folder goes with every copy in it however run_serve returns (the supervisor owns it later).
    std::unique_ptr<serve::PluginCopies> plugin_copies;
    if (options.watch) {
        if (Status created = serve::PluginCopies::create(&plugin_copies); !created.is_ok()) {
            print_error(created.message());
            return exit_code_for(created);
        }
    }

    const sigset_t stop_signals = take_over_stop_signals();
    StreamLogger logger(stderr, log_settings);
    const std::string region =
        environment_or("AWS_REGION", environment_or("AWS_DEFAULT_REGION", "us-east-1"));
    const serve::HttpServerLimits limits;
    serve::LocalLambdaOptions lambda_options;
    lambda_options.timeout = std::chrono::seconds(options.timeout_seconds);
    lambda_options.max_pending = limits.max_connections - kRuntimeConnections;
    lambda_options.function_arn =
        fmt::format("arn:aws:lambda:{}:000000000000:function:{}", region, kFunctionName);
    serve::LocalLambda lambda(lambda_options);
    serve::ApiRoutes routes(lambda, logger);
    serve::HttpServer server(routes, logger, limits);

    if (Status status = server.listen(options.host, options.port); !status.is_ok()) {
        print_error(status.message());
        return exit_code_for(status);
    }
    const std::string address = authority(options.host, server.port());
    print_banner(options, address, runtime.string());
    const std::string host = bare_host(options.host);
    if (!host.starts_with("127.") && host != "localhost" && host != "::1") {
        logger.warn(
            fmt::format("listening on {}: reachable from other machines, and neither API "
                        "asks who is calling",
                        options.host));
    }
    server.start();

    std::unique_ptr<serve::RuntimeSupervisor> supervisor;
    if (!options.no_spawn) {
        serve::SupervisorOptions supervisor_options =
            runtime_supervision(options, runtime, address, region, config);
        if (supervisor_options.watch) {
            logger.info(fmt::format("watching {}; each runtime loads a private copy of it, in {}",
                                    supervisor_options.watch->description(),
                                    plugin_copies->folder().string()));
            supervisor_options.plugin_copies = std::move(plugin_copies);
        }
        supervisor = std::make_unique<serve::RuntimeSupervisor>(
            lambda, std::move(supervisor_options), logger);
        supervisor->start();
    }

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    logger.info(fmt::format("{}: stopping", signal_name(signal_number)));
    // Answer the waiting invokers first, then stop the runtime, then the connections.
    lambda.shutdown();
    if (supervisor)
        supervisor->stop();
    server.stop();
    return kExitOk;
}

}  // namespace kbatch
