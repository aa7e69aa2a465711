#include "plugin_copies.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "elf_file.h"
#include "unique_fd.h"

namespace kbatch::serve {
namespace fs = std::filesystem;

namespace {

bool same_contents_stamp(const struct stat& a, const struct stat& b) {
    return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
           a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ctim.tv_sec == b.st_ctim.tv_sec &&
           a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

// Copies `from` to the end into `to`; false with errno set on an error.
bool copy_all(int from, int to) {
    std::vector<char> buffer(1 << 16);
    for (;;) {
        const ssize_t got = read(from, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return false;
        if (got == 0)
            return true;
        for (ssize_t done = 0; done < got;) {
            const ssize_t wrote =
                write(to, buffer.data() + done, static_cast<std::size_t>(got - done));
            if (wrote < 0 && errno == EINTR)
                continue;
            if (wrote < 0)
                return false;
            done += wrote;
        }
    }
}

}  // namespace

Status PluginCopies::create(std::unique_ptr<PluginCopies>* copies) {
    std::error_code ignored;
    std::vector<fs::path> candidates = {fs::temp_directory_path(ignored)};
    if (candidates.front().empty())
        candidates.front() = "/tmp";
    candidates.emplace_back("/var/tmp");
    std::string refusals;
    for (const fs::path& base : candidates) {
        struct statvfs mount {};
        if (statvfs(base.c_str(), &mount) != 0) {
            const int statvfs_error = errno;
            refusals += fmt::format("; {}: {}", base.string(), errno_text(statvfs_error));
            continue;
        }
        if ((mount.f_flag & ST_NOEXEC) != 0) {
            refusals += fmt::format("; {} is mounted noexec", base.string());
            continue;
        }
        std::string pattern = (base / fmt::format("kbatch-serve-{}-XXXXXX", getpid())).string();
        if (mkdtemp(pattern.data()) == nullptr) {
            const int mkdtemp_error = errno;
            refusals += fmt::format("; {}: {}", base.string(), errno_text(mkdtemp_error));
            continue;
        }
        copies->reset(new PluginCopies(fs::path(pattern)));
        return Status::ok();
    }
    return Status::error(
        ErrorKind::kIoError,
        fmt::format("--watch: no folder for the plugin's private copies{} (set TMPDIR to a "
                    "writable folder that allows executable mappings)",
                    refusals));
}

PluginCopies::~PluginCopies() {
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
}

Status PluginCopies::take(const fs::path& original, PluginCopy* copy) {
    const UniqueFd from(open(original.c_str(), O_RDONLY | O_CLOEXEC));
    if (from.get() < 0) {
        return Status::error(ErrorKind::kIoError,
                             fmt::format("cannot be opened: {}", errno_text(errno)));
    }
    struct stat before {};
    if (fstat(from.get(), &before) != 0) {
        return Status::error(ErrorKind::kIoError,
                             fmt::format("cannot be read: {}", errno_text(errno)));
    }
    const fs::path generation = folder_ / fmt::format("gen-{}", ++generations_);
    PluginCopy taken{original, generation / original.filename()};
    if (mkdir(generation.c_str(), 0700) != 0) {
        const int mkdir_error = errno;
        return Status::error(ErrorKind::kIoError,
                             fmt::format("cannot be copied into {}: {}", generation.string(),
                                         errno_text(mkdir_error)));
    }
    Status status = Status::ok();
    {
        const UniqueFd to(open(taken.copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700));
        if (to.get() < 0 || !copy_all(from.get(), to.get())) {
            const int copy_error = errno;
            status = Status::error(ErrorKind::kIoError,
                                   fmt::format("cannot be copied to {}: {}", taken.copy.string(),
                                               errno_text(copy_error)));
        }
    }
    // The same size and times after the copy as before: nothing wrote the file meanwhile, so the
    // copy is one version of it, not the start of one and the end of the next.
    struct stat after {};
    if (status.is_ok() && (fstat(from.get(), &after) != 0 || !same_contents_stamp(before, after))) {
        status = Status::error(ErrorKind::kIoError, "changed while it was copied");
    }
    if (status.is_ok())
        status = check_elf_file(taken.copy);
    if (!status.is_ok()) {
        remove(taken);
        return status;
    }
    *copy = std::move(taken);
    return Status::ok();
}

void PluginCopies::remove(const PluginCopy& copy) noexcept {
    // Only a generation folder of ours, whatever path the caller hands in.
    const fs::path generation = copy.copy.parent_path();
    if (generation.parent_path() != folder_)
        return;
    std::error_code ignored;
    fs::remove_all(generation, ignored);
}

}  // namespace kbatch::serve
