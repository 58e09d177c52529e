/* Wire protocol between the differential test (64-bit, C++) and the native
 * runner (a 32-bit C program built with -m32) that executes the same code on
 * the host CPU. Plain C so both sides compile it. All fields little-endian,
 * sent over the runner's stdin/stdout as packed structs.
 *
 * Address space shared by both sides (flat, paging-equivalent identity):
 *   DIFF_CODE_ADDR  code under test, followed by the runner's end marker
 *   DIFF_DATA_ADDR  data area, DIFF_DATA_SIZE bytes, filled from data_seed
 *   DIFF_STACK_ADDR stack area, DIFF_STACK_SIZE bytes, filled from data_seed+1
 *   DIFF_LOW_ADDR   optional low area for 16-bit addressing (0x67 prefix),
 *                   present only when the host allows mapping it
 *
 * How the native runner (tests/diff/native) sets up and reports a run:
 *   - The code area is 0x2000 bytes: the code, a 5-byte end marker at
 *     DIFF_CODE_ADDR + code_len (a jmp back into the runner, not int3), then
 *     zeros. Changes are reported against that; the marker bytes never are.
 *   - Only CF PF AF ZF SF DF OF of init.eflags are loaded; the reported
 *     EFLAGS also have IF and bit 1 set, RF is always reported clear.
 *   - Without flags bit 0 the x87/SSE state is FNINIT with all registers
 *     zero and MXCSR 0x1f80; with it, MXCSR bits the host does not support
 *     (and bits 16-31) are dropped before FXRSTOR.
 *   - In fxsave_out, FOP/FIP/FCS/FDP/FDS (bytes 6-23) and bytes 288-511 are
 *     zero: hosts save them inconsistently.
 *   - vector -2: the run was stopped after 1-2 s (endless loop).
 *   - Changes are listed in ascending address order.
 */
#ifndef SANDPC_DIFF_PROTOCOL_H
#define SANDPC_DIFF_PROTOCOL_H

#include <stdint.h>

#define DIFF_MAGIC_REQUEST 0x51455244u /* "DREQ" */
#define DIFF_MAGIC_REPLY 0x50455244u   /* "DREP" */
#define DIFF_MAGIC_HELLO 0x4c454844u   /* "DHEL" */

#define DIFF_CODE_ADDR 0x00100000u
#define DIFF_CODE_MAX 4096u
#define DIFF_DATA_ADDR 0x00200000u
#define DIFF_DATA_SIZE 4096u
#define DIFF_STACK_ADDR 0x00300000u
#define DIFF_STACK_SIZE 4096u
#define DIFF_LOW_ADDR 0x00008000u
#define DIFF_LOW_SIZE 0x00001000u

/* Up to this many modified bytes are reported individually. */
#define DIFF_MAX_CHANGES 1024u

/* Fills a memory area deterministically; both sides use exactly this. */
static inline void diff_fill(uint8_t* p, uint32_t n, uint32_t seed) {
    uint32_t x = seed * 2654435761u + 0x9e3779b9u;
    for (uint32_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)(x >> 11);
    }
}

#pragma pack(push, 1)

/* GPR order is the x86 encoding order: EAX ECX EDX EBX ESP EBP ESI EDI. */
struct DiffRegs {
    uint32_t gpr[8];
    uint32_t eflags;
    uint32_t eip;
};

/* Sent once by the runner at start-up. */
struct DiffHello {
    uint32_t magic;
    uint32_t low_area_mapped; /* 1 if DIFF_LOW_ADDR..+DIFF_LOW_SIZE is usable */
};

struct DiffRequest {
    uint32_t magic;
    uint32_t code_len; /* bytes of code that follow this header */
    uint32_t data_seed;
    uint32_t flags;       /* bit 0: load fxsave_in before running (else FNINIT state) */
    struct DiffRegs init; /* init.eip is ignored: execution starts at DIFF_CODE_ADDR */
    uint8_t fxsave_in[512];
    /* followed by code_len bytes of code */
};

struct DiffChange {
    uint32_t addr; /* linear address of a byte that differs from its initial fill */
    uint8_t value;
};

struct DiffReply {
    uint32_t magic;
    /* -1: ran to the end marker. Otherwise the exception vector the host CPU
     * raised (Linux trap number) and its error code. */
    int32_t vector;
    uint32_t error_code;
    struct DiffRegs regs;       /* state at the end marker or at the fault */
    uint8_t fxsave_out[512];    /* FXSAVE image of the x87/MMX/SSE state at the end */
    uint32_t change_count;      /* number of DiffChange records that follow (<= DIFF_MAX_CHANGES) */
    uint32_t changes_truncated; /* 1 if more bytes changed than were sent */
    /* followed by change_count DiffChange records */
};

#pragma pack(pop)

#endif
