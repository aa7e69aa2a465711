#include "runtime_host.h"

#include <stdlib.h>

#include <chrono>
#include <memory>

#include <fmt/format.h>
#include <fmt/std.h>

#include "batch_log.h"
#include "cpu_support.h"
#include "invocation_handler.h"
#include "plugin_loader.h"
#include "retry_watch.h"

namespace kbatch {
namespace fs = std::filesystem;

namespace {

constexpr int kExitRuntimeFailure = 1;

Status load_configured_plugin(const RuntimeSettings& settings,
                              std::unique_ptr<LoadedPlugin>* plugin) {
    fs::path file;
    if (Status status = resolve_plugin(settings.plugin, settings.plugin_dirs, &file);
        !status.is_ok()) {
        return status;
    }
    return LoadedPlugin::load(file, PluginConfig(settings.plugin_config), plugin);
}

// The X-Ray SDKs in a plugin read the trace header from the environment, as on every runtime.
void set_trace_environment(const std::string& trace_id) {
    if (trace_id.empty()) {
        unsetenv("_X_AMZN_TRACE_ID");
    } else {
        setenv("_X_AMZN_TRACE_ID", trace_id.c_str(), 1);
    }
}

// Ends the host: the processor is destroyed while its logger can still say what went wrong.
int shut_down(LoadedPlugin& plugin, StreamLogger& logger, int exit_code) {
    if (const std::string warning = plugin.destroy_processor(); !warning.empty())
        logger.warn(warning);
    return exit_code;
}

}  // namespace

int report_startup_failure(RuntimeApiClient& api, StreamLogger& logger, const Status& failure) {
    logger.error(fmt::format("start-up failed: {}", failure.to_string()));
    if (const Status posted =
            api.post_init_error(error_type_name(failure.kind()), failure.message());
        !posted.is_ok()) {
        logger.error(fmt::format("could not report the start-up failure: {}", posted.message()));
    }
    return kExitRuntimeFailure;
}

int run_runtime_host(const RuntimeSettings& settings, RuntimeApiClient& api, StreamLogger& logger) {
    std::unique_ptr<LoadedPlugin> plugin;
    if (Status status = load_configured_plugin(settings, &plugin); !status.is_ok()) {
        return report_startup_failure(api, logger, status);
    }
    logger.info(fmt::format("kbatch-runtime ready: plugin {}, failure mode {}, decoder {}",
                            plugin->file(), failure_policy_name(settings.run_options.policy),
                            decoder_implementation_name()));

    InvocationHandler handler(settings.run_options);
    RetryWatch retry_watch;
    InvocationHeaders invocation;
    std::string event;
    std::string response;
    for (;;) {
        logger.set_request_id("");
        if (const Status next = api.next(&invocation, &event); !next.is_ok()) {
            logger.error(fmt::format(
                "Runtime API: {}; exiting so that Lambda replaces this runtime", next.message()));
            return shut_down(*plugin, logger, kExitRuntimeFailure);
        }
        logger.set_request_id(invocation.request_id);
        set_trace_environment(invocation.trace_id);
        const Context context(invocation.request_id, invocation.deadline, invocation.function_arn,
                              invocation.trace_id, logger);

        const auto started = std::chrono::steady_clock::now();
        const Status status =
            handler.handle_in_place(event, plugin->processor(), context, &response);
        const std::chrono::duration<double, std::milli> elapsed =
            std::chrono::steady_clock::now() - started;

        Status posted = Status::ok();
        if (status.is_ok()) {
            log_batch_report(logger, handler.report(), handler.decode_path(), elapsed);
            if (settings.rbif_watch) {
                for (const std::string& warning :
                     retry_watch.observe(handler.batch(), handler.report())) {
                    logger.error(warning);
                }
            }
            posted = api.post_response(invocation.request_id, response);
        } else {
            logger.error(fmt::format("invocation failed, Lambda retries the whole batch: {}",
                                     status.to_string()));
            posted = api.post_error(invocation.request_id, error_type_name(status.kind()),
                                    status.message());
        }
        if (!posted.is_ok()) {
            if (posted.kind() != ErrorKind::kRuntimeApiRefused) {
                logger.error(
                    fmt::format("Runtime API: {}; exiting so that Lambda replaces this runtime",
                                posted.message()));
                return shut_down(*plugin, logger, kExitRuntimeFailure);
            }
            // The API refused this one answer (e.g. the invocation already timed out); the next
            // invocation is still ours to serve.
            logger.error(fmt::format("Runtime API refused the answer: {}", posted.message()));
        }
    }
}

}  // namespace kbatch
