#include "child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace kbatch::bench {

Child::Child(const ChildSpec& spec) {
    int pipe_fds[2] = {-1, -1};
    if (spec.capture_output && pipe2(pipe_fds, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));

    // Everything exec needs is prepared before fork: after it, only async-signal-safe calls.
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const std::string name = text.substr(0, text.find('='));
        bool overridden = false;
        for (const std::string& set : spec.env)
            overridden = overridden || set.substr(0, set.find('=')) == name;
        if (!overridden)
            env.push_back(text);
    }
    env.insert(env.end(), spec.env.begin(), spec.env.end());
    std::vector<char*> envp;
    for (std::string& entry : env)
        envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = spec.argv;
    std::vector<char*> argv;
    for (std::string& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

    started_ = Clock::now();
    pid_ = fork();
    if (pid_ < 0)
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        const int out = spec.capture_output ? pipe_fds[1] : null_fd;
        dup2(null_fd, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0)
            _exit(126);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    close(null_fd);
    if (spec.capture_output) {
        close(pipe_fds[1]);
        reader_ = std::thread([this, fd = pipe_fds[0]] { read_lines(fd); });
    }
}

Child::~Child() {
    stop(std::chrono::milliseconds(0));
    if (reader_.joinable())
        reader_.join();
}

void Child::read_lines(int fd) {
    std::string pending;
    char buffer[4096];
    for (;;) {
        const ssize_t got = read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        const Clock::time_point now = Clock::now();
        pending.append(buffer, static_cast<std::size_t>(got));
        std::lock_guard lock(mutex_);
        for (std::size_t end = pending.find('\n'); end != std::string::npos;
             end = pending.find('\n')) {
            lines_.emplace_back(now, pending.substr(0, end));
            pending.erase(0, end + 1);
        }
        arrived_.notify_all();
    }
    close(fd);
}

std::optional<Clock::time_point> Child::wait_for_line(const std::string& text, std::size_t skip,
                                                      std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<Clock::time_point> found;
    arrived_.wait_for(lock, timeout, [&] {
        std::size_t seen = 0;
        for (const auto& [when, line] : lines_) {
            if (line.find(text) != std::string::npos && seen++ == skip) {
                found = when;
                return true;
            }
        }
        return false;
    });
    return found;
}

std::size_t Child::count_lines(const std::string& text) {
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& entry : lines_)
        count += entry.second.find(text) != std::string::npos ? 1 : 0;
    return count;
}

std::string Child::output() {
    std::lock_guard lock(mutex_);
    std::string all;
    for (const auto& entry : lines_)
        all += entry.second + "\n";
    return all;
}

long Child::peak_rss_kib() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stol(line.substr(6));
    }
    return 0;
}

void Child::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0)
        return;
    kill(pid_, grace.count() > 0 ? SIGTERM : SIGKILL);
    const Clock::time_point give_up = Clock::now() + grace;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (Clock::now() >= give_up) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        usleep(1000);
    }
    pid_ = -1;
}

}  // namespace kbatch::bench
