/* Shared declarations of the native runner: a 32-bit program that runs test
 * code on the host CPU (see tests/diff/diff_protocol.h). The runner is a
 * single-threaded process whose signal handlers must reach the guest state,
 * so that state lives in process globals declared here. */
#ifndef SANDPC_DIFF_NATIVE_RUNNER_H
#define SANDPC_DIFF_NATIVE_RUNNER_H

#include <signal.h>
#include <stdint.h>

#include "tests/diff/diff_protocol.h"

/* Code area: code, end marker, then zeros up to the end of the mapping. */
#define RUNNER_CODE_AREA_SIZE 0x2000u
/* The end marker is "jmp rel32" to runner_guest_exit: leaving the guest
 * costs no signal. */
#define RUNNER_MARKER_LEN 5u

#define RUNNER_EFLAGS_USER 0x0cd5u /* CF PF AF ZF SF DF OF */
#define RUNNER_EFLAGS_FIXED 0x0002u
#define RUNNER_EFLAGS_RF 0x10000u
#define RUNNER_MXCSR_DEFAULT 0x1f80u

#define RUNNER_VECTOR_TIMEOUT (-2)

/* Guest register block, GPRs in encoding order, then EFLAGS (asm offsets). */
struct RunnerGuestRegs {
    uint32_t gpr[8];
    uint32_t eflags;
};

/* Defined in runner_guest.S. */
extern struct RunnerGuestRegs runner_guest_in;
extern struct RunnerGuestRegs runner_guest_out;
extern uint8_t runner_guest_fx_out[512]; /* 16-byte aligned */
extern uint32_t runner_default_mxcsr;
/* Runs the guest at DIFF_CODE_ADDR with runner_guest_in loaded. Returns 0
 * when the code reached the end marker (runner_guest_out, runner_guest_fx_out
 * hold the final state) or 1 when a signal handler called runner_guest_abort. */
int runner_guest_enter(void);
void runner_guest_exit(void);
__attribute__((noreturn)) void runner_guest_abort(void);

/* Outcome of one run, filled by the exit path or by the signal handler. */
struct RunnerOutcome {
    int32_t vector;
    uint32_t error_code;
    uint32_t eip;
};

/* runner_memory.c */
int runner_map_areas(void); /* returns 0 on success; prints why on failure */
int runner_low_area_mapped(void);
void runner_prepare(const uint8_t* code, uint32_t code_len, uint32_t seed);
/* Appends the bytes that differ from the initial contents; returns the count
 * written (at most max) and sets *truncated when more bytes differ. */
uint32_t runner_collect_changes(struct DiffChange* out, uint32_t max, uint32_t* truncated);
/* Called from the SIGSEGV handler: makes a lazily filled page present. Returns
 * 1 when addr was such a page and the access can be retried. */
int runner_fault_in(uint32_t addr);

/* runner_signals.c */
int runner_install_signals(void);
/* Runs the prepared request; fills outcome, runner_guest_out and
 * runner_guest_fx_out (normalized, see runner_fpu_normalize). */
void runner_execute(const struct DiffRequest* req, struct RunnerOutcome* outcome);

/* runner_io.c: buffered stdin/stdout; output is flushed whenever input runs dry. */
/* Returns 1 when n bytes were read, 0 at end of input before the first byte,
 * -1 on a read error or end of input inside the record. */
int runner_read(void* p, uint32_t n);
void runner_write(const void* p, uint32_t n);
int runner_flush(void); /* 0 on success */

/* runner_fpu.c */
void runner_fpu_init(void);
void runner_fpu_load(const uint8_t fxsave_in[512], int use_image);
void runner_fpu_normalize(uint8_t image[512]);

/* runner_fill.c */
void runner_fill_init(void);
/* Same result as diff_fill. */
void runner_fill(uint8_t* p, uint32_t n, uint32_t seed);

#endif
