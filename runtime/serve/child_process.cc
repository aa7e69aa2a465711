#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

namespace kbatch::serve {
namespace {

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (const std::string& s : strings)
        pointers.push_back(const_cast<char*>(s.c_str()));
    pointers.push_back(nullptr);
    return pointers;
}

int wait_blocking(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

// Runs in the forked child of a multi-threaded process: async-signal-safe calls only, and no
// allocation (everything it needs was prepared by the parent).
[[noreturn]] void exec_child(pid_t parent, char* const* argv, char* const* envp, int error_pipe,
                             int max_fd) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);  // the parent died before prctl took effect

    // The parent blocks SIGINT/SIGTERM for sigwait() and ignores SIGPIPE; a mask and an ignored
    // disposition would both survive exec.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(SIGPIPE, &action, nullptr);

    // Other threads create sockets without close-on-exec (Asio does), and one accepted between
    // its accept() and a fork() here would leak into the runtime and keep that connection open
    // after `serve` closed it. So the child closes everything but stdio and the error pipe.
    const auto first = static_cast<unsigned>(error_pipe);
    const bool closed =
        (first <= 3 || close_range(3, first - 1, 0) == 0) && close_range(first + 1, ~0U, 0) == 0;
    if (!closed) {
        for (int fd = 3; fd < max_fd; ++fd) {
            if (fd != error_pipe)
                close(fd);
        }
    }

    execve(argv[0], argv, envp);
    const int error = errno;
    ssize_t ignored = write(error_pipe, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

Status cannot_start(std::string message) {
    return Status::error(ErrorKind::kIoError, std::move(message));
}

}  // namespace

std::string describe_wait_status(int wait_status) {
    if (WIFEXITED(wait_status))
        return fmt::format("exit status {}", WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) {
        const int signal = WTERMSIG(wait_status);
        const char* description = sigdescr_np(signal);
        if (description == nullptr)
            return fmt::format("signal: {}", signal);
        std::string text(description);
        for (char& c : text)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return "signal: " + text;
    }
    return fmt::format("wait status {:#x}", wait_status);
}

ChildProcess::~ChildProcess() {
    if (running())
        stop(std::chrono::milliseconds::zero());
}

Status ChildProcess::start(const std::vector<std::string>& argv,
                           const std::vector<std::string>& environment) {
    if (running() || argv.empty()) {
        return cannot_start(running() ? "a runtime is already running" : "no program to run");
    }
    std::vector<char*> args = c_strings(argv);
    std::vector<char*> envp = c_strings(environment);
    int error_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) != 0)
        return cannot_start(fmt::format("cannot run {}: pipe: {}", argv[0], std::strerror(errno)));
    const pid_t parent = getpid();
    const long open_max = sysconf(_SC_OPEN_MAX);
    const int max_fd = open_max > 0 && open_max < 65536 ? static_cast<int>(open_max) : 65536;
    const pid_t pid = fork();
    if (pid < 0) {
        const int fork_error = errno;
        close(error_pipe[0]);
        close(error_pipe[1]);
        return cannot_start(
            fmt::format("cannot run {}: fork: {}", argv[0], std::strerror(fork_error)));
    }
    if (pid == 0)
        exec_child(parent, args.data(), envp.data(), error_pipe[1], max_fd);

    // Also set here: whichever of parent and child runs first, the group exists before either
    // signals it.
    setpgid(pid, pid);
    close(error_pipe[1]);
    int exec_error = 0;
    ssize_t n;
    do {
        n = read(error_pipe[0], &exec_error, sizeof exec_error);
    } while (n < 0 && errno == EINTR);
    close(error_pipe[0]);
    if (n == static_cast<ssize_t>(sizeof exec_error)) {
        wait_blocking(pid);
        return cannot_start(fmt::format("cannot run {}: {}", argv[0], std::strerror(exec_error)));
    }
    pid_ = pid;
    return Status::ok();
}

std::optional<int> ChildProcess::poll_exit() {
    if (!running())
        return std::nullopt;
    int status = 0;
    pid_t result;
    do {
        result = waitpid(pid_, &status, WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result == 0)
        return std::nullopt;
    // Whatever the runtime started in its group (a shell's children, say) goes with it.
    kill(-pid_, SIGKILL);
    pid_ = -1;
    return status;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    if (!running())
        return -1;
    const pid_t pid = pid_;
    if (grace > std::chrono::milliseconds::zero()) {
        kill(-pid, SIGTERM);
        const auto until = std::chrono::steady_clock::now() + grace;
        while (std::chrono::steady_clock::now() < until) {
            int status = 0;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                kill(-pid, SIGKILL);
                pid_ = -1;
                return status;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);  // in case it had left its group
    const int status = wait_blocking(pid);
    pid_ = -1;
    return status;
}

}  // namespace kbatch::serve
