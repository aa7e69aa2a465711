// Deployment tests: a root file system that holds only what the test puts into it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.h"

namespace kbatch::deploy_test {

/// A temporary folder to chroot into, removed with everything in it at destruction. It starts
/// empty: no /proc, /dev, /etc, /lib or /tmp, nothing of the host's.
class EmptyRoot {
  public:
    EmptyRoot();

    /// The root folder.
    const std::filesystem::path& path() const noexcept { return root_; }

    /// Unpacks `zip` into the root's `dir` ("opt", "var/task"), as Lambda unpacks a layer and a
    /// function, with `cmake -E tar` (no unzip needed). Fails the test if it cannot.
    void unpack(const std::filesystem::path& zip, std::string_view dir);

    /// Adds the one thing from the host that a #!/bin/sh bootstrap needs: a static busybox as
    /// /bin/sh. Fails the test, saying which package to install, without one.
    void add_shell();

    /// Every file below the root, relative and sorted, for messages.
    std::vector<std::string> files() const;

  private:
    kbatch::test::TempDir dir_;
    std::filesystem::path root_;
};

/// Whether `file` is an ELF program that needs no loader (no PT_INTERP program header).
bool is_static_elf(const std::filesystem::path& file);

}  // namespace kbatch::deploy_test
