#include "tests/fuzz/mutator.h"

#include <algorithm>

namespace sandpc::fuzz {

namespace {

// Values that tend to hit boundaries in size, count and offset fields.
constexpr uint64_t kInterestingWords[] = {
    0,
    1,
    2,
    7,
    8,
    0x7F,
    0x80,
    0xFF,
    0x100,
    0x1FF,
    0x200,
    0x1000,
    0x7FFF,
    0x8000,
    0xFFFF,
    0x10000,
    0x7FFFFFFF,
    0x80000000u,
    0xFFFFFFFF,
    0x100000000ull,
    0x7FFFFFFFFFFFFFFFull,
    0x8000000000000000ull,
    ~0ull,
};
constexpr uint8_t kInterestingBytes[] = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x10, 0x09, 0x0C};
constexpr size_t kMaxInput = 1 << 20;

}  // namespace

Input Mutator::next(const std::vector<Input>& seeds) {
    Input in = seeds[below(seeds.size())];
    unsigned count = 1 + static_cast<unsigned>(below(4));
    for (unsigned i = 0; i < count; ++i) mutate_once(in, seeds);
    if (in.size() > kMaxInput) in.resize(kMaxInput);
    return in;
}

void Mutator::mutate_once(Input& in, const std::vector<Input>& seeds) {
    switch (below(7)) {
        case 0:
        case 1: flip_bit(in); break;
        case 2: set_interesting_byte(in); break;
        case 3: truncate(in); break;
        case 4: splice(in, seeds[below(seeds.size())]); break;
        case 5: edit_length_field(in); break;
        default: duplicate_chunk(in); break;
    }
}

void Mutator::flip_bit(Input& in) {
    if (in.empty()) return;
    // Headers hold most of the structure: favour the first bytes.
    size_t limit = below(2) ? std::min<size_t>(in.size(), 512) : in.size();
    in[below(limit)] ^= static_cast<uint8_t>(1u << below(8));
}

void Mutator::set_interesting_byte(Input& in) {
    if (in.empty()) return;
    in[below(in.size())] = kInterestingBytes[below(std::size(kInterestingBytes))];
}

void Mutator::truncate(Input& in) {
    in.resize(below(in.size() + 1));
}

void Mutator::splice(Input& in, const Input& other) {
    size_t keep = below(in.size() + 1);
    size_t from = below(other.size() + 1);
    in.resize(keep);
    in.insert(in.end(), other.begin() + static_cast<ptrdiff_t>(from), other.end());
}

void Mutator::edit_length_field(Input& in) {
    // An aligned 2-, 4- or 8-byte field, little- or big-endian (the state
    // stream is little-endian, qcow2 big-endian).
    unsigned width = 2u << below(3);
    if (in.size() < width) return;
    size_t limit = below(2) ? std::min<size_t>(in.size(), 4096) : in.size();
    size_t pos = below(limit - width + 1) & ~static_cast<size_t>(width - 1);
    if (pos + width > in.size()) return;
    uint64_t v = kInterestingWords[below(std::size(kInterestingWords))];
    switch (below(3)) {
        case 0: break;
        case 1: v = in.size() + below(3) - 1; break;  // the input's own size, +-1
        default: v += below(2) ? 1 : ~0ull; break;    // off by one
    }
    bool big_endian = below(2);
    for (unsigned i = 0; i < width; ++i) {
        unsigned shift = 8 * (big_endian ? width - 1 - i : i);
        in[pos + i] = static_cast<uint8_t>(shift < 64 ? v >> shift : 0);
    }
}

void Mutator::duplicate_chunk(Input& in) {
    if (in.empty()) return;
    size_t from = below(in.size());
    size_t len = 1 + below(std::min<size_t>(in.size() - from, 64));
    size_t to = below(in.size() + 1);
    Input chunk(in.begin() + static_cast<ptrdiff_t>(from),
                in.begin() + static_cast<ptrdiff_t>(from + len));
    in.insert(in.begin() + static_cast<ptrdiff_t>(to), chunk.begin(), chunk.end());
}

}  // namespace sandpc::fuzz
