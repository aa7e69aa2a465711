// kbatch runtime: reading whole files (and standard input) into a buffer.
#pragma once

#include <string>

namespace kbatch {

/// Reads all of `path` ("-" for standard input) into `contents`, replacing what it held.
/// Returns false with a one-line reason in `error` ("cannot open x.json: No such file or
/// directory").
bool read_whole_file(const std::string& path, std::string* contents, std::string* error);

}  // namespace kbatch
