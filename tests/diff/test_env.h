// Numbers the random CPU suites take from the environment (seed, count).
#pragma once

#include <cstdint>
#include <cstdlib>

namespace sandpc {

inline uint64_t env_u64(const char* name, uint64_t fallback) {
    const char* v = std::getenv(name);
    return v ? std::strtoull(v, nullptr, 0) : fallback;
}

}  // namespace sandpc
