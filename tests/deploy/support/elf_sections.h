// Deployment tests: what an ELF file carries, to tell a stripped plugin from one with debug
// information without depending on binutils being on the test machine's PATH.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kbatch::deploy_test {

/// The names of the sections of a 64-bit ELF file (".text", ".debug_info", ".symtab", ...), in
/// file order. Fails the test if `file` is not one.
std::vector<std::string> elf_section_names(const std::filesystem::path& file);

/// Whether `file` has a section named `name`.
bool has_elf_section(const std::filesystem::path& file, const std::string& name);

}  // namespace kbatch::deploy_test
