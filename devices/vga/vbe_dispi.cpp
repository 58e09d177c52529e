#include "devices/vga/vbe_dispi.h"

#include <algorithm>

namespace sandpc {

namespace {
constexpr uint16_t kEnableMask = VbeDispi::kEnabled | VbeDispi::kGetCaps | VbeDispi::kDac8Bit |
                                 VbeDispi::kLfbEnabled | VbeDispi::kNoClearMem;
}

VbeDispi::VbeDispi(uint32_t vram_size) : vram_size_(vram_size) {
    regs_[kId] = kIdMax;
    regs_[kXres] = 640;
    regs_[kYres] = 480;
    regs_[kBpp] = 8;
    regs_[kVirtWidth] = 640;
    regs_[kVirtHeight] = 480;
}

unsigned VbeDispi::bytes_for(unsigned bpp) {
    switch (bpp) {
        case 8: return 1;
        case 15:
        case 16: return 2;
        case 24: return 3;
        case 32: return 4;
        default: return 0;
    }
}

bool VbeDispi::mode_fits(unsigned xres, unsigned yres, unsigned bpp) const {
    return xres > 0 && yres > 0 && bytes_for(bpp) != 0 &&
           uint64_t{xres} * yres * bytes_for(bpp) <= vram_size_;
}

bool VbeDispi::offsets_fit(unsigned x, unsigned y) const {
    uint64_t line = line_bytes();
    uint64_t start = uint64_t{y} * line + uint64_t{x} * bytes_per_pixel();
    uint64_t span = (yres() ? (yres() - 1) * line : 0) + uint64_t{xres()} * bytes_per_pixel();
    return start + span <= vram_size_;
}

uint16_t VbeDispi::read_data() const {
    bool caps = regs_[kEnable] & kGetCaps;
    switch (index) {
        case kXres: return caps ? kMaxXres : regs_[kXres];
        case kYres: return caps ? kMaxYres : regs_[kYres];
        case kBpp: return caps ? kMaxBpp : regs_[kBpp];
        case kVideoMemory64k: return static_cast<uint16_t>(vram_size_ / kBankSize);
        default: return index < regs_.size() ? regs_[index] : 0;
    }
}

void VbeDispi::enable(uint16_t flags, std::span<uint8_t> vram) {
    bool was_enabled = enabled();
    if ((flags & kEnabled) && !was_enabled) {
        if (!mode_fits(xres(), yres(), bpp())) flags &= ~kEnabled;
    }
    regs_[kEnable] = flags;
    if (!enabled() || was_enabled) return;
    regs_[kVirtWidth] = regs_[kXres];
    regs_[kVirtHeight] =
        static_cast<uint16_t>(std::min<uint32_t>(vram_size_ / line_bytes(), 0xFFFF));
    regs_[kXOffset] = regs_[kYOffset] = 0;
    regs_[kBank] = 0;
    if (!(flags & kNoClearMem)) {
        size_t bytes = std::min<size_t>(size_t{line_bytes()} * yres(), vram.size());
        std::fill_n(vram.begin(), bytes, uint8_t{0});
    }
}

void VbeDispi::write_data(uint16_t value, std::span<uint8_t> vram) {
    switch (index) {
        case kId:
            if (value >= kIdMin && value <= kIdMax) regs_[kId] = value;
            break;
        case kXres:
            if (!enabled() && value > 0 && value <= kMaxXres) regs_[kXres] = value;
            break;
        case kYres:
            if (!enabled() && value > 0 && value <= kMaxYres) regs_[kYres] = value;
            break;
        case kBpp:
            if (value == 0) value = 8;
            if (!enabled() && bytes_for(value) != 0) regs_[kBpp] = value;
            break;
        case kEnable: enable(value & kEnableMask, vram); break;
        case kBank:
            if (value < vram_size_ / kBankSize) regs_[kBank] = value;
            break;
        case kVirtWidth: {
            uint32_t bytes = bytes_per_pixel();
            if (value < regs_[kXres] || uint64_t{value} * bytes * yres() > vram_size_) break;
            regs_[kVirtWidth] = value;
            regs_[kVirtHeight] =
                static_cast<uint16_t>(std::min<uint32_t>(vram_size_ / (value * bytes), 0xFFFF));
            if (!offsets_fit(regs_[kXOffset], regs_[kYOffset]))
                regs_[kXOffset] = regs_[kYOffset] = 0;
            break;
        }
        case kVirtHeight:
            if (value >= regs_[kYres] && uint64_t{value} * line_bytes() <= vram_size_)
                regs_[kVirtHeight] = value;
            break;
        case kXOffset:
            if (offsets_fit(value, regs_[kYOffset])) regs_[kXOffset] = value;
            break;
        case kYOffset:
            if (offsets_fit(regs_[kXOffset], value)) regs_[kYOffset] = value;
            break;
        default: break;  // VIDEO_MEMORY_64K and unknown indexes are read-only
    }
}

void VbeDispi::validate() const {
    auto fail = [](const char* what) { throw StateError(std::string("vga: bad VBE ") + what); };
    if (regs_[kId] < kIdMin || regs_[kId] > kIdMax) fail("ID");
    if (regs_[kXres] == 0 || regs_[kXres] > kMaxXres) fail("XRES");
    if (regs_[kYres] == 0 || regs_[kYres] > kMaxYres) fail("YRES");
    if (bytes_for(regs_[kBpp]) == 0) fail("BPP");
    if (regs_[kEnable] & ~kEnableMask) fail("ENABLE");
    if (regs_[kBank] >= vram_size_ / kBankSize) fail("BANK");
    // While disabled the geometry may be half-programmed; enabling re-derives it.
    if (!enabled()) return;
    if (!mode_fits(xres(), yres(), bpp())) fail("mode (larger than video memory)");
    if (regs_[kVirtWidth] < regs_[kXres] || uint64_t{line_bytes()} * yres() > vram_size_)
        fail("VIRT_WIDTH");
    if (!offsets_fit(regs_[kXOffset], regs_[kYOffset])) fail("X/Y_OFFSET");
}

void VbeDispi::save(StateWriter& w) const {
    w.u16(index);
    for (uint16_t v : regs_) w.u16(v);
}

void VbeDispi::load(StateReader& r) {
    VbeDispi v(vram_size_);
    v.index = r.u16();
    for (uint16_t& reg : v.regs_) reg = r.u16();
    v.validate();
    *this = v;
}

}  // namespace sandpc
