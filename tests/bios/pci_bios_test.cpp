// PCI BIOS 2.1 real-mode services (INT 1Ah AH=B1h) called by a boot-sector
// guest (guests/pci_bios.asm) on the i440FX/PIIX3 machine.
#include <gtest/gtest.h>

#include "tests/bios/bios_guest.h"

namespace sandpc {
namespace {

using test::peek16;
using test::peek32;

struct Result {
    uint32_t eax, ebx, ecx, edx;
    bool cf;
    uint8_t ah() const { return uint8_t(eax >> 8); }
};

class PciBiosTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_EQ(test::run_guest(m), 0); }
    Result result(unsigned i) {
        uint32_t at = 0x0500 + 18 * i;
        return {peek32(m, at), peek32(m, at + 4), peek32(m, at + 8), peek32(m, at + 12),
                (peek16(m, at + 16) & 1) != 0};
    }
    // A successful call: CF clear, AH 0.
    void expect_ok(unsigned i) {
        EXPECT_FALSE(result(i).cf) << "call " << i;
        EXPECT_EQ(result(i).ah(), 0) << "call " << i;
    }
    void expect_error(unsigned i, uint8_t code) {
        EXPECT_TRUE(result(i).cf) << "call " << i;
        EXPECT_EQ(result(i).ah(), code) << "call " << i;
    }

    Machine m{test::guest_config("pci_bios")};
};

TEST_F(PciBiosTest, InstallationCheck) {
    expect_ok(0);
    Result r = result(0);
    EXPECT_EQ(r.edx, 0x20494350u);       // "PCI "
    EXPECT_EQ(r.eax & 0xFF, 0x01u);      // configuration mechanism #1
    EXPECT_EQ(r.ebx & 0xFFFF, 0x0210u);  // version 2.10
    EXPECT_EQ(r.ecx & 0xFF, 0x00u);      // last bus
}

TEST_F(PciBiosTest, FindDevice) {
    const struct {
        unsigned call;
        uint16_t bus_devfn;
    } kFound[] = {{1, 0x0000}, {2, 0x0008}, {3, 0x0009}};
    for (const auto& f : kFound) {
        expect_ok(f.call);
        EXPECT_EQ(result(f.call).ebx & 0xFFFF, f.bus_devfn) << "call " << f.call;
    }
    expect_error(4, 0x86);  // index 1: only one i440FX
    expect_error(5, 0x83);  // vendor FFFFh
}

TEST_F(PciBiosTest, FindClassCode) {
    expect_ok(6);
    EXPECT_EQ(result(6).ebx & 0xFFFF, 0x0008u);
    expect_ok(7);
    EXPECT_EQ(result(7).ebx & 0xFFFF, 0x0000u);
    expect_error(8, 0x86);
}

TEST_F(PciBiosTest, ConfigurationReads) {
    expect_ok(9);
    EXPECT_EQ(result(9).ecx, 0x12378086u);
    expect_ok(10);
    EXPECT_EQ(result(10).ecx & 0xFFFF, 0x7000u);
    expect_ok(11);
    EXPECT_EQ(result(11).ecx & 0xFF, 0x80u);  // multi-function header
    expect_error(12, 0x87);
    expect_error(13, 0x87);
    expect_error(19, 0x87);
}

TEST_F(PciBiosTest, ConfigurationWritesReachTheDevice) {
    for (unsigned i : {14u, 15u, 16u, 17u, 18u}) expect_ok(i);
    EXPECT_EQ(result(17).ecx & 0xFF, 0x0Eu);
    EXPECT_EQ(result(18).ecx, 0x0B0A0E80u);
    EXPECT_EQ(result(21).eax, 0x0B0A0E80u);  // read by the guest through 0xCFC
}

TEST_F(PciBiosTest, KeepsTheAddressRegisterAndRejectsUnknownFunctions) {
    EXPECT_EQ(result(22).eax, 0x80000008u);
    expect_error(20, 0x81);
}

}  // namespace
}  // namespace sandpc
