/* Big-buffer I/O on stdin/stdout. Replies are batched: they are written out
 * only when the output buffer is full or the runner would block on input. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tests/diff/native/runner.h"

enum { IO_BUFFER = 1 << 20 };

static uint8_t in_buf[IO_BUFFER];
static uint32_t in_pos, in_len;
static uint8_t out_buf[IO_BUFFER];
static uint32_t out_len;
static int out_failed;

int runner_flush(void) {
    uint32_t done = 0;
    while (done < out_len && !out_failed) {
        const ssize_t n = write(STDOUT_FILENO, out_buf + done, out_len - done);
        if (n > 0)
            done += (uint32_t)n;
        else if (n < 0 && errno != EINTR)
            out_failed = 1;
    }
    out_len = 0;
    return out_failed ? -1 : 0;
}

void runner_write(const void* p, uint32_t n) {
    const uint8_t* src = p;
    while (n > 0) {
        if (out_len == IO_BUFFER) runner_flush();
        uint32_t k = IO_BUFFER - out_len;
        if (k > n) k = n;
        memcpy(out_buf + out_len, src, k);
        out_len += k;
        src += k;
        n -= k;
    }
}

int runner_read(void* p, uint32_t n) {
    uint8_t* dst = p;
    uint32_t got = 0;
    while (got < n) {
        if (in_pos == in_len) {
            if (runner_flush() != 0) return -1;
            in_pos = in_len = 0;
            ssize_t r;
            do r = read(STDIN_FILENO, in_buf, IO_BUFFER);
            while (r < 0 && errno == EINTR);
            if (r <= 0) return got == 0 && r == 0 ? 0 : -1;
            in_len = (uint32_t)r;
        }
        uint32_t k = in_len - in_pos;
        if (k > n - got) k = n - got;
        memcpy(dst + got, in_buf + in_pos, k);
        in_pos += k;
        got += k;
    }
    return 1;
}
