#include "subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "test_support.h"

extern char** environ;

namespace kbatch::serve_test {
namespace {

std::vector<std::string> child_environment(const SubprocessOptions& options) {
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const std::string name = text.substr(0, text.find('='));
        bool replaced = false;
        for (const auto& [set_name, value] : options.env)
            replaced |= set_name == name;
        for (const std::string& unset : options.unset_env)
            replaced |= unset == name;
        if (!replaced)
            environment.push_back(text);
    }
    for (const auto& [name, value] : options.env)
        environment.push_back(name + "=" + value);
    return environment;
}

}  // namespace

int exit_code(int wait_status) {
    if (WIFEXITED(wait_status))
        return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return -1;
}

Subprocess::Subprocess(SubprocessOptions options) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kbatch-serve-test-XXXXXX").string();
    const int output_fd = mkstemp(pattern.data());
    if (output_fd < 0)
        throw std::runtime_error("mkstemp: " + std::string(std::strerror(errno)));
    output_file_ = pattern;

    const std::vector<std::string> environment = child_environment(options);
    const std::vector<char*> argv_pointers = kbatch::test::exec_array(options.argv);
    const std::vector<char*> env_pointers = kbatch::test::exec_array(environment);
    const std::string directory = options.working_directory.string();
    const std::optional<unsigned long> max_open_files = options.max_open_files;

    pid_ = fork();
    if (pid_ < 0)
        throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
    if (pid_ == 0) {
        setpgid(0, 0);
        dup2(output_fd, STDOUT_FILENO);
        dup2(output_fd, STDERR_FILENO);
        const int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0)
            dup2(null_fd, STDIN_FILENO);
        // The test's own sockets must not live on in the child: a connection the test closes
        // has to look closed to the server.
        close_range(3, ~0U, 0);
        if (max_open_files) {
            const rlimit limit{*max_open_files, *max_open_files};
            if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
                _exit(125);
        }
        if (!directory.empty() && chdir(directory.c_str()) != 0)
            _exit(126);
        execve(argv_pointers[0], argv_pointers.data(), env_pointers.data());
        _exit(127);
    }
    setpgid(pid_, pid_);
    close(output_fd);
}

Subprocess::~Subprocess() {
    if (pid_ > 0 && !status_) {
        kill(-pid_, SIGKILL);
        kill(pid_, SIGKILL);
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    } else if (pid_ > 0) {
        kill(-pid_, SIGKILL);  // whatever it left in its group
    }
    std::error_code ignored;
    std::filesystem::remove(output_file_, ignored);
}

std::string Subprocess::output() const {
    std::ifstream file(output_file_, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

void Subprocess::signal(int signal) const {
    if (!status_)
        kill(pid_, signal);
}

std::optional<int> Subprocess::wait(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
        int status = 0;
        const pid_t result = waitpid(pid_, &status, WNOHANG);
        if (result == pid_) {
            status_ = status;
            break;
        }
        if (std::chrono::steady_clock::now() >= until)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
}

bool Subprocess::running() {
    return !wait(std::chrono::milliseconds::zero()).has_value();
}

}  // namespace kbatch::serve_test
