/* Random operation sequences on a boot heap (alloc, mark, rewind, reset,
 * refill from frames) and two pools (alloc, free valid/double/foreign,
 * release_empty), all sharing one host frame source, checked against a
 * simple model: live allocations never overlap, stay inside memory the
 * allocators own, are aligned, and every status is one the model allows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/helpers/host_frames.c"
#include "mm/heap.h"
#include "mm/pool.h"

#define MAX_BLOCKS    256
#define MAX_MARKS     16
#define MAX_OPS       400
#define FIRST_SIZE    4096
#define SOURCE_FRAMES 48

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: model violated: %s\n", __FILE__, __LINE__, #cond);             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

typedef struct block {
    uintptr_t addr;
    size_t size;
} block;

typedef struct pool_model {
    mm_pool pool;
    block live[MAX_BLOCKS];
    size_t nlive;
    uintptr_t freed[MAX_BLOCKS]; /* freed since, not handed out again */
    size_t nfreed;
} pool_model;

typedef struct model {
    host_frames hf;
    unsigned char *first; /* the heap's first region */
    unsigned char other_region[64];
    mm_heap heap, other;
    block heap_live[MAX_BLOCKS]; /* in allocation order: rewind truncates */
    size_t heap_nlive;
    mm_heap_mark marks[MAX_MARKS];
    size_t mark_depth[MAX_MARKS];  /* heap_nlive when the mark was taken */
    uint64_t mark_used[MAX_MARKS]; /* heap bytes used then */
    size_t nmarks;
    mm_heap_mark stale; /* taken before the last reset */
    bool have_stale;
    uint64_t heap_ok, heap_failed;
    pool_model pools[2];
} model;

typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t next_byte(input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static uint32_t next_u16(input *in)
{
    return (uint32_t)next_byte(in) | ((uint32_t)next_byte(in) << 8);
}

static bool overlaps(const block *set, size_t n, uintptr_t a, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        if (a < set[i].addr + set[i].size && set[i].addr < a + size)
            return true;
    }
    return false;
}

/* A new allocation must be disjoint from every live one, heap or pool. */
static void check_fresh(const model *m, uintptr_t a, size_t size)
{
    CHECK(!overlaps(m->heap_live, m->heap_nlive, a, size));
    for (int k = 0; k < 2; k++)
        CHECK(!overlaps(m->pools[k].live, m->pools[k].nlive, a, size));
    memset((void *)a, 0xA5, size); /* ASan checks every byte is addressable */
}

static bool in_first(const model *m, uintptr_t a, size_t size)
{
    uintptr_t b = (uintptr_t)m->first;
    return a >= b && a - b <= FIRST_SIZE && size <= FIRST_SIZE - (a - b);
}

static size_t heap_size_of(input *in)
{
    uint8_t k = next_byte(in);
    switch (k & 7) {
    case 0:
        return 0;
    case 1:
        return SIZE_MAX - (k >> 3);
    case 2:
        return next_u16(in) + 1; /* up to 64 KiB: needs refills */
    default:
        return (size_t)(k >> 3) + 1 + (next_byte(in) & 63);
    }
}

static size_t align_of(input *in)
{
    uint8_t k = next_byte(in);
    if (k == 0xFF)
        return 3;
    if (k == 0xFE)
        return 0;
    return (size_t)1 << (k % 17);
}

static void op_heap_alloc(model *m, input *in)
{
    size_t size = heap_size_of(in), align = align_of(in);
    uint64_t refusals = m->hf.refusals;
    void *p = (void *)0x1;
    mm_status st = mm_heap_alloc(&m->heap, size, align, &p);
    bool valid = size != 0 && align != 0 && (align & (align - 1)) == 0;
    if (!valid) {
        CHECK(st == MM_ERR_INVALID_ARGUMENT);
    } else if (st == MM_OK) {
        uintptr_t a = (uintptr_t)p;
        CHECK((a & (align - 1)) == 0);
        CHECK(in_first(m, a, size) || host_frames_owns(&m->hf, p, size));
        check_fresh(m, a, size);
        if (m->heap_nlive < MAX_BLOCKS)
            m->heap_live[m->heap_nlive++] = (block){a, size};
        else
            m->heap_nlive = MAX_BLOCKS; /* model full: stop tracking, keep checking status */
    } else {
        /* Only a refused refill or an unrepresentable request may fail. */
        CHECK(st == MM_ERR_OUT_OF_MEMORY || st == MM_ERR_OVERFLOW);
        CHECK(st == MM_ERR_OVERFLOW || m->hf.refusals > refusals || size > SIZE_MAX / 2);
    }
    if (st == MM_OK)
        m->heap_ok++;
    else
        m->heap_failed++;
    if (st != MM_OK)
        CHECK(p == (void *)0x1);
}

static void op_mark(model *m)
{
    if (m->nmarks == MAX_MARKS)
        return;
    struct mm_heap_stats s;
    mm_heap_stats(&m->heap, &s);
    m->marks[m->nmarks] = mm_heap_get_mark(&m->heap);
    m->mark_used[m->nmarks] = s.used;
    m->mark_depth[m->nmarks++] = m->heap_nlive;
}

static void op_rewind(model *m, input *in)
{
    if (m->nmarks == 0)
        return;
    /* Rewinding to any live mark is allowed (inner ones die with it). */
    size_t i = next_byte(in) % m->nmarks;
    CHECK(mm_heap_rewind(&m->heap, m->marks[i]) == MM_OK);
    struct mm_heap_stats s;
    mm_heap_stats(&m->heap, &s);
    CHECK(s.used == m->mark_used[i]);
    m->heap_nlive = m->mark_depth[i];
    m->nmarks = i;
}

static void op_reset(model *m)
{
    m->stale = mm_heap_get_mark(&m->heap);
    m->have_stale = true;
    mm_heap_reset(&m->heap);
    struct mm_heap_stats s;
    mm_heap_stats(&m->heap, &s);
    CHECK(s.used == 0);
    m->heap_nlive = 0;
    m->nmarks = 0;
}

static void op_bad_rewind(model *m)
{
    struct mm_heap_stats before, after;
    mm_heap_stats(&m->heap, &before);
    CHECK(mm_heap_rewind(&m->heap, mm_heap_get_mark(&m->other)) == MM_ERR_FOREIGN_POINTER);
    if (m->have_stale)
        CHECK(mm_heap_rewind(&m->heap, m->stale) == MM_ERR_INVALID_ARGUMENT);
    mm_heap_stats(&m->heap, &after);
    CHECK(before.used == after.used);
}

static void op_pool_alloc(model *m, pool_model *pm)
{
    uint64_t refusals = m->hf.refusals;
    void *p = (void *)0x1;
    mm_status st = mm_pool_alloc(&pm->pool, &p);
    if (st != MM_OK) {
        CHECK(st == MM_ERR_OUT_OF_MEMORY && m->hf.refusals > refusals && p == (void *)0x1);
        return;
    }
    struct mm_pool_stats s;
    mm_pool_stats(&pm->pool, &s);
    uintptr_t a = (uintptr_t)p;
    CHECK((a & (sizeof(void *) - 1)) == 0);
    CHECK(host_frames_owns(&m->hf, p, s.block_size));
    check_fresh(m, a, s.block_size);
    for (size_t i = 0; i < pm->nfreed; i++) {
        if (pm->freed[i] == a)
            pm->freed[i--] = pm->freed[--pm->nfreed];
    }
    if (pm->nlive < MAX_BLOCKS)
        pm->live[pm->nlive++] = (block){a, s.block_size};
    else
        CHECK(mm_pool_free(&pm->pool, p) == MM_OK); /* model full: give it back */
}

static void op_pool_free(pool_model *pm, input *in)
{
    if (pm->nlive == 0)
        return;
    size_t i = next_byte(in) % pm->nlive;
    uintptr_t a = pm->live[i].addr;
    CHECK(mm_pool_free(&pm->pool, (void *)a) == MM_OK);
    pm->live[i] = pm->live[--pm->nlive];
    if (pm->nfreed < MAX_BLOCKS)
        pm->freed[pm->nfreed++] = a;
}

/* Freeing something that is not a live block of this pool never succeeds
 * and never changes the count in use. */
static void expect_refused(pool_model *pm, void *ptr)
{
    struct mm_pool_stats before, after;
    mm_pool_stats(&pm->pool, &before);
    mm_status st = mm_pool_free(&pm->pool, ptr);
    CHECK(st == MM_ERR_DOUBLE_FREE || st == MM_ERR_FOREIGN_POINTER);
    mm_pool_stats(&pm->pool, &after);
    CHECK(before.in_use == after.in_use && before.capacity == after.capacity);
}

static void op_pool_bad_free(model *m, pool_model *pm, pool_model *other, input *in)
{
    uint8_t k = next_byte(in);
    switch (k & 3) {
    case 0: /* double free (or a block of a slab released since) */
        if (pm->nfreed)
            expect_refused(pm, (void *)pm->freed[(k >> 2) % pm->nfreed]);
        break;
    case 1: /* inside a live block, off its start */
        if (pm->nlive) {
            block b = pm->live[(k >> 2) % pm->nlive];
            CHECK(mm_pool_free(&pm->pool, (void *)(b.addr + 1 + (k >> 2) % (b.size - 1))) ==
                  MM_ERR_FOREIGN_POINTER);
        }
        break;
    case 2: /* a live block of the other pool */
        if (other->nlive)
            CHECK(mm_pool_free(&pm->pool, (void *)other->live[(k >> 2) % other->nlive].addr) ==
                  MM_ERR_FOREIGN_POINTER);
        break;
    default: /* the heap's first region, never a pool's */
        CHECK(mm_pool_free(&pm->pool, m->first + (k >> 2)) == MM_ERR_FOREIGN_POINTER);
        break;
    }
}

static void op_release(model *m, pool_model *pm)
{
    uint64_t out = m->hf.out, released = 0;
    CHECK(mm_pool_release_empty(&pm->pool, &released) == MM_OK);
    CHECK(m->hf.out == out - released);
    CHECK(m->hf.bad_releases == 0);
}

static void check_stats(const model *m)
{
    struct mm_heap_stats h;
    mm_heap_stats(&m->heap, &h);
    CHECK(h.used <= h.size && h.free == h.size - h.used && h.peak >= h.used);
    CHECK(h.allocations == m->heap_ok && h.failures == m->heap_failed);
    for (int k = 0; k < 2; k++) {
        struct mm_pool_stats s;
        mm_pool_stats(&m->pools[k].pool, &s);
        CHECK(s.in_use == m->pools[k].nlive && s.in_use <= s.capacity);
        CHECK(s.utilization <= 1000 && s.peak >= s.in_use);
    }
}

static void setup(model *m, input *in)
{
    memset(m, 0, sizeof(*m));
    host_frames_init(&m->hf, SOURCE_FRAMES, 4096);
    m->first = malloc(FIRST_SIZE);
    CHECK(m->first != NULL);
    CHECK(mm_heap_init(&m->heap, m->first, FIRST_SIZE) == MM_OK);
    CHECK(mm_heap_init(&m->other, m->other_region, sizeof(m->other_region)) == MM_OK);
    mm_heap_set_refill(&m->heap, mm_heap_refill_from_source, &m->hf.src);
    size_t small = 1 + next_byte(in), big = 1 + (next_u16(in) & 0x1FFF);
    CHECK(mm_pool_init(&m->pools[0].pool, small, (size_t)1 << (next_byte(in) % 7), &m->hf.src) ==
          MM_OK);
    CHECK(mm_pool_init(&m->pools[1].pool, big, 8, &m->hf.src) == MM_OK);
}

static void teardown(model *m)
{
    for (int k = 0; k < 2; k++) {
        CHECK(mm_pool_destroy(&m->pools[k].pool) == MM_OK);
    }
    CHECK(m->hf.bad_releases == 0);
    free(m->first);
    host_frames_fini(&m->hf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static model m; /* large: keep it off the stack */
    input in = {data, size};
    setup(&m, &in);
    for (int ops = 0; in.n > 0 && ops < MAX_OPS; ops++) {
        uint8_t op = next_byte(&in);
        pool_model *pm = &m.pools[op & 1], *other = &m.pools[!(op & 1)];
        switch ((op >> 1) % 11) {
        case 0:
        case 1:
            op_heap_alloc(&m, &in);
            break;
        case 2:
            op_mark(&m);
            break;
        case 3:
            op_rewind(&m, &in);
            break;
        case 4:
            op_reset(&m);
            break;
        case 5:
            op_bad_rewind(&m);
            break;
        case 6:
        case 7:
            op_pool_alloc(&m, pm);
            break;
        case 8:
            op_pool_free(pm, &in);
            break;
        case 9:
            op_pool_bad_free(&m, pm, other, &in);
            break;
        default:
            op_release(&m, pm);
            break;
        }
        check_stats(&m);
    }
    teardown(&m);
    return 0;
}
