// INT 15h system services and INT 19h bootstrap.
#include <algorithm>
#include <cstring>
#include <vector>

#include "bios/acpi/acpi_tables.h"
#include "bios/bda.h"
#include "bios/bios.h"
#include "bios/e820_map.h"

namespace sandpc {

void Bios::system(BiosCall& c) {
    IoBus& io = host_.io();
    uint64_t ram = host_.ram_bytes();
    switch (c.ah()) {
        case 0x24:  // A20 gate through system control port A
            switch (c.al()) {
                case 0x00:
                case 0x01: {
                    uint8_t v = io.read8(0x92);
                    io.write8(0x92, uint8_t(c.al() ? (v | 0x02) : (v & ~0x02)) & ~0x01);
                    c.status(0);
                    break;
                }
                case 0x02:
                    c.set_al((io.read8(0x92) >> 1) & 1);
                    c.status(0);
                    break;
                case 0x03:
                    c.set_bx(0x0002);  // supported through port 0x92
                    c.status(0);
                    break;
                default: c.unsupported(); break;
            }
            break;
        case 0x4F:  // keyboard intercept: keep the scan code (CF stays set)
            c.set_cf(true);
            break;
        case 0x86: {  // wait CX:DX microseconds
            uint32_t deadline_at = bda::kEbdaWaitDeadline;
            uint64_t now = host_.now_ns();
            uint64_t deadline =
                uint64_t(c.read32(deadline_at)) | uint64_t(c.read32(deadline_at + 4)) << 32;
            if (deadline == 0) {
                uint64_t us = uint64_t(c.cx()) << 16 | c.dx();
                deadline = now + us * 1000 + 1;
                c.write32(deadline_at, uint32_t(deadline));
                c.write32(deadline_at + 4, uint32_t(deadline >> 32));
            }
            if (now < deadline) {
                c.wait();
                return;
            }
            c.write32(deadline_at, 0);
            c.write32(deadline_at + 4, 0);
            c.status(0);
            break;
        }
        case 0x87: {  // copy extended memory: ES:SI = GDT, CX = words
            uint32_t gdt = c.linear(ES, c.si());
            auto base_of = [&](uint32_t desc) {
                return uint32_t(c.read16(desc + 2)) | uint32_t(c.read8(desc + 4)) << 16 |
                       uint32_t(c.read8(desc + 7)) << 24;
            };
            uint32_t src = base_of(gdt + 0x10);
            uint32_t dst = base_of(gdt + 0x18);
            uint32_t bytes = uint32_t(c.cx()) * 2;
            if (c.cx() > 0x8000) {
                c.status(0x01);
                break;
            }
            for (uint32_t i = 0; i < bytes; ++i) c.write8(dst + i, c.read8(src + i));
            c.status(0);
            break;
        }
        case 0x88: {  // KiB above 1 MiB, up to 63 MiB
            uint64_t top = acpi_region_base(ram);
            uint64_t kb = top > 0x100000 ? (top - 0x100000) >> 10 : 0;
            c.set_ax(uint16_t(std::min<uint64_t>(kb, 0xFC00)));
            c.set_cf(false);
            break;
        }
        case 0x90:
        case 0x91: c.status(0); break;
        case 0xC0:
            c.set_segment(ES, BiosRom::kSegment);
            c.set_bx(rom_.config_table());
            c.status(0);
            break;
        case 0xC1:
            c.set_segment(ES, bda::kEbdaSeg);
            c.set_cf(false);
            break;
        case 0xE8:
            if (c.al() == 0x01) {  // E801: KiB 1-16 MiB, 64 KiB blocks above
                uint64_t top = acpi_region_base(ram);
                uint64_t low = top > 0x100000 ? std::min<uint64_t>(top, 16ull << 20) - 0x100000 : 0;
                uint64_t high = top > (16ull << 20) ? top - (16ull << 20) : 0;
                c.set_ax(uint16_t(low >> 10));
                c.set_cx(uint16_t(low >> 10));
                c.set_bx(uint16_t(high >> 16));
                c.set_dx(uint16_t(high >> 16));
                c.set_cf(false);
            } else if (c.al() == 0x20 && c.reg32(EDX) == 0x534D4150) {  // E820 'SMAP'
                std::vector<E820Entry> map = pc_e820_map(ram);
                uint32_t index = c.reg32(EBX);
                if (index >= map.size() || c.reg32(ECX) < 20) {
                    c.status(0x86);
                    break;
                }
                uint32_t at = c.linear(ES, c.di());
                const E820Entry& e = map[index];
                c.write32(at + 0, uint32_t(e.base));
                c.write32(at + 4, uint32_t(e.base >> 32));
                c.write32(at + 8, uint32_t(e.length));
                c.write32(at + 12, uint32_t(e.length >> 32));
                c.write32(at + 16, e.type);
                c.set_reg32(EAX, 0x534D4150);
                c.set_reg32(ECX, 20);
                c.set_reg32(EBX, index + 1 < map.size() ? index + 1 : 0);
                c.set_cf(false);
            } else {
                c.unsupported();
            }
            break;
        default: c.unsupported(); break;
    }
}

void Bios::start_boot_code(BiosCall& c, uint8_t drive, uint16_t cs, uint16_t ip) {
    c.write8(bda::kEbdaBootDrive, drive);
    c.set_dl(drive);
    c.cpu.load_segment(SS, 0);
    c.cpu.s.gpr[ESP] = 0x7C00;
    c.cpu.set_eflags(eflags::IF, eflags::IF);
    c.cpu.push<uint16_t>(cs);
    c.cpu.push<uint16_t>(ip);
}

void Bios::boot(BiosCall& c) {
    if (host_.boot_kernel(c.cpu)) return;
    std::string reasons;
    for (char device : config_.boot_order) {
        if (device == 'd') {
            BlockBackend* cd = host_.cdrom();
            if (!cd) continue;
            std::string why;
            if (boot_cdrom(c, *cd, why)) return;
            reasons += "CD-ROM: " + why + "; ";
            continue;
        }
        BlockBackend* disk = nullptr;
        uint8_t drive = 0;
        const char* name = "";
        if (device == 'a') {
            disk = host_.floppy(0);
            drive = 0x00;
            name = "floppy A:";
        } else if (device == 'c') {
            disk = host_.hard_disk(0);
            drive = 0x80;
            name = "hard disk";
        } else {
            continue;
        }
        if (!disk) continue;
        uint8_t sector[512];
        try {
            if (disk->size() < sizeof sector) throw BlockError("image smaller than one sector");
            disk->read(0, sector);
        } catch (const BlockError& e) {
            reasons += std::string(name) + ": " + e.what() + "; ";
            continue;
        }
        if (sector[510] != 0x55 || sector[511] != 0xAA) {
            reasons += std::string(name) + ": boot sector has no 55AA signature; ";
            continue;
        }
        c.write_block(0x7C00, sector);
        start_boot_code(c, drive, 0x0000, 0x7C00);
        return;
    }
    if (reasons.empty())
        reasons = "no boot device present in boot order '" + config_.boot_order + "'";
    host_.boot_failed(reasons);
    // The stub's RETF goes to the INT 18h halt loop.
    c.cpu.push<uint16_t>(BiosRom::kSegment);
    c.cpu.push<uint16_t>(rom_.vector_entry(0x18));
}

}  // namespace sandpc
