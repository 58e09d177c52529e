/* sandpc_native_runner: executes test code on the host CPU for the
 * differential CPU tests. Protocol: tests/diff/diff_protocol.h. */
#include <stdio.h>
#include <string.h>

#include "tests/diff/native/runner.h"

static struct DiffRequest request;
static uint8_t code[DIFF_CODE_MAX];
static struct DiffReply reply;
static struct DiffChange changes[DIFF_MAX_CHANGES];

static void run_request(void) {
    runner_prepare(code, request.code_len, request.data_seed);
    struct RunnerOutcome outcome;
    runner_execute(&request, &outcome);

    memset(&reply, 0, sizeof reply);
    reply.magic = DIFF_MAGIC_REPLY;
    reply.vector = outcome.vector;
    reply.error_code = outcome.error_code;
    memcpy(reply.regs.gpr, runner_guest_out.gpr, sizeof reply.regs.gpr);
    reply.regs.eflags = runner_guest_out.eflags;
    reply.regs.eip = outcome.eip;
    memcpy(reply.fxsave_out, runner_guest_fx_out, 512);
    reply.change_count =
        runner_collect_changes(changes, DIFF_MAX_CHANGES, &reply.changes_truncated);
    runner_write(&reply, sizeof reply);
    runner_write(changes, reply.change_count * (uint32_t)sizeof changes[0]);
}

int main(void) {
    if (runner_map_areas() != 0) return 1;
    runner_fpu_init();
    runner_fill_init();
    if (runner_install_signals() != 0) return 1;
    const struct DiffHello hello = {DIFF_MAGIC_HELLO, (uint32_t)runner_low_area_mapped()};
    runner_write(&hello, sizeof hello);
    if (runner_flush() != 0) return 1;

    for (;;) {
        const int r = runner_read(&request, sizeof request);
        if (r == 0) return runner_flush() == 0 ? 0 : 1;
        if (r < 0) {
            fprintf(stderr, "sandpc_native_runner: truncated request\n");
            return 2;
        }
        if (request.magic != DIFF_MAGIC_REQUEST) {
            fprintf(stderr, "sandpc_native_runner: bad request magic 0x%08x\n", request.magic);
            return 2;
        }
        if (request.code_len > DIFF_CODE_MAX) {
            fprintf(stderr, "sandpc_native_runner: code_len %u exceeds %u\n", request.code_len,
                    DIFF_CODE_MAX);
            return 2;
        }
        if (request.code_len > 0 && runner_read(code, request.code_len) != 1) {
            fprintf(stderr, "sandpc_native_runner: truncated code\n");
            return 2;
        }
        run_request();
    }
}
