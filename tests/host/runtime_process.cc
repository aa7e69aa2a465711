#include "runtime_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "test_support.h"

namespace kbatch::test {

RuntimeExit run_with_environment(const std::string& binary,
                                 const std::vector<std::string>& environment,
                                 std::chrono::milliseconds timeout) {
    RuntimeExit result;
    char output_template[] = "/tmp/kbatch-runtime-output-XXXXXX";
    const int output_fd = ::mkstemp(output_template);
    if (output_fd < 0)
        return result;

    const std::vector<std::string> command = {binary};
    const std::vector<char*> argv = exec_array(command), envp = exec_array(environment);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, output_fd, 2);
    pid_t pid = 0;
    const int spawned =
        ::posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(output_fd);
    if (spawned != 0) {
        result.output = "posix_spawn failed";
        ::unlink(output_template);
        return result;
    }

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        if (::waitpid(pid, &status, WNOHANG) == pid)
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            result.timed_out = true;
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!result.timed_out && WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);

    std::ifstream in(output_template, std::ios::binary);
    result.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    ::unlink(output_template);
    return result;
}

}  // namespace kbatch::test
