// ACPI fixed hardware of a PIIX4-like power-management function, in one
// 32-port I/O block at a base given to the constructor (0x600 by default):
//
//   base+0x00  PM1a_STS  (16)  TMR_STS 0, PWRBTN_STS 8, WAK_STS 15; write 1 to clear
//   base+0x02  PM1a_EN   (16)  TMR_EN 0, GBL_EN 5, PWRBTN_EN 8
//   base+0x04  PM1a_CNT  (16)  SCI_EN 0 (always 1), BM_RLD 1, GBL_RLS 2 (no
//                              effect), SLP_TYP 12:10, SLP_EN 13 (write only)
//   base+0x08  PM_TMR    (32)  3.579545 MHz counter, 24 or 32 bits wide
//   base+0x0C  GPE0_STS  (16)  no sources: reads 0
//   base+0x0E  GPE0_EN   (16)  storage
//   base+0x10  RESET     (8)   PIIX reset-control semantics: a write with bit 2
//                              (RCPU) set resets the machine; bit 1 is kept
//
// The layout follows the PIIX4 PM I/O space (PMSTS, PMEN, PMCNTRL, PMTMR,
// GPSTS, GPEN). The reset register sits in the block rather than at the
// chipset's 0xCF9 because that port is part of the PCI configuration
// address window here; the FADT points at whichever port is used. Other
// offsets read 0 and ignore writes.
//
// There is no SMI command port: the FADT gives SMI_CMD = 0, which tells the
// OS the system is always in ACPI mode, so SCI_EN reads 1 and cannot be
// cleared.
//
// SLP_EN with SLP_TYP = kS5SleepType (PIIX4's "soft off" encoding, the value
// the DSDT's \_S5 gives) calls power_off. Other sleep types (S1-S4) are not
// offered in the DSDT; a request for one is ignored and the guest carries
// on, as if it had woken at once.
//
// The SCI (IRQ 9, level) is asserted while (PM1_STS & PM1_EN) or
// (GPE0_STS & GPE0_EN) has a bit set. The timer value and TMR_STS are derived
// from Scheduler::now_ns(); a Timer is armed only while TMR_EN is set and
// TMR_STS is clear, for the next change of the counter's top bit.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "devices/scheduler.h"
#include "snapshot/state_stream.h"

namespace sandpc {

struct AcpiPmConfig {
    uint16_t base = 0x600;
    bool timer_32bit = false;  // the FADT's TMR_VAL_EXT must say the same
};

class AcpiPm {
  public:
    // Register offsets in the block and their lengths, as the FADT gives them.
    static constexpr uint16_t kPm1Event = 0x00;
    static constexpr uint8_t kPm1EventLength = 4;
    static constexpr uint16_t kPm1Control = 0x04;
    static constexpr uint8_t kPm1ControlLength = 2;
    static constexpr uint16_t kPmTimer = 0x08;
    static constexpr uint8_t kPmTimerLength = 4;
    static constexpr uint16_t kGpe0 = 0x0C;
    static constexpr uint8_t kGpe0Length = 4;
    static constexpr uint16_t kReset = 0x10;
    static constexpr uint16_t kBlockSize = 0x20;

    static constexpr uint8_t kS5SleepType = 0;
    static constexpr uint8_t kResetValue = 0x06;  // hard reset (SRST | RCPU)

    // PM1 status / enable bits.
    static constexpr uint16_t kTmrSts = 1u << 0;
    static constexpr uint16_t kGblSts = 1u << 5;
    static constexpr uint16_t kPwrBtnSts = 1u << 8;
    // RTC_EN is kept so an OS can enable the RTC event; nothing sets RTC_STS
    // (the RTC alarm is not a wake source here).
    static constexpr uint16_t kRtcSts = 1u << 10;
    static constexpr uint16_t kWakSts = 1u << 15;
    // PM1 control bits.
    static constexpr uint16_t kSciEn = 1u << 0;
    static constexpr uint16_t kBmRld = 1u << 1;
    static constexpr uint16_t kGblRls = 1u << 2;
    static constexpr unsigned kSlpTypShift = 10;
    static constexpr uint16_t kSlpTypMask = 7u << kSlpTypShift;
    static constexpr uint16_t kSlpEn = 1u << 13;

    AcpiPm(IoBus& bus, Scheduler& scheduler, InterruptLine sci, AcpiPmConfig config,
           std::function<void()> power_off, std::function<void()> reset);
    AcpiPm(const AcpiPm&) = delete;
    AcpiPm& operator=(const AcpiPm&) = delete;

    const AcpiPmConfig& config() const { return config_; }
    uint16_t port(uint16_t offset) const { return static_cast<uint16_t>(config_.base + offset); }

    // The fixed-feature power button: sets PWRBTN_STS (an SCI if enabled).
    void press_power_button();

    uint32_t timer_value() const;
    bool sci_level() const { return sci_.level(); }

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    uint8_t read8(uint16_t offset) const;
    void write8(uint16_t offset, uint8_t value);
    uint16_t read16(uint16_t offset) const;
    void write16(uint16_t offset, uint16_t value);

    uint16_t pm1_status() const;
    void clear_pm1_status(uint16_t bits);
    void write_pm1_control(uint16_t value);
    void write_reset(uint8_t value);
    unsigned timer_top_bit() const { return config_.timer_32bit ? 31 : 23; }
    // Number of top-bit changes of the counter up to now.
    uint64_t timer_period() const;
    void update();  // re-drives the SCI and (re)arms the timer

    Scheduler& scheduler_;
    InterruptLine sci_;
    AcpiPmConfig config_;
    std::function<void()> power_off_;
    std::function<void()> reset_;

    uint16_t pm1_status_ = 0;  // latched bits other than TMR_STS
    uint16_t pm1_enable_ = 0;
    uint16_t pm1_control_ = kSciEn;
    uint16_t gpe0_enable_ = 0;
    uint8_t reset_control_ = 0;
    // TMR_STS is set while the counter's top bit has changed since it was
    // last cleared, i.e. while timer_period() differs from this.
    uint64_t timer_period_cleared_ = 0;

    Timer timer_;
    IoBus::Mapping ports_;
};

}  // namespace sandpc
