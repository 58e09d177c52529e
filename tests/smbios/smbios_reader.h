// An independent reader of SMBIOS 2.x tables for tests: checks the entry
// point as an OS does (anchors, lengths, both checksums) and splits the
// structure table into structures with their string sets. Problems are
// collected as text, so a test can print every one.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sandpc::test {

struct SmbiosStructureView {
    uint8_t type = 0;
    uint16_t handle = 0;
    std::vector<uint8_t> formatted;    // type, length, handle and fields
    std::vector<std::string> strings;  // string 1 is strings[0]

    uint64_t field(size_t offset, unsigned size) const {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; ++i) v |= uint64_t{formatted.at(offset + i)} << (8 * i);
        return v;
    }
    // The string a string field names; "" for 0; "<bad N>" for a number
    // beyond the set.
    std::string string(size_t offset) const {
        unsigned n = formatted.at(offset);
        if (n == 0) return "";
        if (n > strings.size()) return "<bad " + std::to_string(n) + ">";
        return strings[n - 1];
    }
};

struct SmbiosView {
    unsigned major = 0, minor = 0;
    uint16_t max_structure_size = 0;
    uint32_t table_address = 0;
    uint16_t table_length = 0;
    uint16_t structure_count = 0;
    std::vector<SmbiosStructureView> structures;
    std::vector<std::string> problems;

    const SmbiosStructureView* find(uint8_t type) const {
        for (const auto& s : structures)
            if (s.type == type) return &s;
        return nullptr;
    }
};

inline uint64_t smbios_le(const std::vector<uint8_t>& b, size_t offset, unsigned size) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= uint64_t{b.at(offset + i)} << (8 * i);
    return v;
}

inline uint8_t smbios_sum(const std::vector<uint8_t>& b, size_t from, size_t to) {
    uint8_t s = 0;
    for (size_t i = from; i < to; ++i) s = static_cast<uint8_t>(s + b.at(i));
    return s;
}

// `entry` holds at least the 31-byte entry point; `table` the bytes at its
// structure table address (at least its stated length).
inline SmbiosView read_smbios(const std::vector<uint8_t>& entry,
                              const std::vector<uint8_t>& table) {
    SmbiosView v;
    auto problem = [&](std::string p) { v.problems.push_back(std::move(p)); };
    if (entry.size() < 0x1F) {
        problem("entry point shorter than 31 bytes");
        return v;
    }
    if (std::string(entry.begin(), entry.begin() + 4) != "_SM_") problem("no _SM_ anchor");
    if (entry[5] != 0x1F) problem("entry point length " + std::to_string(entry[5]));
    if (smbios_sum(entry, 0, 0x1F) != 0) problem("entry point checksum");
    if (std::string(entry.begin() + 0x10, entry.begin() + 0x15) != "_DMI_")
        problem("no _DMI_ anchor");
    if (smbios_sum(entry, 0x10, 0x1F) != 0) problem("intermediate checksum");
    v.major = entry[6];
    v.minor = entry[7];
    if (entry[0x1E] != ((v.major << 4) | v.minor)) problem("BCD revision differs from version");
    v.max_structure_size = uint16_t(smbios_le(entry, 0x08, 2));
    v.table_length = uint16_t(smbios_le(entry, 0x16, 2));
    v.table_address = uint32_t(smbios_le(entry, 0x18, 4));
    v.structure_count = uint16_t(smbios_le(entry, 0x1C, 2));
    if (table.size() < v.table_length) {
        problem("structure table shorter than stated");
        return v;
    }

    size_t at = 0;
    std::map<uint16_t, int> handles;
    while (at < v.table_length) {
        if (at + 4 > v.table_length) {
            problem("structure header past the table end");
            break;
        }
        uint8_t length = table[at + 1];
        if (length < 4 || at + length > v.table_length) {
            problem("bad length at offset " + std::to_string(at));
            break;
        }
        SmbiosStructureView s;
        s.type = table[at];
        s.handle = uint16_t(smbios_le(table, at + 2, 2));
        s.formatted.assign(table.begin() + long(at), table.begin() + long(at + length));
        size_t p = at + length;
        // Strings until the double NUL; a structure without strings has
        // just the two NULs.
        if (p + 1 < v.table_length && table[p] == 0 && table[p + 1] == 0) {
            p += 2;
        } else {
            while (p < v.table_length && table[p] != 0) {
                std::string str;
                while (p < v.table_length && table[p] != 0) str += char(table[p++]);
                ++p;
                s.strings.push_back(str);
            }
            if (p >= v.table_length) {
                problem("string set of type " + std::to_string(s.type) + " not terminated");
                break;
            }
            ++p;
        }
        if (p - at > v.max_structure_size)
            problem("type " + std::to_string(s.type) + " larger than the stated maximum");
        if (handles[s.handle]++) problem("handle " + std::to_string(s.handle) + " used twice");
        v.structures.push_back(std::move(s));
        at = p;
        if (v.structures.back().type == 127) break;
    }
    if (at != v.table_length) problem("table length does not end at type 127's end");
    if (v.structures.size() != v.structure_count) problem("structure count differs");
    if (v.structures.empty() || v.structures.back().type != 127) problem("no type 127 at the end");
    return v;
}

}  // namespace sandpc::test
