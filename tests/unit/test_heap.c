/* Boot heap within one region: arguments, alignment, bounds, zeroing,
 * statistics, reset and mark/rewind. Regions are host buffers aligned to
 * 64 KiB so every expected address can be computed from the base. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/heap.h"

#define BIG_ALIGN (64u * 1024u)

static unsigned char *region(size_t size)
{
    unsigned char *p = aligned_alloc(BIG_ALIGN, (size + BIG_ALIGN - 1) & ~(size_t)(BIG_ALIGN - 1));
    assert_non_null(p);
    return p;
}

static struct mm_heap_stats stats_of(const mm_heap *h)
{
    struct mm_heap_stats s;
    mm_heap_stats(h, &s);
    return s;
}

/* NULL heap or base, zero size, and a region running past the top of the
 * address space are refused. */
static void init_rejects_bad_regions(void **state)
{
    (void)state;
    mm_heap h;
    unsigned char buf[16];
    assert_int_equal(mm_heap_init(NULL, buf, sizeof(buf)), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_heap_init(&h, NULL, 16), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_heap_init(&h, buf, 0), MM_ERR_INVALID_ARGUMENT);
    /* [MAX-15, MAX-15+32) wraps; [MAX-15, MAX+1) would end at 2^N */
    void *top = (void *)(UINTPTR_MAX - 15);
    assert_int_equal(mm_heap_init(&h, top, 32), MM_ERR_OVERFLOW);
    assert_int_equal(mm_heap_init(&h, top, 16), MM_ERR_OVERFLOW);
    assert_int_equal(mm_heap_init(&h, top, 15), MM_OK);
}

/* For every alignment 1 .. 64 KiB, a 1-byte allocation made right after a
 * 1-byte one lands on the next multiple of the alignment:
 *   base  base+1 ...            base+align
 *   [x]   padding (align-1)     [y]             */
static void every_alignment_up_to_64k(void **state)
{
    (void)state;
    size_t size = 4 * BIG_ALIGN;
    unsigned char *buf = region(size);
    mm_heap h;
    for (size_t align = 1; align <= BIG_ALIGN; align <<= 1) {
        assert_int_equal(mm_heap_init(&h, buf, size), MM_OK);
        void *x, *y;
        assert_int_equal(mm_heap_alloc(&h, 1, 1, &x), MM_OK);
        assert_int_equal(mm_heap_alloc(&h, 1, align, &y), MM_OK);
        assert_ptr_equal(x, buf);
        assert_ptr_equal(y, buf + (align == 1 ? 1 : align));
        assert_int_equal((uintptr_t)y & (align - 1), 0);
        assert_int_equal(stats_of(&h).lost_to_alignment, align == 1 ? 0 : align - 1);
    }
    free(buf);
}

/* Alignment 0 and non-powers of two are invalid; *out stays untouched and
 * the failure is counted. */
static void bad_alignment_rejected(void **state)
{
    (void)state;
    unsigned char *buf = region(256);
    mm_heap h;
    assert_int_equal(mm_heap_init(&h, buf, 256), MM_OK);
    size_t bad[] = {0, 3, 24, 4097};
    for (size_t i = 0; i < MM_ARRAY_SIZE(bad); i++) {
        void *out = (void *)0x1234;
        assert_int_equal(mm_heap_alloc(&h, 8, bad[i], &out), MM_ERR_INVALID_ARGUMENT);
        assert_ptr_equal(out, (void *)0x1234);
    }
    assert_int_equal(stats_of(&h).failures, MM_ARRAY_SIZE(bad));
    assert_int_equal(stats_of(&h).used, 0);
    free(buf);
}

/* Size 0 is invalid, not a zero-byte success. */
static void zero_size_rejected(void **state)
{
    (void)state;
    unsigned char *buf = region(64);
    mm_heap h;
    void *out = NULL;
    assert_int_equal(mm_heap_init(&h, buf, 64), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 0, 8, &out), MM_ERR_INVALID_ARGUMENT);
    assert_null(out);
    assert_int_equal(stats_of(&h).failures, 1);
    free(buf);
}

/* [base ........ base+256)  one 256-byte block fills it exactly; then
 * nothing more fits, not even one byte. */
static void exact_fit_then_full(void **state)
{
    (void)state;
    unsigned char *buf = region(256);
    mm_heap h;
    void *a, *b = NULL;
    assert_int_equal(mm_heap_init(&h, buf, 256), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 256, 256, &a), MM_OK);
    assert_ptr_equal(a, buf);
    assert_int_equal(mm_heap_alloc(&h, 1, 1, &b), MM_ERR_OUT_OF_MEMORY);
    assert_null(b);
    assert_int_equal(stats_of(&h).free, 0);
    free(buf);
}

/* 256-byte region: 257 bytes do not fit, and the failed call consumes
 * nothing, so 256 still fit afterwards. */
static void one_byte_too_many(void **state)
{
    (void)state;
    unsigned char *buf = region(256);
    mm_heap h;
    void *a = NULL;
    assert_int_equal(mm_heap_init(&h, buf, 256), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 257, 1, &a), MM_ERR_OUT_OF_MEMORY);
    assert_null(a);
    assert_int_equal(stats_of(&h).used, 0);
    assert_int_equal(mm_heap_alloc(&h, 256, 1, &a), MM_OK);
    free(buf);
}

/* Padding counts against the bound: after 1 byte, a 16-aligned block can
 * take at most size - 16 bytes.
 *   [x][pad 15][ block of 240 ]| end (base+256) */
static void padding_counts_against_bound(void **state)
{
    (void)state;
    unsigned char *buf = region(256);
    mm_heap h;
    void *x, *y;
    assert_int_equal(mm_heap_init(&h, buf, 256), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 1, 1, &x), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 241, 16, &y), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_heap_alloc(&h, 240, 16, &y), MM_OK);
    assert_ptr_equal(y, buf + 16);
    free(buf);
}

/* Sizes near SIZE_MAX and alignments near the top bit never wrap the
 * bounds check: they fail with OVERFLOW (size + padding unrepresentable)
 * or OUT_OF_MEMORY (representable but too big), and nothing is consumed. */
static void huge_size_and_align_do_not_wrap(void **state)
{
    (void)state;
    unsigned char *buf = region(4096);
    mm_heap h;
    void *out = NULL;
    size_t top_align = (SIZE_MAX >> 1) + 1;
    assert_int_equal(mm_heap_init(&h, buf, 4096), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 1, 1, &out), MM_OK); /* cursor off the base */
    out = NULL;
    assert_int_equal(mm_heap_alloc(&h, SIZE_MAX, 1, &out), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_heap_alloc(&h, SIZE_MAX, 16, &out), MM_ERR_OVERFLOW);
    assert_int_equal(mm_heap_alloc(&h, SIZE_MAX - 14, 16, &out), MM_ERR_OVERFLOW);
    assert_int_equal(mm_heap_alloc(&h, SIZE_MAX - 15, 16, &out), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_heap_alloc(&h, 1, top_align, &out), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_heap_alloc(&h, top_align, top_align, &out), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_heap_alloc(&h, top_align + 1, top_align, &out), MM_ERR_OVERFLOW);
    assert_null(out);
    struct mm_heap_stats s = stats_of(&h);
    assert_int_equal(s.used, 1);
    assert_int_equal(s.failures, 7);
    free(buf);
}

/* alloc_zeroed clears exactly the block: the byte after it keeps its
 * old contents. */
static void zeroed_clears_only_the_block(void **state)
{
    (void)state;
    unsigned char *buf = region(128);
    memset(buf, 0xAA, 128);
    mm_heap h;
    unsigned char *p;
    assert_int_equal(mm_heap_init(&h, buf, 128), MM_OK);
    assert_int_equal(mm_heap_alloc_zeroed(&h, 40, 8, (void **)&p), MM_OK);
    for (int i = 0; i < 40; i++)
        assert_int_equal(p[i], 0);
    assert_int_equal(buf[40], 0xAA);
    void *q = NULL;
    assert_int_equal(mm_heap_alloc_zeroed(&h, 100, 8, &q), MM_ERR_OUT_OF_MEMORY);
    assert_null(q);
    free(buf);
}

/* 1 byte, then 8 bytes aligned 8 (7 lost), then 100 bytes aligned 64
 * (64 - 16 = 48 lost), then a failing 10000-byte request:
 *   used = 1 + 7 + 8 + 48 + 100 = 164, count 3, failures 1, lost 55. */
static void stats_count_everything(void **state)
{
    (void)state;
    unsigned char *buf = region(1024);
    mm_heap h;
    void *p;
    assert_int_equal(mm_heap_init(&h, buf, 1024), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 1, 1, &p), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 8, 8, &p), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 100, 64, &p), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 10000, 1, &p), MM_ERR_OUT_OF_MEMORY);
    struct mm_heap_stats s = stats_of(&h);
    assert_int_equal(s.size, 1024);
    assert_int_equal(s.used, 164);
    assert_int_equal(s.free, 1024 - 164);
    assert_int_equal(s.peak, 164);
    assert_int_equal(s.allocations, 3);
    assert_int_equal(s.failures, 1);
    assert_int_equal(s.lost_to_alignment, 55);
    assert_int_equal(s.regions, 1);
    free(buf);
}

/* reset: the next allocation starts at the base again; used drops to 0
 * while peak and the counters keep their history. */
static void reset_empties_but_keeps_history(void **state)
{
    (void)state;
    unsigned char *buf = region(512);
    mm_heap h;
    void *p;
    assert_int_equal(mm_heap_init(&h, buf, 512), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 300, 4, &p), MM_OK);
    mm_heap_reset(&h);
    struct mm_heap_stats s = stats_of(&h);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.peak, 300);
    assert_int_equal(s.allocations, 1);
    assert_int_equal(mm_heap_alloc(&h, 512, 1, &p), MM_OK);
    assert_ptr_equal(p, buf);
    assert_int_equal(stats_of(&h).peak, 512);
    free(buf);
}

/* mark M; scratch allocations; rewind(M): the next allocation reuses the
 * scratch addresses and used is back where it was at M.
 *   [keep][scratch1][scratch2]  --rewind-->  [keep][next...] */
static void rewind_releases_scratch(void **state)
{
    (void)state;
    unsigned char *buf = region(1024);
    mm_heap h;
    void *keep, *s1, *s2, *again;
    assert_int_equal(mm_heap_init(&h, buf, 1024), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 10, 1, &keep), MM_OK);
    mm_heap_mark m = mm_heap_get_mark(&h);
    assert_int_equal(mm_heap_alloc(&h, 100, 16, &s1), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 200, 16, &s2), MM_OK);
    assert_int_equal(mm_heap_rewind(&h, m), MM_OK);
    assert_int_equal(stats_of(&h).used, 10);
    assert_int_equal(stats_of(&h).peak, 10 + 6 + 100 + 12 + 200);
    assert_int_equal(mm_heap_alloc(&h, 100, 16, &again), MM_OK);
    assert_ptr_equal(again, s1);
    free(buf);
}

/* Nested marks rewound innermost first both succeed; the inner one is
 * stale once the outer one has been rewound. */
static void nested_marks_are_lifo(void **state)
{
    (void)state;
    unsigned char *buf = region(1024);
    mm_heap h;
    void *p;
    assert_int_equal(mm_heap_init(&h, buf, 1024), MM_OK);
    mm_heap_mark outer = mm_heap_get_mark(&h);
    assert_int_equal(mm_heap_alloc(&h, 64, 8, &p), MM_OK);
    mm_heap_mark inner = mm_heap_get_mark(&h);
    assert_int_equal(mm_heap_alloc(&h, 64, 8, &p), MM_OK);
    assert_int_equal(mm_heap_rewind(&h, inner), MM_OK);
    assert_int_equal(stats_of(&h).used, 64);
    assert_int_equal(mm_heap_rewind(&h, outer), MM_OK);
    assert_int_equal(stats_of(&h).used, 0);
    /* inner lies beyond the current position now */
    assert_int_equal(mm_heap_rewind(&h, inner), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(stats_of(&h).used, 0);
    free(buf);
}

/* A mark from before a reset is stale even when its position is behind
 * the cursor again; the heap is unchanged by the refused rewind. */
static void mark_before_reset_is_stale(void **state)
{
    (void)state;
    unsigned char *buf = region(1024);
    mm_heap h;
    void *p;
    assert_int_equal(mm_heap_init(&h, buf, 1024), MM_OK);
    assert_int_equal(mm_heap_alloc(&h, 16, 1, &p), MM_OK);
    mm_heap_mark m = mm_heap_get_mark(&h);
    mm_heap_reset(&h);
    assert_int_equal(mm_heap_alloc(&h, 512, 1, &p), MM_OK);
    assert_int_equal(mm_heap_rewind(&h, m), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(stats_of(&h).used, 512);
    free(buf);
}

/* A mark taken on heap B is refused by heap A as foreign. */
static void foreign_mark_refused(void **state)
{
    (void)state;
    unsigned char *buf = region(1024);
    mm_heap a, b;
    void *p;
    assert_int_equal(mm_heap_init(&a, buf, 512), MM_OK);
    assert_int_equal(mm_heap_init(&b, buf + 512, 512), MM_OK);
    mm_heap_mark mb = mm_heap_get_mark(&b);
    assert_int_equal(mm_heap_alloc(&a, 8, 8, &p), MM_OK);
    assert_int_equal(mm_heap_rewind(&a, mb), MM_ERR_FOREIGN_POINTER);
    assert_int_equal(stats_of(&a).used, 8);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_rejects_bad_regions),
        cmocka_unit_test(every_alignment_up_to_64k),
        cmocka_unit_test(bad_alignment_rejected),
        cmocka_unit_test(zero_size_rejected),
        cmocka_unit_test(exact_fit_then_full),
        cmocka_unit_test(one_byte_too_many),
        cmocka_unit_test(padding_counts_against_bound),
        cmocka_unit_test(huge_size_and_align_do_not_wrap),
        cmocka_unit_test(zeroed_clears_only_the_block),
        cmocka_unit_test(stats_count_everything),
        cmocka_unit_test(reset_empties_but_keeps_history),
        cmocka_unit_test(rewind_releases_scratch),
        cmocka_unit_test(nested_marks_are_lifo),
        cmocka_unit_test(mark_before_reset_is_stale),
        cmocka_unit_test(foreign_mark_refused),
    };
    return cmocka_run_group_tests_name("heap", tests, NULL, NULL);
}
