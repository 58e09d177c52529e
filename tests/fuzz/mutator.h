// Deterministic input mutations for the fuzz corpus tests: the same seeds and
// the same PRNG seed give the same sequence of inputs on every run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sandpc::fuzz {

using Input = std::vector<uint8_t>;

class Mutator {
  public:
    explicit Mutator(uint64_t seed) : state_(seed ? seed : 1) {}

    // One to four mutations of `seeds[i]` (a random seed), some spliced with
    // another seed.
    Input next(const std::vector<Input>& seeds);

    uint64_t random() {  // xorshift64*
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return state_ * 0x2545F4914F6CDD1Dull;
    }
    size_t below(size_t n) { return n ? static_cast<size_t>(random() % n) : 0; }

  private:
    void mutate_once(Input& in, const std::vector<Input>& seeds);
    void flip_bit(Input& in);
    void set_interesting_byte(Input& in);
    void truncate(Input& in);
    void splice(Input& in, const Input& other);
    void edit_length_field(Input& in);
    void duplicate_chunk(Input& in);

    uint64_t state_;
};

}  // namespace sandpc::fuzz
