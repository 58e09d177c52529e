#include <span>
#include <string>

#include "cpu/cpu.h"
#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "devices/pit8254.h"
#include "devices/scheduler.h"
#include "snapshot/state_stream.h"
#include "tests/fuzz/fuzz_targets.h"
#include "tests/support/ram_only_bus.h"

namespace sandpc::fuzz {

namespace {

constexpr uint32_t kRamSize = 64 * 1024;

// Reads every section with each kind of field until the stream runs out.
void walk_sections(std::span<const uint8_t> stream) {
    StateReader r(stream);
    for (int section = 0; section < 64 && !r.at_end(); ++section) {
        std::string name = r.peek_section_name();
        r.begin_section(name, UINT32_MAX);
        for (int i = 0;; ++i) {
            switch (i % 6) {
                case 0: r.u8(); break;
                case 1: r.u16(); break;
                case 2: r.u32(); break;
                case 3: r.u64(); break;
                case 4: r.boolean(); break;
                default: r.str(64); break;
            }
            try {
                r.end_section();
                break;
            } catch (const StateError&) {
                // payload not consumed yet: keep reading
            }
        }
    }
}

void load_cpu(std::span<const uint8_t> stream) {
    RamOnlyBus bus(kRamSize);
    Cpu cpu(bus, CpuConfig{kRamSize});
    StateReader r(stream);
    cpu.load(r);
    // A state that loads must be one the interpreter can run from.
    cpu.run(64);
}

void load_pit(std::span<const uint8_t> stream) {
    Scheduler scheduler;
    IoBus io;
    Pit8254 pit(io, scheduler, InterruptLine());
    StateReader r(stream);
    pit.load(r);
    scheduler.advance(1000);
    for (unsigned port = 0; port < 3; ++port) {
        pit.read_port(port);
        pit.read_port(port);
        pit.output(port);
    }
    pit.write_port(3, 0xC2);  // read-back command: status of counter 0
    pit.read_port(0);
}

}  // namespace

int state_stream(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::span<const uint8_t> stream(data + 1, size - 1);
    try {
        switch (data[0] % 3) {
            case 0: walk_sections(stream); break;
            case 1: load_cpu(stream); break;
            default: load_pit(stream); break;
        }
    } catch (const StateError&) {
    }
    return 0;
}

}  // namespace sandpc::fuzz
