/* x87/SSE state of the code under test: loading the requested state and
 * making the final FXSAVE image comparable between hosts. */
#include <stdint.h>
#include <string.h>

#include "tests/diff/native/runner.h"

/* FXSAVE image layout (Intel SDM vol. 1, table 10-2). */
#define FX_MXCSR 24u
#define FX_MXCSR_MASK 28u
#define FX_POINTERS_BEGIN 6u /* FOP, FIP, FCS, FDP, FDS */
#define FX_POINTERS_END 24u
#define FX_UNUSED_BEGIN 288u /* XMM8-15 (not in 32-bit mode) and free bytes */

static _Alignas(16) uint8_t fx_scratch[512];
static _Alignas(16) uint8_t fx_reset[512];
static uint32_t mxcsr_mask = 0xffbfu; /* default when FXSAVE reports 0 */

void runner_fpu_init(void) {
    memset(fx_scratch, 0, sizeof fx_scratch);
    __asm__ volatile("fxsave %0" : "=m"(fx_scratch));
    uint32_t mask;
    memcpy(&mask, fx_scratch + FX_MXCSR_MASK, 4);
    /* Bits above 15 (AMD's misaligned-SSE mask MM) are left out: the
     * emulator implements the architectural MXCSR only. */
    if (mask != 0) mxcsr_mask = mask & 0xffffu;
    /* The FNINIT state with all data registers zero and the default MXCSR. */
    memset(fx_reset, 0, sizeof fx_reset);
    const uint16_t fcw = 0x037f;
    const uint32_t mxcsr = RUNNER_MXCSR_DEFAULT;
    memcpy(fx_reset, &fcw, 2);
    memcpy(fx_reset + FX_MXCSR, &mxcsr, 4);
}

/* Loads the guest's x87/SSE state; nothing may touch the FPU between this and
 * the guest entry. */
void runner_fpu_load(const uint8_t fxsave_in[512], int use_image) {
    if (!use_image) {
        __asm__ volatile("fxrstor %0" : : "m"(fx_reset));
        return;
    }
    memcpy(fx_scratch, fxsave_in, 512);
    uint32_t mxcsr;
    memcpy(&mxcsr, fx_scratch + FX_MXCSR, 4);
    mxcsr &= mxcsr_mask; /* reserved bits would make FXRSTOR fault */
    memcpy(fx_scratch + FX_MXCSR, &mxcsr, 4);
    __asm__ volatile("fxrstor %0" : : "m"(fx_scratch));
}

/* The x87 instruction/data pointers and opcode are saved differently by the
 * exit path (FXSAVE in 32-bit mode), the kernel's signal frame (64-bit
 * format) and AMD CPUs (only with an exception pending), and the bytes past
 * XMM7 are not guest state: all of them read as zero. */
void runner_fpu_normalize(uint8_t image[512]) {
    memset(image + FX_POINTERS_BEGIN, 0, FX_POINTERS_END - FX_POINTERS_BEGIN);
    memset(image + FX_UNUSED_BEGIN, 0, 512 - FX_UNUSED_BEGIN);
}
