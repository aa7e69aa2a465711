#include "read_calls.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "child.h"

namespace kbatch::bench {
namespace {

using namespace std::chrono_literals;

constexpr const char* kReadFamily[] = {"read",    "readv",    "pread64", "preadv",
                                       "preadv2", "recvfrom", "recvmsg", "recvmmsg"};

std::optional<std::uint64_t> status_field(const std::filesystem::path& file, const char* name) {
    std::ifstream in(file);
    std::string line;
    const std::string prefix = std::string(name) + ":";
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0)
            return std::stoull(line.substr(prefix.size()));
    }
    return std::nullopt;
}

// True when every thread of `pid` has `tracer` as its tracer.
bool all_threads_traced(pid_t pid, pid_t tracer) {
    std::error_code error;
    std::size_t threads = 0;
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
        ++threads;
        if (status_field(task.path() / "status", "TracerPid") != static_cast<std::uint64_t>(tracer))
            return false;
    }
    return threads > 0 && !error;
}

// strace -c's table: "% time  seconds  usecs/call  calls  [errors]  syscall", a line each.
SyscallCounts parse_summary(const std::string& text) {
    SyscallCounts counts;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::vector<std::string> words;
        for (std::string word; fields >> word;)
            words.push_back(word);
        if (words.size() < 5 || words.back() == "total" || words.back() == "syscall")
            continue;
        try {
            counts[words.back()] += std::stoull(words[3]);
        } catch (const std::exception&) {
            // the ruler lines of dashes
        }
    }
    return counts;
}

}  // namespace

std::optional<std::uint64_t> read_syscr(pid_t pid) {
    return status_field("/proc/" + std::to_string(pid) + "/io", "syscr");
}

std::uint64_t read_family_total(const SyscallCounts& counts) {
    std::uint64_t total = 0;
    for (const char* name : kReadFamily) {
        if (const auto found = counts.find(name); found != counts.end())
            total += found->second;
    }
    return total;
}

StraceCount::StraceCount(const std::string& strace, pid_t pid, const std::string& summary_file)
    : summary_file_(summary_file) {
    std::string calls;
    for (const char* name : kReadFamily) {
        calls += calls.empty() ? "" : ",";
        calls += name;
    }
    std::filesystem::remove(summary_file_);
    ChildSpec spec;
    spec.argv = {
        strace, "-c", "-f", "-e", "trace=" + calls, "-o", summary_file_, "-p", std::to_string(pid)};
    spec.capture_output = true;  // its complaint, if it cannot attach
    tracer_ = std::make_unique<Child>(spec);
    for (int polls = 0; polls < 2000; ++polls) {  // 10 s
        if (all_threads_traced(pid, tracer_->pid()))
            return;
        std::this_thread::sleep_for(5ms);
    }
    const std::string said = tracer_->output();
    tracer_.reset();  // killed and reaped
    throw std::runtime_error("strace could not attach to process " + std::to_string(pid) + ": " +
                             said);
}

StraceCount::~StraceCount() = default;

SyscallCounts StraceCount::finish() {
    if (!tracer_)
        return {};
    // SIGTERM: strace detaches from every thread and writes its summary before it exits.
    tracer_->stop(10s);
    tracer_.reset();
    std::ifstream in(summary_file_);
    std::stringstream text;
    text << in.rdbuf();
    return parse_summary(text.str());
}

}  // namespace kbatch::bench
