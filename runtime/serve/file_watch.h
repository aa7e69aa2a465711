// kbatch serve: noticing that a file was replaced, by polling (no inotify, no dependency).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace kbatch::serve {

/// Watches the file that `locate` names (it is asked again at every poll, so a plugin that
/// appears in a folder searched earlier, or that is missing and then built, counts as a change).
/// A file is identified by its path, inode, size and modification time.
///
/// A change is reported only once the file has held still for one poll, so that a linker still
/// writing it does not start a runtime on half a shared object.
///
/// Thread safety: none; one thread (the supervisor's) polls it.
class FileWatch {
  public:
    using Locate = std::function<std::optional<std::filesystem::path>()>;

    /// Records the file's current state as the baseline.
    explicit FileWatch(Locate locate);

    /// Polls. True once per settled change since the previous true (or since construction).
    bool changed();

    /// The file being watched, for log lines ("(not found)" when `locate` finds none).
    const std::string& description() const noexcept { return description_; }

    /// The file `locate` found at the last poll (or at construction); nothing when it found none.
    const std::optional<std::filesystem::path>& file() const noexcept { return file_; }

  private:
    std::string signature();

    Locate locate_;
    std::string baseline_;
    std::optional<std::string> pending_;
    std::string description_;
    std::optional<std::filesystem::path> file_;
};

}  // namespace kbatch::serve
