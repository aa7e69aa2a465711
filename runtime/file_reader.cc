#include "file_reader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace kbatch {

bool read_whole_file(const std::string& path, std::string* contents, std::string* error) {
    const bool use_stdin = path == "-";
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(
        use_stdin ? nullptr : std::fopen(path.c_str(), "rb"),
        [](std::FILE* f) { return f != nullptr ? std::fclose(f) : 0; });
    std::FILE* file = use_stdin ? stdin : owned.get();
    const std::string name = use_stdin ? std::string("standard input") : path;
    if (file == nullptr) {
        *error = fmt::format("cannot open {}: {}", name, std::strerror(errno));
        return false;
    }
    contents->clear();
    char chunk[64 * 1024];
    std::size_t read = 0;
    while ((read = std::fread(chunk, 1, sizeof chunk, file)) > 0)
        contents->append(chunk, read);
    if (std::ferror(file)) {
        *error = fmt::format("cannot read {}: {}", name, std::strerror(errno));
        return false;
    }
    return true;
}

}  // namespace kbatch
