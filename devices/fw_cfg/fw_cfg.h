// QEMU's firmware configuration device (fw_cfg), traditional I/O interface
// (QEMU docs/specs/fw_cfg.rst):
//   0x510  selector, 16-bit write: selects an item and rewinds it
//   0x511  data, 8-bit read: the next byte of the item (0 past its end)
// As in QEMU, an 8-bit read of either port reads data, an 8-bit write is a
// (ignored) data write and other widths read all ones. The DMA interface is
// not implemented (ID bit 1 clear).
//
// Items are host configuration: the machine adds them after construction and
// again before load(); only the selector and read offset are guest state.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "devices/io_bus.h"

namespace sandpc {

class StateWriter;
class StateReader;

namespace fw_cfg {
// Item keys (QEMU include/standard-headers/linux/qemu_fw_cfg.h).
constexpr uint16_t kSignature = 0x00;
constexpr uint16_t kId = 0x01;
constexpr uint16_t kUuid = 0x02;
constexpr uint16_t kRamSize = 0x03;
constexpr uint16_t kNoGraphic = 0x04;
constexpr uint16_t kNbCpus = 0x05;
constexpr uint16_t kMachineId = 0x06;
constexpr uint16_t kKernelAddr = 0x07;
constexpr uint16_t kKernelSize = 0x08;
constexpr uint16_t kKernelCmdline = 0x09;
constexpr uint16_t kInitrdAddr = 0x0A;
constexpr uint16_t kInitrdSize = 0x0B;
constexpr uint16_t kBootDevice = 0x0C;
constexpr uint16_t kNuma = 0x0D;
constexpr uint16_t kBootMenu = 0x0E;
constexpr uint16_t kMaxCpus = 0x0F;
constexpr uint16_t kKernelEntry = 0x10;
constexpr uint16_t kKernelData = 0x11;
constexpr uint16_t kInitrdData = 0x12;
constexpr uint16_t kCmdlineAddr = 0x13;
constexpr uint16_t kCmdlineSize = 0x14;
constexpr uint16_t kCmdlineData = 0x15;
constexpr uint16_t kSetupAddr = 0x16;
constexpr uint16_t kSetupSize = 0x17;
constexpr uint16_t kSetupData = 0x18;
constexpr uint16_t kFileDir = 0x19;
constexpr uint16_t kFileFirst = 0x20;
constexpr uint16_t kWriteChannel = 0x4000;
constexpr uint16_t kArchLocal = 0x8000;

constexpr uint32_t kIdTraditional = 1u << 0;
constexpr size_t kMaxFileName = 55;  // 56-byte field with its NUL
constexpr uint16_t kDefaultPort = 0x510;
}  // namespace fw_cfg

// What a direct kernel boot publishes (the split QEMU's x86 -kernel uses):
// the real-mode setup part and the protected-mode part as separate items.
struct FwCfgKernelBoot {
    uint32_t setup_addr = 0;
    std::span<const uint8_t> setup;  // with the header fields already filled
    uint32_t kernel_addr = 0;
    std::span<const uint8_t> kernel;
    uint32_t kernel_entry = 0;  // 0: not published
    uint32_t cmdline_addr = 0;
    std::string cmdline;
    uint32_t initrd_addr = 0;
    std::span<const uint8_t> initrd;
};

class FwCfg {
  public:
    // Maps the selector and data ports at `base` (0x510) and 0x511, and adds
    // the signature, ID and an empty file directory.
    explicit FwCfg(IoBus& bus, uint16_t base = fw_cfg::kDefaultPort);

    // Replaces item `key` (bit 15 = architecture-specific item).
    void set_item(uint16_t key, std::vector<uint8_t> bytes);
    void set_u16(uint16_t key, uint16_t v);
    void set_u32(uint16_t key, uint32_t v);
    void set_u64(uint16_t key, uint64_t v);
    void set_string(uint16_t key, std::string_view s);  // with a NUL
    // Adds a named file (listed in item 0x19) and returns its key; a file of
    // that name is replaced in place. Throws std::invalid_argument for an
    // empty name or one longer than 55 bytes.
    uint16_t add_file(std::string_view name, std::vector<uint8_t> bytes);

    void set_ram_size(uint64_t bytes) { set_u64(fw_cfg::kRamSize, bytes); }
    void set_cpu_count(uint16_t n);  // NB_CPUS and MAX_CPUS
    void set_kernel_boot(const FwCfgKernelBoot& boot);

    bool has_item(uint16_t key) const { return items_.count(key & kKeyMask) != 0; }
    // Guest view, as through the ports.
    void select(uint16_t key);
    uint8_t read_data();
    uint16_t selector() const { return selector_; }

    void save(StateWriter& w) const;
    // Needs the same items added first; a snapshot taken with a selected
    // item that no longer exists (or is now shorter) is refused.
    void load(StateReader& r);

  private:
    static constexpr uint16_t kKeyMask = ~fw_cfg::kWriteChannel;
    void rebuild_directory();
    const std::vector<uint8_t>* selected() const;

    std::map<uint16_t, std::vector<uint8_t>> items_;
    std::vector<std::pair<std::string, uint16_t>> files_;  // in key order
    uint16_t selector_ = 0;
    uint32_t offset_ = 0;
    IoBus::Mapping ports_;
};

}  // namespace sandpc
