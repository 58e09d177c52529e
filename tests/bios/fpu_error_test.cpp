// The PC's x87 error path as DOS uses it: FERR# to IRQ 13, port F0h.
#include "tests/bios/bios_guest.h"

namespace sandpc::test {
namespace {

TEST(FpuErrorReporting, UnmaskedExceptionWithNeClearRaisesIrq13) {
    Machine m(guest_config("ferr_irq13"));
    EXPECT_EQ(run_guest(m), 0x5A);
}

}  // namespace
}  // namespace sandpc::test
