// Command-line options of the `sandpc` runner. Common flags follow
// qemu-system-i386 so scripts written for QEMU work with the binary renamed.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sandpc {

class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Exit statuses. Even numbers, so they never collide with isa-debug-exit
// statuses ((value << 1) | 1, always odd).
enum ExitStatus : int {
    kExitOk = 0,
    kExitUsage = 2,    // bad flags or unusable input (image, firmware)
    kExitTimeout = 4,  // --timeout reached
    kExitInstructionLimit = 6,
    kExitTripleFault = 8,  // with -no-reboot
    kExitHalted = 10,      // HLT with interrupts disabled
    kExitNoBootDevice = 12,
    kExitInternalError = 14,
    kExitGuestReset = 16,  // the guest reset the machine (reboot, panic) with -no-reboot
};

struct SerialSpec {
    enum Kind { kNone, kNull, kStdio, kFile, kSocket } kind = kNone;
    std::string path;  // kFile: the file; kSocket: the whole tcp:/unix: spec
};

struct RunnerOptions {
    uint32_t memory_mb = 0;  // 0: 32 MiB, 128 MiB with -kernel or -cdrom
    std::string fda, fdb;
    std::vector<std::string> hd = {"", "", "", ""};
    std::string cdrom;
    std::string boot_order;  // empty: default
    std::string bios;
    std::vector<std::string> option_roms;  // -option-rom, in order
    std::string kernel, initrd, append;
    std::vector<SerialSpec> serial;  // COM1..COM4 in order
    SerialSpec debugcon;
    bool isa_debug_exit = false;
    uint16_t isa_debug_exit_port = 0xF4;
    bool nographic = false;
    bool no_reboot = false;
    bool snapshot = false;
    bool writable = false;
    double timeout_seconds = 0;     // 0: none
    uint64_t max_instructions = 0;  // 0: none
    std::vector<std::string> until_text;
    std::vector<std::string> keys;
    std::string screendump;
    bool deterministic = false;
    std::string save_on_exit;
    std::string restore;
    std::string checkpoint_on_signal;
    double checkpoint_every = 0;  // seconds of host time; needs save_on_exit
    bool quiet = false;
    bool dump_state = false;
    bool jit = true;     // --cpu jit (the default) or interp
    bool stats = false;  // --stats
    bool help = false;
};

// Throws UsageError with a message naming the offending argument.
RunnerOptions parse_options(int argc, char** argv);
const char* usage_text();

}  // namespace sandpc
