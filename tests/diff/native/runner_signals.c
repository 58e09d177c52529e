/* Ends a run that faults, traps or takes too long: the handlers run on an
 * alternate stack (the guest's ESP is arbitrary), record the guest state from
 * the signal frame and unwind to runner_guest_enter. They use SA_NODEFER and
 * leave the signal mask alone, so unwinding without sigreturn needs no
 * mask restore. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

#include "tests/diff/native/runner.h"

/* i386 signal frame FPU area (struct _fpstate_32 in <asm/sigcontext.h>): the
 * fsave-format header, then status and magic, then the FXSAVE image. */
#define FPSTATE_MAGIC_OFFSET 110u
#define FPSTATE_FXSR_MAGIC 0x0000u
#define FPSTATE_FXSAVE_OFFSET 112u

#define TRAP_DEBUG 1

static volatile sig_atomic_t in_guest;
static volatile sig_atomic_t in_handler;
static volatile uint32_t run_serial;
static volatile uint32_t alarm_serial;
static struct RunnerOutcome* current_outcome;
static _Alignas(16) uint8_t alt_stack[65536];

static void record_frame(const ucontext_t* uc) {
    const greg_t* g = uc->uc_mcontext.gregs;
    static const int gpr_index[8] = {REG_EAX,  REG_ECX, REG_EDX, REG_EBX,
                                     REG_UESP, REG_EBP, REG_ESI, REG_EDI};
    for (int i = 0; i < 8; ++i) runner_guest_out.gpr[i] = (uint32_t)g[gpr_index[i]];
    runner_guest_out.eflags = (uint32_t)g[REG_EFL] & ~RUNNER_EFLAGS_RF;
    current_outcome->eip = (uint32_t)g[REG_EIP];
    current_outcome->vector = (int32_t)g[REG_TRAPNO];
    current_outcome->error_code = (uint32_t)g[REG_ERR];

    const uint8_t* fp = (const uint8_t*)uc->uc_mcontext.fpregs;
    uint16_t magic = 0xffff;
    if (fp) memcpy(&magic, fp + FPSTATE_MAGIC_OFFSET, 2);
    if (magic == FPSTATE_FXSR_MAGIC)
        memcpy(runner_guest_fx_out, fp + FPSTATE_FXSAVE_OFFSET, 512);
    else
        memset(runner_guest_fx_out, 0, 512); /* cannot happen on x86-64 hosts */
}

static void on_signal(int sig, siginfo_t* info, void* context) {
    const ucontext_t* uc = context;
    if (!in_guest || in_handler) {
        if (sig == SIGALRM) return;
        /* A fault in the runner itself: crash with the default action. */
        signal(sig, SIG_DFL);
        return;
    }
    if (sig == SIGALRM) {
        if (alarm_serial != run_serial) {
            alarm_serial = run_serial;
            return;
        }
    }
    in_handler = 1;
    if (sig == SIGSEGV && runner_fault_in((uint32_t)(uintptr_t)info->si_addr)) {
        in_handler = 0;
        return;
    }
    record_frame(uc);
    if (sig == SIGALRM) {
        current_outcome->vector = RUNNER_VECTOR_TIMEOUT;
        current_outcome->error_code = 0;
    } else if (current_outcome->vector == TRAP_DEBUG &&
               current_outcome->eip == (uint32_t)(uintptr_t)&runner_guest_exit) {
        /* The code set TF and the single-step trap hit the end marker's jump:
         * the code itself ran to its end. */
        current_outcome->vector = -1;
        current_outcome->error_code = 0;
    }
    runner_guest_abort();
}

int runner_install_signals(void) {
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) {
        perror("sandpc_native_runner: sigaltstack");
        return -1;
    }
    static const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGALRM};
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; ++i) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_signal;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        if (sigaction(signals[i], &sa, NULL) != 0) {
            perror("sandpc_native_runner: sigaction");
            return -1;
        }
    }
    /* Timeout check: a run still going at two consecutive ticks is stopped. */
    struct itimerval tick = {{1, 0}, {1, 0}};
    if (setitimer(ITIMER_REAL, &tick, NULL) != 0) {
        perror("sandpc_native_runner: setitimer");
        return -1;
    }
    return 0;
}

void runner_execute(const struct DiffRequest* req, struct RunnerOutcome* outcome) {
    for (int i = 0; i < 8; ++i) runner_guest_in.gpr[i] = req->init.gpr[i];
    runner_guest_in.eflags = (req->init.eflags & RUNNER_EFLAGS_USER) | RUNNER_EFLAGS_FIXED;
    current_outcome = outcome;
    ++run_serial;
    in_handler = 0;
    runner_fpu_load(req->fxsave_in, req->flags & 1u);
    in_guest = 1;
    const int aborted = runner_guest_enter();
    in_guest = 0;
    in_handler = 0;
    if (!aborted) {
        outcome->vector = -1;
        outcome->error_code = 0;
        outcome->eip = DIFF_CODE_ADDR + req->code_len;
    } else if (outcome->vector == -1) {
        outcome->eip = DIFF_CODE_ADDR + req->code_len;
    }
    runner_guest_out.eflags &= ~RUNNER_EFLAGS_RF;
    runner_fpu_normalize(runner_guest_fx_out);
}
