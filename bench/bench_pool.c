/* Memory pool against glibc malloc/free, side by side in one run, for
 * 64-byte blocks in two patterns:
 *   pair  - allocate one block and free it at once (the hot path);
 *   batch - allocate 16384 blocks, then free them in shuffled order (the
 *           free path's slab lookup and double-free check at ~260 slabs).
 * Reported: ns per alloc+free pair, best of several rounds, and the ratio
 * malloc/pool (> 1: the pool is faster). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"

#include "../tests/unit/helpers/host_frames.c"
#include "mm/pool.h"

#define BLOCK  64
#define PAIRS  (1u << 20)
#define BATCH  (1u << 14)
#define ROUNDS 15

static void *ptrs[BATCH];
static uint32_t order[BATCH];
static volatile uintptr_t sink;

static void shuffle(void)
{
    uint32_t x = 88172645u;
    for (uint32_t i = 0; i < BATCH; i++)
        order[i] = i;
    for (uint32_t i = BATCH - 1; i > 0; i--) {
        bench_xorshift32(&x);
        uint32_t j = x % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

static double best(double a, double b)
{
    return a == 0 || b < a ? b : a;
}

static void fail(const char *what)
{
    fprintf(stderr, "bench_pool: %s failed\n", what);
    exit(1);
}

static double pool_pair(mm_pool *p)
{
    uint64_t t0 = bench_now_ns();
    for (uint32_t i = 0; i < PAIRS; i++) {
        void *b;
        if (mm_pool_alloc(p, &b) != MM_OK)
            fail("pool alloc");
        *(char *)b = (char)i;
        sink += (uintptr_t)b;
        if (mm_pool_free(p, b) != MM_OK)
            fail("pool free");
    }
    return (double)(bench_now_ns() - t0) / PAIRS;
}

static double malloc_pair(void)
{
    uint64_t t0 = bench_now_ns();
    for (uint32_t i = 0; i < PAIRS; i++) {
        void *b = malloc(BLOCK);
        if (!b)
            fail("malloc");
        *(char *)b = (char)i;
        sink += (uintptr_t)b;
        free(b);
    }
    return (double)(bench_now_ns() - t0) / PAIRS;
}

static double pool_batch(mm_pool *p)
{
    uint64_t t0 = bench_now_ns();
    for (uint32_t i = 0; i < BATCH; i++) {
        if (mm_pool_alloc(p, &ptrs[i]) != MM_OK)
            fail("pool alloc");
        *(char *)ptrs[i] = (char)i;
    }
    for (uint32_t i = 0; i < BATCH; i++) {
        if (mm_pool_free(p, ptrs[order[i]]) != MM_OK)
            fail("pool free");
    }
    return (double)(bench_now_ns() - t0) / BATCH;
}

static double malloc_batch(void)
{
    uint64_t t0 = bench_now_ns();
    for (uint32_t i = 0; i < BATCH; i++) {
        ptrs[i] = malloc(BLOCK);
        if (!ptrs[i])
            fail("malloc");
        *(char *)ptrs[i] = (char)i;
    }
    for (uint32_t i = 0; i < BATCH; i++)
        free(ptrs[order[i]]);
    return (double)(bench_now_ns() - t0) / BATCH;
}

int main(void)
{
    host_frames hf;
    host_frames_init(&hf, 4096, 4096);
    mm_pool pool;
    if (mm_pool_init(&pool, BLOCK, 16, &hf.src) != MM_OK)
        fail("pool init");
    shuffle();

    double pp = 0, mp = 0, pb = 0, mb = 0;
    for (int r = 0; r < ROUNDS; r++) {
        pp = best(pp, pool_pair(&pool));
        mp = best(mp, malloc_pair());
        pb = best(pb, pool_batch(&pool));
        mb = best(mb, malloc_batch());
    }
    struct mm_pool_stats s;
    mm_pool_stats(&pool, &s);

    printf("pool vs glibc malloc: %d-byte blocks, best of %d rounds (%llu slabs at peak)\n", BLOCK,
           ROUNDS, (unsigned long long)s.slabs);
    printf("%-34s %10s %10s %8s\n", "pattern", "pool ns", "malloc ns", "malloc/pool");
    printf("%-34s %10.2f %10.2f %8.2f\n", "alloc+free pair", pp, mp, mp / pp);
    printf("%-34s %10.2f %10.2f %8.2f\n", "16384 allocs, shuffled frees", pb, mb, mb / pb);
    printf("BENCH pool_pair %.2f ns/op\n", pp);
    printf("BENCH pool_malloc_pair %.2f ns/op\n", mp);
    printf("BENCH pool_batch %.2f ns/op\n", pb);
    printf("BENCH pool_malloc_batch %.2f ns/op\n", mb);
    printf("BENCH pool_vs_malloc_pair %.2f x\n", mp / pp);
    printf("BENCH pool_vs_malloc_batch %.2f x\n", mb / pb);
    mm_pool_destroy(&pool);
    host_frames_fini(&hf);
    return 0;
}
