// Deployment tests: a program run inside an empty root, the way Lambda runs bootstrap.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace kbatch::deploy_test {

/// Starts `program` (a path inside `root`) with chroot(2) into `root`, as the unprivileged user
/// and group 65534 (Lambda runs code as a user that owns none of it, so every file it needs must
/// be readable and executable by others), with exactly `environment` ("NAME=value" entries) and
/// no arguments. Its stdout and stderr go to a file outside the root.
///
/// The destructor kills its process group and reaps it, so a failed test leaves nothing running.
/// Needs root. Thread safety: none; one test thread owns it.
class ChrootProcess {
  public:
    ChrootProcess(const std::filesystem::path& root, const std::string& program,
                  const std::vector<std::string>& environment);
    ~ChrootProcess();
    ChrootProcess(const ChrootProcess&) = delete;
    ChrootProcess& operator=(const ChrootProcess&) = delete;

    /// Everything it wrote so far.
    std::string output() const;
    /// Kills it (if it still runs) and reaps it.
    void stop();

  private:
    std::filesystem::path output_file_;
    pid_t pid_ = -1;
};

}  // namespace kbatch::deploy_test
