/* Memory pools over a counting host frame source: reuse order, growth by
 * frames, double-free and foreign-pointer detection, release of empty
 * frames (recovery), statistics and block-size rounding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/host_frames.h"
#include "mm/pool.h"

#define FRAME 4096u

static struct mm_pool_stats stats_of(const mm_pool *p)
{
    struct mm_pool_stats s;
    mm_pool_stats(p, &s);
    return s;
}

static int setup(void **state)
{
    host_frames *hf = malloc(sizeof(*hf));
    host_frames_init(hf, 2048, FRAME);
    *state = hf;
    return 0;
}

static int teardown(void **state)
{
    host_frames_fini(*state);
    free(*state);
    return 0;
}

/* Allocates `n` blocks into `out`, asserting each succeeds. */
static void take_n(mm_pool *p, void **out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mm_pool_alloc(p, &out[i]), MM_OK);
}

/* Arguments that cannot describe a pool are refused. */
static void init_rejects_bad_arguments(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    mm_frame_source no_release = hf->src;
    no_release.release = NULL;
    mm_frame_source odd_frames = hf->src;
    odd_frames.frame_size = 3000;
    assert_int_equal(mm_pool_init(NULL, 32, 8, &hf->src), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_pool_init(&p, 32, 8, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_pool_init(&p, 0, 8, &hf->src), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_pool_init(&p, 32, 0, &hf->src), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_pool_init(&p, 32, 12, &hf->src), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_pool_init(&p, 32, 2 * FRAME, &hf->src), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_pool_init(&p, (size_t)1 << 30, 8, &hf->src), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_pool_init(&p, 32, 8, &no_release), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_pool_init(&p, 32, 8, &odd_frames), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(hf->allocs, 0);
}

/* Init takes no frame; the first alloc takes one slab (plus the index). */
static void frames_taken_lazily(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *b;
    assert_int_equal(mm_pool_init(&p, 64, 16, &hf->src), MM_OK);
    assert_int_equal(hf->out, 0);
    assert_int_equal(mm_pool_alloc(&p, &b), MM_OK);
    struct mm_pool_stats s = stats_of(&p);
    assert_int_equal(s.slabs, 1);
    assert_int_equal(hf->out, s.frames + s.dir_frames);
    assert_true(host_frames_owns(hf, b, 64));
    assert_int_equal(mm_pool_destroy(&p), MM_OK);
    assert_int_equal(hf->out, 0);
}

/* Freed blocks are reused last-freed-first:
 *   alloc a b c; free b -> next alloc is b; free a, free c -> c, then a. */
static void reuse_is_lifo(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *a, *b, *c, *x;
    assert_int_equal(mm_pool_init(&p, 32, 8, &hf->src), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &a), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &b), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &c), MM_OK);
    assert_int_equal(mm_pool_free(&p, b), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &x), MM_OK);
    assert_ptr_equal(x, b);
    assert_int_equal(mm_pool_free(&p, a), MM_OK);
    assert_int_equal(mm_pool_free(&p, c), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &x), MM_OK);
    assert_ptr_equal(x, c);
    assert_int_equal(mm_pool_alloc(&p, &x), MM_OK);
    assert_ptr_equal(x, a);
    mm_pool_destroy(&p);
}

/* Every block of two full slabs is distinct, aligned, writable over its
 * whole size, and inside frames the source handed out. */
static void blocks_aligned_disjoint_inside(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    assert_int_equal(mm_pool_init(&p, 48, 16, &hf->src), MM_OK);
    void *b[256];
    take_n(&p, b, 1);
    size_t n = 2 * stats_of(&p).capacity;
    assert_true(n < MM_ARRAY_SIZE(b));
    take_n(&p, b + 1, n - 1);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal((uintptr_t)b[i] & 15, 0);
        assert_true(host_frames_owns(hf, b[i], 48));
        memset(b[i], (int)i, 48);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char *q = b[i];
        assert_int_equal(q[0], (unsigned char)i);
        assert_int_equal(q[47], (unsigned char)i);
    }
    mm_pool_destroy(&p);
}

/* Filling a slab and asking once more takes exactly one more slab of
 * whole frames. */
static void grows_by_whole_frames(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *b[128];
    assert_int_equal(mm_pool_init(&p, 64, 8, &hf->src), MM_OK);
    take_n(&p, b, 1);
    struct mm_pool_stats one = stats_of(&p);
    assert_true(one.capacity + 1 <= MM_ARRAY_SIZE(b));
    take_n(&p, b + 1, one.capacity - 1);
    assert_int_equal(stats_of(&p).slabs, 1);
    uint64_t out_before = hf->out;
    take_n(&p, b + one.capacity, 1);
    struct mm_pool_stats two = stats_of(&p);
    assert_int_equal(two.slabs, 2);
    assert_int_equal(two.capacity, 2 * one.capacity);
    assert_int_equal(two.frames, 2 * one.frames);
    assert_int_equal(hf->out, out_before + one.frames);
    mm_pool_destroy(&p);
}

/* Freeing a block twice is reported and changes nothing: the block is
 * handed out once more, not twice. */
static void double_free_detected(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *a, *x, *y;
    assert_int_equal(mm_pool_init(&p, 32, 8, &hf->src), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &a), MM_OK);
    assert_int_equal(mm_pool_free(&p, a), MM_OK);
    assert_int_equal(mm_pool_free(&p, a), MM_ERR_DOUBLE_FREE);
    assert_int_equal(stats_of(&p).in_use, 0);
    assert_int_equal(mm_pool_alloc(&p, &x), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &y), MM_OK);
    assert_ptr_equal(x, a);
    assert_ptr_not_equal(y, a);
    mm_pool_destroy(&p);
}

/* A block boundary inside a slab that was never handed out is not
 * allocated: freeing it is a double free, not a foreign pointer. */
static void never_allocated_block_is_double_free(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *a;
    assert_int_equal(mm_pool_init(&p, 32, 8, &hf->src), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &a), MM_OK);
    assert_int_equal(mm_pool_free(&p, (char *)a + 32), MM_ERR_DOUBLE_FREE);
    assert_int_equal(stats_of(&p).in_use, 1);
    mm_pool_destroy(&p);
}

/* A block of pool B freed into pool A is foreign to A, and B still owns
 * it afterwards. */
static void block_of_other_pool_is_foreign(void **state)
{
    host_frames *hf = *state;
    mm_pool a, b;
    void *x, *y;
    assert_int_equal(mm_pool_init(&a, 32, 8, &hf->src), MM_OK);
    assert_int_equal(mm_pool_init(&b, 32, 8, &hf->src), MM_OK);
    assert_int_equal(mm_pool_alloc(&a, &x), MM_OK);
    assert_int_equal(mm_pool_alloc(&b, &y), MM_OK);
    assert_int_equal(mm_pool_free(&a, y), MM_ERR_FOREIGN_POINTER);
    assert_int_equal(stats_of(&a).in_use, 1);
    assert_int_equal(mm_pool_free(&b, y), MM_OK);
    mm_pool_destroy(&a);
    mm_pool_destroy(&b);
}

/* Inside the pool's slab but not a block start: one byte into a block,
 * the slab header, and the unusable tail after the last block.
 *   [header|blk0|blk1|...|blkN-1|tail]
 *    ^hdr     ^+1               ^tail   -> all foreign */
static void misaligned_inside_is_foreign(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *a;
    assert_int_equal(mm_pool_init(&p, 80, 16, &hf->src), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &a), MM_OK);
    uintptr_t slab = (uintptr_t)a & ~(uintptr_t)(FRAME - 1);
    struct mm_pool_stats s = stats_of(&p);
    uintptr_t tail = (uintptr_t)a + s.capacity * s.block_size;
    assert_true(tail < slab + FRAME); /* 80 does not divide the space evenly */
    assert_int_equal(mm_pool_free(&p, (char *)a + 1), MM_ERR_FOREIGN_POINTER);
    assert_int_equal(mm_pool_free(&p, (char *)a + 16), MM_ERR_FOREIGN_POINTER);
    assert_int_equal(mm_pool_free(&p, (void *)slab), MM_ERR_FOREIGN_POINTER);
    assert_int_equal(mm_pool_free(&p, (void *)tail), MM_ERR_FOREIGN_POINTER);
    assert_int_equal(stats_of(&p).in_use, 1);
    assert_int_equal(mm_pool_free(&p, a), MM_OK);
    mm_pool_destroy(&p);
}

/* Pointers outside every slab: a stack address, the byte just past the
 * slab, the byte just before it; NULL is an invalid argument. */
static void outside_is_foreign(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *a;
    int local;
    assert_int_equal(mm_pool_init(&p, 64, 8, &hf->src), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &a), MM_OK);
    uintptr_t slab = (uintptr_t)a & ~(uintptr_t)(FRAME - 1);
    assert_int_equal(mm_pool_free(&p, &local), MM_ERR_FOREIGN_POINTER);
    assert_int_equal(mm_pool_free(&p, (void *)(slab + FRAME)), MM_ERR_FOREIGN_POINTER);
    assert_int_equal(mm_pool_free(&p, (void *)(slab - 64)), MM_ERR_FOREIGN_POINTER);
    assert_int_equal(mm_pool_free(&p, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(stats_of(&p).in_use, 1);
    mm_pool_destroy(&p);
}

/* Three slabs in use; the middle one is emptied. release_empty gives back
 * exactly its frames, and the other blocks stay valid:
 *   [slab0 full][slab1 empty][slab2 one block]  ->  [slab0][slab2] */
static void release_empty_returns_frames(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *b[256];
    assert_int_equal(mm_pool_init(&p, 64, 8, &hf->src), MM_OK);
    take_n(&p, b, 1);
    size_t per = stats_of(&p).capacity;
    assert_true(2 * per + 1 <= MM_ARRAY_SIZE(b));
    take_n(&p, b + 1, 2 * per);
    assert_int_equal(stats_of(&p).slabs, 3);
    uint64_t frames_per_slab = stats_of(&p).frames / 3;
    for (size_t i = per; i < 2 * per; i++)
        assert_int_equal(mm_pool_free(&p, b[i]), MM_OK);
    uint64_t out_before = hf->out, released = 0;
    assert_int_equal(mm_pool_release_empty(&p, &released), MM_OK);
    assert_int_equal(released, frames_per_slab);
    assert_int_equal(hf->out, out_before - frames_per_slab);
    struct mm_pool_stats s = stats_of(&p);
    assert_int_equal(s.slabs, 2);
    assert_int_equal(s.in_use, per + 1);
    assert_int_equal(mm_pool_free(&p, b[0]), MM_OK);
    assert_int_equal(mm_pool_free(&p, b[2 * per]), MM_OK);
    assert_int_equal(mm_pool_free(&p, b[per]), MM_ERR_FOREIGN_POINTER); /* released */
    mm_pool_destroy(&p);
    assert_int_equal(hf->bad_releases, 0);
}

/* With every block freed, release_empty gives back all frames including
 * the index's: the source is back to zero frames out. */
static void release_empty_of_idle_pool_returns_everything(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *b[100];
    uint64_t released = 0;
    assert_int_equal(mm_pool_init(&p, 100, 4, &hf->src), MM_OK);
    take_n(&p, b, 100);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(mm_pool_free(&p, b[i]), MM_OK);
    uint64_t out_before = hf->out;
    assert_int_equal(mm_pool_release_empty(&p, &released), MM_OK);
    assert_int_equal(released, out_before);
    assert_int_equal(hf->out, 0);
    assert_int_equal(stats_of(&p).capacity, 0);
    assert_int_equal(mm_pool_alloc(&p, &b[0]), MM_OK); /* usable again */
    mm_pool_destroy(&p);
}

/* Recovery: the source is exhausted, pool A fails with OUT_OF_MEMORY and
 * is unchanged; pool B releases its empty slab; A's retry succeeds. */
static void release_empty_lets_failed_alloc_retry(void **state)
{
    host_frames *hf = *state;
    mm_pool a, b;
    void *x, *y = NULL;
    assert_int_equal(mm_pool_init(&a, 64, 8, &hf->src), MM_OK);
    assert_int_equal(mm_pool_init(&b, 64, 8, &hf->src), MM_OK);
    assert_int_equal(mm_pool_alloc(&a, &x), MM_OK); /* index + slab */
    assert_int_equal(mm_pool_alloc(&b, &y), MM_OK);
    assert_int_equal(mm_pool_free(&b, y), MM_OK);
    hf->limit = hf->out; /* nothing more to hand out */
    size_t per = stats_of(&a).capacity;
    void *fill[128];
    take_n(&a, fill, per - 1);
    y = NULL;
    assert_int_equal(mm_pool_alloc(&a, &y), MM_ERR_OUT_OF_MEMORY);
    assert_null(y);
    assert_int_equal(stats_of(&a).in_use, per);
    uint64_t released = 0;
    assert_int_equal(mm_pool_release_empty(&b, &released), MM_OK);
    assert_int_equal(released, 2); /* B's slab and index */
    assert_int_equal(mm_pool_alloc(&a, &y), MM_OK);
    hf->limit = hf->frames;
    mm_pool_destroy(&a);
    mm_pool_destroy(&b);
}

/* Nothing empty, nothing released. */
static void release_empty_keeps_used_slabs(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *a;
    uint64_t released = 99;
    assert_int_equal(mm_pool_init(&p, 64, 8, &hf->src), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &a), MM_OK);
    uint64_t out_before = hf->out;
    assert_int_equal(mm_pool_release_empty(&p, &released), MM_OK);
    assert_int_equal(released, 0);
    assert_int_equal(hf->out, out_before);
    mm_pool_destroy(&p);
}

/* capacity, in use, free, peak and utilization follow allocations:
 * with capacity C, holding C/2 blocks is 500 per-mille. */
static void stats_and_utilization(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *b[256];
    assert_int_equal(mm_pool_init(&p, 32, 32, &hf->src), MM_OK);
    assert_int_equal(stats_of(&p).utilization, 0);
    take_n(&p, b, 1);
    uint64_t cap = stats_of(&p).capacity;
    assert_true(cap % 2 == 0 && cap <= MM_ARRAY_SIZE(b));
    take_n(&p, b + 1, cap - 1);
    assert_int_equal(stats_of(&p).utilization, 1000);
    for (size_t i = 0; i < cap / 2; i++)
        assert_int_equal(mm_pool_free(&p, b[i]), MM_OK);
    struct mm_pool_stats s = stats_of(&p);
    assert_int_equal(s.capacity, cap);
    assert_int_equal(s.in_use, cap / 2);
    assert_int_equal(s.free, cap / 2);
    assert_int_equal(s.peak, cap);
    assert_int_equal(s.utilization, 500);
    assert_int_equal(s.block_size, 32);
    mm_pool_destroy(&p);
}

/* Blocks smaller than a pointer are rounded up to one (the free list lives
 * inside free blocks), so consecutive blocks are a pointer apart. */
static void tiny_blocks_rounded_up_to_pointer(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *a, *b;
    assert_int_equal(mm_pool_init(&p, 1, 1, &hf->src), MM_OK);
    assert_int_equal(stats_of(&p).block_size, sizeof(void *));
    assert_int_equal(mm_pool_alloc(&p, &a), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &b), MM_OK);
    assert_int_equal((char *)b - (char *)a, sizeof(void *));
    assert_int_equal((uintptr_t)a % sizeof(void *), 0);
    assert_int_equal(mm_pool_free(&p, a), MM_OK);
    mm_pool_destroy(&p);
}

/* The size is rounded up to a multiple of the alignment so every block
 * stays aligned: 20 bytes aligned 32 become 32-byte blocks. */
static void size_rounded_to_alignment(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *a, *b;
    assert_int_equal(mm_pool_init(&p, 20, 32, &hf->src), MM_OK);
    assert_int_equal(stats_of(&p).block_size, 32);
    assert_int_equal(mm_pool_alloc(&p, &a), MM_OK);
    assert_int_equal(mm_pool_alloc(&p, &b), MM_OK);
    assert_int_equal((uintptr_t)a & 31, 0);
    assert_int_equal((uintptr_t)b & 31, 0);
    mm_pool_destroy(&p);
}

/* Blocks bigger than half a frame (3000 B) and bigger than a frame
 * (10000 B) get multi-frame slabs; each block is usable over its full size
 * and lies in frames of the source. */
static void big_blocks_use_multi_frame_slabs(void **state)
{
    host_frames *hf = *state;
    size_t sizes[] = {3000, 10000};
    for (size_t k = 0; k < MM_ARRAY_SIZE(sizes); k++) {
        mm_pool p;
        void *b[8];
        assert_int_equal(mm_pool_init(&p, sizes[k], 8, &hf->src), MM_OK);
        take_n(&p, b, MM_ARRAY_SIZE(b));
        struct mm_pool_stats s = stats_of(&p);
        assert_true(s.frames / s.slabs > 1);
        /* the unusable tail of a slab stays under 1/8 of it */
        assert_true(s.capacity * sizes[k] * 8 >= s.frames * FRAME * 7 - s.slabs * 8 * 64);
        for (size_t i = 0; i < MM_ARRAY_SIZE(b); i++) {
            assert_true(host_frames_owns(hf, b[i], sizes[k]));
            memset(b[i], 0x5A, sizes[k]);
        }
        for (size_t i = 0; i < MM_ARRAY_SIZE(b); i++)
            assert_int_equal(mm_pool_free(&p, b[i]), MM_OK);
        mm_pool_destroy(&p);
    }
    assert_int_equal(hf->out, 0);
}

/* More slabs than one index frame holds: the index moves to more frames
 * (rehashing every slab) and every block is still found on free. */
static void index_grows(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    size_t n = FRAME / sizeof(void *) + 10;
    void **b = calloc(n, sizeof(void *));
    assert_non_null(b);
    assert_int_equal(mm_pool_init(&p, 4000, 8, &hf->src), MM_OK); /* one block per slab */
    take_n(&p, b, 1);
    assert_int_equal(stats_of(&p).dir_frames, 1);
    take_n(&p, b + 1, n - 1);
    struct mm_pool_stats s = stats_of(&p);
    assert_int_equal(s.slabs, n);
    assert_true(s.dir_frames > 1);
    assert_int_equal(hf->out, s.frames + s.dir_frames); /* old index given back */
    for (size_t i = 0; i < n; i += 2)
        assert_int_equal(mm_pool_free(&p, b[i]), MM_OK);
    for (size_t i = 0; i < n; i += 2)
        assert_int_equal(mm_pool_free(&p, b[i]), MM_ERR_DOUBLE_FREE);
    for (size_t i = 1; i < n; i += 2)
        assert_int_equal(mm_pool_free(&p, b[i]), MM_OK);
    assert_int_equal(mm_pool_destroy(&p), MM_OK);
    assert_int_equal(hf->out, 0);
    assert_int_equal(hf->bad_releases, 0);
    free(b);
}

/* A source that hands out single frames in a scrambled order from an arena
 * far wider than the pool's index (only touched pages become resident), so
 * slab frame numbers collide in the index; multi-frame requests come from
 * a separate contiguous area. Consecutive frames would never collide: the
 * multiplicative hash spreads any range narrower than the table. */
typedef struct scattered {
    mm_frame_source src;
    unsigned char *arena;
    uint32_t order[1u << 16];
    uint32_t next;
    unsigned char *runs;
    uint64_t runs_used;
} scattered;

static mm_status scattered_alloc(void *ctx, uint64_t count, void **ptr, uint64_t *phys)
{
    scattered *sc = ctx;
    if (count > 1) {
        if (sc->runs_used + count > 64)
            return MM_ERR_OUT_OF_MEMORY;
        *ptr = sc->runs + sc->runs_used * FRAME;
        sc->runs_used += count;
    } else {
        if (sc->next == MM_ARRAY_SIZE(sc->order))
            return MM_ERR_OUT_OF_MEMORY;
        *ptr = sc->arena + (size_t)sc->order[sc->next++] * FRAME;
    }
    *phys = (uint64_t)(uintptr_t)*ptr;
    return MM_OK;
}

static mm_status scattered_release(void *ctx, void *ptr, uint64_t count)
{
    (void)ctx, (void)ptr, (void)count; /* frames are not reused in this test */
    return MM_OK;
}

/* 1500 one-block slabs at scattered frames, so the index has long probe
 * chains. Half the slabs are emptied and released (their slots become
 * deleted entries); every remaining block must still be found through
 * chains that pass over those slots, and released ones must be foreign. */
static void index_survives_release_with_collisions(void **state)
{
    (void)state;
    scattered *sc = calloc(1, sizeof(*sc));
    assert_non_null(sc);
    size_t nframes = MM_ARRAY_SIZE(sc->order);
    sc->arena = aligned_alloc(FRAME, nframes * FRAME);
    sc->runs = aligned_alloc(FRAME, 64 * FRAME);
    assert_non_null(sc->arena);
    assert_non_null(sc->runs);
    uint32_t x = 2463534242u;
    for (uint32_t i = 0; i < nframes; i++)
        sc->order[i] = i;
    for (uint32_t i = (uint32_t)nframes - 1; i > 0; i--) { /* Fisher-Yates, xorshift */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        uint32_t j = x % (i + 1), t = sc->order[i];
        sc->order[i] = sc->order[j];
        sc->order[j] = t;
    }
    sc->src = (mm_frame_source){scattered_alloc, scattered_release, sc, FRAME};
    mm_pool p;
    enum { N = 1500 };
    void **b = calloc(N, sizeof(void *));
    assert_non_null(b);
    assert_int_equal(mm_pool_init(&p, 4000, 8, &sc->src), MM_OK);
    take_n(&p, b, N);
    for (size_t i = 0; i < N; i += 2)
        assert_int_equal(mm_pool_free(&p, b[i]), MM_OK);
    uint64_t released = 0;
    assert_int_equal(mm_pool_release_empty(&p, &released), MM_OK);
    assert_int_equal(released, N / 2);
    for (size_t i = 0; i < N; i += 2)
        assert_int_equal(mm_pool_free(&p, b[i]), MM_ERR_FOREIGN_POINTER);
    for (size_t i = 1; i < N; i += 2)
        assert_int_equal(mm_pool_free(&p, b[i]), MM_OK);
    assert_int_equal(stats_of(&p).in_use, 0);
    free(b);
    free(sc->arena);
    free(sc->runs);
    free(sc);
}

/* destroy gives back every frame even with blocks in use, and the pool
 * can be used again afterwards. */
static void destroy_returns_everything(void **state)
{
    host_frames *hf = *state;
    mm_pool p;
    void *b[300];
    assert_int_equal(mm_pool_init(&p, 32, 8, &hf->src), MM_OK);
    take_n(&p, b, MM_ARRAY_SIZE(b));
    assert_int_equal(mm_pool_destroy(&p), MM_OK);
    assert_int_equal(hf->out, 0);
    struct mm_pool_stats s = stats_of(&p);
    assert_int_equal(s.in_use, 0);
    assert_int_equal(s.capacity, 0);
    assert_int_equal(mm_pool_alloc(&p, &b[0]), MM_OK);
    mm_pool_destroy(&p);
}

#define CASE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        CASE(init_rejects_bad_arguments),
        CASE(frames_taken_lazily),
        CASE(reuse_is_lifo),
        CASE(blocks_aligned_disjoint_inside),
        CASE(grows_by_whole_frames),
        CASE(double_free_detected),
        CASE(never_allocated_block_is_double_free),
        CASE(block_of_other_pool_is_foreign),
        CASE(misaligned_inside_is_foreign),
        CASE(outside_is_foreign),
        CASE(release_empty_returns_frames),
        CASE(release_empty_of_idle_pool_returns_everything),
        CASE(release_empty_lets_failed_alloc_retry),
        CASE(release_empty_keeps_used_slabs),
        CASE(stats_and_utilization),
        CASE(tiny_blocks_rounded_up_to_pointer),
        CASE(size_rounded_to_alignment),
        CASE(big_blocks_use_multi_frame_slabs),
        CASE(index_grows),
        cmocka_unit_test(index_survives_release_with_collisions),
        CASE(destroy_returns_everything),
    };
    return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
