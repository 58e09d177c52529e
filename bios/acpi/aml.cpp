#include "bios/acpi/aml.h"

#include <stdexcept>
#include <string>

namespace sandpc::aml {
namespace {

constexpr uint8_t kZeroOp = 0x00;
constexpr uint8_t kOneOp = 0x01;
constexpr uint8_t kNameOp = 0x08;
constexpr uint8_t kBytePrefix = 0x0A;
constexpr uint8_t kWordPrefix = 0x0B;
constexpr uint8_t kDWordPrefix = 0x0C;
constexpr uint8_t kStringPrefix = 0x0D;
constexpr uint8_t kQWordPrefix = 0x0E;
constexpr uint8_t kScopeOp = 0x10;
constexpr uint8_t kBufferOp = 0x11;
constexpr uint8_t kPackageOp = 0x12;
constexpr uint8_t kDualNamePrefix = 0x2E;
constexpr uint8_t kMultiNamePrefix = 0x2F;
constexpr uint8_t kExtOpPrefix = 0x5B;
constexpr uint8_t kDeviceOp = 0x82;     // after ExtOpPrefix
constexpr uint8_t kProcessorOp = 0x83;  // after ExtOpPrefix
constexpr uint8_t kNullName = 0x00;

void append(Bytes& out, const Bytes& more) {
    out.insert(out.end(), more.begin(), more.end());
}

void append_le(Bytes& out, uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

bool is_name_char(char c, bool lead) {
    return (c >= 'A' && c <= 'Z') || c == '_' || (!lead && c >= '0' && c <= '9');
}

// opcode bytes, PkgLength, then the contents.
Bytes package_term(std::initializer_list<uint8_t> opcode, const Bytes& contents) {
    Bytes out(opcode);
    append(out, pkg_length(contents.size()));
    append(out, contents);
    return out;
}

}  // namespace

Bytes pkg_length(size_t content_length) {
    // One byte holds 6 bits; with N following bytes the lead byte holds 4 bits
    // and each following byte 8 more.
    for (unsigned extra = 0; extra <= 3; ++extra) {
        size_t total = content_length + 1 + extra;
        size_t limit = extra == 0 ? 0x40 : size_t{1} << (4 + 8 * extra);
        if (total >= limit) continue;
        if (extra == 0) return {static_cast<uint8_t>(total)};
        Bytes out{static_cast<uint8_t>(extra << 6 | (total & 0x0F))};
        for (unsigned i = 0; i < extra; ++i)
            out.push_back(static_cast<uint8_t>(total >> (4 + 8 * i)));
        return out;
    }
    throw std::invalid_argument("AML package longer than 2^28 bytes");
}

Bytes name_string(std::string_view path) {
    Bytes out;
    if (!path.empty() && path.front() == '\\') {
        out.push_back('\\');
        path.remove_prefix(1);
    }
    while (!path.empty() && path.front() == '^') {
        out.push_back('^');
        path.remove_prefix(1);
    }
    std::vector<std::string> segments;
    while (!path.empty()) {
        size_t dot = path.find('.');
        std::string_view seg = path.substr(0, dot);
        if (seg.empty() || seg.size() > 4 || !is_name_char(seg[0], true)) {
            throw std::invalid_argument("bad AML name segment: " + std::string(seg));
        }
        std::string padded(seg);
        for (char c : padded) {
            if (!is_name_char(c, false)) throw std::invalid_argument("bad AML name: " + padded);
        }
        padded.resize(4, '_');
        segments.push_back(padded);
        path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    if (segments.empty()) {
        out.push_back(kNullName);
    } else if (segments.size() == 2) {
        out.push_back(kDualNamePrefix);
    } else if (segments.size() > 2) {
        if (segments.size() > 255) throw std::invalid_argument("AML name too long");
        out.push_back(kMultiNamePrefix);
        out.push_back(static_cast<uint8_t>(segments.size()));
    }
    for (const std::string& seg : segments) out.insert(out.end(), seg.begin(), seg.end());
    return out;
}

Bytes integer(uint64_t value) {
    if (value == 0) return {kZeroOp};
    if (value == 1) return {kOneOp};
    struct Form {
        uint8_t prefix;
        unsigned size;
    };
    static constexpr Form kForms[] = {
        {kBytePrefix, 1}, {kWordPrefix, 2}, {kDWordPrefix, 4}, {kQWordPrefix, 8}};
    for (const Form& form : kForms) {
        if (form.size == 8 || value >> (8 * form.size) == 0) {
            Bytes out{form.prefix};
            append_le(out, value, form.size);
            return out;
        }
    }
    return {};  // unreachable: the QWord form takes every value
}

Bytes string(std::string_view text) {
    Bytes out{kStringPrefix};
    for (char c : text) {
        if (c == 0 || static_cast<unsigned char>(c) > 0x7F) {
            throw std::invalid_argument("AML strings are 7-bit ASCII without NUL");
        }
        out.push_back(static_cast<uint8_t>(c));
    }
    out.push_back(0);
    return out;
}

uint32_t eisa_id(std::string_view id) {
    auto hex = [&](char c) -> uint32_t {
        if (c >= '0' && c <= '9') return uint32_t(c - '0');
        if (c >= 'A' && c <= 'F') return uint32_t(c - 'A' + 10);
        throw std::invalid_argument("bad EISA ID: " + std::string(id));
    };
    if (id.size() != 7) throw std::invalid_argument("bad EISA ID: " + std::string(id));
    uint32_t value = 0;  // big-endian: 3 x 5-bit letters ('A' = 1), 4 hex digits
    for (int i = 0; i < 3; ++i) {
        if (id[i] < 'A' || id[i] > 'Z')
            throw std::invalid_argument("bad EISA ID: " + std::string(id));
        value = value << 5 | uint32_t(id[i] - 'A' + 1);
    }
    for (int i = 3; i < 7; ++i) value = value << 4 | hex(id[i]);
    // Stored so the first byte in memory is the most significant one.
    return (value >> 24) | ((value >> 8) & 0xFF00) | ((value << 8) & 0xFF0000) | (value << 24);
}

Bytes name(std::string_view path, const Bytes& data) {
    Bytes out{kNameOp};
    append(out, name_string(path));
    append(out, data);
    return out;
}

Bytes scope(std::string_view path, const Bytes& terms) {
    return package_term({kScopeOp}, join({name_string(path), terms}));
}

Bytes device(std::string_view path, const Bytes& objects) {
    return package_term({kExtOpPrefix, kDeviceOp}, join({name_string(path), objects}));
}

Bytes processor(std::string_view path, uint8_t id, uint32_t pblk_address, uint8_t pblk_length,
                const Bytes& objects) {
    Bytes contents = name_string(path);
    contents.push_back(id);
    append_le(contents, pblk_address, 4);
    contents.push_back(pblk_length);
    append(contents, objects);
    return package_term({kExtOpPrefix, kProcessorOp}, contents);
}

Bytes package(std::span<const Bytes> elements) {
    if (elements.size() > 255) throw std::invalid_argument("AML package with over 255 elements");
    Bytes contents{static_cast<uint8_t>(elements.size())};
    for (const Bytes& e : elements) append(contents, e);
    return package_term({kPackageOp}, contents);
}

Bytes buffer(std::span<const uint8_t> data) {
    Bytes contents = integer(data.size());
    contents.insert(contents.end(), data.begin(), data.end());
    return package_term({kBufferOp}, contents);
}

Bytes join(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) append(out, p);
    return out;
}

}  // namespace sandpc::aml
