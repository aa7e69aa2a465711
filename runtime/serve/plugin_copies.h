// kbatch serve --watch: each runtime loads a private copy of the plugin, never the file that a
// build rewrites.
#pragma once

#include <filesystem>
#include <memory>

#include "status.h"

namespace kbatch::serve {

/// The plugin file as one runtime loads it: `copy`, taken of `original` while it held still.
struct PluginCopy {
    std::filesystem::path original;
    std::filesystem::path copy;
};

/// A private folder of copies of the watched plugin, one per runtime generation:
/// FOLDER/gen-N/<the plugin's file name>.
///
/// Why: a build that rewrites the plugin in place (truncates it and writes it again) changes the
/// pages of every process that has it mapped, so the runtime running it dies of SIGBUS or runs
/// half-written code. Nothing writes a copy once it is taken.
///
/// Ownership: owns the folder; the destructor removes it with every copy left in it.
/// Thread safety: none; the supervisor's thread uses it.
class PluginCopies {
  public:
    /// Creates the folder (kbatch-serve-PID-XXXXXX) in $TMPDIR, else /tmp; in /var/tmp when that
    /// one is mounted noexec, where dlopen could not map a copy, into `*copies`. kIoError, with a
    /// line saying why, when neither can hold it.
    static Status create(std::unique_ptr<PluginCopies>* copies);
    ~PluginCopies();
    PluginCopies(const PluginCopies&) = delete;
    PluginCopies& operator=(const PluginCopies&) = delete;

    /// Copies `original` into a new generation's folder, into `*copy`. OK only when the original
    /// did not change while it was copied and the copy is a whole ELF file (check_elf_file);
    /// otherwise the message says what is wrong, in words that follow the original's path
    /// ("<path> is not an ELF file: ..."), `*copy` is untouched and nothing is left behind.
    /// kPluginLoadError when the copy is not a whole ELF file, kIoError for the rest.
    Status take(const std::filesystem::path& original, PluginCopy* copy);

    /// Removes a copy with its generation's folder, once no runtime has it loaded.
    void remove(const PluginCopy& copy) noexcept;

    const std::filesystem::path& folder() const noexcept { return folder_; }

  private:
    explicit PluginCopies(std::filesystem::path folder) : folder_(std::move(folder)) {}

    std::filesystem::path folder_;
    int generations_ = 0;
};

}  // namespace kbatch::serve
