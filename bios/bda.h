// Addresses in the BIOS data area (segment 0x40) and our EBDA, as the PC/AT
// BIOS defines them. All BIOS state lives in guest memory, so a machine
// snapshot carries it with RAM.
#pragma once
#include <cstdint>

namespace sandpc::bda {

constexpr uint32_t kBase = 0x400;
constexpr uint32_t kComPorts = 0x400;     // 4 words
constexpr uint32_t kLptPorts = 0x408;     // 3 words
constexpr uint32_t kEbdaSegment = 0x40E;  // word
constexpr uint32_t kEquipment = 0x410;    // word
constexpr uint32_t kMemoryKb = 0x413;     // word
constexpr uint32_t kKbdFlags0 = 0x417;
constexpr uint32_t kKbdFlags1 = 0x418;
constexpr uint32_t kKbdAltKeypad = 0x419;
constexpr uint32_t kKbdHead = 0x41A;  // word, offset from segment 0x40
constexpr uint32_t kKbdTail = 0x41C;
constexpr uint32_t kFloppyRecal = 0x43E;  // bit 7: floppy interrupt happened
constexpr uint32_t kFloppyMotor = 0x43F;
constexpr uint32_t kFloppyMotorTimeout = 0x440;
constexpr uint32_t kFloppyStatus = 0x441;  // last INT 13h status, floppies
constexpr uint32_t kVideoMode = 0x449;
constexpr uint32_t kVideoColumns = 0x44A;    // word
constexpr uint32_t kVideoPageSize = 0x44C;   // word, bytes
constexpr uint32_t kVideoPageStart = 0x44E;  // word, offset in the video window
constexpr uint32_t kCursorPos = 0x450;       // 8 words: low byte column, high byte row
constexpr uint32_t kCursorShape = 0x460;     // word: end line, start line
constexpr uint32_t kVideoPage = 0x462;
constexpr uint32_t kCrtcBase = 0x463;  // word: 0x3D4 or 0x3B4
constexpr uint32_t kVideoModeCtl = 0x465;
constexpr uint32_t kVideoPalette = 0x466;
constexpr uint32_t kTimerTicks = 0x46C;  // dword
constexpr uint32_t kTimerRollover = 0x470;
constexpr uint32_t kCtrlBreak = 0x471;
constexpr uint32_t kResetFlag = 0x472;   // word: 0x1234 = warm boot
constexpr uint32_t kDiskStatus = 0x474;  // last INT 13h status, hard disks
constexpr uint32_t kHardDiskCount = 0x475;
constexpr uint32_t kKbdBufStart = 0x480;  // word
constexpr uint32_t kKbdBufEnd = 0x482;    // word
constexpr uint32_t kVideoRows = 0x484;    // rows - 1
constexpr uint32_t kCharHeight = 0x485;   // word
constexpr uint32_t kVideoCtl = 0x487;
constexpr uint32_t kVideoSwitches = 0x488;
constexpr uint32_t kVideoFlags = 0x489;
constexpr uint32_t kDiskIrqFlag = 0x48E;
constexpr uint32_t kFloppyMedia = 0x490;  // 2 bytes: media state per drive
constexpr uint32_t kKbdFlags3 = 0x496;    // bit 4: 101-key keyboard, bit 1: E0 seen
constexpr uint32_t kKbdLeds = 0x497;
constexpr uint32_t kWaitFlag = 0x4A0;

constexpr uint16_t kEbdaSeg = 0x9FC0;  // 1 KiB at 0x9FC00
constexpr uint32_t kEbda = 0x9FC00;
constexpr uint32_t kEbdaWaitDeadline = kEbda + 0x100;  // qword, virtual ns (INT 15h 86h)
constexpr uint32_t kEbdaBootDrive = kEbda + 0x108;
constexpr uint32_t kEbdaRsdp = kEbda + 0x200;     // ACPI RSDP (36 bytes, 16-byte aligned)
constexpr uint32_t kEbdaVbeMode = kEbda + 0x10A;  // word: current VBE mode, 0 when none
// El Torito: the specification packet of the CD boot (INT 13h 4B01h returns
// it; size byte 0 = not booted from CD) and whether its emulated drive is on.
constexpr uint32_t kEbdaCdPacket = kEbda + 0x110;  // 13h bytes
constexpr uint32_t kEbdaCdEmulating = kEbda + 0x124;
// Option ROM scan: the segment where POST looks for the next ROM (word).
constexpr uint32_t kEbdaOptionRomScan = kEbda + 0x126;

}  // namespace sandpc::bda
