// kbatch serve: telling a whole shared object from one that a linker is still writing.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace kbatch::serve {

/// What keeps `file` from being a whole ELF object, in words that follow "it" ("ends inside its
/// section headers (...)"), or nothing when it is whole: the ELF header, the program headers and
/// the section headers, and every segment and section they describe that has bytes in the file,
/// lie within the file. 64-bit and 32-bit objects are read; one of the other byte order is
/// refused, since no header of it can be read here (nor loaded by this host).
///
/// A shared object cut short fails this: the linkers (ld, gold, lld, mold) put the section headers
/// at its end, and its segments cover the rest. A file that passes can still be one the runtime
/// cannot load (another architecture, a missing symbol); the runtime reports that as an init
/// error.
std::optional<std::string> elf_file_problem(const std::filesystem::path& file);

}  // namespace kbatch::serve
