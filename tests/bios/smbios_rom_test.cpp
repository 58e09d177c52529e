// The SMBIOS tables as a guest OS finds them: an "_SM_" anchor on a 16-byte
// boundary in 0xF0000-0xFFFFF (read from guest physical memory, no POST
// needed: they are part of the ROM), describing this machine's RAM and CPU.
#include <gtest/gtest.h>

#include "cpu/cpuid.h"
#include "frontends/machine/machine.h"
#include "tests/smbios/smbios_reader.h"

namespace sandpc {
namespace {

std::vector<uint8_t> physical(Machine& m, uint64_t address, size_t length) {
    std::vector<uint8_t> out(length);
    m.memory().read(address, out);
    return out;
}

// Every 16-byte boundary of the F segment whose entry point checks out.
std::vector<uint32_t> entry_points(Machine& m) {
    std::vector<uint32_t> found;
    for (uint32_t a = 0xF0000; a < 0x100000; a += 16) {
        std::vector<uint8_t> head = physical(m, a, 4);
        if (std::string(head.begin(), head.end()) == "_SM_") found.push_back(a);
    }
    return found;
}

test::SmbiosView read_from_guest(Machine& m) {
    std::vector<uint32_t> found = entry_points(m);
    EXPECT_EQ(found.size(), 1u);
    if (found.empty()) return {};
    std::vector<uint8_t> entry = physical(m, found[0], 0x1F);
    uint32_t address = uint32_t(test::smbios_le(entry, 0x18, 4));
    size_t length = size_t(test::smbios_le(entry, 0x16, 2));
    return test::read_smbios(entry, physical(m, address, length));
}

TEST(SmbiosRom, FoundByTheOsScanAndDescribesTheMachine) {
    for (uint32_t mb : {16u, 200u}) {
        MachineConfig config;
        config.ram_mb = mb;
        Machine m(std::move(config));
        test::SmbiosView v = read_from_guest(m);
        for (const auto& p : v.problems) ADD_FAILURE() << mb << " MiB: " << p;
        EXPECT_GE(v.table_address, 0xF0000u);
        EXPECT_LT(v.table_address + v.table_length, 0x100000u);

        const auto *bios = v.find(0), *cpu = v.find(4), *device = v.find(17), *mapped = v.find(19);
        ASSERT_TRUE(bios && cpu && device && mapped);
        EXPECT_EQ(bios->string(0x04), "sandpc");
        EXPECT_EQ(bios->string(0x08), "11/23/2026");  // the date at F000:FFF5, 4-digit year
        EXPECT_EQ(cpu->field(0x08, 4), cpuid_leaf(1).eax);
        EXPECT_EQ(cpu->field(0x0C, 4), cpuid_leaf(1).edx);
        EXPECT_EQ(cpu->string(0x07), "GenuineIntel");
        EXPECT_EQ(device->field(0x0C, 2), mb);
        EXPECT_EQ(mapped->field(0x08, 4), mb * 1024 - 1);
    }
}

TEST(SmbiosRom, LeavesTheFixedRomLocationsAlone) {
    Machine m(MachineConfig{});
    // Reset vector JMP FAR and the BIOS date, where old software reads them.
    EXPECT_EQ(physical(m, 0xFFFF0, 1)[0], 0xEA);
    std::vector<uint8_t> date = physical(m, 0xFFFF5, 8);
    EXPECT_EQ(std::string(date.begin(), date.end()), "11/23/26");
    uint32_t entry = entry_points(m).at(0);
    EXPECT_LT(entry + 0x1F, 0xFFA6Eu);  // below the CGA font at F000:FA6E
}

}  // namespace
}  // namespace sandpc
