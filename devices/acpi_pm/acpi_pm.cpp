#include "devices/acpi_pm/acpi_pm.h"

#include "devices/acpi_pm/pm_timer_clock.h"

namespace sandpc {
namespace {

// Bits that exist in each register; the rest read 0 and ignore writes.
constexpr uint16_t kLatchedStatusBits = AcpiPm::kPwrBtnSts | AcpiPm::kWakSts;
constexpr uint16_t kEnableBits =
    AcpiPm::kTmrSts | AcpiPm::kGblSts | AcpiPm::kPwrBtnSts | AcpiPm::kRtcSts;
constexpr uint16_t kStoredControlBits = AcpiPm::kBmRld | AcpiPm::kSlpTypMask;
constexpr uint8_t kResetHard = 0x02;  // SRST: kept, reported as written
constexpr uint8_t kResetCpu = 0x04;   // RCPU: starts the reset, reads 0

constexpr bool is_writable_register(uint16_t offset) {
    return offset == AcpiPm::kPm1Event || offset == AcpiPm::kPm1Event + 2 ||
           offset == AcpiPm::kPm1Control || offset == AcpiPm::kGpe0 || offset == AcpiPm::kGpe0 + 2;
}

}  // namespace

AcpiPm::AcpiPm(IoBus& bus, Scheduler& scheduler, InterruptLine sci, AcpiPmConfig config,
               std::function<void()> power_off, std::function<void()> reset)
    : scheduler_(scheduler),
      sci_(sci),
      config_(config),
      power_off_(std::move(power_off)),
      reset_(std::move(reset)),
      timer_(scheduler, "acpi_pm_timer", [this](uint64_t) { update(); }) {
    IoPortHandlers h;
    h.read8 = [this](uint16_t p) { return read8(static_cast<uint16_t>(p - config_.base)); };
    h.read16 = [this](uint16_t p) { return read16(static_cast<uint16_t>(p - config_.base)); };
    h.read32 = [this](uint16_t p) {
        auto offset = static_cast<uint16_t>(p - config_.base);
        if (offset == kPmTimer) return timer_value();
        return uint32_t(read16(offset)) | uint32_t(read16(static_cast<uint16_t>(offset + 2))) << 16;
    };
    h.write8 = [this](uint16_t p, uint8_t v) {
        write8(static_cast<uint16_t>(p - config_.base), v);
    };
    h.write16 = [this](uint16_t p, uint16_t v) {
        write16(static_cast<uint16_t>(p - config_.base), v);
    };
    h.write32 = [this](uint16_t p, uint32_t v) {
        auto offset = static_cast<uint16_t>(p - config_.base);
        write16(offset, static_cast<uint16_t>(v));
        write16(static_cast<uint16_t>(offset + 2), static_cast<uint16_t>(v >> 16));
    };
    ports_ = bus.map(config_.base, kBlockSize, std::move(h));
}

uint64_t AcpiPm::timer_period() const {
    return pm_timer_clock::ticks_at(scheduler_.now_ns()) >> timer_top_bit();
}

uint32_t AcpiPm::timer_value() const {
    uint64_t ticks = pm_timer_clock::ticks_at(scheduler_.now_ns());
    return static_cast<uint32_t>(config_.timer_32bit ? ticks : ticks & 0xFFFFFF);
}

uint16_t AcpiPm::pm1_status() const {
    uint16_t status = pm1_status_;
    if (timer_period() != timer_period_cleared_) status |= kTmrSts;
    return status;
}

void AcpiPm::clear_pm1_status(uint16_t bits) {
    if (bits & kTmrSts) timer_period_cleared_ = timer_period();
    pm1_status_ &= static_cast<uint16_t>(~(bits & kLatchedStatusBits));
    update();
}

void AcpiPm::write_pm1_control(uint16_t value) {
    pm1_control_ = static_cast<uint16_t>(kSciEn | (value & kStoredControlBits));
    if (!(value & kSlpEn)) return;
    unsigned type = (value & kSlpTypMask) >> kSlpTypShift;
    if (type == kS5SleepType && power_off_) power_off_();
}

void AcpiPm::write_reset(uint8_t value) {
    reset_control_ = value & kResetHard;
    if ((value & kResetCpu) && reset_) reset_();
}

void AcpiPm::press_power_button() {
    pm1_status_ |= kPwrBtnSts;
    update();
}

uint16_t AcpiPm::read16(uint16_t offset) const {
    switch (offset) {
        case kPm1Event: return pm1_status();
        case kPm1Event + 2: return pm1_enable_;
        case kPm1Control: return pm1_control_;
        case kPmTimer: return static_cast<uint16_t>(timer_value());
        case kPmTimer + 2: return static_cast<uint16_t>(timer_value() >> 16);
        case kGpe0: return 0;  // no general-purpose event sources
        case kGpe0 + 2: return gpe0_enable_;
        default:
            if (!(offset & 1) && offset < kReset) return 0;  // reserved
            return static_cast<uint16_t>(read8(offset) | read8(static_cast<uint16_t>(offset + 1))
                                                             << 8);
    }
}

uint8_t AcpiPm::read8(uint16_t offset) const {
    if (offset == kReset) return reset_control_;
    if (offset >= kReset) return 0;
    unsigned shift = (offset & 1) * 8;
    return static_cast<uint8_t>(read16(static_cast<uint16_t>(offset & ~1)) >> shift);
}

void AcpiPm::write16(uint16_t offset, uint16_t value) {
    switch (offset) {
        case kPm1Event: clear_pm1_status(value); break;
        case kPm1Event + 2:
            pm1_enable_ = value & kEnableBits;
            update();
            break;
        case kPm1Control: write_pm1_control(value); break;
        case kGpe0: break;  // write-1-to-clear of bits that never set
        case kGpe0 + 2:
            gpe0_enable_ = value;
            update();
            break;
        default:
            write8(offset, static_cast<uint8_t>(value));
            write8(static_cast<uint16_t>(offset + 1), static_cast<uint8_t>(value >> 8));
            break;
    }
}

void AcpiPm::write8(uint16_t offset, uint8_t value) {
    if (offset == kReset) return write_reset(value);
    auto reg = static_cast<uint16_t>(offset & ~1);
    if (!is_writable_register(reg)) return;
    unsigned shift = (offset & 1) * 8;
    auto bits = static_cast<uint16_t>(value << shift);
    if (reg == kPm1Event || reg == kGpe0) return write16(reg, bits);  // W1C: other byte 0
    uint16_t kept = read16(reg) & static_cast<uint16_t>(~(0xFF << shift));
    write16(reg, static_cast<uint16_t>(kept | bits));
}

void AcpiPm::update() {
    uint16_t status = pm1_status();
    bool sci = (status & pm1_enable_) != 0;  // GPE0 has no sources, so no GPE term
    sci_.set_level(sci);
    if ((pm1_enable_ & kTmrSts) && !(status & kTmrSts)) {
        uint64_t next_change = (timer_period() + 1) << timer_top_bit();
        timer_.arm_at(pm_timer_clock::ns_at(next_change));
    } else {
        timer_.cancel();
    }
}

void AcpiPm::save(StateWriter& w) const {
    w.begin_section("acpi_pm", 1);
    w.boolean(config_.timer_32bit);
    w.u16(pm1_status_);
    w.u16(pm1_enable_);
    w.u16(pm1_control_);
    w.u16(gpe0_enable_);
    w.u8(reset_control_);
    w.u64(timer_period_cleared_);
    w.end_section();
}

void AcpiPm::load(StateReader& r) {
    r.begin_section("acpi_pm", 1);
    bool timer_32bit = r.boolean();
    uint16_t status = r.u16();
    uint16_t enable = r.u16();
    uint16_t control = r.u16();
    uint16_t gpe0_enable = r.u16();
    uint8_t reset_control = r.u8();
    uint64_t period_cleared = r.u64();
    r.end_section();
    if (period_cleared > timer_period()) throw StateError("acpi_pm: timer state in the future");
    if (timer_32bit != config_.timer_32bit) throw StateError("acpi_pm: timer width differs");
    if ((status & ~kLatchedStatusBits) || (enable & ~kEnableBits) ||
        control != (kSciEn | (control & kStoredControlBits)) || (reset_control & ~kResetHard)) {
        throw StateError("acpi_pm: register bits that do not exist are set");
    }
    pm1_status_ = status;
    pm1_enable_ = enable;
    pm1_control_ = control;
    gpe0_enable_ = gpe0_enable;
    reset_control_ = reset_control;
    timer_period_cleared_ = period_cleared;
    update();
}

}  // namespace sandpc
