// Keyboard scan code tables. The host names a key by its PC set-1 make code:
// the low byte is the code, 0xE0 in the high byte marks an E0-prefixed
// (extended) key, e.g. 0x001D Left Ctrl, 0xE01D Right Ctrl. Pause, which has
// no make code of its own, is kKeyPause.
#pragma once

#include <cstdint>
#include <optional>

namespace sandpc {

constexpr uint16_t kKeyExtended = 0xE000;
constexpr uint16_t kKeyLeftShift = 0x002A;
constexpr uint16_t kKeyPrintScreen = 0xE037;
constexpr uint16_t kKeyPause = 0xE11D;

struct KeyScanCodes {
    uint16_t set1;  // as above
    uint8_t set2;   // E0-prefixed in set 2 exactly when extended in set 1
    uint8_t set3;   // set 3 never uses prefixes
};

// nullptr for a key the keyboard does not have.
const KeyScanCodes* find_key(uint16_t set1);

// What the 8042 sends to the host for a byte from the keyboard when the
// command byte's translation bit is set (the F0 break prefix is handled by
// the controller: it sets bit 7 of the next translated byte).
uint8_t translate_set2_to_set1(uint8_t set2);

struct TypedKey {
    uint16_t key;  // set-1 make code
    bool shift;
};

// The key that types an ASCII character on a US layout ('\n' is Enter,
// '\t' Tab, '\b' Backspace); nothing for characters the layout lacks.
std::optional<TypedKey> key_for_char(char c);

}  // namespace sandpc
