// Shared pieces of the FPU tests: a memory mock, random operand classes and
// FSAVE-image helpers.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include "cpu/fpu/x87.h"

namespace sandpc::test {

// A flat buffer standing for the operand's segment, based at `base`.
class MockMemory : public X87Memory {
  public:
    MockMemory(uint8_t* buf, size_t size, uint32_t base) : buf_(buf), size_(size), base_(base) {}
    void read(uint32_t offset, void* dst, unsigned len) override {
        check(offset, len);
        std::memcpy(dst, buf_ + (offset - base_), len);
    }
    void write(uint32_t offset, const void* src, unsigned len) override {
        check(offset, len);
        if (fault_on_write) throw std::runtime_error("write fault");
        std::memcpy(buf_ + (offset - base_), src, len);
    }
    bool fault_on_write = false;

  private:
    void check(uint32_t offset, unsigned len) const {
        if (offset < base_ || offset - base_ + len > size_)
            throw std::runtime_error("out of range");
    }
    uint8_t* buf_;
    size_t size_;
    uint32_t base_;
};

class OperandGen {
  public:
    explicit OperandGen(uint64_t seed) : rng_(seed) {}

    uint64_t bits() { return rng_(); }
    unsigned pick(unsigned n) { return static_cast<unsigned>(rng_() % n); }

    // An 80-bit value from one of the classes that exercise special cases.
    F80 f80() {
        F80 f;
        uint16_t s = pick(2) ? 0x8000 : 0;
        uint64_t m = bits();
        switch (pick(18)) {
            case 0: return F80{0, s};                  // zero
            case 1: return F80{m & ~(1ull << 63), s};  // denormal
            case 2: return F80{m | (1ull << 63), s};   // pseudo-denormal
            case 3:
                f = F80{m | (1ull << 63), static_cast<uint16_t>(s | (1 + pick(0x7ffe)))};
                return f;
            case 4:
                return F80{m | (1ull << 63), static_cast<uint16_t>(s | (0x3fff - 70 + pick(140)))};
            case 5: return F80{1ull << 63, static_cast<uint16_t>(s | 0x7fff)};  // infinity
            case 6: return F80{0, static_cast<uint16_t>(s | 0x7fff)};           // pseudo-infinity
            case 7: return F80{m | (3ull << 62), static_cast<uint16_t>(s | 0x7fff)};  // QNaN
            case 8: {                                                                 // SNaN
                uint64_t v = (m & ~(1ull << 62)) | (1ull << 63);
                if (v == (1ull << 63)) v |= 1;
                return F80{v, static_cast<uint16_t>(s | 0x7fff)};
            }
            case 9:
                return F80{(m & ~(1ull << 63)) | 1,
                           static_cast<uint16_t>(s | 0x7fff)};  // pseudo-NaN
            case 10:
                return F80{m & ~(1ull << 63),
                           static_cast<uint16_t>(s | (1 + pick(0x7ffe)))};  // unnormal
            case 11:
                return F80{m | (1ull << 63),
                           static_cast<uint16_t>(s | (0x7ffe - pick(80)))};  // huge
            case 12:
                return F80{m | (1ull << 63), static_cast<uint16_t>(s | (1 + pick(80)))};  // tiny
            case 13: {  // near a 24/53/64-bit rounding boundary
                static const int kCut[] = {40, 11, 1};
                int cut = kCut[pick(3)];
                uint64_t low = pick(2) ? (1ull << (cut - 1)) : (1ull << (cut - 1)) - 1;
                if (pick(3) == 0) low ^= 1;
                uint64_t v = ((m >> cut) << cut) | low | (1ull << 63);
                return F80{v, static_cast<uint16_t>(s | (0x3fff - 20 + pick(40)))};
            }
            case 14: {  // small integers and halves
                int64_t n = static_cast<int64_t>(pick(200)) - 100;
                long double x = static_cast<long double>(n) / (pick(2) ? 1 : 2);
                return from_ld(x);
            }
            case 15:
                return F80{m | (1ull << 63), static_cast<uint16_t>(s | (0x3fff + 60 + pick(8)))};
            case 16: return F80{m | (1ull << 63), static_cast<uint16_t>(s | (0x3fff + pick(3)))};
            default:
                return F80{m | (1ull << 63), static_cast<uint16_t>(s | (0x3fff - 64 + pick(64)))};
        }
    }

    // Bytes for a memory operand of `len` bytes: floats, doubles, integers, BCD.
    void mem_operand(uint8_t* p, unsigned len, bool bcd = false) {
        uint64_t m = bits();
        if (bcd) {
            for (unsigned k = 0; k < 9; ++k) {
                unsigned lo = pick(10), hi = pick(10);
                if (pick(40) == 0) lo = 10 + pick(6);
                p[k] = static_cast<uint8_t>(lo | (hi << 4));
            }
            p[9] = pick(2) ? 0x80 : (pick(8) == 0 ? static_cast<uint8_t>(bits()) : 0);
            return;
        }
        if (len == 10) {
            F80 f = f80();
            f.to_bytes(p);
            return;
        }
        if (len == 4) {
            uint32_t v = static_cast<uint32_t>(m);
            uint32_t s = v & 0x80000000u;
            switch (pick(9)) {
                case 0: v = s; break;
                case 1: v = s | (v & 0x7fffff); break;                        // denormal
                case 2: v = s | 0x7f800000; break;                            // infinity
                case 3: v = s | 0x7fc00000 | (v & 0x3fffff); break;           // QNaN
                case 4: v = s | 0x7f800001 | (v & 0x1fffff); break;           // SNaN
                case 5: v = static_cast<uint32_t>(pick(2000)) - 1000; break;  // small int
                case 6: v = pick(2) ? 0x80000000u : 0x7fffffffu; break;
                default: break;
            }
            std::memcpy(p, &v, 4);
            return;
        }
        if (len == 8) {
            uint64_t v = m, s = m & (1ull << 63);
            switch (pick(9)) {
                case 0: v = s; break;
                case 1: v = s | (v & ((1ull << 52) - 1)); break;
                case 2: v = s | (0x7ffull << 52); break;
                case 3: v = s | (0xfffull << 51) | (v & ((1ull << 51) - 1)); break;
                case 4: v = s | (0x7ffull << 52) | 1 | (v & ((1ull << 50) - 1)); break;
                case 5: v = static_cast<uint64_t>(static_cast<int64_t>(pick(2000)) - 1000); break;
                case 6: v = pick(2) ? (1ull << 63) : ~(1ull << 63); break;
                default: break;
            }
            std::memcpy(p, &v, 8);
            return;
        }
        uint16_t v = static_cast<uint16_t>(m);
        if (pick(4) == 0) v = pick(2) ? 0x8000 : 0x7fff;
        std::memcpy(p, &v, 2);
    }

    // A 108-byte FSAVE image (32-bit protected layout) with no pending
    // exception: random stack, tags, TOP, condition codes, masked flags.
    void state(uint8_t* img, bool all_masked_bias) {
        std::memset(img, 0, 108);
        uint16_t masks =
            (all_masked_bias && pick(10) < 7) ? 0x3f : static_cast<uint16_t>(bits() & 0x3f);
        uint16_t cw = static_cast<uint16_t>(0x0040 | masks | (pick(4) << 8) | (pick(4) << 10));
        uint16_t flags = static_cast<uint16_t>(bits() & masks & 0x3f);
        if (pick(2)) flags = 0;
        uint16_t sw = static_cast<uint16_t>(flags | (bits() & 0x4700) | (pick(8) << 11));
        uint16_t tw = 0;
        for (unsigned k = 0; k < 8; ++k)
            if (pick(4) == 0) tw |= static_cast<uint16_t>(3u << (2 * k));
        std::memcpy(img + 0, &cw, 2);
        std::memcpy(img + 4, &sw, 2);
        std::memcpy(img + 8, &tw, 2);
        for (unsigned k = 0; k < 8; ++k) f80().to_bytes(img + 28 + 10 * k);
    }

    static F80 from_ld(long double x) {
        uint8_t b[16] = {};
        std::memcpy(b, &x, 10);
        return F80::from_bytes(b);
    }

  private:
    std::mt19937_64 rng_;
};

}  // namespace sandpc::test
