/* Frame bitmap vs a plain linear bit scan (the reference), side by side.
 *
 * RAM sizes 4 GiB, 64 GiB and 1 TiB (4 KiB frames) over a PC-like map
 * (low memory, a hole below 1 MiB, the PCI hole at 3-4 GiB). Random half
 * fragmentation: every leaf word is a random 64-bit value (each frame used
 * with probability 1/2), except one 2 MiB block in 16, chosen at random,
 * left entirely free so that 2 MiB runs exist.
 *
 * (a) single frames: a round allocates K frames one by one, then frees them
 *     in the same order; ns/op is the round time / K, so one op = one
 *     allocate + one free. Both allocators are first-fit, so the linear scan
 *     walks from frame 0 past every frame taken earlier in the round: its
 *     cost grows with K (about K/2 words per op), not with RAM size; ours
 *     stays flat. K = 256, 4096 and 65536 are shown.
 *     The headline case, judged against the target (single-frame
 *     allocate+free at least 50x faster than the linear scan at 64 GiB), is
 *     K = 4096: a kernel taking a few thousand frames at boot (page tables,
 *     stacks, its first heap: 4096 frames = 16 MiB) before freeing any. K =
 *     256 stays in the table on purpose: with so few frames taken the scan
 *     walks only ~128 words per op, fits in L1 and is only ~10x slower -- a
 *     short burst is where a linear scan is least bad, and the table says so.
 * (b) 512-frame runs aligned to 2 MiB: K = 64 runs allocated, then freed.
 *
 * Both allocators must return the same addresses (checked on every op).
 * Bounded run time: the linear baseline runs exactly one round per case
 * (its longest, K = 65536, takes about 2 s); ours repeats rounds until
 * 0.2 s have passed. The whole bench takes about 10 s. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "mm/bitmap.h"

#define F4K   ((uint64_t)4096)
#define SHIFT 12u

/* ---- the reference allocator: one bit per frame, linear first-fit scan ---- */

typedef struct linear {
    uint64_t *words;
    uint64_t first_frame;
    uint64_t frames;
} linear;

static bool lin_used(const linear *l, uint64_t i)
{
    return (l->words[i >> 6] >> (i & 63)) & 1;
}

static void lin_set(linear *l, uint64_t i, bool used)
{
    if (used)
        l->words[i >> 6] |= (uint64_t)1 << (i & 63);
    else
        l->words[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

static bool lin_alloc(linear *l, uint64_t *phys)
{
    for (uint64_t i = 0; i < l->frames; i++) {
        if (!lin_used(l, i)) {
            lin_set(l, i, true);
            *phys = (l->first_frame + i) << SHIFT;
            return true;
        }
    }
    return false;
}

/* Bit by bit: a run restarts at every used frame and may only start on an
 * aligned frame. */
static bool lin_alloc_contig(linear *l, uint64_t count, uint64_t align_frames, uint64_t *phys)
{
    uint64_t run = 0, start = 0;
    for (uint64_t i = 0; i < l->frames; i++) {
        if (lin_used(l, i)) {
            run = 0;
            continue;
        }
        if (run == 0) {
            if ((l->first_frame + i) & (align_frames - 1))
                continue;
            start = i;
        }
        if (++run == count) {
            for (uint64_t k = start; k < start + count; k++)
                lin_set(l, k, true);
            *phys = (l->first_frame + start) << SHIFT;
            return true;
        }
    }
    return false;
}

static void lin_free(linear *l, uint64_t phys, uint64_t count)
{
    uint64_t rel = (phys >> SHIFT) - l->first_frame;
    for (uint64_t k = rel; k < rel + count; k++)
        lin_set(l, k, false);
}

/* ---- set-up -------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct machine {
    mm_entry entries[5];
    mm_map map;
    mm_bitmap bm;
    uint64_t *storage;
    uint64_t bytes;
    linear lin;
    double adopt_ms;
} machine;

/* PC-like map with `ram` bytes of usable RAM. */
static void build_map(machine *m, uint64_t ram)
{
    uint64_t high = ram - 3 * MM_GIB + MM_MIB; /* RAM above 4 GiB */
    m->entries[0] = (mm_entry){.base = 0x1000, .length = 0x9e000, .type = MM_TYPE_USABLE};
    m->entries[1] = (mm_entry){.base = 0x9f000, .length = 0x61000, .type = MM_TYPE_RESERVED};
    m->entries[2] =
        (mm_entry){.base = MM_MIB, .length = 3 * MM_GIB - MM_MIB, .type = MM_TYPE_USABLE};
    m->entries[3] = (mm_entry){.base = 3 * MM_GIB, .length = MM_GIB, .type = MM_TYPE_RESERVED};
    m->entries[4] = (mm_entry){.base = 4 * MM_GIB, .length = high, .type = MM_TYPE_USABLE};
    m->map = (mm_map){.entries = m->entries, .count = 5, .capacity = 5};
}

/* Random half fragmentation applied to the leaf words, then adopted (which
 * rebuilds the summary): this is also what a kernel does at boot. */
static void fragment(machine *m)
{
    uint64_t words_per_block = (2 * MM_MIB >> SHIFT) / 64;
    for (uint64_t w = 0; w < m->bm.word_count; w += words_per_block) {
        bool keep_free = (rng() & 15) == 0;
        for (uint64_t k = w; k < w + words_per_block && k < m->bm.word_count; k++)
            if (!keep_free)
                m->storage[k] |= rng();
    }
    uint64_t t0 = bench_now_ns();
    if (mm_bitmap_adopt(&m->bm, &m->map, F4K, m->bm.first_frame, m->bm.frame_count, m->storage,
                        m->bytes) != MM_OK) {
        fprintf(stderr, "adopt failed\n");
        exit(1);
    }
    m->adopt_ms = (double)(bench_now_ns() - t0) / 1e6;
}

static void machine_init(machine *m, uint64_t ram)
{
    build_map(m, ram);
    if (mm_bitmap_storage_size(&m->map, F4K, &m->bytes) != MM_OK)
        exit(1);
    m->storage = aligned_alloc(64, (m->bytes + 63) & ~(uint64_t)63);
    if (!m->storage || mm_bitmap_init(&m->bm, &m->map, F4K, m->storage, m->bytes) != MM_OK) {
        fprintf(stderr, "bitmap init failed\n");
        exit(1);
    }
    fragment(m);
    m->lin.first_frame = m->bm.first_frame;
    m->lin.frames = m->bm.frame_count;
    m->lin.words = malloc(m->bm.word_count * 8);
    memcpy(m->lin.words, m->storage, m->bm.word_count * 8);
}

static void machine_destroy(machine *m)
{
    free(m->storage);
    free(m->lin.words);
}

static void fail(const char *what)
{
    fprintf(stderr, "bench_bitmap: %s\n", what);
    exit(1);
}

/* ---- workloads -------------------------------------------------------------- */

/* One round of `k` allocations of `count` frames (alignment `align`, count 1
 * = mm_bitmap_alloc) then their frees, on ours; addresses into out[]. */
static void ours_round(mm_bitmap *bm, uint64_t k, uint64_t count, uint64_t align, uint64_t *out)
{
    for (uint64_t i = 0; i < k; i++) {
        mm_status st = count == 1 ? mm_bitmap_alloc(bm, &out[i])
                                  : mm_bitmap_alloc_contig(bm, count, align, 0, &out[i]);
        if (st != MM_OK)
            fail("our allocation failed");
    }
    for (uint64_t i = 0; i < k; i++)
        if (mm_bitmap_free(bm, out[i], count) != MM_OK)
            fail("our free failed");
}

static void linear_round(linear *l, uint64_t k, uint64_t count, uint64_t align, uint64_t *out)
{
    for (uint64_t i = 0; i < k; i++) {
        bool ok = count == 1 ? lin_alloc(l, &out[i])
                             : lin_alloc_contig(l, count, align >> SHIFT, &out[i]);
        if (!ok)
            fail("linear allocation failed");
    }
    for (uint64_t i = 0; i < k; i++)
        lin_free(l, out[i], count);
}

typedef struct result {
    double ours_ns, linear_ns;
} result;

static result run_case(machine *m, uint64_t k, uint64_t count, uint64_t align)
{
    uint64_t *a = malloc(k * 8), *b = malloc(k * 8);
    uint64_t t0 = bench_now_ns();
    linear_round(&m->lin, k, count, align, b);
    double lin = (double)(bench_now_ns() - t0);
    uint64_t rounds = 0;
    t0 = bench_now_ns();
    double elapsed;
    do {
        ours_round(&m->bm, k, count, align, a);
        rounds++;
        elapsed = (double)(bench_now_ns() - t0);
    } while (elapsed < 2e8);
    if (memcmp(a, b, k * 8) != 0)
        fail("ours and the linear scan disagree (both are first-fit)");
    if (memcmp(m->storage, m->lin.words, m->bm.word_count * 8) != 0)
        fail("state differs after the round");
    free(a);
    free(b);
    return (result){elapsed / (double)(rounds * k), lin / (double)k};
}

static void report(const char *size, const char *name, const char *label, result r)
{
    double ratio = r.linear_ns / r.ours_ns;
    printf("%-8s %-28s %12.1f %14.1f %10.1fx\n", size, label, r.ours_ns, r.linear_ns, ratio);
    printf("BENCH bitmap_%s_%s_ns %.1f ns/op\n", name, size, r.ours_ns);
    printf("BENCH bitmap_%s_%s_linear_ns %.1f ns/op\n", name, size, r.linear_ns);
    printf("BENCH bitmap_%s_%s_ratio %.1f x\n", name, size, ratio);
}

/* The target, judged on the headline case (see the header). */
#define TARGET_RATIO 50.0
#define HEADLINE_K   4096
#define HEADLINE_RAM "64g"

int main(void)
{
    static const struct {
        const char *name;
        uint64_t ram;
    } sizes[] = {{"4g", 4 * MM_GIB}, {"64g", 64 * MM_GIB}, {"1t", 1024 * MM_GIB}};
    printf("frame bitmap vs reference linear scan, 4 KiB frames, random half fragmentation\n");
    printf("%-8s %-28s %12s %14s %11s\n", "RAM", "workload", "ours ns/op", "linear ns/op", "ratio");
    result headline = {0, 0};
    for (size_t i = 0; i < MM_ARRAY_SIZE(sizes); i++) {
        machine m;
        machine_init(&m, sizes[i].ram);
        const char *sz = sizes[i].name;
        report(sz, "single_k256", "alloc+free, K=256 (burst)", run_case(&m, 256, 1, F4K));
        result boot = run_case(&m, HEADLINE_K, 1, F4K);
        report(sz, "single_k4096", "alloc+free, K=4096 (boot)", boot);
        if (strcmp(sz, HEADLINE_RAM) == 0)
            headline = boot;
        report(sz, "single_k65536", "alloc+free, K=65536 (long)", run_case(&m, 65536, 1, F4K));
        report(sz, "run512_2m", "512 frames @2MiB, K=64", run_case(&m, 64, 512, 2 * MM_MIB));
        struct mm_bitmap_stats s;
        mm_bitmap_stats(&m.bm, &s);
        printf("%-8s frames %llu, free %llu (%.1f%%), bitmap %llu KiB, adopt %.2f ms\n", sz,
               (unsigned long long)s.total_frames, (unsigned long long)s.free_frames,
               100.0 * (double)s.free_frames / (double)s.total_frames,
               (unsigned long long)(m.bytes >> 10), m.adopt_ms);
        printf("BENCH bitmap_adopt_%s_ms %.2f ms\n", sz, m.adopt_ms);
        machine_destroy(&m);
    }
    double ratio = headline.linear_ns / headline.ours_ns;
    printf("headline: K=%d single frames (a kernel's boot-time allocations); K=256 is a short\n"
           "burst where the scan stays in L1 and the gap is ~10x, K=65536 a long one\n",
           HEADLINE_K);
    printf("target single-frame >= %.0fx at 64 GiB: %s (%.1fx)\n", TARGET_RATIO,
           ratio >= TARGET_RATIO ? "met" : "NOT met", ratio);
    printf("BENCH bitmap_target_single_64g_ratio %.1f x\n", ratio);
    return 0;
}
