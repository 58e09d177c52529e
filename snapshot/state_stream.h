// Versioned, named state sections: the one format every component serializes
// itself with (see docs/ARCHITECTURE.md, "State and snapshots").
//
// A stream is a sequence of sections. Each section is
//   u32 name length, name bytes, u32 version, u64 payload length, payload,
//   u32 CRC-32 of the payload
// with all integers little-endian regardless of the host. Readers refuse a
// section whose version is newer than they understand, a wrong name, a bad
// checksum or a read past the payload, with a StateError that says which.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sandpc {

class StateError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class StateWriter {
  public:
    void begin_section(std::string_view name, uint32_t version);
    void end_section();

    void u8(uint8_t v) { buf_.push_back(v); }
    void u16(uint16_t v);
    void u32(uint32_t v);
    void u64(uint64_t v);
    void boolean(bool v) { u8(v ? 1 : 0); }
    void bytes(std::span<const uint8_t> data);
    void str(std::string_view s);

    const std::vector<uint8_t>& data() const { return buf_; }
    std::vector<uint8_t> take() { return std::move(buf_); }

  private:
    std::vector<uint8_t> buf_;
    size_t section_start_ = SIZE_MAX;  // offset of the payload-length field
};

class StateReader {
  public:
    explicit StateReader(std::span<const uint8_t> data) : data_(data) {}

    // Opens the next section, which must be called `name`; returns its
    // version. Throws if the version exceeds max_version.
    uint32_t begin_section(std::string_view name, uint32_t max_version);
    // Checks that the whole payload was consumed.
    void end_section();
    // Name of the next section without consuming it ("" at end of stream).
    std::string peek_section_name() const;
    bool at_end() const { return pos_ >= data_.size(); }

    uint8_t u8();
    uint16_t u16();
    uint32_t u32();
    uint64_t u64();
    bool boolean();
    void bytes(std::span<uint8_t> out);
    std::string str(size_t max_len = 4096);

  private:
    const uint8_t* take(size_t n);

    std::span<const uint8_t> data_;
    size_t pos_ = 0;
    size_t section_end_ = SIZE_MAX;
    std::string section_name_;
};

uint32_t crc32_of(std::span<const uint8_t> data);

}  // namespace sandpc
