// The Multiboot test kernel (mbtest.asm) entered by a Machine: the kernel
// checks the entry state and info fields itself and reports on port 0xE9
// and isa-debug-exit.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "frontends/machine/machine.h"

namespace sandpc {
namespace {

std::vector<uint8_t> kernel_file(const std::string& name) {
    const std::string path = std::string(SANDPC_MULTIBOOT_DIR) + "/" + name;
    std::ifstream f(path, std::ios::binary);
    EXPECT_TRUE(f) << "cannot open " << path;
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
}

std::vector<uint8_t> bytes(std::string_view s) {
    return {s.begin(), s.end()};
}

struct MultibootMachine {
    std::string output;
    CallbackSerialBackend debugcon{
        [this](std::span<const uint8_t> b) { output.append(b.begin(), b.end()); }};

    MachineConfig config(uint32_t ram_mb) {
        MachineConfig mc;
        mc.ram_mb = ram_mb;
        mc.kernel = kernel_file("mbtest.elf");
        mc.kernel_name = "mbtest.elf";
        mc.debug_console = &debugcon;
        mc.isa_debug_exit = true;
        return mc;
    }
};

TEST(MultibootMachine, KernelSeesMagicCmdlineModulesAndMemoryMap) {
    for (uint32_t ram_mb : {32u, 100u}) {
        MultibootMachine h;
        MachineConfig mc = h.config(ram_mb);
        mc.kernel_cmdline = "root=none quiet";
        mc.modules.push_back({bytes("alpha beta\n"), "mod1 --flag"});
        mc.modules.push_back({bytes(std::string(5000, 'z')), "big"});
        Machine m(std::move(mc));
        m.io().write16(0x510, fw_cfg::kCmdlineData);  // fw_cfg publishes the line too
        std::string fw_line;
        for (int i = 0; i < 16; ++i) fw_line += char(m.io().read8(0x511));
        EXPECT_EQ(fw_line, std::string("root=none quiet\0", 16));
        MachineEvent ev = MachineEvent::kNone;
        for (int i = 0; i < 100 && ev == MachineEvent::kNone; ++i) ev = m.run(1'000'000);
        ASSERT_EQ(ev, MachineEvent::kDebugExit) << h.output;
        EXPECT_EQ(*m.exit_status(), 0x21u) << h.output;
        const uint64_t ram = uint64_t(ram_mb) << 20;
        char mem[80];
        // mem_upper: KiB from 1 MiB to the ACPI tables' 64 KiB at the top.
        std::snprintf(mem, sizeof mem, "mem_lower=0000027f mem_upper=%08llx ram_top=%08llx\n",
                      static_cast<unsigned long long>((ram - 0x10000 - 0x100000) >> 10),
                      static_cast<unsigned long long>(ram));
        EXPECT_NE(h.output.find(mem), std::string::npos) << h.output;
        EXPECT_NE(h.output.find("cmdline=root=none quiet\n"), std::string::npos) << h.output;
        EXPECT_NE(h.output.find("loader=sandpc\n"), std::string::npos) << h.output;
        EXPECT_NE(h.output.find("module mod1 --flag: alpha beta\n"), std::string::npos) << h.output;
        EXPECT_NE(h.output.find("module big: " + std::string(5000, 'z') + "\n"), std::string::npos);
        EXPECT_NE(h.output.find("MULTIBOOT-OK\n"), std::string::npos) << h.output;
    }
}

TEST(MultibootMachine, RefusesBrokenKernelsAtConstruction) {
    const std::pair<const char*, const char*> cases[] = {
        {"mbtest-badsum.elf", "has checksum"},
        {"mbtest-outside.elf", "beyond the end of usable RAM"},
    };
    for (const auto& [file, why] : cases) {
        MultibootMachine h;
        MachineConfig mc = h.config(32);
        mc.kernel = kernel_file(file);
        try {
            Machine m(std::move(mc));
            ADD_FAILURE() << file << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
        }
    }
}

TEST(MultibootMachine, ModuleTooLargeForRamIsRefused) {
    MultibootMachine h;
    MachineConfig mc = h.config(4);
    mc.modules.push_back({std::vector<uint8_t>(8u << 20, 1), "huge"});
    EXPECT_THROW(Machine m(std::move(mc)), std::invalid_argument);
}

}  // namespace
}  // namespace sandpc
