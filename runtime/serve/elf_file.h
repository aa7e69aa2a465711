// kbatch serve: telling a whole shared object from one that a linker is still writing.
#pragma once

#include <filesystem>

#include "status.h"

namespace kbatch::serve {

/// OK when `file` is a whole ELF object: the ELF header, the program headers and the section
/// headers, and every segment and section they describe that has bytes in the file, lie within
/// the file. Otherwise what keeps it from being one, in words that follow the file's path (the
/// caller names the file: "ends inside its section headers (...)"): kIoError when it cannot be
/// opened or read, kPluginLoadError when it is read but is not a whole ELF file (a plugin the
/// runtime could not load). 64-bit and 32-bit objects are read; one of the other byte order is
/// refused, since no header of it can be read here (nor loaded by this host).
///
/// A shared object cut short fails this: the linkers (ld, gold, lld, mold) put the section headers
/// at its end, and its segments cover the rest. A file that passes can still be one the runtime
/// cannot load (another architecture, a missing symbol); the runtime reports that as an init
/// error.
Status check_elf_file(const std::filesystem::path& file);

}  // namespace kbatch::serve
