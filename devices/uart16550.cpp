#include "devices/uart16550.h"

#include <cstdio>

namespace sandpc {

namespace {
constexpr uint8_t kIerRx = 0x01, kIerThre = 0x02, kIerLine = 0x04, kIerModem = 0x08;
constexpr uint64_t kClockHz = 1'843'200;  // divisor 1 = 115200 baud

std::string section_name(uint16_t base) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "uart16550@%x", base);
    return buf;
}
}  // namespace

Uart16550::Uart16550(IoBus& bus, Scheduler& scheduler, InterruptLine irq, uint16_t base,
                     SerialBackend& backend)
    : base_(base),
      scheduler_(scheduler),
      irq_(irq),
      backend_(backend),
      timeout_timer_(scheduler, section_name(base) + ".timeout", [this](uint64_t) {
          timeout_pending_ = true;
          update_irq();
      }) {
    msr_ = modem_status_lines();
    IoPortHandlers h;
    h.read8 = [this](uint16_t port) { return read_register(port - base_); };
    h.write8 = [this](uint16_t port, uint8_t v) { write_register(port - base_, v); };
    ports_ = bus.map(base, 8, std::move(h));
}

size_t Uart16550::trigger_level() const {
    static constexpr size_t kLevels[4] = {1, 4, 8, 14};
    return fifo_enabled() ? kLevels[fcr_ >> 6] : 1;
}

uint8_t Uart16550::modem_status_lines() const {
    if (!loopback()) return 0xB0;  // DCD, DSR, CTS asserted
    uint8_t m = mcr_;
    return static_cast<uint8_t>((m & 0x02 ? 0x10 : 0) | (m & 0x01 ? 0x20 : 0) |
                                (m & 0x04 ? 0x40 : 0) | (m & 0x08 ? 0x80 : 0));
}

uint8_t Uart16550::interrupt_id() const {
    if ((ier_ & kIerLine) && lsr_errors_) return 0x06;
    if ((ier_ & kIerRx) && rx_.size() >= trigger_level() && !rx_.empty()) return 0x04;
    if ((ier_ & kIerRx) && timeout_pending_ && !rx_.empty()) return 0x0C;
    if ((ier_ & kIerThre) && thre_pending_) return 0x02;
    if ((ier_ & kIerModem) && (msr_ & 0x0F)) return 0x00;
    return 0x01;
}

uint64_t Uart16550::char_time_ns() const {
    uint32_t div = divisor() ? divisor() : 0x10000;
    uint32_t bits = 1 + 5 + (lcr_ & 3) + ((lcr_ & 0x08) ? 1 : 0) + ((lcr_ & 0x04) ? 2 : 1);
    return static_cast<uint64_t>(bits) * div * 16 * 1'000'000'000ull / kClockHz;
}

void Uart16550::update_irq() {
    bool out2 = (mcr_ & 0x08) && !loopback();
    irq_.set_level(out2 && interrupt_id() != 0x01);
}

void Uart16550::restart_timeout() {
    timeout_pending_ = false;
    if (fifo_enabled() && !rx_.empty()) {
        timeout_timer_.arm_in(4 * char_time_ns());
    } else {
        timeout_timer_.cancel();
    }
}

void Uart16550::fill_rx() {
    if (loopback()) return;
    bool moved = false;
    while (rx_.size() < rx_capacity() && !host_queue_.empty()) {
        rx_.push_back(host_queue_.front());
        host_queue_.pop_front();
        moved = true;
    }
    if (moved) restart_timeout();
}

size_t Uart16550::receive(std::span<const uint8_t> bytes) {
    size_t room = kHostQueueLimit - host_queue_.size();
    size_t n = bytes.size() < room ? bytes.size() : room;
    host_queue_.insert(host_queue_.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
    if (n < bytes.size()) lsr_errors_ |= 0x02;  // overrun: input lost
    fill_rx();
    update_irq();
    return n;
}

void Uart16550::poll_input() {
    uint8_t buf[4096];
    while (backend_.input_open() && host_queue_.size() < kHostQueueLimit) {
        size_t room = kHostQueueLimit - host_queue_.size();
        size_t n = backend_.read(std::span(buf, room < sizeof buf ? room : sizeof buf));
        if (n == 0) break;
        receive(std::span<const uint8_t>(buf, n));
    }
}

void Uart16550::transmit(uint8_t value) {
    if (loopback()) {
        if (rx_.size() < rx_capacity()) {
            rx_.push_back(value);
            restart_timeout();
        } else {
            lsr_errors_ |= 0x02;  // overrun
        }
    } else {
        backend_.write_byte(value);
    }
    thre_pending_ = true;
}

void Uart16550::set_mcr(uint8_t value) {
    uint8_t old_lines = msr_ & 0xF0;
    mcr_ = value & 0x1F;
    uint8_t lines = modem_status_lines();
    uint8_t changed = old_lines ^ lines;
    uint8_t delta = static_cast<uint8_t>((changed & 0x10 ? 0x01 : 0) | (changed & 0x20 ? 0x02 : 0) |
                                         ((old_lines & 0x40) && !(lines & 0x40) ? 0x04 : 0) |
                                         (changed & 0x80 ? 0x08 : 0));
    msr_ = static_cast<uint8_t>(lines | (msr_ & 0x0F) | delta);
    fill_rx();
}

uint8_t Uart16550::read_register(unsigned offset) {
    uint8_t v = 0xFF;
    switch (offset) {
        case 0:
            if (dlab()) return dll_;
            v = 0;
            if (!rx_.empty()) {
                v = rx_.front();
                rx_.pop_front();
                fill_rx();
                restart_timeout();
            }
            break;
        case 1: return dlab() ? dlm_ : ier_;
        case 2: {
            uint8_t id = interrupt_id();
            if (id == 0x02) thre_pending_ = false;  // reading IIR acknowledges THRE
            v = static_cast<uint8_t>(id | (fifo_enabled() ? 0xC0 : 0));
            break;
        }
        case 3: return lcr_;
        case 4: return mcr_;
        case 5:
            v = static_cast<uint8_t>((rx_.empty() ? 0 : 0x01) | lsr_errors_ | 0x60);
            lsr_errors_ = 0;
            break;
        case 6:
            v = msr_;
            msr_ &= 0xF0;
            break;
        case 7: return scr_;
        default: return 0xFF;
    }
    update_irq();
    return v;
}

void Uart16550::write_register(unsigned offset, uint8_t value) {
    switch (offset) {
        case 0:
            if (dlab()) {
                dll_ = value;
            } else {
                transmit(value);
            }
            break;
        case 1:
            if (dlab()) {
                dlm_ = value;
            } else {
                // Enabling ETBEI with THR empty raises THRE at once.
                if ((value & kIerThre) && !(ier_ & kIerThre)) thre_pending_ = true;
                ier_ = value & 0x0F;
            }
            break;
        case 2: {
            bool was = fifo_enabled();
            if ((value & 0x01) != was || (value & 0x02)) rx_.clear();
            fcr_ = value & 0xC1;
            fill_rx();
            restart_timeout();
            break;
        }
        case 3: lcr_ = value; break;
        case 4: set_mcr(value); break;
        case 7: scr_ = value; break;
        default: break;  // LSR and MSR are read-only
    }
    update_irq();
}

void Uart16550::save(StateWriter& w) const {
    w.begin_section(section_name(base_), 1);
    for (uint8_t v : {dll_, dlm_, ier_, lcr_, mcr_, scr_, fcr_, lsr_errors_, msr_}) w.u8(v);
    w.boolean(thre_pending_);
    w.boolean(timeout_pending_);
    w.u64(timeout_timer_.deadline());
    for (const auto* q : {&rx_, &host_queue_}) {
        w.u32(static_cast<uint32_t>(q->size()));
        for (uint8_t b : *q) w.u8(b);
    }
    w.end_section();
}

void Uart16550::load(StateReader& r) {
    r.begin_section(section_name(base_), 1);
    uint8_t regs[9];
    for (uint8_t& v : regs) v = r.u8();
    bool thre = r.boolean();
    bool timeout = r.boolean();
    uint64_t deadline = r.u64();
    std::deque<uint8_t> queues[2];
    size_t limits[2] = {kFifoSize, kHostQueueLimit};
    for (int i = 0; i < 2; ++i) {
        uint32_t n = r.u32();
        if (n > limits[i]) throw StateError("state: " + section_name(base_) + " queue too long");
        for (uint32_t k = 0; k < n; ++k) queues[i].push_back(r.u8());
    }
    r.end_section();
    dll_ = regs[0];
    dlm_ = regs[1];
    ier_ = regs[2] & 0x0F;
    lcr_ = regs[3];
    mcr_ = regs[4] & 0x1F;
    scr_ = regs[5];
    fcr_ = regs[6] & 0xC1;
    lsr_errors_ = regs[7] & 0x1E;
    msr_ = regs[8];
    thre_pending_ = thre;
    timeout_pending_ = timeout;
    rx_ = std::move(queues[0]);
    host_queue_ = std::move(queues[1]);
    while (rx_.size() > rx_capacity()) rx_.pop_back();
    if (deadline == Scheduler::kNever) {
        timeout_timer_.cancel();
    } else {
        timeout_timer_.arm_at(deadline);
    }
    update_irq();
}

}  // namespace sandpc
