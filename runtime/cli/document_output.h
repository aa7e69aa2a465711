// kbatch runtime: the CLI's machine-readable output, kept apart from anything a plugin prints.
#pragma once

#include <string>
#include <string_view>

namespace kbatch {

/// Where `kbatch invoke` writes its documents (the response; later, metrics): the process's
/// original standard output, saved before any plugin is loaded.
///
/// take_stdout() duplicates descriptor 1 for itself and then points descriptor 1 at standard
/// error, once, for the rest of the process: whatever a plugin writes to stdout (printf,
/// std::cout, a library's banner) lands among the log lines instead of inside the response. No
/// descriptor is swapped around plugin calls, which may run on several threads.
///
/// Each document goes out with its newline in one write() (writev), so a reader never sees half
/// a document next to another writer's bytes.
/// Thread safety: write() may be called from several threads; each document stays whole.
class DocumentOutput {
  public:
    /// Saves stdout and redirects descriptor 1 to stderr. On failure (no stdout to save), returns
    /// an output that writes to descriptor 1 as it is, and puts the reason in `error`.
    static DocumentOutput take_stdout(std::string* error);

    ~DocumentOutput();
    DocumentOutput(DocumentOutput&& other) noexcept;
    DocumentOutput& operator=(DocumentOutput&&) = delete;
    DocumentOutput(const DocumentOutput&) = delete;

    /// Writes `document` and a newline. False with the reason in `error` when it could not.
    bool write(std::string_view document, std::string* error) const;

  private:
    explicit DocumentOutput(int fd, bool owned) noexcept : fd_(fd), owned_(owned) {}

    int fd_;
    bool owned_;
};

}  // namespace kbatch
