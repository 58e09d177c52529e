/* Fills the test areas with the protocol's pattern (diff_fill), about five
 * times faster than the byte-serial reference: the xorshift generator is
 * linear over GF(2), so the state 256 steps ahead is a fixed 32x32 bit matrix
 * times the current state. Each 4096-byte block is split into 16 lanes of 256
 * bytes that run side by side in SSE2 registers. */
#include <emmintrin.h>
#include <string.h>

#include "tests/diff/native/runner.h"

#define LANES 16u
#define LANE_BYTES 256u
#define BLOCK_BYTES (LANES * LANE_BYTES)

/* col[b] is the image of the state with only bit b set. */
struct Gf2Matrix {
    uint32_t col[32];
};

static struct Gf2Matrix lane_jump; /* 256 generator steps */

static uint32_t xorshift(uint32_t x) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

static uint32_t gf2_apply(const struct Gf2Matrix* m, uint32_t v) {
    uint32_t r = 0;
    for (int b = 0; b < 32; ++b) r ^= m->col[b] & (0u - ((v >> b) & 1u));
    return r;
}

void runner_fill_init(void) {
    for (int b = 0; b < 32; ++b) lane_jump.col[b] = xorshift(1u << b);
    for (uint32_t steps = 1; steps < LANE_BYTES; steps *= 2) {
        struct Gf2Matrix squared;
        for (int b = 0; b < 32; ++b) squared.col[b] = gf2_apply(&lane_jump, lane_jump.col[b]);
        lane_jump = squared;
    }
}

static unsigned bit_reverse4(unsigned v) {
    return ((v & 1u) << 3) | ((v & 2u) << 1) | ((v & 4u) >> 1) | ((v & 8u) >> 3);
}

/* One unpack stage of a 16x16 byte transpose. Element (vector v, byte p)
 * moves to vector (p3 v3 v2 v1), byte (p2 p1 p0 v0); four stages starting
 * from rows stored at bit-reversed vector indexes leave column j in vector
 * bit_reverse4(j). */
static inline __attribute__((always_inline)) void unpack_stage(__m128i v[16]) {
    __m128i w[16];
#pragma GCC unroll 8
    for (unsigned i = 0; i < 16; i += 2) {
        w[i >> 1] = _mm_unpacklo_epi8(v[i], v[i + 1]);
        w[(i >> 1) | 8] = _mm_unpackhi_epi8(v[i], v[i + 1]);
    }
    memcpy(v, w, sizeof w);
}

static inline __attribute__((always_inline)) __m128i xorshift4(__m128i x) {
    x = _mm_xor_si128(x, _mm_slli_epi32(x, 13));
    x = _mm_xor_si128(x, _mm_srli_epi32(x, 17));
    return _mm_xor_si128(x, _mm_slli_epi32(x, 5));
}

/* Fills one block from state x (the state before its first byte); returns
 * the state after its last byte. */
static uint32_t fill_block(uint8_t* p, uint32_t x) {
    uint32_t start[LANES];
    for (unsigned j = 0; j < LANES; ++j) {
        start[j] = x;
        x = gf2_apply(&lane_jump, x);
    }
    __m128i state[4];
    for (unsigned q = 0; q < 4; ++q) state[q] = _mm_loadu_si128((const __m128i*)(start + 4 * q));
    const __m128i low_byte = _mm_set1_epi32(0xff);
    for (unsigned k = 0; k < LANE_BYTES; k += 16) {
        __m128i rows[16];
#pragma GCC unroll 16
        for (unsigned t = 0; t < 16; ++t) {
            __m128i out[4];
#pragma GCC unroll 4
            for (unsigned q = 0; q < 4; ++q) {
                state[q] = xorshift4(state[q]);
                out[q] = _mm_and_si128(_mm_srli_epi32(state[q], 11), low_byte);
            }
            /* byte j of the row is lane j's output of step k + t */
            rows[bit_reverse4(t)] =
                _mm_packus_epi16(_mm_packs_epi32(out[0], out[1]), _mm_packs_epi32(out[2], out[3]));
        }
#pragma GCC unroll 4
        for (int stage = 0; stage < 4; ++stage) unpack_stage(rows);
#pragma GCC unroll 16
        for (unsigned j = 0; j < LANES; ++j)
            _mm_storeu_si128((__m128i*)(p + j * LANE_BYTES + k), rows[bit_reverse4(j)]);
    }
    return x;
}

void runner_fill(uint8_t* p, uint32_t n, uint32_t seed) {
    uint32_t x = seed * 2654435761u + 0x9e3779b9u; /* as diff_fill */
    uint32_t i = 0;
    for (; n - i >= BLOCK_BYTES; i += BLOCK_BYTES) x = fill_block(p + i, x);
    for (; i < n; ++i) {
        x = xorshift(x);
        p[i] = (uint8_t)(x >> 11);
    }
}
