#include "bios/boot/multiboot_loader.h"

#include <algorithm>
#include <cstdio>

#include "bios/boot/le_bytes.h"

namespace sandpc {

namespace {

constexpr uint32_t kSearchLimit = 8192;
constexpr uint32_t kFlagPageAlignModules = 1u << 0;
constexpr uint32_t kFlagMemoryInfo = 1u << 1;
constexpr uint32_t kFlagVideoMode = 1u << 2;
constexpr uint32_t kFlagAddressFields = 1u << 16;
constexpr uint32_t kUnderstoodRequirements = kFlagPageAlignModules | kFlagMemoryInfo;

constexpr uint64_t kBiosAreaStart = 0xA0000;
constexpr uint64_t kBiosAreaEnd = 0x100000;
constexpr uint64_t kFourGiB = 0x100000000ull;
constexpr uint32_t kPage = 4096;

// Info block flags (what the fields we fill in mean).
constexpr uint32_t kInfoMem = 1u << 0;
constexpr uint32_t kInfoCmdline = 1u << 2;
constexpr uint32_t kInfoMods = 1u << 3;
constexpr uint32_t kInfoMmap = 1u << 6;
constexpr uint32_t kInfoLoaderName = 1u << 9;
constexpr uint32_t kInfoSize = 120;
constexpr uint32_t kMmapEntrySize = 24;  // u32 size field + 20 bytes
constexpr uint32_t kModuleEntrySize = 16;
constexpr char kLoaderName[] = "sandpc";

struct Segment {
    uint64_t paddr = 0;
    std::span<const uint8_t> data;
    uint64_t memsz = 0;
};

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

[[noreturn]] void fail(const std::string& name, const std::string& what) {
    throw MultibootError(name + ": " + what);
}

uint64_t align_up(uint64_t v, uint64_t a) {
    return (v + a - 1) / a * a;
}

bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end) {
    return a < b_end && b < a_end;
}

void check_segment(const Segment& s, uint64_t ram, const std::string& name,
                   const std::string& what) {
    const uint64_t end = s.paddr + s.memsz;
    if (end > kFourGiB) fail(name, what + " at " + hex(s.paddr) + " runs past 4 GiB");
    if (s.memsz != 0 && overlaps(s.paddr, end, kBiosAreaStart, kBiosAreaEnd)) {
        fail(name, what + " [" + hex(s.paddr) + ", " + hex(end) +
                       ") overlaps the video/BIOS area 0xa0000-0xfffff");
    }
    if (end > ram) {
        fail(name, what + " ends at " + hex(end) + ", beyond the end of usable RAM at " + hex(ram));
    }
}

std::vector<Segment> elf_segments(std::span<const uint8_t> image, const std::string& name,
                                  uint32_t& entry) {
    if (image.size() < 52 || image[0] != 0x7F || image[1] != 'E' || image[2] != 'L' ||
        image[3] != 'F') {
        fail(name, "multiboot header has no address fields (flag 16) and the file is not ELF");
    }
    if (image[4] != 1 || image[5] != 1) fail(name, "ELF: not a 32-bit little-endian file");
    if (le16(image, 18) != 3) fail(name, "ELF: e_machine is not i386");
    if (le16(image, 16) != 2) fail(name, "ELF: e_type is not an executable");
    entry = le32(image, 24);
    const uint64_t phoff = le32(image, 28);
    const uint64_t phentsize = le16(image, 42);
    const uint64_t phnum = le16(image, 44);
    if (phentsize < 32 || phoff + phentsize * phnum > image.size()) {
        fail(name, "ELF: program header table (e_phoff/e_phentsize/e_phnum) is outside the file");
    }
    std::vector<Segment> out;
    for (uint64_t i = 0; i < phnum; ++i) {
        const size_t ph = phoff + i * phentsize;
        if (le32(image, ph) != 1) continue;  // PT_LOAD only
        const uint64_t offset = le32(image, ph + 4);
        const uint64_t filesz = le32(image, ph + 16);
        const std::string what = "ELF segment " + std::to_string(i);
        Segment s{le32(image, ph + 12), {}, le32(image, ph + 20)};
        if (filesz > s.memsz) fail(name, what + ": p_filesz is larger than p_memsz");
        if (offset + filesz > image.size()) {
            fail(name, what + ": p_offset + p_filesz is past the end of the file");
        }
        s.data = image.subspan(offset, filesz);
        out.push_back(s);
    }
    if (out.empty()) fail(name, "ELF: no PT_LOAD segment");
    return out;
}

Segment aout_segment(std::span<const uint8_t> image, const MultibootHeader& h,
                     const std::string& name) {
    if (h.header_addr < h.load_addr) fail(name, "multiboot header_addr is below load_addr");
    const uint64_t skip = h.header_addr - h.load_addr;
    if (skip > h.offset) fail(name, "multiboot load_addr lies before the start of the file");
    const uint64_t offset = h.offset - skip;
    uint64_t load_size = image.size() - offset;
    if (h.load_end_addr != 0) {
        if (h.load_end_addr < h.header_addr) fail(name, "multiboot load_end_addr < header_addr");
        load_size = h.load_end_addr - h.load_addr;
        if (offset + load_size > image.size()) {
            fail(name, "multiboot load_end_addr is past the end of the file");
        }
    }
    uint64_t memsz = load_size;
    if (h.bss_end_addr != 0) {
        if (h.bss_end_addr < h.load_addr + load_size) {
            fail(name, "multiboot bss_end_addr is below load_end_addr");
        }
        memsz = h.bss_end_addr - h.load_addr;
    }
    return Segment{h.load_addr, image.subspan(offset, load_size), memsz};
}

void write_zeros(PhysicalMemory& mem, uint64_t addr, uint64_t count) {
    const std::vector<uint8_t> zeros(std::min<uint64_t>(count, 1u << 16), 0);
    while (count != 0) {
        const uint64_t n = std::min<uint64_t>(count, zeros.size());
        mem.write(addr, std::span(zeros).first(n));
        addr += n;
        count -= n;
    }
}

// mem_lower / mem_upper in KiB, from the usable regions at 0 and 1 MiB.
void memory_sizes(const MultibootConfig& c, uint32_t& lower, uint32_t& upper) {
    lower = 0;
    upper = 0;
    if (c.memory_map.empty()) {
        lower = 639;
        upper = c.ram_bytes > kBiosAreaEnd ? uint32_t((c.ram_bytes - kBiosAreaEnd) / 1024) : 0;
        return;
    }
    for (const MemoryRegion& r : c.memory_map) {
        if (r.type != 1) continue;
        const uint64_t end = r.base + r.length;
        if (r.base == 0) lower = uint32_t(std::min<uint64_t>(end, 640 * 1024) / 1024);
        if (r.base <= kBiosAreaEnd && end > kBiosAreaEnd) {
            upper = uint32_t(std::min<uint64_t>((end - kBiosAreaEnd) / 1024, UINT32_MAX));
        }
    }
}

}  // namespace

MultibootHeader find_multiboot_header(std::span<const uint8_t> image, const std::string& name) {
    const size_t limit = std::min<size_t>(image.size(), kSearchLimit);
    std::string bad_checksum;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        if (le32(image, off) != kMultibootHeaderMagic) continue;
        MultibootHeader h;
        h.offset = static_cast<uint32_t>(off);
        h.flags = le32(image, off + 4);
        const uint32_t checksum = le32(image, off + 8);
        if (uint32_t(kMultibootHeaderMagic + h.flags + checksum) != 0) {
            if (bad_checksum.empty()) {
                bad_checksum = "; the magic at offset " + hex(off) + " has checksum " +
                               hex(checksum) + ", expected " +
                               hex(uint32_t(0u - kMultibootHeaderMagic - h.flags));
            }
            continue;
        }
        if (h.flags & kFlagVideoMode) {
            fail(name, "multiboot flags request a video mode (bit 2), which is not supported");
        }
        if (h.flags & 0xFFFF & ~kUnderstoodRequirements) {
            fail(name, "multiboot flags " + hex(h.flags) + " have unknown required bits");
        }
        if (h.flags & kFlagAddressFields) {
            if (off + 32 > image.size()) fail(name, "multiboot address fields are truncated");
            h.header_addr = le32(image, off + 12);
            h.load_addr = le32(image, off + 16);
            h.load_end_addr = le32(image, off + 20);
            h.bss_end_addr = le32(image, off + 24);
            h.entry_addr = le32(image, off + 28);
        }
        return h;
    }
    fail(name, "no multiboot header (magic 0x1badb002 with a valid checksum) in the first 8 KiB" +
                   bad_checksum);
}

MultibootResult load_multiboot(PhysicalMemory& mem, std::span<const uint8_t> image,
                               const MultibootConfig& config) {
    const std::string& name = config.kernel_name;
    const uint64_t ram = std::min(config.ram_bytes, kFourGiB);
    const MultibootHeader h = find_multiboot_header(image, name);
    MultibootResult r;

    std::vector<Segment> segments;
    if (h.flags & kFlagAddressFields) {
        segments.push_back(aout_segment(image, h, name));
        r.entry.eip = h.entry_addr;
    } else {
        segments = elf_segments(image, name, r.entry.eip);
    }
    uint64_t start = UINT64_MAX, end = 0;
    for (size_t i = 0; i < segments.size(); ++i) {
        check_segment(segments[i], ram, name, "segment " + std::to_string(i));
        start = std::min(start, segments[i].paddr);
        end = std::max(end, segments[i].paddr + segments[i].memsz);
    }
    r.kernel_start = static_cast<uint32_t>(start);
    r.kernel_end = static_cast<uint32_t>(end);

    // Modules, page aligned, above the kernel and 1 MiB.
    uint64_t cursor = align_up(std::max(end, kBiosAreaEnd), kPage);
    for (size_t i = 0; i < config.modules.size(); ++i) {
        const uint64_t size = config.modules[i].data.size();
        if (cursor + size > ram) {
            fail(name, "module " + std::to_string(i) + " (" + config.modules[i].cmdline + ", " +
                           std::to_string(size) + " bytes) does not fit in RAM");
        }
        r.module_addrs.push_back(static_cast<uint32_t>(cursor));
        cursor = align_up(cursor + size, kPage);
    }

    // Info block: the structure, memory map, module list, then strings.
    const uint32_t mmap_off = kInfoSize;
    const uint32_t mmap_len = static_cast<uint32_t>(config.memory_map.size() * kMmapEntrySize);
    const uint32_t mods_off = mmap_off + mmap_len;
    uint32_t strings_off = mods_off + uint32_t(config.modules.size() * kModuleEntrySize);
    uint64_t blob_size = strings_off + config.cmdline.size() + 1 + sizeof kLoaderName;
    for (const MultibootModule& m : config.modules) blob_size += m.cmdline.size() + 1;

    uint64_t base = config.info_base;
    bool low_ok = base + blob_size <= config.info_limit;
    for (const Segment& s : segments) {
        if (overlaps(base, base + blob_size, s.paddr, s.paddr + s.memsz)) low_ok = false;
    }
    if (!low_ok) base = cursor;
    if (base + blob_size > ram) fail(name, "no room in RAM for the multiboot information");

    std::vector<uint8_t> blob(blob_size, 0);
    auto add_string = [&](const std::string& s) {
        std::copy(s.begin(), s.end(), blob.begin() + strings_off);
        const uint32_t addr = static_cast<uint32_t>(base + strings_off);
        strings_off += static_cast<uint32_t>(s.size() + 1);
        return addr;
    };
    uint32_t lower = 0, upper = 0;
    memory_sizes(config, lower, upper);
    uint32_t flags = kInfoMem | kInfoCmdline | kInfoMods | kInfoLoaderName;
    put_le32(blob, 4, lower);
    put_le32(blob, 8, upper);
    put_le32(blob, 16, add_string(config.cmdline));
    put_le32(blob, 20, static_cast<uint32_t>(config.modules.size()));
    put_le32(blob, 24, static_cast<uint32_t>(base + mods_off));
    if (!config.memory_map.empty()) {
        flags |= kInfoMmap;
        put_le32(blob, 44, mmap_len);
        put_le32(blob, 48, static_cast<uint32_t>(base + mmap_off));
        for (size_t i = 0; i < config.memory_map.size(); ++i) {
            const size_t e = mmap_off + i * kMmapEntrySize;
            put_le32(blob, e, kMmapEntrySize - 4);
            put_le64(blob, e + 4, config.memory_map[i].base);
            put_le64(blob, e + 12, config.memory_map[i].length);
            put_le32(blob, e + 20, config.memory_map[i].type);
        }
    }
    for (size_t i = 0; i < config.modules.size(); ++i) {
        const size_t e = mods_off + i * kModuleEntrySize;
        put_le32(blob, e, r.module_addrs[i]);
        put_le32(blob, e + 4, r.module_addrs[i] + uint32_t(config.modules[i].data.size()));
        put_le32(blob, e + 8, add_string(config.modules[i].cmdline));
    }
    put_le32(blob, 64, add_string(kLoaderName));
    put_le32(blob, 0, flags);

    // Everything checked: write guest memory.
    for (const Segment& s : segments) {
        mem.write(s.paddr, s.data);
        write_zeros(mem, s.paddr + s.data.size(), s.memsz - s.data.size());
    }
    for (size_t i = 0; i < config.modules.size(); ++i) {
        mem.write(r.module_addrs[i], config.modules[i].data);
    }
    mem.write(base, blob);
    r.info_addr = static_cast<uint32_t>(base);
    r.entry.ebx = r.info_addr;
    return r;
}

}  // namespace sandpc
