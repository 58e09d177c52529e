// Machine-level behaviour with synthetic disks and firmware: boot failures,
// the BIOS's view of memory and disks, reset requests.
#include <gtest/gtest.h>

#include <cstring>

#include "tests/guests/guest_session.h"
#include "tests/support/memory_disk.h"

namespace sandpc {
namespace {

using test::MemoryDisk;

// A 1.44 MB floppy whose boot sector holds `code` (and the signature).
BlockBackendPtr boot_floppy(std::initializer_list<uint8_t> code) {
    std::vector<uint8_t> img(1474560, 0);
    std::copy(code.begin(), code.end(), img.begin());
    img[510] = 0x55;
    img[511] = 0xAA;
    for (size_t i = 512; i < img.size(); ++i) img[i] = uint8_t(i / 512);  // sector number
    return std::make_unique<MemoryDisk>(std::move(img));
}

MachineConfig with_debug_exit(BlockBackendPtr floppy) {
    MachineConfig c;
    c.floppy[0] = std::move(floppy);
    c.isa_debug_exit = true;
    return with_test_cpu_engine(std::move(c));
}

uint32_t run_to_exit(Machine& m) {
    for (int i = 0; i < 200; ++i) {
        MachineEvent e = m.run(1'000'000);
        if (e == MachineEvent::kDebugExit) return *m.exit_status();
        EXPECT_EQ(e, MachineEvent::kNone);
        if (e != MachineEvent::kNone) return 0xFFFFFFFF;
    }
    ADD_FAILURE() << "guest did not exit";
    return 0xFFFFFFFF;
}

TEST(Machine, BootSectorRunsAtZeroSevenC00WithTheDriveInDl) {
    // mov al, dl; add al, 0x10; out 0xf4, al  -> status ((0x00 + 0x10) << 1) | 1
    Machine m(with_debug_exit(boot_floppy({0x88, 0xD0, 0x04, 0x10, 0xE6, 0xF4, 0xF4})));
    EXPECT_EQ(run_to_exit(m), (0x10u << 1) | 1);
}

TEST(Machine, Int13ReadsTheSectorsAskedFor) {
    // Read C0/H1/S5 (LBA 18 + 4 = 22) to 0000:8000 with AH=02, exit with the
    // first byte read (the test disk stores the sector number in each byte).
    Machine m(with_debug_exit(boot_floppy({
        0x31, 0xC0, 0x8E, 0xC0,        // xor ax, ax; mov es, ax
        0xBB, 0x00, 0x80,              // mov bx, 0x8000
        0xB8, 0x01, 0x02,              // mov ax, 0x0201
        0xB9, 0x05, 0x00,              // mov cx, 0x0005 (cylinder 0, sector 5)
        0xBA, 0x00, 0x01,              // mov dx, 0x0100 (head 1, drive 0)
        0xCD, 0x13,                    // int 13h
        0x72, 0x07,                    // jc fail
        0x26, 0xA0, 0x00, 0x80,        // mov al, es:[0x8000]
        0xE6, 0xF4, 0xF4,              // out 0xf4, al; hlt
        0xB0, 0xFF, 0xE6, 0xF4, 0xF4,  // fail: mov al, 0xff; out 0xf4, al; hlt
    })));
    EXPECT_EQ(run_to_exit(m), (22u << 1) | 1);
}

TEST(Machine, E820MapDescribesAllRam) {
    // int 15h E820 with EBX=0 into 0000:9000; exit with the first entry's
    // type plus 0x10 * the number of entries.
    MachineConfig c = with_debug_exit(boot_floppy({
        0x31, 0xC0, 0x8E, 0xC0,              // xor ax, ax; mov es, ax
        0x66, 0x31, 0xDB,                    // xor ebx, ebx
        0x31, 0xF6,                          // xor si, si (entry count)
        0xBF, 0x00, 0x90,                    // loop: mov di, 0x9000
        0x66, 0xB8, 0x20, 0xE8, 0x00, 0x00,  // mov eax, 0xE820
        0x66, 0xB9, 0x14, 0x00, 0x00, 0x00,  // mov ecx, 20
        0x66, 0xBA, 0x50, 0x41, 0x4D, 0x53,  // mov edx, 'SMAP'
        0xCD, 0x15,                          // int 15h
        0x72, 0x08,                          // jc done
        0x46,                                // inc si
        0x66, 0x85, 0xDB,                    // test ebx, ebx
        0x75, 0xE1,                          // jnz loop
        0x90, 0x90,                          //
        0x89, 0xF0, 0xB1, 0x04, 0xD2, 0xE0,  // done: mov ax, si; mov cl, 4; shl al, cl
        0x26, 0x02, 0x06, 0x10, 0x90,        // add al, es:[0x9010] (last entry type)
        0xE6, 0xF4, 0xF4,                    // out 0xf4, al; hlt
    }));
    c.ram_mb = 64;
    Machine m(std::move(c));
    // Seven entries: low RAM, EBDA, BIOS, RAM above 1 MiB, ACPI NVS (FACS),
    // ACPI tables, the BIOS alias below 4 GiB (type 2, the last one written).
    EXPECT_EQ(run_to_exit(m), ((0x70u + 2) << 1) | 1);
}

TEST(Machine, NoBootableDeviceIsReported) {
    MachineConfig c;
    std::vector<uint8_t> blank(737280, 0);
    c.floppy[0] = std::make_unique<MemoryDisk>(blank);
    Machine m(std::move(c));
    MachineEvent e = m.run(10'000'000);
    EXPECT_EQ(e, MachineEvent::kBootFailed);
    EXPECT_NE(m.boot_failure().find("55AA"), std::string::npos) << m.boot_failure();
}

TEST(Machine, KeyboardControllerResetRestartsTheBios) {
    // out 0x64, 0xFE: the 8042 pulses the reset line.
    Machine m(with_debug_exit(boot_floppy({0xB0, 0xFE, 0xE6, 0x64, 0xEB, 0xFE})));
    MachineEvent e = MachineEvent::kNone;
    for (int i = 0; i < 100 && e == MachineEvent::kNone; ++i) e = m.run(1'000'000);
    EXPECT_EQ(e, MachineEvent::kReset);
    EXPECT_EQ(m.cpu().s.eip, 0xFFF0u);
}

}  // namespace
}  // namespace sandpc
