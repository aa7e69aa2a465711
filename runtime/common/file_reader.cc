#include "file_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace kbatch {
namespace {

Status io_error(std::string message) {
    return Status::error(ErrorKind::kIoError, std::move(message));
}

}  // namespace

Status read_whole_file(const std::string& path, std::string* contents, std::size_t limit,
                       bool* too_large) {
    const bool use_stdin = path == "-";
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(
        use_stdin ? nullptr : std::fopen(path.c_str(), "rb"),
        [](std::FILE* f) { return f != nullptr ? std::fclose(f) : 0; });
    std::FILE* file = use_stdin ? stdin : owned.get();
    const std::string name = use_stdin ? std::string("standard input") : path;
    if (file == nullptr)
        return io_error(fmt::format("cannot open {}: {}", name, std::strerror(errno)));
    if (too_large != nullptr)
        *too_large = false;
    contents->clear();
    char chunk[64 * 1024];
    // One byte past the limit tells "exactly at the limit" from "over it".
    const std::size_t most = limit == std::numeric_limits<std::size_t>::max() ? limit : limit + 1;
    while (contents->size() < most) {
        const std::size_t wanted = std::min(sizeof chunk, most - contents->size());
        const std::size_t read = std::fread(chunk, 1, wanted, file);
        if (read == 0)
            break;
        contents->append(chunk, read);
    }
    if (std::ferror(file))
        return io_error(fmt::format("cannot read {}: {}", name, std::strerror(errno)));
    if (contents->size() > limit) {
        contents->clear();
        if (too_large != nullptr)
            *too_large = true;
        return io_error(fmt::format("{}: the file is larger than {} bytes", name, limit));
    }
    return Status::ok();
}

}  // namespace kbatch
