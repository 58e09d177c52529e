// A controller on its own bus with recording IRQ lines, and the polling
// loops a BIOS uses to talk to it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "devices/i8042/i8042.h"

namespace sandpc::test {

struct EdgeCountingSink : IrqSink {
    void set_irq_level(unsigned irq, bool level) override {
        if (level && !levels[irq]) ++rising[irq];
        levels[irq] = level;
    }
    std::array<bool, 16> levels{};
    std::array<int, 16> rising{};
};

class I8042Fixture {
  public:
    // Everything the output buffer delivers until it runs dry.
    std::vector<uint8_t> drain() {
        std::vector<uint8_t> out;
        while (bus.read8(0x64) & 0x01) out.push_back(bus.read8(0x60));
        return out;
    }
    void command(uint8_t c) { bus.write8(0x64, c); }
    void command(uint8_t c, uint8_t data) {
        bus.write8(0x64, c);
        bus.write8(0x60, data);
    }
    void set_command_byte(uint8_t v) { command(0x60, v); }
    std::vector<uint8_t> to_keyboard(std::initializer_list<uint8_t> bytes) {
        for (uint8_t b : bytes) bus.write8(0x60, b);
        return drain();
    }
    std::vector<uint8_t> to_mouse(std::initializer_list<uint8_t> bytes) {
        for (uint8_t b : bytes) command(0xD4, b);
        return drain();
    }

    IoBus bus;
    EdgeCountingSink sink;
    bool a20 = false;
    int a20_calls = 0;
    int resets = 0;
    I8042 kbc{bus, InterruptLine(sink, 1), InterruptLine(sink, 12),
              [this](bool on) {
                  a20 = on;
                  ++a20_calls;
              },
              [this] { ++resets; }};
};

using Bytes = std::vector<uint8_t>;

}  // namespace sandpc::test
