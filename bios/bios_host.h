// What the BIOS needs from the machine around it. The BIOS is firmware: it
// reads and writes the CPU's registers and guest memory (through the CPU, so
// paging and the A20 gate apply as for real-mode code), drives devices only
// through their ports, and reads disks through the block backends the host
// opened for the guest.
#pragma once
#include <cstdint>
#include <string>

#include "devices/io_bus.h"
#include "devices/storage/block_backend.h"

namespace sandpc {

class Cpu;

class BiosHost {
  public:
    virtual ~BiosHost() = default;
    virtual Cpu& cpu() = 0;
    virtual IoBus& io() = 0;
    // nullptr when the drive is absent.
    virtual BlockBackend* floppy(unsigned drive) = 0;
    virtual BlockBackend* hard_disk(unsigned index) = 0;
    // The CD-ROM drive's disc (2048-byte sectors); nullptr without a drive
    // or disc. INT 13h reaches it as drive Bios::kCdromDrive.
    virtual BlockBackend* cdrom() = 0;
    virtual uint64_t ram_bytes() const = 0;
    virtual uint64_t now_ns() const = 0;  // virtual time
    // The guest waits in INT 16h with an empty keyboard buffer.
    virtual void keyboard_wait() = 0;
    // Nothing to boot from (the message says why); the guest halts.
    virtual void boot_failed(const std::string& why) = 0;
    // Ctrl+Alt+Del.
    virtual void request_reset() = 0;
    // Called by INT 19h before any disk: a host that boots a kernel directly
    // (-kernel) loads it, sets the CPU's registers and pushes the real-mode
    // entry CS:IP on the new stack (the INT 19h stub ends with RETF), and
    // returns true.
    virtual bool boot_kernel(Cpu&) { return false; }
};

}  // namespace sandpc
