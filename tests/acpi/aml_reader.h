// A small AML decoder for tests, written from the grammar in the ACPI
// specification the way an OS's namespace loader walks a definition block:
// Scope, Device, Processor and Name objects with their data (integers,
// strings, buffers, packages). Anything else throws, so a table with terms
// the decoder does not know fails the test instead of being skipped.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace sandpc::test {

struct AmlValue {
    enum class Kind { kInteger, kString, kBuffer, kPackage } kind = Kind::kInteger;
    uint64_t integer = 0;
    std::string string;
    std::vector<uint8_t> buffer;
    std::vector<AmlValue> elements;
};

struct AmlNamespace {
    std::map<std::string, AmlValue> names;       // "\\_SB_.PCI0._HID" -> value
    std::map<std::string, std::string> objects;  // path -> "Scope" / "Device" / "Processor"
    std::map<std::string, uint8_t> processor_ids;
};

class AmlReader {
  public:
    explicit AmlReader(std::span<const uint8_t> aml) : aml_(aml) {}

    AmlNamespace read() {
        AmlNamespace ns;
        term_list(aml_.size(), "\\", ns);
        return ns;
    }

    static uint8_t at(std::span<const uint8_t> data, size_t pos) {
        if (pos >= data.size()) throw std::runtime_error("AML read past the table");
        return data[pos];
    }

    // Decodes a PkgLength at `pos`; returns the length value and advances pos.
    static size_t pkg_length(std::span<const uint8_t> data, size_t& pos) {
        uint8_t lead = at(data, pos++);
        unsigned follow = lead >> 6;
        if (follow == 0) return lead & 0x3F;
        if (lead & 0x30) throw std::runtime_error("PkgLength: bits 5:4 must be 0");
        size_t length = lead & 0x0F;
        for (unsigned i = 0; i < follow; ++i) length |= size_t{at(data, pos++)} << (4 + 8 * i);
        return length;
    }

  private:
    uint8_t byte() { return at(aml_, pos_++); }

    uint64_t little_endian(unsigned size) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; ++i) v |= uint64_t{byte()} << (8 * i);
        return v;
    }

    // End position of a package starting at the PkgLength at pos_.
    size_t package_end() {
        size_t start = pos_;
        size_t end = start + pkg_length(aml_, pos_);
        if (end > aml_.size()) throw std::runtime_error("package runs past the table");
        return end;
    }

    std::string name_seg() {
        std::string seg;
        for (int i = 0; i < 4; ++i) {
            char c = static_cast<char>(byte());
            bool ok = (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
            if (!ok) throw std::runtime_error("bad NameSeg");
            seg += c;
        }
        return seg;
    }

    // Resolves a NameString against `scope` to an absolute dotted path.
    std::string name_string(const std::string& scope) {
        std::vector<std::string> parts;
        bool absolute = false;
        int parents = 0;
        if (at(aml_, pos_) == '\\') {
            absolute = true;
            ++pos_;
        }
        while (at(aml_, pos_) == '^') {
            ++parents;
            ++pos_;
        }
        uint8_t prefix = at(aml_, pos_);
        size_t count = 1;
        if (prefix == 0x00) {
            count = 0;
            ++pos_;
        } else if (prefix == 0x2E) {
            count = 2;
            ++pos_;
        } else if (prefix == 0x2F) {
            ++pos_;
            count = byte();
        }
        for (size_t i = 0; i < count; ++i) parts.push_back(name_seg());

        std::vector<std::string> path;
        if (!absolute) path = split(scope);
        for (int i = 0; i < parents; ++i) {
            if (path.empty()) throw std::runtime_error("^ above the root");
            path.pop_back();
        }
        path.insert(path.end(), parts.begin(), parts.end());
        std::string out = "\\";
        for (size_t i = 0; i < path.size(); ++i) out += (i ? "." : "") + path[i];
        return out;
    }

    static std::vector<std::string> split(const std::string& path) {
        std::vector<std::string> parts;
        std::string rest = path.substr(1);
        while (!rest.empty()) {
            size_t dot = rest.find('.');
            parts.push_back(rest.substr(0, dot));
            rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
        }
        return parts;
    }

    AmlValue data_object() {
        AmlValue v;
        uint8_t op = byte();
        switch (op) {
            case 0x00: v.integer = 0; break;
            case 0x01: v.integer = 1; break;
            case 0xFF: v.integer = ~uint64_t{0}; break;
            case 0x0A: v.integer = little_endian(1); break;
            case 0x0B: v.integer = little_endian(2); break;
            case 0x0C: v.integer = little_endian(4); break;
            case 0x0E: v.integer = little_endian(8); break;
            case 0x0D:
                v.kind = AmlValue::Kind::kString;
                for (char c; (c = static_cast<char>(byte())) != 0;) v.string += c;
                break;
            case 0x11: {
                v.kind = AmlValue::Kind::kBuffer;
                size_t end = package_end();
                AmlValue size = data_object();
                if (size.kind != AmlValue::Kind::kInteger) throw std::runtime_error("buffer size");
                v.buffer.assign(aml_.begin() + static_cast<ptrdiff_t>(pos_),
                                aml_.begin() + static_cast<ptrdiff_t>(end));
                if (v.buffer.size() != size.integer) throw std::runtime_error("buffer length");
                pos_ = end;
                break;
            }
            case 0x12: {
                v.kind = AmlValue::Kind::kPackage;
                size_t end = package_end();
                unsigned count = byte();
                while (pos_ < end) v.elements.push_back(data_object());
                if (pos_ != end || v.elements.size() != count) {
                    throw std::runtime_error("package element count");
                }
                break;
            }
            default: throw std::runtime_error("unknown data object opcode " + std::to_string(op));
        }
        return v;
    }

    void term_list(size_t end, const std::string& scope, AmlNamespace& ns) {
        while (pos_ < end) {
            uint8_t op = byte();
            if (op == 0x08) {  // Name
                std::string path = name_string(scope);
                ns.names[path] = data_object();
            } else if (op == 0x10) {  // Scope
                size_t body_end = package_end();
                std::string path = name_string(scope);
                ns.objects.emplace(path, "Scope");
                term_list(body_end, path, ns);
            } else if (op == 0x5B) {
                uint8_t ext = byte();
                size_t body_end = package_end();
                std::string path = name_string(scope);
                if (ext == 0x82) {
                    ns.objects[path] = "Device";
                } else if (ext == 0x83) {
                    ns.objects[path] = "Processor";
                    ns.processor_ids[path] = byte();
                    pos_ += 5;  // PblkAddr (DWord), PblkLen (Byte)
                } else {
                    throw std::runtime_error("unknown extended opcode " + std::to_string(ext));
                }
                term_list(body_end, path, ns);
            } else {
                throw std::runtime_error("unknown term opcode " + std::to_string(op));
            }
            if (pos_ > end) throw std::runtime_error("term runs past its package");
        }
    }

    std::span<const uint8_t> aml_;
    size_t pos_ = 0;
};

}  // namespace sandpc::test
