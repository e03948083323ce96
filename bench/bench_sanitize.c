/* Sanitizer scaling: random overlapping maps of 100 to 100,000 entries
 * (every type, overlaps, unaligned usable edges), best of several runs
 * each. ns/entry growing like log n (not like n) shows O(n log n); the
 * last column divides by log2_of(n) to make that visible. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "mm/memmap.h"

static uint64_t rng_state = 0x243F6A8885A308D3ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* n entries over an address space that grows with n, so that the amount of
 * overlap per entry stays about constant: ~3 entries cover each byte. */
static void random_map(mm_entry *e, uint32_t n)
{
    uint64_t space = (uint64_t)n * 64 * 4096;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t r = rng();
        mm_type t = (r & 3) ? MM_TYPE_USABLE : (mm_type)(2 + (r >> 8) % (MM_TYPE_COUNT - 2));
        e[i] = (mm_entry){(r >> 16) % space, (rng() % (192 * 4096)) + 1, (uint32_t)t, 0, 0};
    }
}

/* log2 without libm (benches link no -lm). */
static double log2_of(uint32_t n)
{
    double r = 0, x = n;
    while (x >= 2) {
        x /= 2;
        r += 1;
    }
    return r + (x - 1); /* linear between powers of two: enough for a ratio */
}

/* Best time (ns) of `reps` sanitize runs of the same input. */
static double time_sanitize(const mm_entry *input, uint32_t n, int reps, uint32_t *out_count)
{
    uint32_t cap = 2 * n + 1;
    mm_entry *storage = malloc(sizeof(mm_entry) * cap);
    size_t scratch_size = mm_map_sanitize_scratch_size(n);
    void *scratch = malloc(scratch_size);
    double best = 1e300;
    for (int r = 0; r < reps; r++) {
        memcpy(storage, input, sizeof(mm_entry) * n);
        mm_map m = {storage, n, cap, 4096};
        uint64_t t0 = bench_now_ns();
        mm_status st = mm_map_sanitize(&m, 4096, scratch, scratch_size, NULL);
        double t = (double)(bench_now_ns() - t0);
        if (st != MM_OK) {
            fprintf(stderr, "sanitize failed: %s\n", mm_strerror(st));
            exit(1);
        }
        if (t < best)
            best = t;
        *out_count = m.count;
    }
    free(scratch);
    free(storage);
    return best;
}

int main(void)
{
    static const uint32_t sizes[] = {100, 1000, 10000, 100000};
    printf("%10s %10s %12s %10s %16s\n", "entries", "out", "time", "ns/entry", "ns/(n*log2 n)");
    double per_nlogn[4];
    for (int i = 0; i < 4; i++) {
        uint32_t n = sizes[i], out = 0;
        mm_entry *input = malloc(sizeof(mm_entry) * n);
        random_map(input, n);
        int reps = n >= 100000 ? 9 : 20;
        double t = time_sanitize(input, n, reps, &out);
        per_nlogn[i] = t / (n * log2_of(n));
        printf("%10u %10u %9.3f ms %10.1f %16.2f\n", n, out, t / 1e6, t / n, per_nlogn[i]);
        printf("BENCH sanitize_%u_ns_per_entry %.1f ns\n", n, t / n);
        printf("BENCH sanitize_%u_ms %.3f ms\n", n, t / 1e6);
        free(input);
    }
    /* O(n log n) means this ratio stays near 1 over three decades;
     * O(n^2) would make it ~1000. */
    printf("BENCH sanitize_nlogn_ratio_100k_vs_1k %.2f ratio\n", per_nlogn[3] / per_nlogn[1]);
    return 0;
}
