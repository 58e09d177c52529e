// National Semiconductor 16550A UART. Standard PC placements: COM1 0x3F8
// IRQ4, COM2 0x2F8 IRQ3, COM3 0x3E8 IRQ4, COM4 0x2E8 IRQ3.
//
// Transmission is instantaneous in virtual time: a THR write goes straight to
// the backend (or, in loopback, to the receiver), THRE and TEMT stay set and
// the THR-empty interrupt is raised again at once.
//
// Reception: poll_input() (called by the machine at slice boundaries, on its
// thread) takes what the backend has and receive() queues it in a host-side
// queue (up to kHostQueueLimit), which feeds the 16-byte RX FIFO (1-byte
// holding register with FIFOs off) as the guest makes room, so a slow guest
// loses nothing (the modem lines play no part). What is already in the
// receiver is lost, as on the chip, when the guest clears the FIFO or
// toggles FCR bit 0; the rest waits in the host queue. Bytes that
// do not fit in the host queue are dropped and reported as an overrun
// (LSR.OE, line status interrupt), as is a byte looped back into a full
// receiver. The character timeout interrupt fires after four character times
// (from the baud divisor and LCR) without FIFO activity, via a scheduler
// timer. Interrupt priority: line status, RX data / timeout, THR empty, modem
// status. The IRQ line is driven only while MCR.OUT2 is set and loopback is
// off, as on PC boards. Modem inputs outside loopback read as CTS, DSR and
// DCD asserted. Parity/framing errors and break never occur (no real line).
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>

#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "devices/scheduler.h"
#include "devices/serial_backend.h"

namespace sandpc {

class Uart16550 {
  public:
    static constexpr size_t kFifoSize = 16;
    static constexpr size_t kHostQueueLimit = 64 * 1024;

    Uart16550(IoBus& bus, Scheduler& scheduler, InterruptLine irq, uint16_t base,
              SerialBackend& backend);

    uint8_t read_register(unsigned offset);
    void write_register(unsigned offset, uint8_t value);

    // Host -> guest bytes. Returns how many were accepted; the rest are lost
    // and set LSR.OE.
    size_t receive(std::span<const uint8_t> bytes);
    // Takes the bytes the backend has ready (as many as the host queue holds).
    void poll_input();
    size_t pending_input() const { return host_queue_.size() + rx_.size(); }

    uint32_t divisor() const { return dll_ | dlm_ << 8; }

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    bool dlab() const { return lcr_ & 0x80; }
    bool loopback() const { return mcr_ & 0x10; }
    bool fifo_enabled() const { return fcr_ & 0x01; }
    size_t rx_capacity() const { return fifo_enabled() ? kFifoSize : 1; }
    size_t trigger_level() const;
    uint8_t interrupt_id() const;
    uint8_t modem_status_lines() const;
    uint64_t char_time_ns() const;
    void transmit(uint8_t value);
    void fill_rx();
    void set_mcr(uint8_t value);
    void restart_timeout();
    void update_irq();

    uint16_t base_;
    Scheduler& scheduler_;
    InterruptLine irq_;
    SerialBackend& backend_;
    std::deque<uint8_t> rx_;
    std::deque<uint8_t> host_queue_;
    uint8_t dll_ = 0x0C, dlm_ = 0;  // 9600 baud
    uint8_t ier_ = 0, lcr_ = 0x03, mcr_ = 0, scr_ = 0, fcr_ = 0;
    uint8_t lsr_errors_ = 0;  // LSR bits 1-4
    uint8_t msr_ = 0;         // status bits 7-4 and delta bits 3-0
    bool thre_pending_ = false;
    bool timeout_pending_ = false;
    Timer timeout_timer_;
    IoBus::Mapping ports_;
};

}  // namespace sandpc
