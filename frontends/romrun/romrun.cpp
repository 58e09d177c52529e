// sandpc_romrun: runs a firmware/test ROM from reset on a bare machine (RAM,
// the ROM at the top of 4 GiB and below 1 MiB, port 0xE9 debug console,
// port 0xF4 exit device) and exits with the value the guest writes to 0xF4.
// Exit status: the guest's value; 100 triple fault; 101 instruction limit;
// 102 halted with interrupts off; 2 usage or bad ROM.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "jit/host_compiler.h"

namespace {

constexpr int kExitTripleFault = 100;
constexpr int kExitLimit = 101;
constexpr int kExitHalted = 102;
constexpr int kExitUsage = 2;

class RomMachineBus : public sandpc::CpuBus {
  public:
    RomMachineBus(uint32_t ram_size, std::vector<uint8_t> rom)
        : ram_(ram_size), rom_(std::move(rom)) {}

    uint8_t* page_pointer(uint32_t paddr, bool write) override {
        if (paddr >= 0xA0000 && paddr < 0x100000) {
            // ROM alias below 1 MiB: the last 64 KiB of the image at 0xF0000.
            if (paddr >= 0xF0000)
                return write ? nullptr : rom_window(paddr - 0xF0000 + rom_.size() - 0x10000);
            return nullptr;
        }
        if (paddr < ram_.size()) return ram_.data() + paddr;
        uint32_t rom_base = static_cast<uint32_t>(0x100000000ull - rom_.size());
        if (paddr >= rom_base) return write ? nullptr : rom_window(paddr - rom_base);
        return nullptr;
    }
    uint32_t mmio_read(uint32_t paddr, unsigned) override {
        if (paddr >= 0xA0000 && paddr < 0xF0000 && paddr < ram_.size()) return ram_[paddr];
        return 0xFFFFFFFF;
    }
    void mmio_write(uint32_t paddr, unsigned size, uint32_t v) override {
        // 0xA0000-0xEFFFF is ordinary RAM on this bare machine.
        if (paddr >= 0xA0000 && paddr < 0xF0000 && paddr < ram_.size())
            std::memcpy(ram_.data() + paddr, &v, size);
    }
    uint32_t io_read(uint16_t port, unsigned) override { return port == 0xE9 ? 0xE9 : 0xFFFFFFFF; }
    void io_write(uint16_t port, unsigned size, uint32_t v) override {
        if (port == 0xE9) {
            std::fputc(static_cast<int>(v & 0xFF), stdout);
        } else if (port >= 0xF4 && port < 0xF8) {
            exit_requested = true;
            exit_value = static_cast<int>(v & 0xFF);
        }
        (void)size;
    }
    uint8_t interrupt_acknowledge() override { return 0xFF; }

    bool exit_requested = false;
    int exit_value = 0;

  private:
    uint8_t* rom_window(size_t off) { return rom_.data() + (off & ~size_t(0xFFF)); }
    std::vector<uint8_t> ram_;
    std::vector<uint8_t> rom_;
};

void usage() {
    std::printf(
        "usage: sandpc_romrun --rom FILE [--memory MIB] [--max-instructions N] [--cpu interp|jit]\n"
        "Runs FILE (a multiple of 64 KiB, at most 1 MiB) from the x86 reset vector on a bare\n"
        "machine: RAM, the ROM mapped at the top of 4 GiB and its last 64 KiB at 0xF0000,\n"
        "port 0xE9 prints a byte, writing V to port 0xF4 ends the run with exit status V.\n"
        "Exit status: V from port 0xF4; 100 triple fault; 101 instruction limit reached;\n"
        "102 halted with interrupts disabled; 2 usage or unreadable ROM.\n"
        "--cpu jit compiles every block the first time it runs (a test of the JIT);\n"
        "the default is the interpreter.\n");
}

}  // namespace

int main(int argc, char** argv) {
    std::string rom_path;
    uint64_t max_instructions = 1000000000;
    uint32_t memory_mib = 32;
    bool jit = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            usage();
            return 0;
        } else if (a == "--rom" && i + 1 < argc) {
            rom_path = argv[++i];
        } else if (a == "--max-instructions" && i + 1 < argc) {
            max_instructions = std::strtoull(argv[++i], nullptr, 0);
        } else if (a == "--cpu" && i + 1 < argc) {
            std::string mode = argv[++i];
            if (mode != "jit" && mode != "interp") {
                std::fprintf(stderr, "sandpc_romrun: --cpu takes interp or jit\n");
                return kExitUsage;
            }
            jit = mode == "jit";
        } else if (a == "--memory" && i + 1 < argc) {
            memory_mib = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 0));
        } else {
            std::fprintf(stderr, "sandpc_romrun: unknown argument '%s' (see --help)\n", a.c_str());
            return kExitUsage;
        }
    }
    if (rom_path.empty()) {
        usage();
        return kExitUsage;
    }
    std::ifstream f(rom_path, std::ios::binary);
    if (!f) {
        std::fprintf(stderr, "sandpc_romrun: cannot open ROM '%s'\n", rom_path.c_str());
        return kExitUsage;
    }
    std::vector<uint8_t> rom((std::istreambuf_iterator<char>(f)), {});
    if (rom.empty() || rom.size() % 0x10000 != 0 || rom.size() > 0x100000) {
        std::fprintf(stderr,
                     "sandpc_romrun: '%s' is %zu bytes; a ROM must be a multiple of 64 KiB, "
                     "at most 1 MiB\n",
                     rom_path.c_str(), rom.size());
        return kExitUsage;
    }
    if (memory_mib < 2 || memory_mib > 2048) {
        std::fprintf(stderr, "sandpc_romrun: --memory must be 2..2048 MiB\n");
        return kExitUsage;
    }
    RomMachineBus bus(memory_mib << 20, std::move(rom));
    sandpc::Cpu cpu(bus, sandpc::CpuConfig{memory_mib << 20});
    std::unique_ptr<sandpc::BlockCompiler> compiler;
    if (jit) {
        std::string why;
        compiler = sandpc::make_host_block_compiler(why);
        if (!compiler) {
            std::fprintf(stderr, "sandpc_romrun: --cpu jit: %s\n", why.c_str());
            return kExitUsage;
        }
        cpu.set_block_compiler(compiler.get(), 1);
    }
    uint64_t done = 0;
    while (done < max_instructions) {
        uint64_t before = cpu.instruction_count();
        sandpc::StopReason why = cpu.run(std::min<uint64_t>(100000, max_instructions - done));
        done += cpu.instruction_count() - before;
        std::fflush(stdout);
        if (bus.exit_requested) return bus.exit_value;
        if (why == sandpc::StopReason::kShutdown) {
            std::fprintf(stderr, "sandpc_romrun: triple fault (%s) at %04x:%08x\n",
                         cpu.shutdown_reason(), cpu.s.seg[sandpc::CS].selector, cpu.s.eip);
            return kExitTripleFault;
        }
        if (why == sandpc::StopReason::kHalted) {
            if (!(cpu.s.eflags & sandpc::eflags::IF)) {
                std::fprintf(stderr,
                             "sandpc_romrun: halted with interrupts disabled at %04x:%08x\n",
                             cpu.s.seg[sandpc::CS].selector, cpu.s.eip);
                return kExitHalted;
            }
            // No interrupt sources on this machine: a halt waits forever.
            std::fprintf(stderr, "sandpc_romrun: halted with no interrupt source\n");
            return kExitHalted;
        }
    }
    std::fprintf(stderr, "sandpc_romrun: instruction limit %llu reached\n",
                 static_cast<unsigned long long>(max_instructions));
    return kExitLimit;
}
