#include "devices/cmos_layout.h"

#include <algorithm>

namespace sandpc {

namespace {
void put16(Rtc146818& rtc, unsigned index, uint64_t value) {
    uint16_t v = static_cast<uint16_t>(std::min<uint64_t>(value, 0xFFFF));
    rtc.set_nvram(index, static_cast<uint8_t>(v));
    rtc.set_nvram(index + 1, static_cast<uint8_t>(v >> 8));
}
// A drive type above 14 is stored as 0xF in the nibble plus a byte of its own.
uint8_t disk_nibble(uint8_t type) {
    return type > 14 ? 0x0F : type;
}
}  // namespace

void fill_pc_cmos(Rtc146818& rtc, const PcCmosConfig& c) {
    auto a = static_cast<uint8_t>(c.floppy_a), b = static_cast<uint8_t>(c.floppy_b);
    rtc.set_nvram(0x10, static_cast<uint8_t>((a & 0x0F) << 4 | (b & 0x0F)));
    rtc.set_nvram(0x12, static_cast<uint8_t>(disk_nibble(c.hard_disk0_type) << 4 |
                                             disk_nibble(c.hard_disk1_type)));
    rtc.set_nvram(0x19, c.hard_disk0_type > 14 ? c.hard_disk0_type : 0);
    rtc.set_nvram(0x1A, c.hard_disk1_type > 14 ? c.hard_disk1_type : 0);
    unsigned floppies = (a != 0) + (b != 0);
    uint8_t equipment = static_cast<uint8_t>((c.display & 3) << 4 | (c.fpu ? 0x02 : 0));
    if (floppies) equipment |= static_cast<uint8_t>(0x01 | (floppies - 1) << 6);
    rtc.set_nvram(0x14, equipment);
    put16(rtc, 0x15, c.base_memory_kb);
    uint64_t above_1m = c.ram_bytes > (1u << 20) ? (c.ram_bytes - (1u << 20)) >> 10 : 0;
    put16(rtc, 0x17, above_1m);
    put16(rtc, 0x30, above_1m);
    uint64_t above_16m = c.ram_bytes > (16u << 20) ? (c.ram_bytes - (16u << 20)) >> 16 : 0;
    put16(rtc, 0x34, above_16m);
    update_cmos_checksum(rtc);
}

void update_cmos_checksum(Rtc146818& rtc) {
    uint16_t sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; ++i) sum = static_cast<uint16_t>(sum + rtc.nvram(i));
    rtc.set_nvram(0x2E, static_cast<uint8_t>(sum >> 8));
    rtc.set_nvram(0x2F, static_cast<uint8_t>(sum));
}

}  // namespace sandpc
