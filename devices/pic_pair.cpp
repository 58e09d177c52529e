#include "devices/pic_pair.h"

namespace sandpc {

namespace {
// ELCR bits that must stay edge triggered: IRQ0-2 on the master, IRQ8 and
// IRQ13 on the slave.
constexpr uint8_t kElcrMask[2] = {0xF8, 0xDE};
}  // namespace

PicPair::PicPair(IoBus& bus) {
    auto chip_ports = [this](Pic8259& chip, uint16_t base) {
        IoPortHandlers h;
        h.read8 = [this, &chip, base](uint16_t port) {
            uint8_t v = chip.read(port - base);
            update();  // a poll read acknowledges
            return v;
        };
        h.write8 = [this, &chip, base](uint16_t port, uint8_t v) {
            chip.write(port - base, v);
            update();
        };
        return h;
    };
    master_ports_ = bus.map(0x20, 2, chip_ports(master_, 0x20));
    slave_ports_ = bus.map(0xA0, 2, chip_ports(slave_, 0xA0));
    IoPortHandlers elcr;
    elcr.read8 = [this](uint16_t port) { return port == 0x4D0 ? master_.elcr() : slave_.elcr(); };
    elcr.write8 = [this](uint16_t port, uint8_t v) {
        if (port == 0x4D0) {
            master_.set_elcr(v & kElcrMask[0]);
        } else {
            slave_.set_elcr(v & kElcrMask[1]);
        }
        update();
    };
    elcr_ports_ = bus.map(0x4D0, 2, std::move(elcr));
}

void PicPair::update() {
    master_.set_input(kCascadeLine, slave_.int_output());
    intr_ = master_.int_output();
}

void PicPair::set_irq_level(unsigned irq, bool level) {
    if (irq == 2) irq = 9;
    if (irq < 8) {
        master_.set_input(irq, level);
    } else if (irq < 16) {
        slave_.set_input(irq - 8, level);
    } else {
        return;
    }
    update();
}

uint8_t PicPair::acknowledge() {
    Pic8259::Ack m = master_.acknowledge();
    uint8_t vec;
    if (!m.spurious && m.line == kCascadeLine && !master_.single_mode()) {
        Pic8259::Ack s = slave_.acknowledge();
        vec = slave_.vector(s.line);
        // The slave's INT drops during INTA; if it still has a request it
        // rises again, a fresh edge for the master's cascade input.
        master_.set_input(kCascadeLine, false);
    } else {
        vec = master_.vector(m.line);
    }
    update();
    return vec;
}

void PicPair::save(StateWriter& w) const {
    master_.save(w);
    slave_.save(w);
}

void PicPair::load(StateReader& r) {
    master_.load(r);
    slave_.load(r);
    if ((master_.elcr() & ~kElcrMask[0]) || (slave_.elcr() & ~kElcrMask[1])) {
        throw StateError("state: ELCR marks a fixed edge-triggered IRQ as level");
    }
    update();
}

}  // namespace sandpc
