// The interface every disk device (floppy, ATA, ATAPI) reads and writes its
// medium through, and that image formats stack on (an overlay's base is any
// BlockBackend).
//
// Threading: a backend is not thread-safe. Each instance must be used by one
// thread at a time (the thread driving its machine); different instances,
// even over the same read-only file, may be used from different threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

namespace sandpc {

// Every storage failure: I/O errors, corrupt or unsupported images, writes to
// read-only images, out-of-range requests. The message names the file.
class BlockError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

inline constexpr uint32_t kSectorSize = 512;

class BlockBackend {
  public:
    virtual ~BlockBackend() = default;

    // Size of the disk the guest sees, in bytes.
    virtual uint64_t size() const = 0;
    virtual bool read_only() const = 0;
    // e.g. "overlay /tmp/a.sovl (64 KiB clusters) over raw /img/base.img (read-only)"
    virtual std::string describe() const = 0;

    // Byte-range I/O. The range must lie within size(); writes to a read-only
    // backend throw. A completed write is visible to later reads at once and
    // survives a host crash once a later flush() has returned.
    virtual void read(uint64_t offset, std::span<uint8_t> out) = 0;
    virtual void write(uint64_t offset, std::span<const uint8_t> data) = 0;
    virtual void flush() = 0;

    void read_sectors(uint64_t lba, std::span<uint8_t> out) { read(lba * kSectorSize, out); }
    void write_sectors(uint64_t lba, std::span<const uint8_t> data) {
        write(lba * kSectorSize, data);
    }

  protected:
    // Throws unless [offset, offset + len) lies within size().
    void check_range(uint64_t offset, uint64_t len) const {
        if (offset > size() || len > size() - offset)
            throw BlockError(describe() + ": access at " + std::to_string(offset) + "+" +
                             std::to_string(len) + " is beyond the end of the disk (" +
                             std::to_string(size()) + " bytes)");
    }
    void check_writable() const {
        if (read_only()) throw BlockError(describe() + ": image is read-only");
    }
};

using BlockBackendPtr = std::unique_ptr<BlockBackend>;

}  // namespace sandpc
