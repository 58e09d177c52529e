#include "devices/dma/isa_dma.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sandpc {

namespace {
constexpr uint16_t kPagePort[IsaDma::kChannels] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};
constexpr uint8_t kCommandDisable = 0x04;
constexpr uint8_t kModeAutoinit = 0x10, kModeDecrement = 0x20;
constexpr unsigned kStatusReg = 8, kRequestReg = 9, kSingleMaskReg = 10, kModeReg = 11,
                   kClearFlipFlopReg = 12, kMasterClearReg = 13, kClearMaskReg = 14,
                   kAllMaskReg = 15;

void check_channel(unsigned channel) {
    if (channel >= IsaDma::kChannels)
        throw std::invalid_argument("ISA DMA: channel " + std::to_string(channel) +
                                    " does not exist");
}
}  // namespace

IsaDma::IsaDma(IoBus& bus, PhysicalMemory& memory) : memory_(memory) {
    IoPortHandlers dma1;
    dma1.read8 = [this](uint16_t port) { return read_register(0, port); };
    dma1.write8 = [this](uint16_t port, uint8_t v) { write_register(0, port, v); };
    mappings_.push_back(bus.map(0x00, 16, std::move(dma1)));
    // DMA2 decodes A4-A1 only: its registers sit on the even ports.
    for (unsigned reg = 0; reg < 16; ++reg) {
        IoPortHandlers dma2;
        dma2.read8 = [this, reg](uint16_t) { return read_register(1, reg); };
        dma2.write8 = [this, reg](uint16_t, uint8_t v) { write_register(1, reg, v); };
        mappings_.push_back(bus.map(static_cast<uint16_t>(0xC0 + 2 * reg), 1, std::move(dma2)));
    }
    IoPortHandlers pages;
    pages.read8 = [this](uint16_t port) { return read_page(port); };
    pages.write8 = [this](uint16_t port, uint8_t v) { write_page(port, v); };
    mappings_.push_back(bus.map(0x81, 15, std::move(pages)));
}

uint8_t IsaDma::read_page(uint16_t port) const {
    return pages_[port - 0x80];
}
void IsaDma::write_page(uint16_t port, uint8_t value) {
    pages_[port - 0x80] = value;
}

void IsaDma::master_clear(unsigned ctrl) {
    Controller& c = controllers_[ctrl];
    c = Controller{};  // command, status, request, temporary and flip-flop cleared
    c.mask = 0x0F;
}

uint8_t IsaDma::read_register(unsigned ctrl, unsigned reg) {
    Controller& c = controllers_[ctrl];
    if (reg < 8) {
        const Channel& ch = channels_[ctrl * 4 + reg / 2];
        uint16_t value = (reg & 1) ? ch.current_count : ch.current_address;
        uint8_t byte = static_cast<uint8_t>(c.flip_flop ? value >> 8 : value);
        c.flip_flop = !c.flip_flop;
        return byte;
    }
    switch (reg) {
        case kStatusReg: {
            uint8_t requests = c.soft_request;
            for (unsigned i = 0; i < 4; ++i)
                if (channels_[ctrl * 4 + i].dreq) requests |= static_cast<uint8_t>(1u << i);
            uint8_t status = static_cast<uint8_t>(c.status_tc | requests << 4);
            c.status_tc = 0;
            return status;
        }
        case kMasterClearReg: return c.temporary;
        // Not readable on a discrete 8237; PC chipsets return the mask bits.
        case kAllMaskReg: return static_cast<uint8_t>(0xF0 | c.mask);
        default: return 0xFF;
    }
}

void IsaDma::write_register(unsigned ctrl, unsigned reg, uint8_t value) {
    Controller& c = controllers_[ctrl];
    if (reg < 8) {
        Channel& ch = channels_[ctrl * 4 + reg / 2];
        uint16_t& base = (reg & 1) ? ch.base_count : ch.base_address;
        base = c.flip_flop ? static_cast<uint16_t>((base & 0x00FF) | value << 8)
                           : static_cast<uint16_t>((base & 0xFF00) | value);
        ((reg & 1) ? ch.current_count : ch.current_address) = base;
        c.flip_flop = !c.flip_flop;
        return;
    }
    uint8_t bit = static_cast<uint8_t>(1u << (value & 3));
    switch (reg) {
        case kStatusReg: c.command = value; break;
        case kRequestReg:
            c.soft_request = (value & 4) ? (c.soft_request | bit) : (c.soft_request & ~bit);
            break;
        case kSingleMaskReg: c.mask = (value & 4) ? (c.mask | bit) : (c.mask & ~bit); break;
        case kModeReg: channels_[ctrl * 4 + (value & 3)].mode = value & 0xFC; break;
        case kClearFlipFlopReg: c.flip_flop = false; break;
        case kMasterClearReg: master_clear(ctrl); break;
        case kClearMaskReg: c.mask = 0; break;
        case kAllMaskReg: c.mask = value & 0x0F; break;
        default: break;
    }
}

DmaTransferType IsaDma::transfer_type(unsigned channel) const {
    check_channel(channel);
    return static_cast<DmaTransferType>(channels_[channel].mode >> 2 & 3);
}

DmaMode IsaDma::mode(unsigned channel) const {
    check_channel(channel);
    return static_cast<DmaMode>(channels_[channel].mode >> 6);
}

bool IsaDma::masked(unsigned channel) const {
    check_channel(channel);
    return controllers_[channel / 4].mask & (1u << (channel % 4));
}

bool IsaDma::channel_ready(unsigned channel) const {
    check_channel(channel);
    if (controllers_[channel / 4].command & kCommandDisable) return false;
    if (masked(channel) || mode(channel) == DmaMode::kCascade) return false;
    if (channel < 4) {
        // DMA1's hold request reaches the bus only through DMA2 channel 4.
        if ((controllers_[1].command & kCommandDisable) || masked(4) ||
            mode(4) != DmaMode::kCascade)
            return false;
    }
    return true;
}

uint64_t IsaDma::current_byte_address(unsigned channel) const {
    check_channel(channel);
    const Channel& ch = channels_[channel];
    uint8_t page = pages_[kPagePort[channel] - 0x80];
    if (channel < 4) return static_cast<uint64_t>(page) << 16 | ch.current_address;
    return static_cast<uint64_t>(page & 0xFE) << 16 | static_cast<uint64_t>(ch.current_address)
                                                          << 1;
}

uint16_t IsaDma::current_count(unsigned channel) const {
    check_channel(channel);
    return channels_[channel].current_count;
}

bool IsaDma::terminal_count(unsigned channel) const {
    check_channel(channel);
    return channels_[channel].tc_seen;
}

void IsaDma::set_request_line(unsigned channel, bool asserted) {
    check_channel(channel);
    channels_[channel].dreq = asserted;
}

template <typename Move>
size_t IsaDma::run_cycles(unsigned channel, size_t max_units, bool to_memory, Move move) {
    Channel& ch = channels_[channel];
    ch.tc_seen = false;
    if (!channel_ready(channel)) return 0;
    Controller& ctrl = controllers_[channel / 4];
    uint8_t bit = static_cast<uint8_t>(1u << (channel % 4));
    DmaTransferType type = transfer_type(channel);
    bool touches_memory =
        to_memory ? type == DmaTransferType::kWrite : type == DmaTransferType::kRead;
    size_t units = 0;
    while (units < max_units) {
        if (touches_memory) move(current_byte_address(channel), units);
        ++units;
        ch.current_address =
            static_cast<uint16_t>(ch.current_address + ((ch.mode & kModeDecrement) ? -1 : 1));
        if (ch.current_count-- == 0) {
            ctrl.status_tc |= bit;
            ctrl.soft_request &= static_cast<uint8_t>(~bit);
            ch.tc_seen = true;
            if (ch.mode & kModeAutoinit) {
                ch.current_address = ch.base_address;
                ch.current_count = ch.base_count;
            } else {
                ctrl.mask |= bit;
            }
            break;
        }
    }
    return units;
}

size_t IsaDma::transfer_to_memory(unsigned channel, std::span<const uint8_t> data) {
    check_channel(channel);
    size_t unit = channel < 4 ? 1 : 2;
    size_t units = run_cycles(channel, data.size() / unit, true, [&](uint64_t addr, size_t i) {
        memory_.write(addr, data.subspan(i * unit, unit));
    });
    return units * unit;
}

size_t IsaDma::transfer_from_memory(unsigned channel, std::span<uint8_t> out) {
    check_channel(channel);
    size_t unit = channel < 4 ? 1 : 2;
    std::fill(out.begin(), out.end(), 0xFF);
    size_t units = run_cycles(channel, out.size() / unit, false, [&](uint64_t addr, size_t i) {
        memory_.read(addr, out.subspan(i * unit, unit));
    });
    return units * unit;
}

void IsaDma::save(StateWriter& w) const {
    w.begin_section("dma", 1);
    for (const Channel& ch : channels_) {
        for (uint16_t v : {ch.base_address, ch.base_count, ch.current_address, ch.current_count})
            w.u16(v);
        w.u8(ch.mode);
        w.boolean(ch.tc_seen);
        w.boolean(ch.dreq);
    }
    for (const Controller& c : controllers_) {
        for (uint8_t v : {c.command, c.status_tc, c.soft_request, c.mask, c.temporary}) w.u8(v);
        w.boolean(c.flip_flop);
    }
    w.bytes(pages_);
    w.end_section();
}

void IsaDma::load(StateReader& r) {
    r.begin_section("dma", 1);
    std::array<Channel, kChannels> channels{};
    for (Channel& ch : channels) {
        ch.base_address = r.u16();
        ch.base_count = r.u16();
        ch.current_address = r.u16();
        ch.current_count = r.u16();
        ch.mode = r.u8();
        ch.tc_seen = r.boolean();
        ch.dreq = r.boolean();
        if (ch.mode & 0x03) throw StateError("state: dma: bad channel mode register");
    }
    std::array<Controller, 2> controllers{};
    for (Controller& c : controllers) {
        c.command = r.u8();
        c.status_tc = r.u8();
        c.soft_request = r.u8();
        c.mask = r.u8();
        c.temporary = r.u8();
        c.flip_flop = r.boolean();
        if ((c.status_tc | c.soft_request | c.mask) & 0xF0)
            throw StateError("state: dma: bad status, request or mask register");
    }
    std::array<uint8_t, 16> pages{};
    r.bytes(pages);
    r.end_section();
    channels_ = channels;
    controllers_ = controllers;
    pages_ = pages;
}

}  // namespace sandpc
