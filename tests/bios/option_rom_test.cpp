// Option ROMs on a whole Machine: the ROM tests/bios/roms/hook_int19.asm
// reports its init and its INT 19h hook on port E9h and exits through
// isa-debug-exit; its -badsum twin differs only in the checksum byte.
#include <memory>
#include <stdexcept>

#include "bios/bda.h"
#include "bios/option_rom.h"
#include "devices/serial_backend.h"
#include "tests/bios/bios_guest.h"

namespace sandpc::test {
namespace {

std::vector<uint8_t> read_rom(const std::string& name) {
    std::ifstream in(std::string(SANDPC_BIOS_GUEST_DIR) + "/" + name + ".rom", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class RomMachine {
  public:
    explicit RomMachine(std::vector<std::vector<uint8_t>> roms) {
        MachineConfig c;
        c.option_roms = std::move(roms);
        c.isa_debug_exit = true;
        c.debug_console = &debug_;
        machine_ = std::make_unique<Machine>(std::move(c));
    }
    Machine& m() { return *machine_; }
    const std::string& debug_text() const { return text_; }
    MachineEvent run() {
        for (int i = 0; i < 50; ++i)
            if (MachineEvent e = machine_->run(1'000'000); e != MachineEvent::kNone) return e;
        return MachineEvent::kNone;
    }

  private:
    std::string text_;
    CallbackSerialBackend debug_{
        [this](std::span<const uint8_t> b) { text_.append(b.begin(), b.end()); }};
    std::unique_ptr<Machine> machine_;
};

TEST(OptionRom, BuiltImagesAreOneGoodAndOneBadRom) {
    std::vector<uint8_t> good = read_rom("hook_int19"), bad = read_rom("hook_int19-badsum");
    ASSERT_EQ(good.size(), 1024u);
    ASSERT_EQ(bad.size(), 1024u);
    EXPECT_EQ(option_rom::problem(good), "");
    EXPECT_NE(option_rom::problem(bad).find("checksum"), std::string::npos);
}

TEST(OptionRom, ProblemNamesEachDefect) {
    std::vector<uint8_t> rom = read_rom("hook_int19");
    std::vector<uint8_t> odd = rom;
    odd.push_back(0);
    EXPECT_NE(option_rom::problem(odd).find("multiple of 512"), std::string::npos);
    std::vector<uint8_t> unsigned_rom = rom;
    unsigned_rom[1] = 0x55;
    EXPECT_NE(option_rom::problem(unsigned_rom).find("55AAh"), std::string::npos);
    std::vector<uint8_t> too_long = rom;
    too_long[2] = 4;  // 2 KiB declared in a 1 KiB file
    EXPECT_NE(option_rom::problem(too_long).find("does not fit"), std::string::npos);
    EXPECT_NE(option_rom::problem(std::vector<uint8_t>(0x10200, 0)).find("64 KiB"),
              std::string::npos);
}

TEST(OptionRom, InitRunsBeforeItsInt19HookBoots) {
    RomMachine rm({read_rom("hook_int19")});
    ASSERT_EQ(rm.run(), MachineEvent::kDebugExit);
    EXPECT_EQ(*rm.m().exit_status() >> 1, 0x21u);
    EXPECT_EQ(rm.debug_text(), "ROM-INIT\nROM-INT19\n");
    // Read-only: the guest sees the image at 0xC8000 and cannot change it.
    EXPECT_EQ(peek16(rm.m(), 0xC8000), 0xAA55);
    uint8_t zero = 0;
    rm.m().memory().write(0xC8000, {&zero, 1});
    EXPECT_EQ(peek8(rm.m(), 0xC8000), 0x55);
    // INT 19h points into the ROM; the scan ended at the area's end.
    EXPECT_EQ(peek16(rm.m(), 0x19 * 4 + 2), 0xC800);
    EXPECT_EQ(peek16(rm.m(), bda::kEbdaOptionRomScan), option_rom::kAreaEnd >> 4);
}

TEST(OptionRom, ScanContinuesAfterEachRomOn2KiBBoundaries) {
    RomMachine rm({read_rom("hook_int19"), read_rom("hook_int19")});
    ASSERT_EQ(rm.run(), MachineEvent::kDebugExit);
    EXPECT_EQ(rm.debug_text(), "ROM-INIT\nROM-INIT\nROM-INT19\n");
    EXPECT_EQ(peek16(rm.m(), 0xC8800), 0xAA55);       // the second ROM, 2 KiB on
    EXPECT_EQ(peek16(rm.m(), 0x19 * 4 + 2), 0xC880);  // the last init's hook wins
}

TEST(OptionRom, MachineRefusesABadChecksum) {
    MachineConfig c;
    c.option_roms.push_back(read_rom("hook_int19-badsum"));
    EXPECT_THROW(Machine m(std::move(c)), std::invalid_argument);
}

TEST(OptionRom, ScanIgnoresABadChecksumPlacedAnyway) {
    // A good ROM first, then its bad twin poked in behind it (2 KiB on),
    // and in a second machine over the only ROM: neither bad copy runs.
    std::vector<uint8_t> bad = read_rom("hook_int19-badsum");
    RomMachine behind({read_rom("hook_int19")});
    std::span<uint8_t> area = behind.m().memory().option_rom_area();
    ASSERT_GE(area.size(), 0x800 + bad.size());
    std::copy(bad.begin(), bad.end(), area.begin() + 0x800);
    ASSERT_EQ(behind.run(), MachineEvent::kDebugExit);
    EXPECT_EQ(behind.debug_text(), "ROM-INIT\nROM-INT19\n");

    RomMachine alone({read_rom("hook_int19")});
    std::copy(bad.begin(), bad.end(), alone.m().memory().option_rom_area().begin());
    EXPECT_EQ(alone.run(), MachineEvent::kBootFailed);
    EXPECT_EQ(alone.debug_text(), "");
}

TEST(OptionRom, NoRomsLeaveTheAreaUnmapped) {
    RomMachine rm({});
    EXPECT_TRUE(rm.m().memory().option_rom_area().empty());
    EXPECT_EQ(rm.m().memory().page_pointer(0xC8000, false), nullptr);
    EXPECT_EQ(rm.run(), MachineEvent::kBootFailed);
    EXPECT_EQ(rm.debug_text(), "");
}

}  // namespace
}  // namespace sandpc::test
