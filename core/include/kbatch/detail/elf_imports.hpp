// kbatch plugin SDK, internal: which symbols a shared object imports, read from its ELF file.
//
// The host needs this for one check only: an ABI version 1 plugin carries no fingerprint, so a
// version 1 plugin built with the other libstdc++ dual ABI would be called with std::string and
// nlohmann::json objects of the wrong layout (the host dies in free()). Such a plugin gives itself
// away by what it imports: the pre-C++11 std::string's members (`_ZNSs...`) instead of
// std::__cxx11's. Reading the dynamic symbol table is enough for that and runs nothing of the
// plugin; it is not a general ELF reader.
#pragma once

#include <elf.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kbatch {
namespace detail {

/// The name of the first symbol that `file` imports (undefined in its dynamic symbol table,
/// .dynsym, which stripping keeps) and that starts with one of `prefixes`. Empty when none does,
/// and also when `file` is not a little-endian 64-bit ELF file whose tables lie inside it: the
/// check built on this is a refusal of a known mistake, and a file it cannot read goes on to
/// dlopen's own checks. Reads at most the section headers, .dynsym and its string table (each
/// bounded by the file's size). Thread safety: none needed; it touches only its own stream.
inline std::string first_import_starting_with(const std::filesystem::path& file,
                                              std::span<const std::string_view> prefixes) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return {};
    in.seekg(0, std::ios::end);
    const auto end = in.tellg();
    if (end <= 0)
        return {};
    const auto file_size = static_cast<std::uint64_t>(end);
    // Reads [offset, offset + size) into `out`, refusing ranges outside the file.
    const auto read_at = [&in, file_size](std::uint64_t offset, std::uint64_t size, void* out) {
        if (offset > file_size || size > file_size - offset)
            return false;
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(static_cast<char*>(out), static_cast<std::streamsize>(size));
        return static_cast<bool>(in);
    };

    Elf64_Ehdr header;
    if (!read_at(0, sizeof header, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
        header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB ||
        header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shnum == 0)
        return {};
    std::vector<Elf64_Shdr> sections(header.e_shnum);
    if (!read_at(header.e_shoff, sections.size() * sizeof(Elf64_Shdr), sections.data()))
        return {};

    for (const Elf64_Shdr& symbols : sections) {
        if (symbols.sh_type != SHT_DYNSYM || symbols.sh_link >= sections.size())
            continue;
        const Elf64_Shdr& names = sections[symbols.sh_link];
        // Sizes are checked against the file before anything is allocated for them.
        if (names.sh_type != SHT_STRTAB || names.sh_size > file_size || symbols.sh_size > file_size)
            return {};
        std::string text(names.sh_size, '\0');
        if (!read_at(names.sh_offset, names.sh_size, text.data()))
            return {};
        std::vector<Elf64_Sym> table(symbols.sh_size / sizeof(Elf64_Sym));
        if (!read_at(symbols.sh_offset, table.size() * sizeof(Elf64_Sym), table.data()))
            return {};
        for (const Elf64_Sym& symbol : table) {
            if (symbol.st_shndx != SHN_UNDEF || symbol.st_name >= text.size())
                continue;
            // The string table's names end with a NUL; the last one may not, if it is damaged.
            const std::string_view rest(text.data() + symbol.st_name, text.size() - symbol.st_name);
            const std::string_view name = rest.substr(0, rest.find('\0'));
            for (const std::string_view prefix : prefixes) {
                if (name.starts_with(prefix))
                    return std::string(name);
            }
        }
    }
    return {};
}

}  // namespace detail
}  // namespace kbatch
