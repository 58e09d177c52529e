// El Torito boot and the CD-ROM drive's INT 13h services on a whole Machine:
// small ISOs built in memory (tests/support/el_torito_iso.h) around the
// cd_*.asm guests, which check the services themselves and report on port
// E9h; the host then compares what they left in memory.
#include <memory>
#include <stdexcept>

#include "devices/serial_backend.h"
#include "tests/bios/bios_guest.h"
#include "tests/support/el_torito_iso.h"

namespace sandpc::test {
namespace {

// Data sector n: 'DATA', n, a pattern, A0h+n as its last byte.
std::vector<uint8_t> data_sector(uint8_t n) {
    std::vector<uint8_t> s(2048);
    for (size_t i = 0; i < s.size(); ++i) s[i] = uint8_t(n * 7 + i * 13);
    std::memcpy(s.data(), "DATA", 4);
    s[4] = n;
    s[2047] = uint8_t(0xA0 + n);
    return s;
}

std::vector<uint8_t> peek_block(Machine& m, uint64_t paddr, size_t n) {
    std::vector<uint8_t> out(n);
    m.memory().read(paddr, out);
    return out;
}

// A machine with `iso` in its CD drive, isa-debug-exit and a port E9h capture.
class CdMachine {
  public:
    explicit CdMachine(const std::vector<uint8_t>& iso, MachineConfig c = {}) {
        c.cdrom = std::make_unique<MemoryDisk>(iso);
        c.isa_debug_exit = true;
        c.debug_console = &debug_;
        machine_ = std::make_unique<Machine>(std::move(c));
    }
    Machine& m() { return *machine_; }
    const std::string& debug_text() const { return text_; }
    // Runs until the BIOS gives up; the reason it gave.
    std::string boot_failure() {
        for (int i = 0; i < 50; ++i) {
            MachineEvent e = machine_->run(1'000'000);
            if (e == MachineEvent::kBootFailed) return machine_->boot_failure();
            if (e != MachineEvent::kNone) return "unexpected event " + std::to_string(int(e));
        }
        return "booted";
    }

  private:
    std::string text_;
    CallbackSerialBackend debug_{
        [this](std::span<const uint8_t> b) { text_.append(b.begin(), b.end()); }};
    std::unique_ptr<Machine> machine_;
};

ElToritoIsoSpec no_emulation_spec() {
    ElToritoIsoSpec spec;
    spec.boot_image = read_guest("cd_noemul");
    EXPECT_EQ(spec.boot_image.size(), 2048u);
    spec.sector_count = 4;
    for (uint8_t n = 0; n < 5; ++n) spec.data_sectors.push_back(data_sector(n));
    return spec;
}

TEST(CdromBoot, NoEmulationImageReadsTheDiscThroughInt13) {
    ElToritoIso iso = build_el_torito_iso(no_emulation_spec());
    CdMachine cd(iso.bytes);
    Machine& m = cd.m();
    EXPECT_EQ(run_guest(m), 0x20) << cd.debug_text();
    EXPECT_NE(cd.debug_text().find("CD-NOEMUL-OK"), std::string::npos) << cd.debug_text();
    // INT 13h 4B01h: the specification packet of this boot.
    EXPECT_EQ(peek8(m, 0x600), 0x13);
    EXPECT_EQ(peek8(m, 0x601), 0x00);  // no emulation
    EXPECT_EQ(peek8(m, 0x602), 0xE0);  // the CD's drive number
    EXPECT_EQ(peek32(m, 0x604), iso.boot_lba);
    EXPECT_EQ(peek16(m, 0x60C), 0x07C0);  // catalog's 0 = the default segment
    EXPECT_EQ(peek16(m, 0x60E), 4);
    // INT 13h 48h: 2048-byte sectors, the whole disc.
    EXPECT_EQ(peek16(m, 0x620), 0x1E);
    EXPECT_EQ(peek32(m, 0x620 + 16), iso.sectors);
    EXPECT_EQ(peek32(m, 0x620 + 20), 0u);
    EXPECT_EQ(peek16(m, 0x620 + 24), 2048);
    // 42h: the three sectors after the boot image, byte for byte.
    for (uint8_t n = 0; n < 3; ++n)
        EXPECT_EQ(peek_block(m, 0x10000 + n * 2048u, 2048), data_sector(n)) << "sector " << int(n);
    // The read across the end moved the last two sectors and nothing more.
    EXPECT_EQ(peek_block(m, 0x20000, 2048), data_sector(3));
    EXPECT_EQ(peek_block(m, 0x20800, 2048), data_sector(4));
    EXPECT_EQ(peek_block(m, 0x21000, 2048), std::vector<uint8_t>(2048, 0));
    EXPECT_EQ(peek8(m, 0x474), 0x00);  // last status: reset succeeded
}

TEST(CdromBoot, FloppyEmulationMakesTheImageDriveZero) {
    // Image sector n starts with 'FLOP', n; the boot sector is the guest.
    std::vector<uint8_t> image(1474560);
    for (size_t lba = 0; lba < image.size() / 512; ++lba) {
        std::memcpy(&image[lba * 512], "FLOP", 4);
        image[lba * 512 + 4] = uint8_t(lba);
    }
    std::vector<uint8_t> boot = read_guest("cd_floppy");
    ASSERT_EQ(boot.size(), 512u);
    std::copy(boot.begin(), boot.end(), image.begin());
    ElToritoIsoSpec spec;
    spec.boot_image = image;
    spec.media = 2;  // 1.44 MB
    spec.sector_count = 1;
    ElToritoIso iso = build_el_torito_iso(spec);
    // A real A: with a mark and no boot signature: booting it would fail.
    std::vector<uint8_t> real(1474560);
    std::memcpy(&real[16], "REAL", 4);
    MachineConfig c;
    c.floppy[0] = std::make_unique<MemoryDisk>(real);
    c.boot_order = "dca";
    CdMachine cd(iso.bytes, std::move(c));
    Machine& m = cd.m();
    EXPECT_EQ(run_guest(m), 0x21) << cd.debug_text();
    EXPECT_NE(cd.debug_text().find("CD-FLOPPY-OK"), std::string::npos) << cd.debug_text();
    EXPECT_EQ(peek8(m, 0x600), 0x13);
    EXPECT_EQ(peek8(m, 0x601), 0x02);
    EXPECT_EQ(peek8(m, 0x602), 0x00);
    EXPECT_EQ(peek32(m, 0x604), iso.boot_lba);
    EXPECT_EQ(peek16(m, 0x60E), 1);
    EXPECT_EQ(peek8(m, 0x610), 79);  // INT 13h 08h CH, CL, DH of the image
    EXPECT_EQ(peek8(m, 0x611), 18);
    EXPECT_EQ(peek8(m, 0x612), 1);
}

TEST(CdromBoot, HardDiskEmulationMakesTheImageDrive80h) {
    // 20 cylinders, 4 heads, 17 sectors (the guest's partition table);
    // sector n starts with 'DISK', n.
    std::vector<uint8_t> image(20 * 4 * 17 * 512);
    for (size_t lba = 0; lba < image.size() / 512; ++lba) {
        std::memcpy(&image[lba * 512], "DISK", 4);
        image[lba * 512 + 4] = uint8_t(lba);
    }
    std::vector<uint8_t> mbr = read_guest("cd_hdd");
    ASSERT_EQ(mbr.size(), 512u);
    std::copy(mbr.begin(), mbr.end(), image.begin());
    ElToritoIsoSpec spec;
    spec.boot_image = image;
    spec.media = 4;
    spec.sector_count = 1;
    ElToritoIso iso = build_el_torito_iso(spec);
    std::vector<uint8_t> real(512 * 1000);
    std::memcpy(&real[16], "REAL", 4);
    MachineConfig c;
    c.hard_disk[0] = std::make_unique<MemoryDisk>(real);
    c.boot_order = "dc";
    CdMachine cd(iso.bytes, std::move(c));
    Machine& m = cd.m();
    EXPECT_EQ(run_guest(m), 0x22) << cd.debug_text();
    EXPECT_NE(cd.debug_text().find("CD-HDD-OK"), std::string::npos) << cd.debug_text();
    EXPECT_EQ(peek8(m, 0x601), 0x04);
    EXPECT_EQ(peek8(m, 0x602), 0x80);
    EXPECT_EQ(peek8(m, 0x475), 2);  // the image and the real disk
}

TEST(CdromBoot, BrokenDiscsFailWithTheReason) {
    struct Case {
        const char* name;
        void (*breakage)(ElToritoIsoSpec&);
        const char* reason;
    };
    const Case cases[] = {
        {"no boot record", [](ElToritoIsoSpec& s) { s.boot_record = false; },
         "CD-ROM: no El Torito boot record at sector 17"},
        {"bad checksum", [](ElToritoIsoSpec& s) { s.bad_checksum = true; },
         "CD-ROM: boot catalog validation entry: bad checksum"},
        {"not bootable", [](ElToritoIsoSpec& s) { s.boot_indicator = 0x00; },
         "CD-ROM: default boot entry is not bootable (indicator 00h"},
        {"hard-disk image without a partition", [](ElToritoIsoSpec& s) { s.media = 4; },
         "has no partition table with exactly one partition"},
    };
    for (const Case& k : cases) {
        ElToritoIsoSpec spec = no_emulation_spec();
        k.breakage(spec);
        CdMachine cd(build_el_torito_iso(spec).bytes);
        std::string why = cd.boot_failure();
        EXPECT_NE(why.find(k.reason), std::string::npos) << k.name << ": " << why;
    }
    // Too short to hold sector 17 at all.
    CdMachine tiny(std::vector<uint8_t>(16 * 2048));
    EXPECT_NE(tiny.boot_failure().find("CD-ROM: no boot record"), std::string::npos);
}

TEST(CdromBoot, BootOrderDecidesBetweenFloppyAndCd) {
    ElToritoIso iso = build_el_torito_iso(no_emulation_spec());
    MachineConfig floppy_first = guest_config("vbe_info");  // exits with 0
    floppy_first.boot_order = "ad";
    CdMachine a(iso.bytes, std::move(floppy_first));
    EXPECT_EQ(run_guest(a.m()), 0x00);
    EXPECT_EQ(a.debug_text(), "");
    MachineConfig cd_first = guest_config("vbe_info");
    cd_first.boot_order = "da";
    CdMachine d(iso.bytes, std::move(cd_first));
    EXPECT_EQ(run_guest(d.m()), 0x20) << d.debug_text();
}

TEST(CdromBoot, MachineRefusesOddSizedDiscsAndHdcWithACd) {
    MachineConfig odd;
    odd.cdrom = std::make_unique<MemoryDisk>(std::vector<uint8_t>(2048 * 20 + 512));
    EXPECT_THROW(Machine{std::move(odd)}, std::invalid_argument);
    MachineConfig both;
    both.cdrom = std::make_unique<MemoryDisk>(std::vector<uint8_t>(2048 * 20));
    both.hard_disk[2] = std::make_unique<MemoryDisk>(std::vector<uint8_t>(512 * 100));
    EXPECT_THROW(Machine{std::move(both)}, std::invalid_argument);
}

}  // namespace
}  // namespace sandpc::test
