// kbatch-runtime: the custom-runtime host that Lambda starts through `bootstrap`.
#include <fmt/format.h>

#include "cpu_support.h"
#include "runtime_api_client.h"
#include "runtime_host.h"
#include "runtime_settings.h"
#include "stream_logger.h"

int main() {
    using namespace kbatch;
    RuntimeSettings settings;
    const Status read = read_runtime_settings(PluginConfig::process_environment, &settings);
    StreamLogger logger(stdout, settings.log);
    if (settings.api_host.empty()) {
        // Nowhere to report to: say it on the log and let Lambda see the exit.
        logger.error(fmt::format("kbatch-runtime cannot start: {}", read.message()));
        return 1;
    }
    RetryPolicy retry;
    retry.on_retry = [&logger](std::string_view failure) {
        logger.warn(fmt::format("Runtime API: {}", failure));
    };
    RuntimeApiClient api(settings.api_host, settings.api_port, std::move(retry));
    Status startup = read.is_ok() ? check_cpu_support() : read;
    if (!startup.is_ok())
        return report_startup_failure(api, logger, startup);
    return run_runtime_host(settings, api, logger);
}
