/* Boot heap over several regions: the refill callback, the ready-made
 * refill from a frame source, and how reset/rewind treat refilled regions.
 * Recovery path covered here: exhaustion -> refill -> continue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/host_frames.h"
#include "mm/heap.h"

/* A refill callback that hands out slices of a host buffer, records what
 * it was asked, and can be told to refuse or to misbehave. */
typedef struct fake_refill {
    unsigned char *buf;
    size_t buf_size, used;
    size_t skew;      /* start each region this many bytes past a 64 KiB boundary */
    size_t shortfall; /* return this many bytes less than asked */
    size_t grant;     /* regions are at least this big */
    bool refuse;
    int calls;
    size_t last_min;
} fake_refill;

static mm_status fake_fn(void *ctx, size_t min_bytes, void **base, size_t *size)
{
    fake_refill *f = ctx;
    f->calls++;
    f->last_min = min_bytes;
    size_t at = ((f->used + 0xFFFF) & ~(size_t)0xFFFF) + f->skew;
    size_t n = min_bytes > f->grant ? min_bytes : f->grant;
    if (f->refuse || n > f->buf_size - at)
        return MM_ERR_OUT_OF_MEMORY;
    *base = f->buf + at;
    *size = n - f->shortfall;
    f->used = at + n;
    return MM_OK;
}

static void fake_init(fake_refill *f, size_t size)
{
    memset(f, 0, sizeof(*f));
    f->buf = aligned_alloc(0x10000, size);
    assert_non_null(f->buf);
    f->buf_size = size;
}

static struct mm_heap_stats stats_of(const mm_heap *h)
{
    struct mm_heap_stats s;
    mm_heap_stats(h, &s);
    return s;
}

static bool inside(const void *p, size_t n, const void *base, size_t size)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
    return a >= b && a - b <= size && n <= size - (a - b);
}

/* 64-byte first region; a 4 KiB block aligned to 4 KiB does not fit, so
 * the callback is asked for a region. It returns exactly min_bytes at the
 * worst possible offset (1 byte past an aligned address, so both the
 * header and the block need padding): the block must still fit.
 *   first [64 B]   refilled [pad|hdr|pad.......|block 4 KiB] */
static void refill_min_bytes_is_enough(void **state)
{
    (void)state;
    unsigned char first[64];
    fake_refill f;
    fake_init(&f, 1 << 20);
    f.skew = 1;
    mm_heap h;
    void *p;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, fake_fn, &f);
    assert_int_equal(mm_heap_alloc(&h, 4096, 4096, &p), MM_OK);
    assert_int_equal(f.calls, 1);
    assert_true(f.last_min >= 4096 + 4095);
    assert_int_equal((uintptr_t)p & 4095, 0);
    assert_true(inside(p, 4096, f.buf + 1, f.last_min));
    free(f.buf);
}

/* Once the first region is full, allocations continue in the refilled one;
 * size and regions grow by what the callback gave. */
static void continues_in_new_region(void **state)
{
    (void)state;
    unsigned char first[128];
    fake_refill f;
    fake_init(&f, 1 << 20);
    f.grant = 4096;
    mm_heap h;
    void *a, *b, *c;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, fake_fn, &f);
    assert_int_equal(mm_heap_alloc(&h, 100, 1, &a), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 100, 1, &b), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 8, 1, &c), MM_OK);
    assert_ptr_equal(a, first);
    assert_true(inside(b, 100, f.buf, f.used));
    assert_ptr_equal(c, (unsigned char *)b + 100);
    assert_int_equal(f.calls, 1);
    struct mm_heap_stats s = stats_of(&h);
    assert_int_equal(s.regions, 2);
    assert_true(s.size > sizeof(first) + 100 && s.size <= sizeof(first) + f.used);
    assert_int_equal(s.allocations, 3);
    free(f.buf);
}

/* A refusing callback turns into OUT_OF_MEMORY; the heap is unchanged
 * apart from the failure counter, and a later refill succeeds (retry after
 * recovery). */
static void refusal_is_out_of_memory(void **state)
{
    (void)state;
    unsigned char first[64];
    fake_refill f;
    fake_init(&f, 1 << 20);
    f.refuse = true;
    mm_heap h;
    void *p = NULL;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, fake_fn, &f);
    assert_int_equal(mm_heap_alloc(&h, 65, 1, &p), MM_ERR_OUT_OF_MEMORY);
    assert_null(p);
    struct mm_heap_stats s = stats_of(&h);
    assert_int_equal(s.regions, 1);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.failures, 1);
    f.refuse = false;
    assert_int_equal(mm_heap_alloc(&h, 65, 1, &p), MM_OK);
    free(f.buf);
}

/* A callback that returns less than min_bytes is treated as a refusal:
 * the short region is not used. */
static void short_region_is_refused(void **state)
{
    (void)state;
    unsigned char first[64];
    fake_refill f;
    fake_init(&f, 1 << 20);
    f.shortfall = 1;
    mm_heap h;
    void *p = NULL;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, fake_fn, &f);
    assert_int_equal(mm_heap_alloc(&h, 200, 8, &p), MM_ERR_OUT_OF_MEMORY);
    assert_null(p);
    assert_int_equal(stats_of(&h).regions, 1);
    free(f.buf);
}

/* A request whose size plus padding (or plus the new region's header)
 * cannot be represented never reaches the callback; one that is merely huge reaches it with a
 * min_bytes that did not wrap. */
static void huge_request_never_wraps_min_bytes(void **state)
{
    (void)state;
    unsigned char first[64];
    fake_refill f;
    fake_init(&f, 1 << 16);
    mm_heap h;
    void *p = NULL;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, fake_fn, &f);
    assert_int_equal(mm_heap_alloc(&h, SIZE_MAX - 7, 16, &p), MM_ERR_OVERFLOW);
    assert_int_equal(f.calls, 0);
    assert_int_equal(mm_heap_alloc(&h, SIZE_MAX - 8, 1, &p), MM_ERR_OVERFLOW);
    assert_int_equal(f.calls, 0);
    assert_int_equal(mm_heap_alloc(&h, SIZE_MAX >> 1, 1, &p), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(f.calls, 1);
    assert_true(f.last_min > (SIZE_MAX >> 1));
    assert_null(p);
    free(f.buf);
}

/* reset goes back to the first region but keeps the refilled one: filling
 * past the first region again reuses it instead of calling the refill. */
static void reset_reuses_refilled_regions(void **state)
{
    (void)state;
    unsigned char first[64];
    fake_refill f;
    fake_init(&f, 1 << 20);
    mm_heap h;
    void *a, *b, *again;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, fake_fn, &f);
    assert_int_equal(mm_heap_alloc(&h, 64, 1, &a), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 512, 8, &b), MM_OK);
    mm_heap_reset(&h);
    assert_int_equal(stats_of(&h).used, 0);
    assert_int_equal(mm_heap_alloc(&h, 64, 1, &a), MM_OK);
    assert_ptr_equal(a, first);
    assert_int_equal(mm_heap_alloc(&h, 512, 8, &again), MM_OK);
    assert_ptr_equal(again, b);
    assert_int_equal(f.calls, 1);
    assert_int_equal(stats_of(&h).regions, 2);
    free(f.buf);
}

/* A mark in the first region rewinds allocations made in a refilled one:
 *   first [x|mark.....]  refilled [hdr|y......]  --rewind-->  cursor at mark */
static void rewind_across_regions(void **state)
{
    (void)state;
    unsigned char first[64];
    fake_refill f;
    fake_init(&f, 1 << 20);
    mm_heap h;
    void *x, *y, *z;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, fake_fn, &f);
    assert_int_equal(mm_heap_alloc(&h, 16, 1, &x), MM_OK);
    mm_heap_mark m = mm_heap_get_mark(&h);
    assert_int_equal(mm_heap_alloc(&h, 100, 1, &y), MM_OK);
    assert_true(inside(y, 100, f.buf, f.used));
    assert_int_equal(mm_heap_rewind(&h, m), MM_OK);
    assert_int_equal(stats_of(&h).used, 16);
    assert_int_equal(mm_heap_alloc(&h, 48, 1, &z), MM_OK);
    assert_ptr_equal(z, first + 16);
    free(f.buf);
}

/* A mark in a refilled region is stale after rewinding to the first
 * region, even though that region is still attached. */
static void mark_in_later_region_is_stale_after_rewind(void **state)
{
    (void)state;
    unsigned char first[64];
    fake_refill f;
    fake_init(&f, 1 << 20);
    mm_heap h;
    void *p;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, fake_fn, &f);
    mm_heap_mark early = mm_heap_get_mark(&h);
    assert_int_equal(mm_heap_alloc(&h, 100, 1, &p), MM_OK);
    mm_heap_mark late = mm_heap_get_mark(&h);
    assert_int_equal(mm_heap_rewind(&h, early), MM_OK);
    assert_int_equal(mm_heap_rewind(&h, late), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(stats_of(&h).used, 0);
    free(f.buf);
}

/* Refill from a frame source: an exhausted heap continues in whole frames
 * taken from the source, as many as needed to cover min_bytes. */
static void refill_from_frame_source(void **state)
{
    (void)state;
    host_frames hf;
    host_frames_init(&hf, 16, 4096);
    unsigned char first[256];
    mm_heap h;
    void *a, *b;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, mm_heap_refill_from_source, &hf.src);
    assert_int_equal(mm_heap_alloc(&h, 200, 8, &a), MM_OK);
    assert_int_equal(hf.allocs, 0);
    assert_int_equal(mm_heap_alloc(&h, 6000, 8, &b), MM_OK); /* needs 2 frames */
    assert_int_equal(hf.allocs, 1);
    assert_int_equal(hf.out, 2);
    assert_true(host_frames_owns(&hf, b, 6000));
    struct mm_heap_stats s = stats_of(&h);
    assert_int_equal(s.regions, 2);
    assert_int_equal(s.size, sizeof(first) + 2 * 4096);
    host_frames_fini(&hf);
}

/* The source running dry makes the allocation fail with OUT_OF_MEMORY and
 * the heap unchanged. */
static void frame_source_exhausted(void **state)
{
    (void)state;
    host_frames hf;
    host_frames_init(&hf, 4, 4096);
    hf.limit = 1;
    unsigned char first[64];
    mm_heap h;
    void *p = NULL;
    assert_int_equal(mm_heap_init(&h, first, sizeof(first)), MM_OK);
    mm_heap_set_refill(&h, mm_heap_refill_from_source, &hf.src);
    assert_int_equal(mm_heap_alloc(&h, 5000, 8, &p), MM_ERR_OUT_OF_MEMORY);
    assert_null(p);
    assert_int_equal(hf.refusals, 1);
    assert_int_equal(stats_of(&h).regions, 1);
    host_frames_fini(&hf);
}

/* The ready-made refill checks its own inputs. */
static void refill_from_source_rejects_bad_input(void **state)
{
    (void)state;
    host_frames hf;
    host_frames_init(&hf, 2, 4096);
    void *base;
    size_t size;
    assert_int_equal(mm_heap_refill_from_source(NULL, 1, &base, &size), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_heap_refill_from_source(&hf.src, 0, &base, &size), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_heap_refill_from_source(&hf.src, SIZE_MAX, &base, &size), MM_ERR_OVERFLOW);
    assert_int_equal(mm_heap_refill_from_source(&hf.src, 4097, &base, &size), MM_OK);
    assert_int_equal(size, 8192);
    assert_int_equal(hf.out, 2);
    host_frames_fini(&hf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refill_min_bytes_is_enough),
        cmocka_unit_test(continues_in_new_region),
        cmocka_unit_test(refusal_is_out_of_memory),
        cmocka_unit_test(short_region_is_refused),
        cmocka_unit_test(huge_request_never_wraps_min_bytes),
        cmocka_unit_test(reset_reuses_refilled_regions),
        cmocka_unit_test(rewind_across_regions),
        cmocka_unit_test(mark_in_later_region_is_stale_after_rewind),
        cmocka_unit_test(refill_from_frame_source),
        cmocka_unit_test(frame_source_exhausted),
        cmocka_unit_test(refill_from_source_rejects_bad_input),
    };
    return cmocka_run_group_tests_name("heap_regions", tests, NULL, NULL);
}
