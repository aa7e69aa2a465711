#include "chroot_process.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "test_support.h"

namespace kbatch::deploy_test {
namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;

// In the child, between fork and exec: only async-signal-safe calls (the test runs threads).
[[noreturn]] void fail_in_child(const char* step) {
    const char* reason = ::strerror(errno);
    const char* parts[] = {"chroot test: ", step, " failed: ", reason, "\n"};
    for (const char* part : parts) {
        if (::write(STDERR_FILENO, part, ::strlen(part)) < 0)
            break;
    }
    ::_exit(127);
}

}  // namespace

ChrootProcess::ChrootProcess(const fs::path& root, const std::string& program,
                             const std::vector<std::string>& environment)
    : output_file_(root.parent_path() / (root.filename().string() + ".output")) {
    // Everything the child needs is prepared before fork.
    const std::string root_string = root.string();
    const std::vector<std::string> command = {program};
    const std::vector<char*> argv = kbatch::test::exec_array(command);
    const std::vector<char*> envp = kbatch::test::exec_array(environment);
    const int output = ::open(output_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (output < 0)
        throw std::runtime_error("cannot create " + output_file_.string());

    pid_ = ::fork();
    if (pid_ == 0) {
        ::setpgid(0, 0);
        if (::dup2(output, STDOUT_FILENO) < 0 || ::dup2(output, STDERR_FILENO) < 0)
            fail_in_child("dup2");
        if (::chroot(root_string.c_str()) != 0)
            fail_in_child("chroot");
        if (::chdir("/") != 0)
            fail_in_child("chdir");
        if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)
            fail_in_child("dropping to user 65534");
        ::execve(program.c_str(), argv.data(), envp.data());
        fail_in_child("execve");
    }
    ::close(output);
    if (pid_ > 0)
        ::setpgid(pid_, pid_);  // also here, so that stop() finds the group whoever runs first
    if (pid_ < 0)
        throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
}

ChrootProcess::~ChrootProcess() {
    stop();
    std::error_code ignored;
    fs::remove(output_file_, ignored);
}

std::string ChrootProcess::output() const {
    std::ifstream in(output_file_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void ChrootProcess::stop() {
    if (pid_ <= 0)
        return;
    ::kill(-pid_, SIGKILL);  // the group: whatever bootstrap may have started too
    ::kill(pid_, SIGKILL);   // in case the child had not made its group yet
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

}  // namespace kbatch::deploy_test
