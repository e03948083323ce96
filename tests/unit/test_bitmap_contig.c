/* Frame bitmap: contiguous allocation (alignment, ceilings, word
 * boundaries, holes) — first-fit, so every expected address is the lowest
 * run that satisfies the request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/bitmap_fixture.h"

#define F4K ((uint64_t)4096)

/*  1M: frame at 1M taken by a single alloc; a 16-frame run aligned to
 *  64K cannot start at 1M+4K, so it starts at the next 64K boundary. */
static void contig_respects_alignment(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, 8 * MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    uint64_t one, run;
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &one), MM_OK);
    assert_int_equal(one, MIB);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 16, 64 * KIB, 0, &run), MM_OK);
    assert_int_equal(run, MIB + 64 * KIB);
    /* Unaligned request: fills the gap right after the first frame. */
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 15, 0, 0, &run), MM_OK);
    assert_int_equal(run, MIB + F4K);
    /* 2 MiB alignment: 1M is not aligned, 2M is. */
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 512, 2 * MIB, 0, &run), MM_OK);
    assert_int_equal(run, 2 * MIB);
    assert_int_equal(fx.bm.free_frames, 2048 - 1 - 16 - 15 - 512);
    assert_int_equal(fx_count_free(&fx), fx.bm.free_frames);
    fx_destroy(&fx);
}

/* Alignment is on physical addresses, not on bit positions: coverage
 * starting at 12K (frame 3) still puts a 32K-aligned run at 32K. */
static void contig_alignment_is_physical(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(12 * KIB, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    uint64_t run;
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 2, 32 * KIB, 0, &run), MM_OK);
    assert_int_equal(run, 32 * KIB);
    fx_destroy(&fx);
}

/*  0      640K   1M                 64M
 *  |usable |resv |usable            |
 *  Below-1M runs come from low memory until it is exhausted, then
 *  OUT_OF_MEMORY although plenty is free above 1 MiB. */
static void contig_below_1m(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, 640 * KIB), fx_reserved(640 * KIB, 384 * KIB),
                            fx_usable(MIB, 63 * MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 3, F4K);
    uint64_t run;
    for (uint64_t i = 0; i < 10; i++) {
        assert_int_equal(mm_bitmap_alloc_below_1m(&fx.bm, 16, 0, &run), MM_OK);
        assert_int_equal(run, i * 64 * KIB);
    }
    assert_int_equal(mm_bitmap_alloc_below_1m(&fx.bm, 1, 0, &run), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 1, 0, 0, &run), MM_OK);
    assert_int_equal(run, MIB);
    fx_destroy(&fx);
}

/* A ceiling in the middle of a frame counts only whole frames below it:
 * ceiling 8K + 1 leaves frames 0 and 1; a 3-frame run does not fit. */
static void contig_ceiling_rounds_down(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    uint64_t run;
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 3, 0, 8 * KIB + 1, &run), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 2, 0, 8 * KIB + 1, &run), MM_OK);
    assert_int_equal(run, 0);
    fx_destroy(&fx);
}

/*  1M              3G   4G          8G
 *  |usable (full)  |resv|usable     |
 *  With everything below 4 GiB used, below_4g fails; without a ceiling the
 *  run comes from 4 GiB. */
static void contig_below_4g(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, 3 * GIB - MIB), fx_reserved(3 * GIB, GIB),
                            fx_usable(4 * GIB, 4 * GIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 3, F4K);
    uint64_t run;
    assert_int_equal(mm_bitmap_alloc_below_4g(&fx.bm, 4, 0, &run), MM_OK);
    assert_int_equal(run, MIB);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, MIB, 3 * GIB - MIB), MM_OK);
    assert_int_equal(mm_bitmap_alloc_below_4g(&fx.bm, 1, 0, &run), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 4, 0, 0, &run), MM_OK);
    assert_int_equal(run, 4 * GIB);
    fx_destroy(&fx);
}

/*  frames 0..255; used: [0, 60) and [130, 256)
 *  the only 70-frame run is [60, 130): it starts in word 0, covers all of
 *  word 1 and ends in word 2. */
static void contig_crosses_word_boundaries(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 0, 60 * F4K), MM_OK);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 130 * F4K, 126 * F4K), MM_OK);
    uint64_t run;
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 71, 0, 0, &run), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 70, 0, 0, &run), MM_OK);
    assert_int_equal(run, 60 * F4K);
    assert_int_equal(fx.bm.free_frames, 0);
    fx_destroy(&fx);
}

/*  0     40K  44K        84K
 *  |usable|resv|usable    |
 *  10 free frames, a 1-frame hole, 10 free frames: an 11-frame run cannot
 *  bridge the hole; a 10-frame run fits in the first part, the next one in
 *  the second. */
static void contig_does_not_bridge_holes(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, 40 * KIB), fx_reserved(40 * KIB, F4K),
                            fx_usable(44 * KIB, 40 * KIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 3, F4K);
    uint64_t run;
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 11, 0, 0, &run), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 10, 0, 0, &run), MM_OK);
    assert_int_equal(run, 0);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 10, 0, 0, &run), MM_OK);
    assert_int_equal(run, 44 * KIB);
    fx_destroy(&fx);
}

/*  frames 0..1023 (4 MiB, 16 leaf words); used: 10 (word 0), 163 (word 2
 *  bit 35), 319 (word 4 bit 63).
 *  100 frames aligned to 64 (one whole word + 36 bits of the next):
 *    word 0 busy; word 1 + low 36 bits of word 2 hit bit 35; word 3 +
 *    low bits of word 4 are free -> frame 192.
 *  100 frames aligned to 128: words 0, 2, 4 are busy -> frame 384. */
static void contig_word_runs(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, 4 * MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    const uint64_t used[] = {10, 163, 319};
    for (size_t i = 0; i < MM_ARRAY_SIZE(used); i++)
        assert_int_equal(mm_bitmap_reserve(&fx.bm, used[i] * F4K, F4K), MM_OK);
    uint64_t run;
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 100, 64 * F4K, 0, &run), MM_OK);
    assert_int_equal(run, 192 * F4K);
    assert_int_equal(mm_bitmap_free(&fx.bm, run, 100), MM_OK);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 100, 128 * F4K, 0, &run), MM_OK);
    assert_int_equal(run, 384 * F4K);
    /* Next fit is [512, 612): a ceiling one frame short refuses it. */
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 100, 128 * F4K, 611 * F4K, &run),
                     MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 100, 128 * F4K, 612 * F4K, &run), MM_OK);
    assert_int_equal(run, 512 * F4K);
    fx_destroy(&fx);
}

/* Count 0, a non-power-of-two alignment and an alignment below the
 * granularity are argument errors, and change nothing. */
static void contig_rejects_bad_arguments(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, 8 * KIB);
    bitmap_snapshot snap;
    fx_snapshot(&fx, &snap);
    uint64_t run;
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 0, 0, 0, &run), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 1, 24 * KIB, 0, &run), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 1, 4 * KIB, 0, &run), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 129, 0, 0, &run), MM_ERR_OUT_OF_MEMORY);
    fx_assert_unchanged(&fx, &snap);
    fx_destroy(&fx);
}

/* 8 KiB frames: a 4-frame run aligned to 64K lands on a 64K boundary and
 * is freed back in one call. */
static void contig_granularity_8k(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(8 * KIB, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, 8 * KIB);
    uint64_t run;
    assert_int_equal(mm_bitmap_alloc_contig(&fx.bm, 4, 64 * KIB, 0, &run), MM_OK);
    assert_int_equal(run, 64 * KIB);
    assert_int_equal(fx.bm.free_frames, 128 - 4);
    assert_int_equal(mm_bitmap_free(&fx.bm, run, 4), MM_OK);
    assert_int_equal(fx.bm.free_frames, 128);
    fx_destroy(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contig_respects_alignment),
        cmocka_unit_test(contig_alignment_is_physical),
        cmocka_unit_test(contig_below_1m),
        cmocka_unit_test(contig_ceiling_rounds_down),
        cmocka_unit_test(contig_below_4g),
        cmocka_unit_test(contig_crosses_word_boundaries),
        cmocka_unit_test(contig_does_not_bridge_holes),
        cmocka_unit_test(contig_word_runs),
        cmocka_unit_test(contig_rejects_bad_arguments),
        cmocka_unit_test(contig_granularity_8k),
    };
    return cmocka_run_group_tests_name("bitmap-contig", tests, NULL, NULL);
}
