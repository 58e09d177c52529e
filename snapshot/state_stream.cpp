#include "snapshot/state_stream.h"

#include <zlib.h>

#include <cstring>

namespace sandpc {

namespace {
void put_le(std::vector<uint8_t>& buf, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) buf.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t get_le(const uint8_t* p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}
}  // namespace

uint32_t crc32_of(std::span<const uint8_t> data) {
    uLong crc = crc32(0L, Z_NULL, 0);
    // zlib takes uInt lengths; feed large buffers in pieces.
    size_t off = 0;
    while (off < data.size()) {
        size_t n = std::min<size_t>(data.size() - off, 1u << 30);
        crc = crc32(crc, data.data() + off, static_cast<uInt>(n));
        off += n;
    }
    return static_cast<uint32_t>(crc);
}

void StateWriter::begin_section(std::string_view name, uint32_t version) {
    if (section_start_ != SIZE_MAX) throw StateError("state: nested section " + std::string(name));
    str(name);
    u32(version);
    section_start_ = buf_.size();
    put_le(buf_, 0, 8);
}

void StateWriter::end_section() {
    if (section_start_ == SIZE_MAX) throw StateError("state: end_section without begin_section");
    size_t payload = section_start_ + 8;
    uint64_t len = buf_.size() - payload;
    for (int i = 0; i < 8; ++i) buf_[section_start_ + i] = static_cast<uint8_t>(len >> (8 * i));
    uint32_t crc = crc32_of(std::span(buf_).subspan(payload));
    u32(crc);
    section_start_ = SIZE_MAX;
}

void StateWriter::u16(uint16_t v) {
    put_le(buf_, v, 2);
}
void StateWriter::u32(uint32_t v) {
    put_le(buf_, v, 4);
}
void StateWriter::u64(uint64_t v) {
    put_le(buf_, v, 8);
}
void StateWriter::bytes(std::span<const uint8_t> data) {
    buf_.insert(buf_.end(), data.begin(), data.end());
}
void StateWriter::str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    buf_.insert(buf_.end(), s.begin(), s.end());
}

const uint8_t* StateReader::take(size_t n) {
    size_t limit = section_end_ == SIZE_MAX ? data_.size() : section_end_;
    if (n > limit || pos_ > limit - n) {
        throw StateError(section_name_.empty()
                             ? std::string("state: stream truncated")
                             : "state: section '" + section_name_ + "' is shorter than expected");
    }
    const uint8_t* p = data_.data() + pos_;
    pos_ += n;
    return p;
}

uint8_t StateReader::u8() {
    return *take(1);
}
uint16_t StateReader::u16() {
    return static_cast<uint16_t>(get_le(take(2), 2));
}
uint32_t StateReader::u32() {
    return static_cast<uint32_t>(get_le(take(4), 4));
}
uint64_t StateReader::u64() {
    return get_le(take(8), 8);
}
bool StateReader::boolean() {
    uint8_t v = u8();
    if (v > 1) throw StateError("state: bad boolean in section '" + section_name_ + "'");
    return v != 0;
}
void StateReader::bytes(std::span<uint8_t> out) {
    if (out.empty()) return;
    std::memcpy(out.data(), take(out.size()), out.size());
}
std::string StateReader::str(size_t max_len) {
    uint32_t n = u32();
    if (n > max_len) throw StateError("state: string too long in section '" + section_name_ + "'");
    const uint8_t* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), n);
}

std::string StateReader::peek_section_name() const {
    StateReader copy = *this;
    if (copy.at_end()) return "";
    try {
        return copy.str(256);
    } catch (const StateError&) {
        return "";
    }
}

uint32_t StateReader::begin_section(std::string_view name, uint32_t max_version) {
    if (section_end_ != SIZE_MAX) throw StateError("state: nested section " + std::string(name));
    section_name_.clear();
    std::string got = str(256);
    if (got != name) {
        throw StateError("state: expected section '" + std::string(name) + "', found '" + got +
                         "'");
    }
    uint32_t version = u32();
    uint64_t len = u64();
    if (len > data_.size() - pos_ || data_.size() - pos_ - len < 4) {
        throw StateError("state: section '" + got + "' is truncated");
    }
    uint32_t want = static_cast<uint32_t>(get_le(data_.data() + pos_ + len, 4));
    if (crc32_of(data_.subspan(pos_, len)) != want) {
        throw StateError("state: section '" + got + "' fails its checksum (corrupted)");
    }
    if (version > max_version) {
        throw StateError("state: section '" + got + "' has version " + std::to_string(version) +
                         ", newer than the " + std::to_string(max_version) +
                         " this build understands");
    }
    section_name_ = got;
    section_end_ = pos_ + len;
    return version;
}

void StateReader::end_section() {
    if (section_end_ == SIZE_MAX) throw StateError("state: end_section without begin_section");
    if (pos_ != section_end_) {
        throw StateError("state: section '" + section_name_ + "' has unread data");
    }
    pos_ += 4;  // checksum, verified at begin_section
    section_end_ = SIZE_MAX;
    section_name_.clear();
}

}  // namespace sandpc
