#include "elf_file.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "status.h"
#include "unique_fd.h"

namespace kbatch::serve {
namespace {

struct Elf64 {
    using Ehdr = Elf64_Ehdr;
    using Phdr = Elf64_Phdr;
    using Shdr = Elf64_Shdr;
    static constexpr int kBits = 64;
};

struct Elf32 {
    using Ehdr = Elf32_Ehdr;
    using Phdr = Elf32_Phdr;
    using Shdr = Elf32_Shdr;
    static constexpr int kBits = 32;
};

// The open file, read at offsets.
class Reader {
  public:
    explicit Reader(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
    std::uint64_t size() const noexcept { return size_; }

    bool read(std::uint64_t offset, void* out, std::size_t length) const {
        auto* bytes = static_cast<unsigned char*>(out);
        while (length > 0) {
            const ssize_t got = pread(fd_, bytes, length, static_cast<off_t>(offset));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                return false;
            bytes += got;
            offset += static_cast<std::uint64_t>(got);
            length -= static_cast<std::size_t>(got);
        }
        return true;
    }

  private:
    int fd_;
    std::uint64_t size_;
};

// Where `count` entries of `entry_size` bytes from `offset` end; past any file on overflow.
std::uint64_t table_end(std::uint64_t offset, std::uint64_t count, std::uint64_t entry_size) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    // count and entry_size come from 32-bit fields at most, so their product does not overflow.
    const std::uint64_t bytes = count * entry_size;
    return offset > kMax - bytes ? kMax : offset + bytes;
}

// The file is there and read, but is not a whole ELF file: a plugin that cannot be loaded (yet).
Status not_whole(std::string problem) {
    return Status::error(ErrorKind::kPluginLoadError, std::move(problem));
}

Status unreadable() {
    return Status::error(ErrorKind::kIoError, "cannot be read");
}

Status cut_short(std::string_view what, std::uint64_t end, std::uint64_t size) {
    return not_whole(fmt::format("ends inside {} (at byte {} of {})", what, size, end));
}

// A table of headers, `Entry` each, read whole (its end is checked against the file's size
// first, so the buffer is never larger than the file).
template <class Entry>
bool read_table(const Reader& file, std::uint64_t offset, std::uint64_t count,
                std::uint64_t entry_size, std::vector<Entry>* entries) {
    std::vector<unsigned char> bytes(count * entry_size);
    if (!file.read(offset, bytes.data(), bytes.size()))
        return false;
    entries->resize(count);
    for (std::uint64_t i = 0; i < count; ++i)
        std::memcpy(&(*entries)[i], bytes.data() + i * entry_size, sizeof(Entry));
    return true;
}

template <class Elf>
Status check(const Reader& file) {
    using Ehdr = typename Elf::Ehdr;
    using Phdr = typename Elf::Phdr;
    using Shdr = typename Elf::Shdr;
    const std::uint64_t size = file.size();
    Ehdr header{};
    if (size < sizeof header) {
        return not_whole(
            fmt::format("ends inside its ELF header ({} of its {} bytes)", size, sizeof header));
    }
    if (!file.read(0, &header, sizeof header))
        return unreadable();

    std::uint64_t segment_count = header.e_phnum;
    std::uint64_t section_count = header.e_shnum;
    // Extended numbering: a count too large for its 16-bit field is kept in section 0.
    if (header.e_shoff != 0 && (section_count == 0 || segment_count == PN_XNUM)) {
        Shdr first{};
        const std::uint64_t end = table_end(header.e_shoff, 1, sizeof first);
        if (end > size)
            return cut_short("its section headers", end, size);
        if (!file.read(header.e_shoff, &first, sizeof first))
            return unreadable();
        if (section_count == 0)
            section_count = first.sh_size;
        if (segment_count == PN_XNUM)
            segment_count = first.sh_info;
    }
    if (segment_count > 0 && header.e_phentsize < sizeof(Phdr)) {
        return not_whole(
            fmt::format("is not a valid ELF{} file: its program headers are {} bytes, not {}",
                        Elf::kBits, header.e_phentsize, sizeof(Phdr)));
    }
    if (section_count > 0 && header.e_shentsize < sizeof(Shdr)) {
        return not_whole(
            fmt::format("is not a valid ELF{} file: its section headers are {} bytes, not {}",
                        Elf::kBits, header.e_shentsize, sizeof(Shdr)));
    }
    const std::uint64_t segments_end = table_end(header.e_phoff, segment_count, header.e_phentsize);
    if (segments_end > size)
        return cut_short("its program headers", segments_end, size);
    const std::uint64_t sections_end = table_end(header.e_shoff, section_count, header.e_shentsize);
    if (sections_end > size)
        return cut_short("its section headers", sections_end, size);

    std::vector<Phdr> segments;
    if (!read_table(file, header.e_phoff, segment_count, header.e_phentsize, &segments))
        return unreadable();
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::uint64_t end = table_end(segments[i].p_offset, 1, segments[i].p_filesz);
        if (end > size)
            return cut_short(fmt::format("its segment {}", i), end, size);
    }
    std::vector<Shdr> sections;
    if (!read_table(file, header.e_shoff, section_count, header.e_shentsize, &sections))
        return unreadable();
    for (std::size_t i = 0; i < sections.size(); ++i) {
        if (sections[i].sh_type == SHT_NOBITS)  // .bss and the like take no bytes of the file
            continue;
        const std::uint64_t end = table_end(sections[i].sh_offset, 1, sections[i].sh_size);
        if (end > size)
            return cut_short(fmt::format("its section {}", i), end, size);
    }
    return Status::ok();
}

}  // namespace

Status check_elf_file(const std::filesystem::path& path) {
    const UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        return Status::error(ErrorKind::kIoError,
                             fmt::format("cannot be opened: {}", errno_text(errno)));
    }
    struct stat info {};
    if (fstat(fd.get(), &info) != 0) {
        return Status::error(ErrorKind::kIoError,
                             fmt::format("cannot be read: {}", errno_text(errno)));
    }
    const Reader file(fd.get(), static_cast<std::uint64_t>(info.st_size));
    Status status = Status::ok();
    unsigned char ident[EI_NIDENT] = {};
    if (file.size() < SELFMAG) {
        status =
            not_whole(fmt::format("is {} bytes long, shorter than an ELF header", file.size()));
    } else if (!file.read(0, ident, std::min<std::uint64_t>(file.size(), EI_NIDENT))) {
        status = unreadable();
    } else if (std::memcmp(ident, ELFMAG, SELFMAG) != 0) {
        status = not_whole(
            fmt::format("is not an ELF file: it starts with {:02x} {:02x} {:02x} {:02x}, not "
                        "7f 45 4c 46 (\"\\x7fELF\")",
                        ident[0], ident[1], ident[2], ident[3]));
    } else if (file.size() < EI_NIDENT) {
        status = not_whole(fmt::format("ends inside its ELF header ({} bytes)", file.size()));
    } else if (const unsigned char host =
                   std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;
               ident[EI_DATA] != host) {
        status = not_whole(
            fmt::format("is an ELF file of the other byte order (EI_DATA {}, this host's is {})",
                        ident[EI_DATA], host));
    } else if (ident[EI_CLASS] == ELFCLASS64) {
        status = check<Elf64>(file);
    } else if (ident[EI_CLASS] == ELFCLASS32) {
        status = check<Elf32>(file);
    } else {
        status =
            not_whole(fmt::format("is not a valid ELF file: its class (EI_CLASS) is {}, neither 32 "
                                  "nor 64-bit",
                                  ident[EI_CLASS]));
    }
    return status;
}

}  // namespace kbatch::serve
