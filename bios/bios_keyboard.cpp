// INT 09h (scan code to key code, shift states, the BDA ring buffer) and
// INT 16h (reading it). Key codes are scan << 8 | ASCII, as on the IBM AT.
#include "bios/bda.h"
#include "bios/bios.h"

namespace sandpc {

namespace {

// Key codes for set-1 scan codes 0x01-0x58: normal, shift, ctrl, alt
// (0 = no key produced).
struct KeyRow {
    uint16_t normal, shift, ctrl, alt;
};

constexpr KeyRow kKeys[0x59] = {
    {0, 0, 0, 0},
    {0x011B, 0x011B, 0x011B, 0x0100},  // Esc
    {0x0231, 0x0221, 0, 0x7800},       // 1
    {0x0332, 0x0340, 0x0300, 0x7900},  // 2
    {0x0433, 0x0423, 0, 0x7A00},       // 3
    {0x0534, 0x0524, 0, 0x7B00},       // 4
    {0x0635, 0x0625, 0, 0x7C00},       // 5
    {0x0736, 0x075E, 0x071E, 0x7D00},  // 6
    {0x0837, 0x0826, 0, 0x7E00},       // 7
    {0x0938, 0x092A, 0, 0x7F00},       // 8
    {0x0A39, 0x0A28, 0, 0x8000},       // 9
    {0x0B30, 0x0B29, 0, 0x8100},       // 0
    {0x0C2D, 0x0C5F, 0x0C1F, 0x8200},  // -
    {0x0D3D, 0x0D2B, 0, 0x8300},       // =
    {0x0E08, 0x0E08, 0x0E7F, 0x0E00},  // Backspace
    {0x0F09, 0x0F00, 0x9400, 0xA500},  // Tab
    {0x1071, 0x1051, 0x1011, 0x1000},  // q
    {0x1177, 0x1157, 0x1117, 0x1100},  // w
    {0x1265, 0x1245, 0x1205, 0x1200},  // e
    {0x1372, 0x1352, 0x1312, 0x1300},  // r
    {0x1474, 0x1454, 0x1414, 0x1400},  // t
    {0x1579, 0x1559, 0x1519, 0x1500},  // y
    {0x1675, 0x1655, 0x1615, 0x1600},  // u
    {0x1769, 0x1749, 0x1709, 0x1700},  // i
    {0x186F, 0x184F, 0x180F, 0x1800},  // o
    {0x1970, 0x1950, 0x1910, 0x1900},  // p
    {0x1A5B, 0x1A7B, 0x1A1B, 0x1A00},  // [
    {0x1B5D, 0x1B7D, 0x1B1D, 0x1B00},  // ]
    {0x1C0D, 0x1C0D, 0x1C0A, 0x1C00},  // Enter
    {0, 0, 0, 0},                      // Ctrl
    {0x1E61, 0x1E41, 0x1E01, 0x1E00},  // a
    {0x1F73, 0x1F53, 0x1F13, 0x1F00},  // s
    {0x2064, 0x2044, 0x2004, 0x2000},  // d
    {0x2166, 0x2146, 0x2106, 0x2100},  // f
    {0x2267, 0x2247, 0x2207, 0x2200},  // g
    {0x2368, 0x2348, 0x2308, 0x2300},  // h
    {0x246A, 0x244A, 0x240A, 0x2400},  // j
    {0x256B, 0x254B, 0x250B, 0x2500},  // k
    {0x266C, 0x264C, 0x260C, 0x2600},  // l
    {0x273B, 0x273A, 0, 0x2700},       // ;
    {0x2827, 0x2822, 0, 0x2800},       // '
    {0x2960, 0x297E, 0, 0x2900},       // `
    {0, 0, 0, 0},                      // Left Shift
    {0x2B5C, 0x2B7C, 0x2B1C, 0x2B00},  // backslash
    {0x2C7A, 0x2C5A, 0x2C1A, 0x2C00},  // z
    {0x2D78, 0x2D58, 0x2D18, 0x2D00},  // x
    {0x2E63, 0x2E43, 0x2E03, 0x2E00},  // c
    {0x2F76, 0x2F56, 0x2F16, 0x2F00},  // v
    {0x3062, 0x3042, 0x3002, 0x3000},  // b
    {0x316E, 0x314E, 0x310E, 0x3100},  // n
    {0x326D, 0x324D, 0x320D, 0x3200},  // m
    {0x332C, 0x333C, 0, 0x3300},       // ,
    {0x342E, 0x343E, 0, 0x3400},       // .
    {0x352F, 0x353F, 0, 0x3500},       // /
    {0, 0, 0, 0},                      // Right Shift
    {0x372A, 0x372A, 0x9600, 0x3700},  // keypad *
    {0, 0, 0, 0},                      // Alt
    {0x3920, 0x3920, 0x3920, 0x3920},  // Space
    {0, 0, 0, 0},                      // Caps Lock
    {0x3B00, 0x5400, 0x5E00, 0x6800},  // F1
    {0x3C00, 0x5500, 0x5F00, 0x6900},  // F2
    {0x3D00, 0x5600, 0x6000, 0x6A00},  // F3
    {0x3E00, 0x5700, 0x6100, 0x6B00},  // F4
    {0x3F00, 0x5800, 0x6200, 0x6C00},  // F5
    {0x4000, 0x5900, 0x6300, 0x6D00},  // F6
    {0x4100, 0x5A00, 0x6400, 0x6E00},  // F7
    {0x4200, 0x5B00, 0x6500, 0x6F00},  // F8
    {0x4300, 0x5C00, 0x6600, 0x7000},  // F9
    {0x4400, 0x5D00, 0x6700, 0x7100},  // F10
    {0, 0, 0, 0},                      // Num Lock
    {0, 0, 0, 0},                      // Scroll Lock
    {0x4700, 0x4737, 0x7700, 0},       // Home / 7
    {0x4800, 0x4838, 0x8D00, 0},       // Up / 8
    {0x4900, 0x4939, 0x8400, 0},       // PgUp / 9
    {0x4A2D, 0x4A2D, 0x8E00, 0x4A00},  // keypad -
    {0x4B00, 0x4B34, 0x7300, 0},       // Left / 4
    {0x4C00, 0x4C35, 0x8F00, 0},       // 5
    {0x4D00, 0x4D36, 0x7400, 0},       // Right / 6
    {0x4E2B, 0x4E2B, 0x9000, 0x4E00},  // keypad +
    {0x4F00, 0x4F31, 0x7500, 0},       // End / 1
    {0x5000, 0x5032, 0x9100, 0},       // Down / 2
    {0x5100, 0x5133, 0x7600, 0},       // PgDn / 3
    {0x5200, 0x5230, 0x9200, 0},       // Ins / 0
    {0x5300, 0x532E, 0x9300, 0},       // Del / .
    {0, 0, 0, 0},
    {0, 0, 0, 0},
    {0, 0, 0, 0},
    {0x8500, 0x8700, 0x8900, 0x8B00},  // F11
    {0x8600, 0x8800, 0x8A00, 0x8C00},  // F12
};

// Flag bits in BDA 0x417.
constexpr uint8_t kRightShift = 0x01, kLeftShift = 0x02, kCtrl = 0x04, kAlt = 0x08;
constexpr uint8_t kScrollLock = 0x10, kNumLock = 0x20, kCapsLock = 0x40, kInsert = 0x80;

bool is_letter(uint16_t key) {
    uint8_t ascii = uint8_t(key);
    return (ascii >= 'a' && ascii <= 'z') || (ascii >= 'A' && ascii <= 'Z');
}

}  // namespace

bool Bios::enqueue_key(BiosCall& c, uint16_t key) {
    uint16_t start = c.read16(bda::kKbdBufStart), end = c.read16(bda::kKbdBufEnd);
    uint16_t tail = c.read16(bda::kKbdTail), head = c.read16(bda::kKbdHead);
    if (start >= end || tail < start || tail + 2 > end) return false;  // corrupted by the guest
    uint16_t next = uint16_t(tail + 2 >= end ? start : tail + 2);
    if (next == head) return false;  // full
    c.write16(bda::kBase + tail, key);
    c.write16(bda::kKbdTail, next);
    return true;
}

void Bios::keyboard_irq(BiosCall& c) {
    uint8_t code = c.al();
    uint8_t flags = c.read8(bda::kKbdFlags0);
    uint8_t flags1 = c.read8(bda::kKbdFlags1);
    uint8_t flags3 = c.read8(bda::kKbdFlags3);
    if (code == 0xE0 || code == 0xE1) {
        c.write8(bda::kKbdFlags3, uint8_t(flags3 | (code == 0xE0 ? 0x02 : 0x01)));
        return;
    }
    bool extended = flags3 & 0x02;
    c.write8(bda::kKbdFlags3, flags3 & ~0x03);
    bool release = code & 0x80;
    uint8_t scan = code & 0x7F;

    auto set = [&](uint8_t& f, uint8_t bit, bool on) { f = on ? (f | bit) : (f & ~bit); };
    switch (scan) {
        case 0x2A:
            if (!extended) set(flags, kLeftShift, !release);  // E0 2A is a fake shift
            break;
        case 0x36:
            if (!extended) set(flags, kRightShift, !release);
            break;
        case 0x1D:
            set(flags, kCtrl, !release);
            if (!extended) set(flags1, 0x01, !release);
            break;
        case 0x38:
            set(flags, kAlt, !release);
            if (!extended) set(flags1, 0x02, !release);
            break;
        case 0x3A:
            if (!release && !(flags1 & 0x40)) flags ^= kCapsLock;
            set(flags1, 0x40, !release);
            break;
        case 0x45:
            if (!release && !(flags1 & 0x20)) flags ^= kNumLock;
            set(flags1, 0x20, !release);
            break;
        case 0x46:
            if (!release && !(flags1 & 0x10)) flags ^= kScrollLock;
            set(flags1, 0x10, !release);
            break;
        default: break;
    }
    c.write8(bda::kKbdFlags0, flags);
    c.write8(bda::kKbdFlags1, flags1);
    if (release || scan == 0x2A || scan == 0x36 || scan == 0x1D || scan == 0x38 || scan == 0x3A ||
        scan == 0x45 || scan == 0x46 || scan >= 0x59)
        return;

    if ((flags & (kCtrl | kAlt)) == (kCtrl | kAlt) && scan == 0x53) {
        c.write16(bda::kResetFlag, 0x1234);
        host_.request_reset();
        return;
    }
    if (scan == 0x52 && !(flags & (kCtrl | kAlt))) c.write8(bda::kKbdFlags0, flags ^ kInsert);

    const KeyRow& row = kKeys[scan];
    bool shift = flags & (kLeftShift | kRightShift);
    uint16_t key;
    if (flags & kAlt) {
        key = row.alt;
    } else if (flags & kCtrl) {
        key = row.ctrl;
    } else {
        bool keypad = scan >= 0x47 && scan <= 0x53 && scan != 0x4A && scan != 0x4E;
        bool use_shift = shift;
        if (keypad && !extended && (flags & kNumLock)) use_shift = !use_shift;
        if (is_letter(row.normal) && (flags & kCapsLock)) use_shift = !use_shift;
        key = use_shift ? row.shift : row.normal;
        if (keypad && extended) key = uint16_t((row.normal & 0xFF00) | 0xE0);  // gray keys
    }
    if (extended && scan == 0x1C) key = uint16_t((key & 0x00FF) | 0xE000);  // keypad Enter
    if (extended && scan == 0x35) key = 0xE02F;                             // keypad /
    if (key) enqueue_key(c, key);
}

void Bios::keyboard(BiosCall& c) {
    uint16_t head = c.read16(bda::kKbdHead), tail = c.read16(bda::kKbdTail);
    uint16_t start = c.read16(bda::kKbdBufStart), end = c.read16(bda::kKbdBufEnd);
    bool empty = head == tail;
    bool enhanced = c.ah() & 0x10;
    // Enhanced-only keys (gray keys, keypad Enter and /) as the plain calls
    // report them.
    auto plain = [&](uint16_t key) {
        if (enhanced) return key;
        if ((key & 0xFF) == 0xE0 && (key >> 8)) return uint16_t(key & 0xFF00);
        if ((key >> 8) == 0xE0)
            return uint16_t(((key & 0xFF) == 0x2F ? 0x3500 : 0x1C00) | (key & 0xFF));
        return key;
    };
    switch (c.ah()) {
        case 0x00:
        case 0x10:
            if (empty) {
                host_.keyboard_wait();
                c.wait();
                return;
            }
            c.set_ax(plain(c.read16(bda::kBase + head)));
            head = uint16_t(head + 2 >= end ? start : head + 2);
            c.write16(bda::kKbdHead, head);
            break;
        case 0x01:
        case 0x11:
            if (empty) {
                host_.keyboard_wait();
                c.set_zf(true);
            } else {
                c.set_ax(plain(c.read16(bda::kBase + head)));
                c.set_zf(false);
            }
            break;
        case 0x02: c.set_al(c.read8(bda::kKbdFlags0)); break;
        case 0x12: {
            uint8_t f1 = c.read8(bda::kKbdFlags1);
            c.set_al(c.read8(bda::kKbdFlags0));
            c.set_ah(uint8_t((f1 & 0x73) | ((c.read8(bda::kKbdFlags0) & kCtrl) ? 0x04 : 0) |
                             ((c.read8(bda::kKbdFlags0) & kAlt) ? 0x08 : 0)));
            break;
        }
        case 0x03: break;  // typematic rate: accepted
        case 0x05: c.set_al(enqueue_key(c, c.cx()) ? 0 : 1); break;
        case 0x09: c.set_al(0x20); break;    // function 0Ah supported
        case 0x0A: c.set_bx(0x41AB); break;  // MF2 keyboard
        default: break;
    }
}

}  // namespace sandpc
