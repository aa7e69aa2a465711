// kbatch serve --watch: the check that a plugin file is a whole ELF file, the private copies each
// runtime loads, and the environment that points a runtime at its copy.
#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "elf_file.h"
#include "plugin_copies.h"
#include "runtime_environment.h"
#include "status.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using kbatch::ErrorKind;
using kbatch::Status;
using kbatch::serve::check_elf_file;

// The problem, or "whole", so that a failed check shows it.
std::string verdict(const fs::path& file) {
    const Status status = check_elf_file(file);
    return status.is_ok() ? "whole" : status.message();
}

// The problem with a file that is read but is not a whole ELF file ("" when it is whole, or is
// refused for another reason, so that a wrong kind fails the caller's check with the message).
std::string not_whole(const fs::path& file) {
    const Status status = check_elf_file(file);
    INFO(status.to_string());
    CHECK_FALSE(status.is_ok());
    CHECK(status.kind() == ErrorKind::kPluginLoadError);
    return status.is_ok() ? "" : status.message();
}

using kbatch::test::read_file;

// The plugin these tests read and cut: a real shared object from this build.
fs::path real_plugin() {
    return kbatch::test::stub_path("never_fails");
}

// Writes `contents` to a file `name` in `dir`, and returns its path.
fs::path write_in(const kbatch::test::TempDir& dir, std::string_view name,
                  std::string_view contents) {
    const fs::path file = dir / name;
    kbatch::test::write_file(file, contents);
    return file;
}

// A real shared object from this build, and where its parts end.
struct RealPlugin {
    std::string bytes = read_file(real_plugin());
    Elf64_Ehdr header{};
    RealPlugin() {
        REQUIRE(bytes.size() > sizeof header);
        std::memcpy(&header, bytes.data(), sizeof header);
        REQUIRE(header.e_ident[EI_CLASS] == ELFCLASS64);
    }
    std::size_t program_headers_end() const {
        return header.e_phoff + std::size_t{header.e_phnum} * header.e_phentsize;
    }
    std::size_t section_headers_end() const {
        return header.e_shoff + std::size_t{header.e_shnum} * header.e_shentsize;
    }
    // The first section with bytes in the file beyond the program headers (.dynsym, .text, ...).
    Elf64_Shdr section_after_program_headers() const {
        for (std::size_t i = 0; i < header.e_shnum; ++i) {
            Elf64_Shdr section{};
            std::memcpy(&section, bytes.data() + header.e_shoff + i * header.e_shentsize,
                        sizeof section);
            if (section.sh_type != SHT_NOBITS && section.sh_size > 1 &&
                section.sh_offset > program_headers_end()) {
                return section;
            }
        }
        FAIL("the plugin has no section with bytes beyond its program headers");
        return {};
    }
};

// A 32-bit ELF header with `program_headers` and `section_headers` entries right after it, and
// the file `extra` bytes longer or shorter than they need.
std::string elf32_file(int program_headers, int section_headers, long extra) {
    Elf32_Ehdr header{};
    std::memcpy(header.e_ident, ELFMAG, SELFMAG);
    header.e_ident[EI_CLASS] = ELFCLASS32;
    header.e_ident[EI_DATA] = ELFDATA2LSB;
    header.e_ident[EI_VERSION] = EV_CURRENT;
    header.e_type = ET_DYN;
    header.e_ehsize = sizeof header;
    header.e_phoff = program_headers > 0 ? sizeof header : 0;
    header.e_phentsize = sizeof(Elf32_Phdr);
    header.e_phnum = static_cast<Elf32_Half>(program_headers);
    // No table is at offset 0: with one there, a count of 0 would mean "counted in section 0".
    header.e_shoff =
        section_headers > 0
            ? static_cast<Elf32_Off>(sizeof header + program_headers * sizeof(Elf32_Phdr))
            : 0;
    header.e_shentsize = sizeof(Elf32_Shdr);
    header.e_shnum = static_cast<Elf32_Half>(section_headers);
    std::string bytes(reinterpret_cast<const char*>(&header), sizeof header);
    // Empty headers: no segment or section with bytes of its own, so only the tables count.
    const std::size_t tables =
        program_headers * sizeof(Elf32_Phdr) + section_headers * sizeof(Elf32_Shdr);
    bytes.resize(static_cast<std::size_t>(static_cast<long>(bytes.size() + tables) + extra));
    return bytes;
}

}  // namespace

TEST_CASE("A shared object from the build is a whole ELF file", "[serve][unit][elf]") {
    CHECK(verdict(real_plugin()) == "whole");
    // Bytes after the last part, as some tools append, take nothing away.
    const kbatch::test::TempDir dir;
    CHECK(verdict(write_in(dir, "padded.so", read_file(real_plugin()) + "trailing")) == "whole");
}

TEST_CASE("A shared object cut short anywhere is not a whole ELF file", "[serve][unit][elf]") {
    const RealPlugin plugin;
    const kbatch::test::TempDir dir;
    // The section headers are the last part of the file, as the GNU and LLVM linkers write it.
    REQUIRE(plugin.section_headers_end() == plugin.bytes.size());
    const Elf64_Shdr section = plugin.section_after_program_headers();

    struct Cut {
        std::size_t length;
        const char* problem;
    };
    const std::vector<Cut> cuts = {
        {0, "is 0 bytes long"},
        {3, "is 3 bytes long"},
        {EI_NIDENT - 1, "ends inside its ELF header"},
        {sizeof(Elf64_Ehdr) - 1, "ends inside its ELF header"},
        {plugin.header.e_phoff + 1, "ends inside its program headers"},
        {plugin.program_headers_end() - 1, "ends inside its program headers"},
        {section.sh_offset + section.sh_size / 2, "ends inside its section headers"},
        {plugin.section_headers_end() - 1, "ends inside its section headers"},
    };
    for (const Cut& cut : cuts) {
        DYNAMIC_SECTION("cut at byte " << cut.length) {
            const fs::path file = write_in(dir, "cut.so", plugin.bytes.substr(0, cut.length));
            CHECK_THAT(not_whole(file), Catch::StartsWith(cut.problem));
        }
    }

    SECTION("at random lengths, seeded") {
        std::mt19937 random(20240612);
        std::uniform_int_distribution<std::size_t> length(0, plugin.bytes.size() - 1);
        for (int i = 0; i < 200; ++i) {
            const std::size_t cut = length(random);
            const fs::path file = write_in(dir, "cut.so", plugin.bytes.substr(0, cut));
            INFO("cut at byte " << cut);
            CHECK_FALSE(check_elf_file(file).is_ok());
        }
    }
}

TEST_CASE("A segment or a section that runs past the end of the file is refused",
          "[serve][unit][elf]") {
    // Every table fits, but a part they describe does not: a file shorter than its headers say.
    const RealPlugin plugin;
    const kbatch::test::TempDir dir;

    SECTION("a section") {
        std::string bytes = plugin.bytes;
        const std::size_t last = plugin.header.e_shnum - 1u;
        const std::size_t at = plugin.header.e_shoff + last * plugin.header.e_shentsize;
        Elf64_Shdr section{};
        std::memcpy(&section, bytes.data() + at, sizeof section);
        section.sh_type = SHT_PROGBITS;
        section.sh_offset = bytes.size() - 8;
        section.sh_size = 16;
        std::memcpy(bytes.data() + at, &section, sizeof section);
        CHECK_THAT(not_whole(write_in(dir, "long.so", bytes)),
                   Catch::StartsWith("ends inside its section " + std::to_string(last) + " ("));
    }
    SECTION("a segment") {
        std::string bytes = plugin.bytes;
        Elf64_Phdr segment{};
        std::memcpy(&segment, bytes.data() + plugin.header.e_phoff, sizeof segment);
        segment.p_offset = 0;
        segment.p_filesz = bytes.size() + 1;
        std::memcpy(bytes.data() + plugin.header.e_phoff, &segment, sizeof segment);
        CHECK_THAT(not_whole(write_in(dir, "long.so", bytes)),
                   Catch::StartsWith("ends inside its segment 0 ("));
    }
}

TEST_CASE("The 32-bit header layout is read as such", "[serve][unit][elf]") {
    const kbatch::test::TempDir dir;
    CHECK(verdict(write_in(dir, "whole32.so", elf32_file(2, 3, 0))) == "whole");
    CHECK_THAT(not_whole(write_in(dir, "short32.so", elf32_file(2, 3, -1))),
               Catch::StartsWith("ends inside its section headers"));
    // Read with the 64-bit layout, this header would be cut short: it is 52 bytes, not 64.
    CHECK(verdict(write_in(dir, "header32.so", elf32_file(0, 0, 0))) == "whole");
}

TEST_CASE("What is not an ELF file is refused with what it is", "[serve][unit][elf]") {
    const kbatch::test::TempDir dir;
    CHECK_THAT(not_whole(write_in(dir, "text.so", "echo:v2\nnot a shared object at all\n")),
               Catch::StartsWith("is not an ELF file: it starts with 65 63 68 6f"));

    std::string other_order = read_file(real_plugin());
    other_order[EI_DATA] = ELFDATA2MSB;
    CHECK_THAT(not_whole(write_in(dir, "msb.so", other_order)),
               Catch::Contains("other byte order"));

    std::string no_class = read_file(real_plugin());
    no_class[EI_CLASS] = ELFCLASSNONE;
    CHECK_THAT(not_whole(write_in(dir, "none.so", no_class)), Catch::Contains("class"));

    const Status missing = check_elf_file(dir / "missing.so");
    REQUIRE_FALSE(missing.is_ok());
    CHECK(missing.kind() == ErrorKind::kIoError);
    CHECK_THAT(missing.message(), Catch::StartsWith("cannot be opened"));
}

TEST_CASE("A private copy is taken only of a whole ELF file, and removed with its folder",
          "[serve][unit][elf]") {
    const kbatch::test::TempDir dir;
    fs::path folder;
    {
        std::unique_ptr<kbatch::serve::PluginCopies> copies;
        const Status created = kbatch::serve::PluginCopies::create(&copies);
        INFO(created.message());
        REQUIRE(created.is_ok());
        REQUIRE(copies);
        folder = copies->folder();
        CHECK(fs::is_directory(folder));
        CHECK_THAT(folder.filename().string(),
                   Catch::StartsWith("kbatch-serve-" + std::to_string(getpid()) + "-"));

        const fs::path original = write_in(dir, "libplugin.so", read_file(real_plugin()));
        kbatch::serve::PluginCopy first;
        const Status first_taken = copies->take(original, &first);
        INFO(first_taken.message());
        REQUIRE(first_taken.is_ok());
        CHECK(first.original == original);
        CHECK(first.copy == folder / "gen-1" / "libplugin.so");
        CHECK(read_file(first.copy) == read_file(original));

        // The original rewritten in place leaves the copy as it was.
        std::ofstream(original, std::ios::binary | std::ios::trunc)
            << read_file(real_plugin()).substr(0, 40);
        CHECK(read_file(first.copy) == read_file(real_plugin()));
        kbatch::serve::PluginCopy broken;
        const Status broken_taken = copies->take(original, &broken);
        CHECK_FALSE(broken_taken.is_ok());
        CHECK(broken_taken.kind() == ErrorKind::kPluginLoadError);
        CHECK(broken_taken.message() == "ends inside its ELF header (40 of its 64 bytes)");
        CHECK(broken.copy.empty());
        CHECK_FALSE(fs::exists(folder / "gen-2"));  // nothing left of the refused copy

        std::ofstream(original, std::ios::binary | std::ios::trunc) << read_file(real_plugin());
        kbatch::serve::PluginCopy second;
        REQUIRE(copies->take(original, &second).is_ok());
        CHECK(second.copy == folder / "gen-3" / "libplugin.so");
        copies->remove(first);
        CHECK_FALSE(fs::exists(folder / "gen-1"));
        CHECK(fs::exists(second.copy));

        kbatch::serve::PluginCopy missing;
        const Status missing_taken = copies->take(dir / "missing.so", &missing);
        CHECK_FALSE(missing_taken.is_ok());
        CHECK(missing_taken.kind() == ErrorKind::kIoError);
        CHECK_THAT(missing_taken.message(), Catch::StartsWith("cannot be opened"));
    }
    CHECK_FALSE(fs::exists(folder));
}

TEST_CASE("A runtime pointed at a copy finds the original's libraries first", "[serve][unit]") {
    const std::vector<std::string> base = {"PATH=/usr/bin", "_HANDLER=myplugin",
                                           "LD_LIBRARY_PATH=/opt/lib:/usr/local/lib", "HOME=/h"};
    const std::vector<std::string> environment = kbatch::serve::environment_for_copy(
        base, "/tmp/kbatch-serve-1-x/gen-2/libmy.so", "/work/build/plugins/libmy.so");
    const auto count = [&environment](const std::string& entry) {
        return std::count(environment.begin(), environment.end(), entry);
    };
    CHECK(count("_HANDLER=/tmp/kbatch-serve-1-x/gen-2/libmy.so") == 1);
    CHECK(count("LD_LIBRARY_PATH=/work/build/plugins:/work/build/plugins/lib:/opt/lib:/usr/local/"
                "lib") == 1);
    CHECK(count("PATH=/usr/bin") == 1);
    CHECK(count("HOME=/h") == 1);
    CHECK(environment.size() == base.size());

    // No library path before, or an empty one: only the original's folders (an empty entry would
    // mean the current directory to the loader).
    for (const std::vector<std::string>& without :
         {std::vector<std::string>{"_HANDLER=x"},
          std::vector<std::string>{"_HANDLER=x", "LD_LIBRARY_PATH="}}) {
        const std::vector<std::string> plain =
            kbatch::serve::environment_for_copy(without, "/c/gen-1/libx.so", "/p/libx.so");
        CHECK(std::count(plain.begin(), plain.end(), "LD_LIBRARY_PATH=/p:/p/lib") == 1);
        CHECK(plain.size() == 2);
    }
}
