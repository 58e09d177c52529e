#include "devices/fw_cfg/fw_cfg.h"

#include <stdexcept>

#include "snapshot/state_stream.h"

namespace sandpc {

namespace {

constexpr uint32_t kStateVersion = 1;
constexpr size_t kDirEntrySize = 64;  // u32 size, u16 select, u16 reserved, name[56]

std::vector<uint8_t> le_bytes(uint64_t v, size_t n) {
    std::vector<uint8_t> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
    return out;
}

void put_be(std::vector<uint8_t>& out, size_t off, uint32_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) out[off + i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
}

}  // namespace

FwCfg::FwCfg(IoBus& bus, uint16_t base) {
    set_item(fw_cfg::kSignature, {'Q', 'E', 'M', 'U'});
    set_u32(fw_cfg::kId, fw_cfg::kIdTraditional);
    rebuild_directory();
    IoPortHandlers h;
    h.read8 = [this](uint16_t) { return read_data(); };
    h.read16 = [](uint16_t) -> uint16_t { return 0xFFFF; };
    h.read32 = [](uint16_t) -> uint32_t { return 0xFFFFFFFF; };
    h.write8 = [](uint16_t, uint8_t) {};  // data writes: read-only since QEMU 2.4
    h.write16 = [this, base](uint16_t port, uint16_t v) {
        if (port == base) select(v);
    };
    h.write32 = [](uint16_t, uint32_t) {};
    ports_ = bus.map(base, 2, std::move(h));
}

void FwCfg::set_item(uint16_t key, std::vector<uint8_t> bytes) {
    items_[key & kKeyMask] = std::move(bytes);
}

void FwCfg::set_u16(uint16_t key, uint16_t v) {
    set_item(key, le_bytes(v, 2));
}
void FwCfg::set_u32(uint16_t key, uint32_t v) {
    set_item(key, le_bytes(v, 4));
}
void FwCfg::set_u64(uint16_t key, uint64_t v) {
    set_item(key, le_bytes(v, 8));
}

void FwCfg::set_string(uint16_t key, std::string_view s) {
    std::vector<uint8_t> bytes(s.begin(), s.end());
    bytes.push_back(0);
    set_item(key, std::move(bytes));
}

uint16_t FwCfg::add_file(std::string_view name, std::vector<uint8_t> bytes) {
    if (name.empty() || name.size() > fw_cfg::kMaxFileName) {
        throw std::invalid_argument("fw_cfg: file name '" + std::string(name) +
                                    "' must be 1 to 55 bytes");
    }
    uint16_t key = static_cast<uint16_t>(fw_cfg::kFileFirst + files_.size());
    bool found = false;
    for (const auto& [file, k] : files_) {
        if (file == name) {
            key = k;
            found = true;
        }
    }
    if (!found) {
        if (key >= fw_cfg::kWriteChannel) throw std::invalid_argument("fw_cfg: too many files");
        files_.emplace_back(std::string(name), key);
    }
    set_item(key, std::move(bytes));
    rebuild_directory();
    return key;
}

void FwCfg::rebuild_directory() {
    std::vector<uint8_t> dir(4 + files_.size() * kDirEntrySize, 0);
    put_be(dir, 0, static_cast<uint32_t>(files_.size()), 4);
    for (size_t i = 0; i < files_.size(); ++i) {
        const auto& [name, key] = files_[i];
        const size_t e = 4 + i * kDirEntrySize;
        put_be(dir, e, static_cast<uint32_t>(items_.at(key).size()), 4);
        put_be(dir, e + 4, key, 2);
        std::copy(name.begin(), name.end(), dir.begin() + static_cast<ptrdiff_t>(e + 8));
    }
    items_[fw_cfg::kFileDir] = std::move(dir);
}

void FwCfg::set_cpu_count(uint16_t n) {
    set_u16(fw_cfg::kNbCpus, n);
    set_u16(fw_cfg::kMaxCpus, n);
}

void FwCfg::set_kernel_boot(const FwCfgKernelBoot& b) {
    using namespace fw_cfg;
    set_u32(kSetupAddr, b.setup_addr);
    set_u32(kSetupSize, static_cast<uint32_t>(b.setup.size()));
    set_item(kSetupData, {b.setup.begin(), b.setup.end()});
    set_u32(kKernelAddr, b.kernel_addr);
    set_u32(kKernelSize, static_cast<uint32_t>(b.kernel.size()));
    set_item(kKernelData, {b.kernel.begin(), b.kernel.end()});
    if (b.kernel_entry != 0) set_u32(kKernelEntry, b.kernel_entry);
    set_u32(kCmdlineAddr, b.cmdline_addr);
    set_u32(kCmdlineSize, static_cast<uint32_t>(b.cmdline.size() + 1));
    set_string(kCmdlineData, b.cmdline);
    set_u32(kInitrdAddr, b.initrd_addr);
    set_u32(kInitrdSize, static_cast<uint32_t>(b.initrd.size()));
    set_item(kInitrdData, {b.initrd.begin(), b.initrd.end()});
}

const std::vector<uint8_t>* FwCfg::selected() const {
    auto it = items_.find(selector_ & kKeyMask);
    return it == items_.end() ? nullptr : &it->second;
}

void FwCfg::select(uint16_t key) {
    selector_ = key;
    offset_ = 0;
}

uint8_t FwCfg::read_data() {
    const std::vector<uint8_t>* item = selected();
    if (item == nullptr || offset_ >= item->size()) return 0;
    return (*item)[offset_++];
}

void FwCfg::save(StateWriter& w) const {
    w.begin_section("fw_cfg", kStateVersion);
    w.u16(selector_);
    w.u32(offset_);
    w.boolean(selected() != nullptr);
    w.end_section();
}

void FwCfg::load(StateReader& r) {
    r.begin_section("fw_cfg", kStateVersion);
    const uint16_t selector = r.u16();
    const uint32_t offset = r.u32();
    const bool had_item = r.boolean();
    r.end_section();
    auto it = items_.find(selector & kKeyMask);
    if (had_item && it == items_.end()) {
        throw StateError("fw_cfg: the selected item " + std::to_string(selector) +
                         " is not configured on this machine");
    }
    const size_t size = it == items_.end() ? 0 : it->second.size();
    if (offset > size) {
        throw StateError("fw_cfg: read offset " + std::to_string(offset) +
                         " is past the end of item " + std::to_string(selector) + " (" +
                         std::to_string(size) + " bytes)");
    }
    selector_ = selector;
    offset_ = offset;
}

}  // namespace sandpc
