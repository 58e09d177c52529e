// The standard PC/AT CMOS contents a BIOS expects, written into the RTC's
// NVRAM: floppy types (0x10), hard disk types (0x12, 0x19-0x1A), equipment
// (0x14), base memory (0x15-0x16), memory above 1 MiB in KiB (0x17-0x18 and
// 0x30-0x31, capped at 65535), memory above 16 MiB in 64 KiB blocks
// (0x34-0x35, capped) and the checksum (0x2E high, 0x2F low) over 0x10-0x2D.
#pragma once

#include <cstdint>

#include "devices/rtc146818.h"

namespace sandpc {

enum class FloppyType : uint8_t {
    kNone = 0,
    k360K = 1,
    k1200K = 2,
    k720K = 3,
    k1440K = 4,
    k2880K = 5,
};

struct PcCmosConfig {
    uint64_t ram_bytes = 16ull << 20;  // all guest RAM, including the first MiB
    uint16_t base_memory_kb = 640;
    FloppyType floppy_a = FloppyType::kNone;
    FloppyType floppy_b = FloppyType::kNone;
    uint8_t hard_disk0_type = 0;  // 0 none, 1-14 standard, 47 user defined
    uint8_t hard_disk1_type = 0;
    bool fpu = true;
    uint8_t display = 0;  // equipment bits 5-4: 0 = EGA/VGA
};

void fill_pc_cmos(Rtc146818& rtc, const PcCmosConfig& config);
// Recomputes 0x2E-0x2F; call after changing any byte in 0x10-0x2D.
void update_cmos_checksum(Rtc146818& rtc);

}  // namespace sandpc
