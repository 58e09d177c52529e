// Test media (a sparse in-memory disk whose unwritten bytes follow a known
// pattern), guest RAM for bus mastering, and a fixture that drives one IDE
// channel through its ports.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "devices/ata/ata_channel.h"
#include "tests/devices/device_test_util.h"

namespace sandpc::test {

// Byte `offset` of an unwritten pattern disk.
inline uint8_t pattern_byte(uint64_t offset) {
    return static_cast<uint8_t>((offset * 2654435761u) >> 13 ^ (offset >> 9));
}

class PatternBackend : public BlockBackend {
  public:
    PatternBackend(uint64_t size, bool read_only, int* flushes = nullptr)
        : size_(size), read_only_(read_only), flushes_(flushes) {}
    uint64_t size() const override { return size_; }
    bool read_only() const override { return read_only_; }
    std::string describe() const override { return "pattern disk"; }
    void read(uint64_t offset, std::span<uint8_t> out) override {
        check_range(offset, out.size());
        for (size_t i = 0; i < out.size(); ++i) {
            auto it = written_.find(offset + i);
            out[i] = it != written_.end() ? it->second : pattern_byte(offset + i);
        }
    }
    void write(uint64_t offset, std::span<const uint8_t> data) override {
        check_writable();
        check_range(offset, data.size());
        for (size_t i = 0; i < data.size(); ++i) written_[offset + i] = data[i];
    }
    void flush() override {
        if (flushes_) ++*flushes_;
    }

  private:
    uint64_t size_;
    bool read_only_;
    int* flushes_;
    std::map<uint64_t, uint8_t> written_;
};

inline std::vector<uint8_t> pattern(uint64_t offset, size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = pattern_byte(offset + i);
    return v;
}

class RamMemory : public PhysicalMemory {
  public:
    explicit RamMemory(size_t size) : bytes(size, 0) {}
    void read(uint64_t paddr, std::span<uint8_t> out) override {
        for (size_t i = 0; i < out.size(); ++i)
            out[i] = paddr + i < bytes.size() ? bytes[paddr + i] : 0xFF;
    }
    void write(uint64_t paddr, std::span<const uint8_t> data) override {
        for (size_t i = 0; i < data.size(); ++i)
            if (paddr + i < bytes.size()) bytes[paddr + i] = data[i];
    }
    std::vector<uint8_t> bytes;
};

inline constexpr uint16_t kCmd = 0x1F0;
inline constexpr uint16_t kCtl = 0x3F6;
inline constexpr uint16_t kBm = 0xC000;

class AtaFixture : public ::testing::Test {
  protected:
    uint8_t in(unsigned reg) { return bus.read8(static_cast<uint16_t>(kCmd + reg)); }
    void out(unsigned reg, uint8_t v) { bus.write8(static_cast<uint16_t>(kCmd + reg), v); }
    uint8_t alt_status() { return bus.read8(kCtl); }
    void control(uint8_t v) { bus.write8(kCtl, v); }

    // Polls alternate status while virtual time runs, as a driver does.
    uint8_t wait_not_busy() {
        for (int i = 0; i < 1000 && (alt_status() & 0x80); ++i)
            if (!sched.skip_to_next_event()) break;
        return alt_status();
    }
    void select(unsigned unit, uint8_t bits = 0xE0) {
        out(6, static_cast<uint8_t>(bits | (unit << 4)));
    }
    void lba28(uint32_t lba, uint8_t count, unsigned unit = 0) {
        select(unit, static_cast<uint8_t>(0xE0 | (lba >> 24 & 0x0F)));
        out(2, count);
        out(3, static_cast<uint8_t>(lba));
        out(4, static_cast<uint8_t>(lba >> 8));
        out(5, static_cast<uint8_t>(lba >> 16));
    }
    void lba48(uint64_t lba, uint16_t count) {
        select(0, 0x40);
        for (unsigned shift : {8u, 0u}) {
            out(2, static_cast<uint8_t>(count >> shift));
            out(3, static_cast<uint8_t>(lba >> (shift * 3)));
            out(4, static_cast<uint8_t>(lba >> (shift * 3 + 8)));
            out(5, static_cast<uint8_t>(lba >> (shift * 3 + 16)));
        }
    }
    // Runs a command to its first DRQ (or completion) and returns the status.
    uint8_t command(uint8_t c) {
        out(7, c);
        return wait_not_busy();
    }
    std::vector<uint8_t> read_bytes(size_t n) {
        std::vector<uint8_t> v;
        for (size_t i = 0; i < n; i += 2) {
            uint16_t w = bus.read16(kCmd);
            v.push_back(static_cast<uint8_t>(w));
            v.push_back(static_cast<uint8_t>(w >> 8));
        }
        return v;
    }
    void write_bytes(std::span<const uint8_t> data) {
        for (size_t i = 0; i < data.size(); i += 2)
            bus.write16(kCmd, static_cast<uint16_t>(data[i] | data[i + 1] << 8));
    }
    std::vector<uint16_t> identify_words(uint8_t c) {
        EXPECT_EQ(command(c) & 0x89, 0x08);
        auto b = read_bytes(512);
        std::vector<uint16_t> w(256);
        for (size_t i = 0; i < 256; ++i) w[i] = static_cast<uint16_t>(b[2 * i] | b[2 * i + 1] << 8);
        return w;
    }
    // Reads `sectors` sectors in DRQ blocks of `block`, checking each block.
    std::vector<uint8_t> read_pio(uint64_t sectors, unsigned block = 1) {
        std::vector<uint8_t> all;
        while (sectors) {
            wait_not_busy();
            uint8_t st = in(7);  // acknowledges the block's interrupt
            EXPECT_EQ(st & 0x89, 0x08) << "status " << int(st);
            if ((st & 0x89) != 0x08) break;
            uint64_t n = std::min<uint64_t>(sectors, block);
            auto b = read_bytes(n * 512);
            all.insert(all.end(), b.begin(), b.end());
            sectors -= n;
        }
        return all;
    }

    Scheduler sched{1'000'000'000};
    IoBus bus;
    RecordingIrqSink irqs{sched};
    RamMemory ram{1 << 20};
    AtaChannel channel{bus, sched, InterruptLine(irqs, 14), kCmd, kCtl, "ata0", &ram};
};

}  // namespace sandpc::test
