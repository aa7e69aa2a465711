#include "empty_root.h"

#include <elf.h>

#include <algorithm>
#include <fstream>

#include <catch2/catch.hpp>

#include "deploy_paths.h"

namespace kbatch::deploy_test {
namespace fs = std::filesystem;

EmptyRoot::EmptyRoot() : root_(dir_ / "root") {
    fs::create_directory(root_);
    // The program runs as an unprivileged user, who must be able to enter "/".
    fs::permissions(root_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
}

void EmptyRoot::unpack(const fs::path& zip, std::string_view dir) {
    const fs::path target = root_ / dir;
    fs::create_directories(target);
    const kbatch::test::CommandResult result =
        kbatch::test::run_command({cmake_command(), "-E", "chdir", target.string(), cmake_command(),
                                   "-E", "tar", "xf", zip.string()});
    INFO("unpacking " << zip << " into " << target << ":\n" << result.out << result.err);
    REQUIRE(result.exit_code == 0);
}

void EmptyRoot::add_shell() {
    const fs::path shell = busybox();
    INFO(
        "bootstrap is a #!/bin/sh script: the empty root needs a static busybox as /bin/sh "
        "(Debian package busybox-static); found: "
        << (shell.empty() ? "none" : shell.string()));
    REQUIRE(!shell.empty());
    REQUIRE(is_static_elf(shell));
    fs::create_directories(root_ / "bin");
    fs::copy_file(shell, root_ / "bin" / "sh");
}

std::vector<std::string> EmptyRoot::files() const {
    std::vector<std::string> found;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root_)) {
        if (!entry.is_directory())
            found.push_back(fs::relative(entry.path(), root_).string());
    }
    std::sort(found.begin(), found.end());
    return found;
}

bool is_static_elf(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    Elf64_Ehdr header{};
    if (!in.read(reinterpret_cast<char*>(&header), sizeof header))
        return false;
    if (std::string_view(reinterpret_cast<const char*>(header.e_ident), SELFMAG) != ELFMAG ||
        header.e_ident[EI_CLASS] != ELFCLASS64)
        return false;
    for (unsigned i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr program_header{};
        in.seekg(static_cast<std::streamoff>(header.e_phoff + i * header.e_phentsize));
        if (!in.read(reinterpret_cast<char*>(&program_header), sizeof program_header))
            return false;
        if (program_header.p_type == PT_INTERP)
            return false;
    }
    return true;
}

}  // namespace kbatch::deploy_test
