#include "elf_sections.h"

#include <elf.h>

#include <algorithm>
#include <fstream>
#include <string_view>

#include <catch2/catch.hpp>

namespace kbatch::deploy_test {
namespace fs = std::filesystem;

std::vector<std::string> elf_section_names(const fs::path& file) {
    INFO(file.string());
    std::ifstream in(file, std::ios::binary);
    Elf64_Ehdr header{};
    REQUIRE(in.read(reinterpret_cast<char*>(&header), sizeof header));
    REQUIRE(std::string_view(reinterpret_cast<const char*>(header.e_ident), SELFMAG) == ELFMAG);
    REQUIRE(header.e_ident[EI_CLASS] == ELFCLASS64);
    REQUIRE(header.e_shstrndx < header.e_shnum);

    std::vector<Elf64_Shdr> sections(header.e_shnum);
    for (unsigned i = 0; i < header.e_shnum; ++i) {
        in.seekg(static_cast<std::streamoff>(header.e_shoff + i * header.e_shentsize));
        REQUIRE(in.read(reinterpret_cast<char*>(&sections[i]), sizeof sections[i]));
    }
    // The section names are offsets into one string table, itself a section.
    const Elf64_Shdr& names = sections[header.e_shstrndx];
    std::string table(names.sh_size, '\0');
    in.seekg(static_cast<std::streamoff>(names.sh_offset));
    REQUIRE(in.read(table.data(), static_cast<std::streamsize>(table.size())));

    std::vector<std::string> found;
    for (const Elf64_Shdr& section : sections) {
        REQUIRE(section.sh_name < table.size());
        found.emplace_back(table.c_str() + section.sh_name);
    }
    return found;
}

bool has_elf_section(const fs::path& file, const std::string& name) {
    const std::vector<std::string> names = elf_section_names(file);
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace kbatch::deploy_test
