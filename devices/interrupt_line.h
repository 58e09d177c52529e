// Interrupt request wiring. A device holds an InterruptLine bound to a
// numbered input of an IrqSink (for ISA IRQ 0-15, the PicPair) and drives it
// as a level (raise/lower) or as an edge (pulse = raise then lower). The sink
// decides what the level means (edge or level triggered); it must ignore a
// repeated level so devices can re-assert their line after loading state.
#pragma once

namespace sandpc {

class IrqSink {
  public:
    virtual ~IrqSink() = default;
    virtual void set_irq_level(unsigned irq, bool level) = 0;
};

class InterruptLine {
  public:
    InterruptLine() = default;  // unconnected: drives nothing
    InterruptLine(IrqSink& sink, unsigned irq) : sink_(&sink), irq_(irq) {}

    void set_level(bool level) {
        level_ = level;
        if (sink_) sink_->set_irq_level(irq_, level);
    }
    void raise() { set_level(true); }
    void lower() { set_level(false); }
    void pulse() {
        raise();
        lower();
    }
    bool level() const { return level_; }
    bool connected() const { return sink_ != nullptr; }
    unsigned irq() const { return irq_; }

  private:
    IrqSink* sink_ = nullptr;
    unsigned irq_ = 0;
    bool level_ = false;
};

}  // namespace sandpc
