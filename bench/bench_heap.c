/* Boot heap (bump) against glibc malloc and glibc obstack, side by side in
 * one run: rounds of many small allocations of mixed sizes, each followed by
 * the allocator's bulk release (heap reset, obstack_free to a base object,
 * free of every malloc block). Reported: ns per allocation for the
 * allocation loop alone and for the whole round; the best of several
 * rounds counts. Target (issue 2): the bump fast path no slower than
 * obstack, i.e. ratio obstack/bump >= 1. */
#include <obstack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"

#include "mm/heap.h"

#define obstack_chunk_alloc malloc
#define obstack_chunk_free  free

#define OPS    (1u << 16)
#define ROUNDS 40
#define ALIGN  16 /* what obstack guarantees on x86-64 */

static uint32_t sizes[OPS];
static uint32_t aligns[OPS];
static void *ptrs[OPS];

/* Mixed small sizes: mostly 8..64 bytes, some up to 256 (xorshift, fixed
 * seed, so every allocator sees the same sequence). */
static void make_workload(void)
{
    uint32_t x = 2463534242u;
    for (uint32_t i = 0; i < OPS; i++) {
        bench_xorshift32(&x);
        sizes[i] = (x & 3) ? 8 + (x >> 8) % 57 : 8 + (x >> 8) % 249;
        aligns[i] = 1u << ((x >> 24) % 7); /* 1 .. 64 */
    }
}

typedef struct result {
    double alloc_ns, round_ns; /* per allocation, best round */
} result;

static void keep(result *r, uint64_t alloc, uint64_t round)
{
    double a = (double)alloc / OPS, t = (double)round / OPS;
    if (r->alloc_ns == 0 || a < r->alloc_ns)
        r->alloc_ns = a;
    if (r->round_ns == 0 || t < r->round_ns)
        r->round_ns = t;
}

static volatile uintptr_t sink;

static result run_bump(mm_heap *h, int mixed_align)
{
    result r = {0, 0};
    for (int round = 0; round < ROUNDS; round++) {
        uintptr_t sum = 0;
        uint64_t t0 = bench_now_ns();
        for (uint32_t i = 0; i < OPS; i++) {
            void *p;
            if (mm_heap_alloc(h, sizes[i], mixed_align ? aligns[i] : ALIGN, &p) != MM_OK)
                abort();
            *(char *)p = (char)i;
            sum += (uintptr_t)p;
        }
        uint64_t t1 = bench_now_ns();
        mm_heap_reset(h);
        uint64_t t2 = bench_now_ns();
        sink += sum;
        keep(&r, t1 - t0, t2 - t0);
    }
    return r;
}

static result run_obstack(void)
{
    result r = {0, 0};
    struct obstack ob;
    obstack_init(&ob);
    for (int round = 0; round < ROUNDS; round++) {
        uintptr_t sum = 0;
        void *base = obstack_alloc(&ob, 1);
        uint64_t t0 = bench_now_ns();
        for (uint32_t i = 0; i < OPS; i++) {
            void *p = obstack_alloc(&ob, sizes[i]);
            *(char *)p = (char)i;
            sum += (uintptr_t)p;
        }
        uint64_t t1 = bench_now_ns();
        obstack_free(&ob, base);
        uint64_t t2 = bench_now_ns();
        sink += sum;
        keep(&r, t1 - t0, t2 - t0);
    }
    obstack_free(&ob, NULL);
    return r;
}

static result run_malloc(void)
{
    result r = {0, 0};
    for (int round = 0; round < ROUNDS; round++) {
        uintptr_t sum = 0;
        uint64_t t0 = bench_now_ns();
        for (uint32_t i = 0; i < OPS; i++) {
            void *p = malloc(sizes[i]);
            if (!p)
                abort();
            *(char *)p = (char)i;
            sum += (uintptr_t)p;
            ptrs[i] = p;
        }
        uint64_t t1 = bench_now_ns();
        for (uint32_t i = 0; i < OPS; i++)
            free(ptrs[i]);
        uint64_t t2 = bench_now_ns();
        sink += sum;
        keep(&r, t1 - t0, t2 - t0);
    }
    return r;
}

static void row(const char *name, result r, result obstack)
{
    printf("%-28s %10.2f %10.2f %12.2f\n", name, r.alloc_ns, r.round_ns,
           obstack.alloc_ns / r.alloc_ns);
}

int main(void)
{
    make_workload();
    size_t region = (size_t)OPS * 512;
    void *mem = malloc(region);
    mm_heap h;
    if (!mem || mm_heap_init(&h, mem, region) != MM_OK)
        return 1;

    /* Interleave the allocators so that machine noise hits all alike. */
    result bump = {0, 0}, mixed = {0, 0}, ob = {0, 0}, mal = {0, 0};
    for (int pass = 0; pass < 3; pass++) {
        result b = run_bump(&h, 0), x = run_bump(&h, 1), o = run_obstack(), m = run_malloc();
        if (pass == 0 || b.alloc_ns < bump.alloc_ns)
            bump = b;
        if (pass == 0 || x.alloc_ns < mixed.alloc_ns)
            mixed = x;
        if (pass == 0 || o.alloc_ns < ob.alloc_ns)
            ob = o;
        if (pass == 0 || m.alloc_ns < mal.alloc_ns)
            mal = m;
    }

    printf("boot heap vs glibc: %u allocations of 8..256 bytes per round, best of %d rounds\n", OPS,
           3 * ROUNDS);
    printf("%-28s %10s %10s %12s\n", "allocator", "alloc ns", "round ns", "obstack/x");
    row("bump (align 16)", bump, ob);
    row("bump (align 1..64 mixed)", mixed, ob);
    row("obstack (align 16)", ob, ob);
    row("malloc + free", mal, ob);
    printf("target: bump fast path no slower than obstack: %s\n",
           bump.alloc_ns <= ob.alloc_ns ? "met" : "NOT met");

    printf("BENCH heap_bump_alloc %.2f ns/op\n", bump.alloc_ns);
    printf("BENCH heap_bump_mixed_align_alloc %.2f ns/op\n", mixed.alloc_ns);
    printf("BENCH heap_obstack_alloc %.2f ns/op\n", ob.alloc_ns);
    printf("BENCH heap_malloc_alloc %.2f ns/op\n", mal.alloc_ns);
    printf("BENCH heap_malloc_round %.2f ns/op\n", mal.round_ns);
    printf("BENCH heap_bump_vs_obstack %.2f x\n", ob.alloc_ns / bump.alloc_ns);
    printf("BENCH heap_bump_vs_malloc %.2f x\n", mal.alloc_ns / bump.alloc_ns);
    free(mem);
    return 0;
}
