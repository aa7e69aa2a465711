// kbatch-runtime: the custom-runtime host that Lambda starts through `bootstrap`.
#include <fmt/format.h>

#include <string_view>

#include <kbatch/abi.hpp>

#include "cpu_support.h"
#include "kbatch_version.h"
#include "runtime_api_client.h"
#include "runtime_host.h"
#include "runtime_settings.h"
#include "stream_logger.h"

int main(int argc, char** argv) {
    using namespace kbatch;
    // Lambda starts the host without arguments; --version is for people and packaging checks.
    if (argc == 2 && std::string_view(argv[1]) == "--version") {
        fmt::print("kbatch-runtime {} (plugin ABI {})\n", kVersion, kAbiVersion);
        return 0;
    }
    if (argc > 1) {
        fmt::print(stderr,
                   "usage: kbatch-runtime [--version] (Lambda starts it without arguments)\n");
        return 2;
    }
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
