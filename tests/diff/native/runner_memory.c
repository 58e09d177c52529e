/* The fixed memory areas shared with the emulator side: mapping, setting up
 * their initial contents per request and listing the bytes the code changed.
 *
 * Invariant between requests: every area equals its baseline buffer (the
 * change scan restores each byte it reports), so a new request only rewrites
 * what differs from the previous baseline. The low area is large and rarely
 * used: it stays inaccessible until the code touches it and is filled then,
 * from the SIGSEGV handler. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "tests/diff/native/runner.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static uint8_t* const code_area = (uint8_t*)DIFF_CODE_ADDR;
static uint8_t* const data_area = (uint8_t*)DIFF_DATA_ADDR;
static uint8_t* const stack_area = (uint8_t*)DIFF_STACK_ADDR;
static uint8_t* const low_area = (uint8_t*)DIFF_LOW_ADDR;

static uint8_t code_base[RUNNER_CODE_AREA_SIZE];
static uint8_t data_base[DIFF_DATA_SIZE];
static uint8_t stack_base[DIFF_STACK_SIZE];
static uint8_t low_base[DIFF_LOW_SIZE];

static struct {
    uint32_t code_end; /* code + marker bytes of the current baseline */
    int have_seed;
    uint32_t seed; /* seed of data_base/stack_base */
    int low_mapped;
    int low_base_valid;
    uint32_t low_seed;   /* seed of low_base when valid */
    uint32_t low_wanted; /* seed the current request needs */
    int low_present;     /* low area accessible and equal to low_base */
} mem;

static int map_fixed(void* addr, size_t size, int prot, int quiet) {
    void* p = mmap(addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == addr) return 0;
    if (p != MAP_FAILED)
        munmap(p, size); /* kernel without MAP_FIXED_NOREPLACE placed it elsewhere */
    if (!quiet)
        fprintf(stderr, "sandpc_native_runner: cannot map %p (+0x%zx): %s\n", addr, size,
                p == MAP_FAILED ? strerror(errno) : "address in use");
    return -1;
}

int runner_map_areas(void) {
    if (map_fixed(code_area, RUNNER_CODE_AREA_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, 0) ||
        map_fixed(data_area, DIFF_DATA_SIZE, PROT_READ | PROT_WRITE, 0) ||
        map_fixed(stack_area, DIFF_STACK_SIZE, PROT_READ | PROT_WRITE, 0))
        return -1;
    /* Fails when vm.mmap_min_addr is above DIFF_LOW_ADDR; the hello says so. */
    mem.low_mapped = map_fixed(low_area, DIFF_LOW_SIZE, PROT_NONE, 1) == 0;
    return 0;
}

int runner_low_area_mapped(void) {
    return mem.low_mapped;
}

static void write_marker(uint32_t code_len) {
    /* jmp rel32 to runner_guest_exit */
    const uint32_t next = DIFF_CODE_ADDR + code_len + RUNNER_MARKER_LEN;
    const uint32_t rel = (uint32_t)(uintptr_t)&runner_guest_exit - next;
    uint8_t* m = code_base + code_len;
    m[0] = 0xe9;
    memcpy(m + 1, &rel, 4);
}

void runner_prepare(const uint8_t* code, uint32_t code_len, uint32_t seed) {
    const uint32_t end = code_len + RUNNER_MARKER_LEN;
    memcpy(code_base, code, code_len);
    write_marker(code_len);
    if (mem.code_end > end) memset(code_base + end, 0, mem.code_end - end);
    const uint32_t dirty = mem.code_end > end ? mem.code_end : end;
    memcpy(code_area, code_base, dirty);
    mem.code_end = end;

    if (!mem.have_seed || mem.seed != seed) {
        runner_fill(data_base, DIFF_DATA_SIZE, seed);
        runner_fill(stack_base, DIFF_STACK_SIZE, seed + 1);
        memcpy(data_area, data_base, DIFF_DATA_SIZE);
        memcpy(stack_area, stack_base, DIFF_STACK_SIZE);
        mem.have_seed = 1;
        mem.seed = seed;
    }

    mem.low_wanted = seed + 2;
    if (mem.low_present && mem.low_seed != mem.low_wanted) {
        mprotect(low_area, DIFF_LOW_SIZE, PROT_NONE);
        mem.low_present = 0;
    }
}

int runner_fault_in(uint32_t addr) {
    if (!mem.low_mapped || mem.low_present || addr < DIFF_LOW_ADDR ||
        addr - DIFF_LOW_ADDR >= DIFF_LOW_SIZE)
        return 0;
    if (!mem.low_base_valid || mem.low_seed != mem.low_wanted) {
        runner_fill(low_base, DIFF_LOW_SIZE, mem.low_wanted);
        mem.low_seed = mem.low_wanted;
        mem.low_base_valid = 1;
    }
    if (mprotect(low_area, DIFF_LOW_SIZE, PROT_READ | PROT_WRITE) != 0) return 0;
    memcpy(low_area, low_base, DIFF_LOW_SIZE);
    mem.low_present = 1;
    return 1;
}

struct ChangeList {
    struct DiffChange* out;
    uint32_t max;
    uint32_t count;
    uint32_t truncated;
};

enum { SCAN_CHUNK = 64 };

/* Reports and restores bytes of area that differ from base, except the
 * half-open range [skip_begin, skip_end) which is only restored. */
static void scan(struct ChangeList* list, uint8_t* area, const uint8_t* base, uint32_t size,
                 uint32_t addr, uint32_t skip_begin, uint32_t skip_end) {
    for (uint32_t chunk = 0; chunk < size; chunk += SCAN_CHUNK) {
        const uint32_t n = size - chunk < SCAN_CHUNK ? size - chunk : SCAN_CHUNK;
        if (memcmp(area + chunk, base + chunk, n) == 0) continue;
        for (uint32_t i = chunk; i < chunk + n; ++i) {
            if (area[i] == base[i]) continue;
            if (i < skip_begin || i >= skip_end) {
                if (list->count < list->max) {
                    list->out[list->count].addr = addr + i;
                    list->out[list->count].value = area[i];
                    ++list->count;
                } else {
                    list->truncated = 1;
                }
            }
            area[i] = base[i];
        }
    }
}

uint32_t runner_collect_changes(struct DiffChange* out, uint32_t max, uint32_t* truncated) {
    struct ChangeList list = {out, max, 0, 0};
    const uint32_t marker = mem.code_end - RUNNER_MARKER_LEN;
    /* Ascending addresses. */
    if (mem.low_present) scan(&list, low_area, low_base, DIFF_LOW_SIZE, DIFF_LOW_ADDR, 0, 0);
    scan(&list, code_area, code_base, RUNNER_CODE_AREA_SIZE, DIFF_CODE_ADDR, marker, mem.code_end);
    scan(&list, data_area, data_base, DIFF_DATA_SIZE, DIFF_DATA_ADDR, 0, 0);
    scan(&list, stack_area, stack_base, DIFF_STACK_SIZE, DIFF_STACK_ADDR, 0, 0);
    *truncated = list.truncated;
    return list.count;
}
