// kbatch runtime: the CLI's machine-readable output, kept apart from anything a plugin prints.
#pragma once

#include <string>
#include <string_view>

#include "status.h"

namespace kbatch {

/// Where `kbatch invoke` writes its documents (the response; later, metrics): the process's
/// original standard output, saved before any plugin is loaded.
///
/// take_stdout() duplicates descriptor 1 for the output and then points descriptor 1 at standard
/// error, once, for the rest of the process: whatever a plugin writes to stdout (printf,
/// std::cout, a library's banner) lands among the log lines instead of inside the response. No
/// descriptor is swapped around plugin calls, which may run on several threads.
///
/// Each document goes out with its newline in one write() (writev), so a reader never sees half
/// a document next to another writer's bytes.
/// Thread safety: write() may be called from several threads; each document stays whole.
class DocumentOutput {
  public:
    /// An output that writes to descriptor 1 as it is, until take_stdout() succeeds.
    DocumentOutput() noexcept = default;
    ~DocumentOutput();
    DocumentOutput(const DocumentOutput&) = delete;
    DocumentOutput& operator=(const DocumentOutput&) = delete;

    /// Saves stdout for this output and redirects descriptor 1 to stderr. On failure (kIoError:
    /// no stdout to save, or descriptor 1 cannot be redirected) the output goes on writing to
    /// descriptor 1 as it is. Once per process, before any plugin is loaded.
    Status take_stdout();

    /// Writes `document` and a newline; kIoError when it could not.
    Status write(std::string_view document) const;

  private:
    int fd_ = 1;  // STDOUT_FILENO until take_stdout()
    bool owned_ = false;
};

}  // namespace kbatch
