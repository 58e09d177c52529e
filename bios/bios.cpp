#include "bios/bios.h"

#include "bios/acpi/acpi_tables.h"
#include "bios/bda.h"
#include "bios/option_rom.h"
#include "snapshot/state_stream.h"

namespace sandpc {

Bios::Bios(BiosHost& host, BiosConfig config) : host_(host), config_(std::move(config)) {
    install_smbios();
}

bool Bios::trap(uint32_t linear) {
    if (linear < BiosRom::kBase || linear >= BiosRom::kBase + BiosRom::kSize) return false;
    BiosService service;
    if (!rom_.service_at(linear - BiosRom::kBase, service)) return false;
    BiosCall c(host_.cpu());
    c.finish();
    switch (service) {
        case BiosService::kPost: post(c); break;
        case BiosService::kOptionRom: next_option_rom(c); break;
        case BiosService::kBoot: boot(c); break;
        case BiosService::kNoBootDevice: host_.boot_failed("no bootable device (INT 18h)"); break;
        case BiosService::kVideo: video(c); break;
        case BiosService::kEquipment: c.set_ax(c.read16(bda::kEquipment)); break;
        case BiosService::kMemorySize: c.set_ax(c.read16(bda::kMemoryKb)); break;
        case BiosService::kDisk: disk(c); break;
        case BiosService::kSerial: serial(c); break;
        case BiosService::kSystem: system(c); break;
        case BiosService::kKeyboard: keyboard(c); break;
        case BiosService::kPrinter: c.set_ah(0x30); break;  // no printer: selected bits clear
        case BiosService::kTime: time(c); break;
        case BiosService::kTimerIrq: timer_irq(c); break;
        case BiosService::kKeyboardIrq: keyboard_irq(c); break;
        case BiosService::kFloppyIrq:
            c.write8(bda::kFloppyRecal, c.read8(bda::kFloppyRecal) | 0x80);
            break;
        case BiosService::kRtcIrq: rtc_irq(c); break;
        case BiosService::kDiskIrq: c.write8(bda::kDiskIrqFlag, 0xFF); break;
    }
    return true;
}

uint8_t Bios::cmos_read(uint8_t index) {
    host_.io().write8(0x70, index);
    return host_.io().read8(0x71);
}

void Bios::cmos_write(uint8_t index, uint8_t value) {
    host_.io().write8(0x70, index);
    host_.io().write8(0x71, value);
}

namespace {

uint8_t from_bcd(uint8_t v) {
    return uint8_t((v >> 4) * 10 + (v & 0x0F));
}

// 18.2065 Hz: 1193182 / 65536 ticks per second.
uint32_t ticks_since_midnight(unsigned h, unsigned m, unsigned s) {
    uint64_t seconds = h * 3600ull + m * 60ull + s;
    return static_cast<uint32_t>(seconds * 1193182ull / 65536ull);
}

}  // namespace

void Bios::post(BiosCall& c) {
    IoBus& io = host_.io();
    // Interrupt controllers: master vectors 08h-0Fh, slave 70h-77h.
    const uint8_t pic_init[][2] = {{0x20, 0x11}, {0x21, 0x08}, {0x21, 0x04}, {0x21, 0x01},
                                   {0xA0, 0x11}, {0xA1, 0x70}, {0xA1, 0x02}, {0xA1, 0x01}};
    for (auto& [port, value] : pic_init) io.write8(port, value);
    io.write8(0x21, 0xB8);  // IRQ 0, 1, 2, 6 open
    io.write8(0xA1, 0xBE);  // IRQ 8 (RTC) and 14 (disk) open on the slave
    // PIT counter 0: mode 3, count 65536 (18.2 Hz).
    io.write8(0x43, 0x36);
    io.write8(0x40, 0x00);
    io.write8(0x40, 0x00);

    // DMA: the second controller's channel 4 cascades the first.
    io.write8(0xD6, 0xC0);
    io.write8(0xD4, 0x00);

    // Keyboard controller: keyboard IRQ on, system flag, scan-code
    // translation, mouse port off until a driver enables it.
    io.write8(0x64, 0x60);
    io.write8(0x60, 0x65);

    // IVT, BIOS data area and EBDA.
    for (uint32_t a = 0; a < 0x500; a += 4) c.write32(a, 0);
    for (unsigned v = 0; v < 256; ++v) {
        c.write16(v * 4, rom_.vector_entry(v));
        c.write16(v * 4 + 2, BiosRom::kSegment);
    }
    for (unsigned v = 0x60; v < 0x68; ++v) c.write32(v * 4, 0);  // user vectors
    for (uint32_t a = bda::kEbda; a < bda::kEbda + 0x400; a += 4) c.write32(a, 0);
    c.write8(bda::kEbda, 1);  // EBDA size in KiB
    c.write16(bda::kEbdaSegment, bda::kEbdaSeg);
    c.write16(bda::kMemoryKb, uint16_t(bda::kEbda / 1024));

    // Serial ports that answer the scratch-register test.
    const uint16_t com_bases[] = {0x3F8, 0x2F8, 0x3E8, 0x2E8};
    unsigned com_count = 0;
    for (uint16_t base : com_bases) {
        io.write8(base + 7, 0x5A);
        if (io.read8(base + 7) == 0x5A) c.write16(bda::kComPorts + 2 * com_count++, base);
    }
    unsigned floppies = (host_.floppy(0) ? 1 : 0) + (host_.floppy(1) ? 1 : 0);
    uint16_t equipment = 0x0020 | 0x0002;  // 80x25 colour, maths coprocessor
    if (floppies) equipment |= 0x0001 | uint16_t((floppies - 1) << 6);
    equipment |= uint16_t(com_count << 9);
    c.write16(bda::kEquipment, equipment);

    // Keyboard buffer (offsets from segment 0x40).
    c.write16(bda::kKbdBufStart, 0x1E);
    c.write16(bda::kKbdBufEnd, 0x3E);
    c.write16(bda::kKbdHead, 0x1E);
    c.write16(bda::kKbdTail, 0x1E);
    c.write8(bda::kKbdFlags3, 0x10);  // 101/102-key keyboard

    // Disks: counts, INT 1Eh and INT 41h/46h parameter tables.
    unsigned disks = 0;
    for (unsigned i = 0; i < 4; ++i)
        if (host_.hard_disk(i)) ++disks;
    c.write8(bda::kHardDiskCount, uint8_t(disks));
    uint8_t cmos_floppy = cmos_read(0x10);
    c.write16(0x1E * 4, rom_.floppy_params(cmos_floppy >> 4));
    for (unsigned i = 0; i < 2; ++i) {
        uint32_t table = bda::kEbda + 0x180 + 16 * i;
        if (BlockBackend* d = host_.hard_disk(i)) {
            DiskGeometry g = hard_disk_geometry(d->size());
            c.write16(table + 0, uint16_t(g.cylinders));
            c.write8(table + 2, uint8_t(g.heads));
            c.write16(table + 5, 0xFFFF);  // write precompensation: none
            c.write8(table + 8, g.heads > 8 ? 0x08 : 0x00);
            c.write16(table + 12, uint16_t(g.cylinders));  // landing zone
            c.write8(table + 14, uint8_t(g.sectors));
        }
        unsigned vector = i == 0 ? 0x41 : 0x46;
        c.write16(vector * 4, uint16_t(table - bda::kEbda));
        c.write16(vector * 4 + 2, bda::kEbdaSeg);
    }

    // INT 1Fh: the upper half of the 8x8 font (CGA graphics characters 80h-FFh).
    c.write16(0x1F * 4, uint16_t(rom_.font8x8() + 128 * 8));
    c.write16(0x1F * 4 + 2, BiosRom::kSegment);

    // Time of day from the RTC.
    uint8_t status_b = cmos_read(0x0B);
    auto rtc = [&](uint8_t reg) {
        uint8_t v = cmos_read(reg);
        return (status_b & 0x04) ? v : from_bcd(v);
    };
    c.write32(bda::kTimerTicks, ticks_since_midnight(rtc(4) & 0x7F, rtc(2), rtc(0)));

    // ACPI tables at the top of low RAM, the RSDP in the EBDA.
    AcpiLayout acpi;
    acpi.ram_bytes = host_.ram_bytes();
    acpi.base = acpi_region_base(acpi.ram_bytes);
    AcpiTables tables = build_acpi_tables(acpi);
    c.write_block(tables.base, tables.blob);
    c.write_block(bda::kEbdaRsdp, tables.rsdp);

    set_video_mode(c, 0x03);
    c.write16(bda::kEbdaOptionRomScan, uint16_t(option_rom::kAreaBase >> 4));

    // Stack for option ROMs and the boot code: below the boot sector.
    c.cpu.load_segment(SS, 0x0000);
    c.cpu.s.gpr[ESP] = 0x7C00;
}

void Bios::timer_irq(BiosCall& c) {
    uint32_t ticks = c.read32(bda::kTimerTicks) + 1;
    if (ticks >= 0x1800B0) {  // 24 hours
        ticks = 0;
        c.write8(bda::kTimerRollover, 1);
    }
    c.write32(bda::kTimerTicks, ticks);
    uint8_t motor = c.read8(bda::kFloppyMotorTimeout);
    if (motor) {
        c.write8(bda::kFloppyMotorTimeout, uint8_t(motor - 1));
        if (motor == 1) c.write8(bda::kFloppyMotor, c.read8(bda::kFloppyMotor) & 0xF0);
    }
}

void Bios::rtc_irq(BiosCall& c) {
    (void)c;
    cmos_read(0x0C);  // acknowledge: reading register C drops IRQ 8
}

void Bios::time(BiosCall& c) {
    if (c.ah() == 0xB1) return pci_bios(c);
    uint8_t status_b = cmos_read(0x0B);
    switch (c.ah()) {
        case 0x00: {
            uint32_t ticks = c.read32(bda::kTimerTicks);
            c.set_cx(uint16_t(ticks >> 16));
            c.set_dx(uint16_t(ticks));
            c.set_al(c.read8(bda::kTimerRollover));
            c.write8(bda::kTimerRollover, 0);
            c.set_cf(false);
            break;
        }
        case 0x01:
            c.write32(bda::kTimerTicks, uint32_t(c.cx()) << 16 | c.dx());
            c.write8(bda::kTimerRollover, 0);
            c.status(0);
            break;
        case 0x02:  // RTC time, BCD (the RTC runs in BCD after POST)
            c.set_ch(cmos_read(0x04));
            c.set_cl(cmos_read(0x02));
            c.set_dh(cmos_read(0x00));
            c.set_dl(status_b & 0x01);
            c.status(0);
            break;
        case 0x03:
            cmos_write(0x0B, status_b | 0x80);
            cmos_write(0x04, c.ch());
            cmos_write(0x02, c.cl());
            cmos_write(0x00, c.dh());
            cmos_write(0x0B, uint8_t((status_b & 0x7E) | (c.dl() & 1)));
            c.status(0);
            break;
        case 0x04:
            c.set_ch(cmos_read(0x32));
            c.set_cl(cmos_read(0x09));
            c.set_dh(cmos_read(0x08));
            c.set_dl(cmos_read(0x07));
            c.status(0);
            break;
        case 0x05:
            cmos_write(0x0B, status_b | 0x80);
            cmos_write(0x32, c.ch());
            cmos_write(0x09, c.cl());
            cmos_write(0x08, c.dh());
            cmos_write(0x07, c.dl());
            cmos_write(0x0B, status_b & 0x7F);
            c.status(0);
            break;
        case 0x06:  // alarm
            if (status_b & 0x20) {
                c.set_cf(true);
                break;
            }
            cmos_write(0x05, c.ch());
            cmos_write(0x03, c.cl());
            cmos_write(0x01, c.dh());
            cmos_write(0x0B, status_b | 0x20);
            c.set_cf(false);
            break;
        case 0x07:
            cmos_write(0x0B, status_b & ~0x20);
            c.set_cf(false);
            break;
        default: c.set_cf(true); break;
    }
}

void Bios::serial(BiosCall& c) {
    unsigned port_index = c.dx();
    uint16_t base = port_index < 4 ? c.read16(bda::kComPorts + 2 * port_index) : 0;
    if (!base) {
        c.set_ah(0x80);
        return;
    }
    IoBus& io = host_.io();
    auto line_status = [&] { return io.read8(base + 5); };
    switch (c.ah()) {
        case 0x00: {
            static constexpr uint16_t kDivisors[8] = {1047, 768, 384, 192, 96, 48, 24, 12};
            uint16_t div = kDivisors[c.al() >> 5];
            io.write8(base + 3, 0x80);
            io.write8(base + 0, uint8_t(div));
            io.write8(base + 1, uint8_t(div >> 8));
            io.write8(base + 3, c.al() & 0x1F);
            io.write8(base + 1, 0x00);
            c.set_ah(line_status());
            c.set_al(io.read8(base + 6));
            break;
        }
        case 0x01:
            io.write8(base + 0, c.al());
            c.set_ah(line_status());
            break;
        case 0x02:
            if (line_status() & 0x01) {
                c.set_al(io.read8(base + 0));
                c.set_ah(line_status() & 0x1E);
            } else {
                c.set_ah(0x80);  // timeout
            }
            break;
        case 0x03:
            c.set_ah(line_status());
            c.set_al(io.read8(base + 6));
            break;
        default: c.set_ah(0x80); break;
    }
}

void Bios::save(StateWriter& w) const {
    // Every BIOS variable lives in guest RAM; the section records the
    // firmware revision so a snapshot is not resumed under another layout.
    w.begin_section("bios", 1);
    w.str(config_.boot_order);
    w.u32(static_cast<uint32_t>(rom_.image().size()));
    w.u32(crc32_of(rom_.image()));
    w.end_section();
}

void Bios::load(StateReader& r) {
    r.begin_section("bios", 1);
    std::string order = r.str();
    uint32_t size = r.u32();
    uint32_t crc = r.u32();
    if (size != rom_.image().size() || crc != crc32_of(rom_.image()))
        throw StateError("bios: the snapshot was taken with a different BIOS ROM");
    r.end_section();
    config_.boot_order = order;
}

}  // namespace sandpc
