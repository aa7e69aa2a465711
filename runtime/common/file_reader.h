// kbatch runtime: reading whole files (and standard input) into a buffer, within a bound.
#pragma once

#include <cstddef>
#include <limits>
#include <string>

#include "status.h"

namespace kbatch {

/// Reads all of `path` ("-" for standard input) into `contents`, replacing what it held, and
/// refuses input longer than `limit` bytes: it stops after reading one byte more than the limit,
/// so memory stays bounded whatever the input (/dev/zero, an endless pipe). A failure is
/// kIoError with a one-line message ("cannot open x.json: No such file or directory", "x.json:
/// the file is larger than 6291456 bytes"); `too_large`, when given, tells the second kind apart.
Status read_whole_file(const std::string& path, std::string* contents,
                       std::size_t limit = std::numeric_limits<std::size_t>::max(),
                       bool* too_large = nullptr);

}  // namespace kbatch
