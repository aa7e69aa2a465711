#include "serve_process.h"

#include <signal.h>

#include <cstdio>
#include <exception>
#include <regex>
#include <stdexcept>
#include <thread>

namespace kbatch::serve_test {
namespace {

SubprocessOptions serve_options(std::vector<std::string> args,
                                std::vector<std::pair<std::string, std::string>> env,
                                std::optional<unsigned long> max_open_files) {
    SubprocessOptions options;
    options.max_open_files = max_open_files;
    options.argv = {kbatch_exe(), "serve", "--port", "0"};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.env = std::move(env);
    // The tests read Text lines; a developer's JSON setting must not change them.
    options.unset_env = {"AWS_LAMBDA_LOG_FORMAT", "AWS_LAMBDA_LOG_LEVEL"};
    return options;
}

}  // namespace

std::string kbatch_exe() {
    return KBATCH_EXE;
}

ServeProcess::ServeProcess(std::vector<std::string> args,
                           std::vector<std::pair<std::string, std::string>> env,
                           std::optional<unsigned long> max_open_files)
    : process_(serve_options(std::move(args), std::move(env), max_open_files)) {
    // "http://127.0.0.1:9000", "http://[::1]:9000".
    static const std::regex kListening(R"(listening on http://(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+))");
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < until) {
        std::smatch match;
        const std::string output = log();
        // The banner is written a line at a time: wait for its last line too.
        if (std::regex_search(output, match, kListening) &&
            output.find(" --data-file -\n") != std::string::npos) {
            host_ = match[1].str();
            port_ = static_cast<std::uint16_t>(std::stoi(match[2].str()));
            return;
        }
        if (!process_.running())
            break;
        std::this_thread::sleep_for(10ms);
    }
    throw std::runtime_error("kbatch serve did not start; its output:\n" + log());
}

ServeProcess::~ServeProcess() {
    if (std::uncaught_exceptions() > 0) {
        std::fprintf(stderr, "---- kbatch serve log ----\n%s---- end of log ----\n", log().c_str());
    }
    if (process_.running())
        stop(5s);
}

bool ServeProcess::wait_for_log(std::string_view text, std::size_t count,
                                std::chrono::milliseconds timeout) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (count_in_log(text) >= count)
            return true;
        if (std::chrono::steady_clock::now() >= until)
            return false;
        std::this_thread::sleep_for(10ms);
    }
}

std::size_t ServeProcess::count_in_log(std::string_view text) const {
    const std::string output = log();
    std::size_t count = 0;
    for (std::size_t at = output.find(text); at != std::string::npos;
         at = output.find(text, at + text.size())) {
        ++count;
    }
    return count;
}

std::vector<pid_t> ServeProcess::runtime_pids() const {
    static const std::regex kStarted(R"(runtime started \(pid (\d+)\))");
    const std::string output = log();
    std::vector<pid_t> pids;
    for (auto it = std::sregex_iterator(output.begin(), output.end(), kStarted);
         it != std::sregex_iterator(); ++it) {
        pids.push_back(static_cast<pid_t>(std::stol((*it)[1].str())));
    }
    return pids;
}

int ServeProcess::stop(std::chrono::milliseconds timeout) {
    process_.signal(SIGTERM);
    const std::optional<int> status = process_.wait(timeout);
    return status ? exit_code(*status) : -1;
}

}  // namespace kbatch::serve_test
