#include "cpu/exec_control.h"

namespace sandpc {

void int_n(Cpu& c, const Insn& in) {
    if (c.mode() == CpuMode::kVirtual8086 && c.iopl() < 3) raise_gp(0);
    c.deliver_interrupt(static_cast<uint8_t>(in.imm), kIntSoftware, false, 0, c.next_eip);
}

void int3(Cpu& c, const Insn&) {
    c.deliver_interrupt(kBreakpoint, kIntInt3, false, 0, c.next_eip);
}

void into(Cpu& c, const Insn&) {
    if (c.of()) c.deliver_interrupt(kOverflow, kIntInto, false, 0, c.next_eip);
}

void int1(Cpu& c, const Insn&) {
    c.deliver_interrupt(kDebug, kIntIcebp, false, 0, c.next_eip);
}

}  // namespace sandpc
