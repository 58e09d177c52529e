// POST's option ROM scan, through guest memory as a PC BIOS does it: every
// 2 KiB from 0xC8000 to 0xDFFFF, a 55AAh header with a zero checksum over
// its length is a ROM; its init entry (segment:0003h) is far-called on the
// BIOS's stack, and the scan goes on after the ROM. The scan position lives
// in the EBDA, so a checkpoint taken during a ROM's init resumes the scan.
#include "bios/bda.h"
#include "bios/bios.h"
#include "bios/option_rom.h"

namespace sandpc {

void Bios::next_option_rom(BiosCall& c) {
    uint32_t at = uint32_t(c.read16(bda::kEbdaOptionRomScan)) << 4;
    for (; at >= option_rom::kAreaBase && at < option_rom::kAreaEnd; at += option_rom::kAlign) {
        if (c.read8(at) != 0x55 || c.read8(at + 1) != 0xAA) continue;
        uint32_t length = uint32_t(c.read8(at + 2)) * 512;
        if (length == 0 || at + length > option_rom::kAreaEnd) continue;
        uint8_t sum = 0;
        for (uint32_t i = 0; i < length; ++i) sum = uint8_t(sum + c.read8(at + i));
        if (sum != 0) continue;
        uint32_t next = (at + length + option_rom::kAlign - 1) & ~(option_rom::kAlign - 1);
        c.write16(bda::kEbdaOptionRomScan, uint16_t(next >> 4));
        c.cpu.push<uint16_t>(BiosRom::kSegment);
        c.cpu.push<uint16_t>(rom_.option_rom_return());
        c.cpu.push<uint16_t>(uint16_t(at >> 4));
        c.cpu.push<uint16_t>(option_rom::kInitOffset);
        c.wait();  // ZF=0: the stub far-returns into the ROM
        return;
    }
    c.write16(bda::kEbdaOptionRomScan, uint16_t(option_rom::kAreaEnd >> 4));
}

}  // namespace sandpc
