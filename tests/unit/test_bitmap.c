/* Frame bitmap: init, single-frame allocation, free validation, reserve,
 * is_free and statistics. Contiguous allocation, adopt and the frame source
 * are in test_bitmap_contig.c and test_bitmap_adopt.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/bitmap_fixture.h"

#define F4K ((uint64_t)4096)

/* ---- init --------------------------------------------------------------- */

/*  1M        1M+64K      1M+128K          1M+256K
 *  | usable  | reserved  |  usable         |
 *  16 frames free, 16 used, 32 free; coverage starts at frame 0x100. */
static void init_marks_holes_used(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, 64 * KIB), fx_reserved(MIB + 64 * KIB, 64 * KIB),
                            fx_usable(MIB + 128 * KIB, 128 * KIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 3, F4K);
    assert_int_equal(fx.bm.first_frame, MIB / F4K);
    assert_int_equal(fx.bm.frame_count, 64);
    assert_int_equal(fx.bm.total_frames, 48);
    assert_int_equal(fx.bm.free_frames, 48);
    assert_int_equal(fx_count_free(&fx), 48);
    assert_true(mm_bitmap_is_free(&fx.bm, MIB));
    assert_true(mm_bitmap_is_free(&fx.bm, MIB + 60 * KIB));
    assert_false(mm_bitmap_is_free(&fx.bm, MIB + 64 * KIB));
    assert_false(mm_bitmap_is_free(&fx.bm, MIB + 124 * KIB));
    assert_true(mm_bitmap_is_free(&fx.bm, MIB + 128 * KIB));
    fx_destroy(&fx);
}

/* Usable RAM only from 16 MiB: bit 0 is frame 16M/4K, the first allocation
 * is 16 MiB, and nothing below it is covered. */
static void init_nonzero_first_frame(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_reserved(0, 16 * MIB), fx_usable(16 * MIB, 4 * MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 2, F4K);
    assert_int_equal(fx.bm.first_frame, 4096);
    assert_int_equal(fx.bm.frame_count, 1024);
    uint64_t phys;
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
    assert_int_equal(phys, 16 * MIB);
    assert_false(mm_bitmap_is_free(&fx.bm, 16 * MIB - F4K));
    fx_destroy(&fx);
}

/* Storage one word short of the reported size is refused and neither the
 * bitmap struct nor the storage is touched. */
static void init_storage_too_small(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, 64 * MIB)};
    bitmap_fixture fx;
    fx_set_map(&fx, map, 1);
    uint64_t bytes;
    assert_int_equal(mm_bitmap_storage_size(&fx.map, F4K, &bytes), MM_OK);
    uint64_t *storage = malloc(bytes);
    memset(storage, 0xa5, bytes);
    memset(&fx.bm, 0x5a, sizeof(fx.bm));
    mm_bitmap before = fx.bm;
    assert_int_equal(mm_bitmap_init(&fx.bm, &fx.map, F4K, storage, bytes - 8),
                     MM_ERR_BUFFER_TOO_SMALL);
    assert_memory_equal(&before, &fx.bm, sizeof(before));
    for (uint64_t i = 0; i < bytes / 8; i++)
        assert_int_equal(storage[i], 0xa5a5a5a5a5a5a5a5ull);
    free(storage);
}

/* Storage = leaf words + two summary trees (avail, empty) of the same
 * shape. 4097 frames: 65 leaf words; a tree has 2 words at level 0 (65
 * bits) and 1 at level 1: 65 + 2 * 3 = 71 words. */
static void storage_size_counts_summary(void **state)
{
    (void)state;
    uint64_t bytes;
    assert_int_equal(mm_bitmap_storage_size_frames(4097, &bytes), MM_OK);
    assert_int_equal(bytes, 71 * 8);
    /* 64 frames: one leaf word and two one-word trees. */
    assert_int_equal(mm_bitmap_storage_size_frames(64, &bytes), MM_OK);
    assert_int_equal(bytes, 3 * 8);
    assert_int_equal(mm_bitmap_storage_size_frames(0, &bytes), MM_ERR_INVALID_ARGUMENT);
}

/*  0    12K                  1M+12K
 *  |resv|usable              |
 *  Bit 0 is rounded down to frame 0 (a multiple of 64 frames): frames 0-2
 *  are covered but used and can never be freed. */
static void init_rounds_first_frame_to_64(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_reserved(0, 12 * KIB), fx_usable(12 * KIB, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 2, F4K);
    assert_int_equal(fx.bm.first_frame, 0);
    assert_int_equal(fx.bm.frame_count, 259);
    assert_int_equal(fx.bm.total_frames, 256);
    assert_false(mm_bitmap_is_free(&fx.bm, 8 * KIB));
    assert_int_equal(mm_bitmap_free(&fx.bm, 8 * KIB, 1), MM_ERR_NOT_USABLE);
    uint64_t phys;
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
    assert_int_equal(phys, 12 * KIB);
    fx_destroy(&fx);
}

/* The same 1 MiB at 4K, 8K and 64K frames: 256, 128 and 16 frames; every
 * allocation is a multiple of the granularity and they are all distinct. */
static void check_granularity(uint64_t gran)
{
    const mm_entry map[] = {fx_usable(MIB, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, gran);
    uint64_t frames = MIB / gran;
    assert_int_equal(fx.bm.first_frame, (MIB / gran) & ~(uint64_t)63);
    assert_int_equal(fx.bm.frame_count, 2 * MIB / gran - fx.bm.first_frame);
    assert_int_equal(fx.bm.total_frames, frames);
    assert_int_equal(fx.bm.granularity, gran);
    for (uint64_t i = 0; i < frames; i++) {
        uint64_t phys;
        assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
        assert_int_equal(phys, MIB + i * gran);
    }
    uint64_t phys;
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_ERR_OUT_OF_MEMORY);
    fx_destroy(&fx);
}

static void init_granularity_4k(void **state)
{
    (void)state;
    check_granularity(4 * KIB);
}

static void init_granularity_8k(void **state)
{
    (void)state;
    check_granularity(8 * KIB);
}

static void init_granularity_64k(void **state)
{
    (void)state;
    check_granularity(64 * KIB);
}

/* 12 KiB is not a power of two, 2 KiB is below 4 KiB: both refused. */
static void init_rejects_bad_granularity(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, MIB)};
    bitmap_fixture fx;
    fx_set_map(&fx, map, 1);
    uint64_t storage[64], bytes;
    assert_int_equal(mm_bitmap_storage_size(&fx.map, 12 * KIB, &bytes), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_bitmap_init(&fx.bm, &fx.map, 12 * KIB, storage, sizeof(storage)),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_bitmap_init(&fx.bm, &fx.map, 2 * KIB, storage, sizeof(storage)),
                     MM_ERR_INVALID_ARGUMENT);
}

/* A usable entry not aligned to the granularity (4K-aligned at 8K), an
 * unsorted map and an overlapping one are not sanitized: MAP_INVALID. A map
 * with no usable RAM cannot have a bitmap. */
static void init_rejects_unsanitized_map(void **state)
{
    (void)state;
    bitmap_fixture fx;
    uint64_t bytes;
    const mm_entry misaligned[] = {fx_usable(4 * KIB, 64 * KIB)};
    fx_set_map(&fx, misaligned, 1);
    assert_int_equal(mm_bitmap_storage_size(&fx.map, 8 * KIB, &bytes), MM_ERR_MAP_INVALID);
    const mm_entry unsorted[] = {fx_usable(MIB, MIB), fx_usable(0, 64 * KIB)};
    fx_set_map(&fx, unsorted, 2);
    assert_int_equal(mm_bitmap_storage_size(&fx.map, F4K, &bytes), MM_ERR_MAP_INVALID);
    const mm_entry overlap[] = {fx_usable(0, MIB), fx_reserved(512 * KIB, MIB)};
    fx_set_map(&fx, overlap, 2);
    assert_int_equal(mm_bitmap_storage_size(&fx.map, F4K, &bytes), MM_ERR_MAP_INVALID);
    const mm_entry none[] = {fx_reserved(0, MIB)};
    fx_set_map(&fx, none, 1);
    assert_int_equal(mm_bitmap_storage_size(&fx.map, F4K, &bytes), MM_ERR_BITMAP_INIT);
}

/* ---- single-frame allocation -------------------------------------------- */

/*  0     64K    128K        192K
 *  |usable|reserved|usable  |
 *  Allocation hands out frames lowest first, skips the hole, then reports
 *  OUT_OF_MEMORY with the free count at 0. */
static void alloc_until_exhausted(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, 64 * KIB), fx_reserved(64 * KIB, 64 * KIB),
                            fx_usable(128 * KIB, 64 * KIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 3, F4K);
    for (uint64_t i = 0; i < 32; i++) {
        uint64_t phys, want = i < 16 ? i * F4K : 128 * KIB + (i - 16) * F4K;
        assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
        assert_int_equal(phys, want);
        assert_false(mm_bitmap_is_free(&fx.bm, phys));
    }
    uint64_t phys = 0x1234;
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(phys, 0x1234);
    assert_int_equal(fx.bm.free_frames, 0);
    fx_destroy(&fx);
}

/* 16 GiB of frames (3 summary levels). Everything reserved except one frame
 * at 9 GiB + 4K: allocation finds it through the summary; a freed frame
 * below it is preferred afterwards (the hint moves down). */
static void alloc_finds_lone_frame_through_summary(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, 16 * GIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    assert_int_equal(fx.bm.levels, 3);
    uint64_t lone = 9 * GIB + F4K;
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 0, lone), MM_OK);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, lone + F4K, 16 * GIB - lone - F4K), MM_OK);
    assert_int_equal(fx.bm.free_frames, 1);
    uint64_t phys;
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
    assert_int_equal(phys, lone);
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_bitmap_free(&fx.bm, 3 * GIB, 1), MM_OK);
    assert_int_equal(mm_bitmap_free(&fx.bm, lone, 1), MM_OK);
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
    assert_int_equal(phys, 3 * GIB);
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
    assert_int_equal(phys, lone);
    fx_destroy(&fx);
}

/* ---- free ----------------------------------------------------------------- */

/* Allocate, free, allocate again: the same frame comes back, counts agree. */
static void free_returns_frame(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    uint64_t a, b;
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &a), MM_OK);
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &b), MM_OK);
    assert_int_equal(fx.bm.free_frames, 254);
    assert_int_equal(mm_bitmap_free(&fx.bm, a, 1), MM_OK);
    assert_true(mm_bitmap_is_free(&fx.bm, a));
    assert_int_equal(fx.bm.free_frames, 255);
    uint64_t c;
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &c), MM_OK);
    assert_int_equal(c, a);
    fx_destroy(&fx);
}

/*  1M        1M+64K     1M+128K    1M+192K
 *  | usable  | reserved | usable   |
 *  All usable frames allocated; then each bad free is refused and leaves
 *  the bitmap (struct and storage) byte for byte unchanged. */
static void free_errors_change_nothing(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, 64 * KIB), fx_reserved(MIB + 64 * KIB, 64 * KIB),
                            fx_usable(MIB + 128 * KIB, 64 * KIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 3, F4K);
    uint64_t phys;
    while (mm_bitmap_alloc(&fx.bm, &phys) == MM_OK)
        ;
    assert_int_equal(mm_bitmap_free(&fx.bm, MIB + 4 * KIB, 1), MM_OK); /* one free frame */
    struct {
        uint64_t phys, count;
        mm_status want;
    } cases[] = {
        {MIB + 1, 1, MM_ERR_INVALID_ARGUMENT},     /* misaligned */
        {MIB, 0, MM_ERR_INVALID_ARGUMENT},         /* zero frames */
        {MIB - F4K, 1, MM_ERR_OUT_OF_RANGE},       /* below coverage */
        {MIB + 192 * KIB, 1, MM_ERR_OUT_OF_RANGE}, /* past the end */
        {MIB + 188 * KIB, 2, MM_ERR_OUT_OF_RANGE}, /* runs past the end */
        {MIB, UINT64_MAX, MM_ERR_OUT_OF_RANGE},    /* huge count */
        {MIB + 64 * KIB, 1, MM_ERR_NOT_USABLE},    /* in the hole */
        {MIB + 60 * KIB, 2, MM_ERR_NOT_USABLE},    /* into the hole */
        {MIB + 4 * KIB, 1, MM_ERR_DOUBLE_FREE},    /* already free */
        {MIB, 3, MM_ERR_DOUBLE_FREE},              /* one of three free */
    };
    for (size_t i = 0; i < MM_ARRAY_SIZE(cases); i++) {
        bitmap_snapshot snap;
        fx_snapshot(&fx, &snap);
        assert_int_equal(mm_bitmap_free(&fx.bm, cases[i].phys, cases[i].count), cases[i].want);
        fx_assert_unchanged(&fx, &snap);
    }
    fx_destroy(&fx);
}

/* A multi-frame free across two adjacent usable entries (split by the
 * sanitizer because their attributes differ) is allowed. */
static void free_spans_adjacent_usable_entries(void **state)
{
    (void)state;
    mm_entry map[] = {fx_usable(0, 64 * KIB), fx_usable(64 * KIB, 64 * KIB)};
    map[1].attributes = 1;
    bitmap_fixture fx;
    fx_build(&fx, map, 2, F4K);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 0, 128 * KIB), MM_OK);
    assert_int_equal(mm_bitmap_free(&fx.bm, 60 * KIB, 2), MM_OK);
    assert_int_equal(fx.bm.free_frames, 2);
    fx_destroy(&fx);
}

/* A range carved out of the map after init (here retyped in place) can
 * no longer be freed: the map is what "usable" is checked against. */
static void free_refuses_range_carved_later(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    uint64_t phys;
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
    fx.entries[0].type = MM_TYPE_KERNEL;
    assert_int_equal(mm_bitmap_free(&fx.bm, phys, 1), MM_ERR_NOT_USABLE);
    fx_destroy(&fx);
}

/* ---- reserve / is_free ----------------------------------------------------- */

/* [1M + 100, 1M + 4K + 1) touches frames 0 and 1: both become used, frame
 * 2 stays free. Reserving again is harmless; parts outside the covered
 * range are skipped. */
static void reserve_rounds_outward(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, MIB + 100, F4K - 100 + 1), MM_OK);
    assert_false(mm_bitmap_is_free(&fx.bm, MIB));
    assert_false(mm_bitmap_is_free(&fx.bm, MIB + F4K));
    assert_true(mm_bitmap_is_free(&fx.bm, MIB + 2 * F4K));
    assert_int_equal(fx.bm.free_frames, 254);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, MIB, 2 * F4K), MM_OK);
    assert_int_equal(fx.bm.free_frames, 254);
    /* Straddles the start: only the covered frame [1M+2*4K) counts. */
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 0, MIB + 3 * F4K), MM_OK);
    assert_int_equal(fx.bm.free_frames, 253);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 8 * MIB, MIB), MM_OK);
    assert_int_equal(fx.bm.free_frames, 253);
    assert_int_equal(fx_count_free(&fx), 253);
    fx_destroy(&fx);
}

/* Zero length and ranges wrapping past 2^64 are refused. */
static void reserve_rejects_bad_ranges(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 0, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, UINT64_MAX - F4K, 2 * F4K), MM_ERR_OVERFLOW);
    assert_int_equal(fx.bm.free_frames, 256);
    fx_destroy(&fx);
}

/* Reserved then freed: a usable frame reserved by the loader can be given
 * back. */
static void reserve_then_free(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 64 * KIB, 128 * KIB), MM_OK);
    assert_int_equal(fx.bm.free_frames, 224);
    assert_int_equal(mm_bitmap_free(&fx.bm, 64 * KIB, 32), MM_OK);
    assert_int_equal(fx.bm.free_frames, 256);
    fx_destroy(&fx);
}

/* is_free answers false outside the covered range and for any address in
 * a used frame (not only its first byte). */
static void is_free_bounds(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    assert_false(mm_bitmap_is_free(&fx.bm, 0));
    assert_false(mm_bitmap_is_free(&fx.bm, MIB - 1));
    assert_true(mm_bitmap_is_free(&fx.bm, MIB));
    assert_true(mm_bitmap_is_free(&fx.bm, 2 * MIB - 1));
    assert_false(mm_bitmap_is_free(&fx.bm, 2 * MIB));
    assert_false(mm_bitmap_is_free(&fx.bm, UINT64_MAX));
    assert_int_equal(mm_bitmap_reserve(&fx.bm, MIB, 1), MM_OK);
    assert_false(mm_bitmap_is_free(&fx.bm, MIB + 4095));
    fx_destroy(&fx);
}

/* ---- stats -------------------------------------------------------------- */

/*  frames 0..255 (1 MiB), then:
 *  used [10, 20), [100, 101), [150, 250)
 *  free runs: 10, 80, 49, 6 -> largest 80 (crosses a word boundary). */
static void stats_largest_free_run(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 10 * F4K, 10 * F4K), MM_OK);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 100 * F4K, F4K), MM_OK);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 150 * F4K, 100 * F4K), MM_OK);
    struct mm_bitmap_stats s;
    mm_bitmap_stats(&fx.bm, &s);
    assert_int_equal(s.total_frames, 256);
    assert_int_equal(s.free_frames, 256 - 111);
    assert_int_equal(s.used_frames, 111);
    assert_int_equal(s.largest_free_run, 80);
    assert_int_equal(s.granularity, F4K);
    assert_int_equal(s.frame_count, 256);
    fx_destroy(&fx);
}

/* A fully free 4 GiB range: the largest run is every frame; fully used:
 * 0. Holes count as used. */
static void stats_whole_and_empty(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(0, 2 * GIB), fx_reserved(2 * GIB, F4K),
                            fx_usable(2 * GIB + F4K, 2 * GIB - F4K)};
    bitmap_fixture fx;
    fx_build(&fx, map, 3, F4K);
    struct mm_bitmap_stats s;
    mm_bitmap_stats(&fx.bm, &s);
    assert_int_equal(s.total_frames, 1024 * 1024 - 1);
    assert_int_equal(s.largest_free_run, 512 * 1024);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 0, 4 * GIB), MM_OK);
    mm_bitmap_stats(&fx.bm, &s);
    assert_int_equal(s.free_frames, 0);
    assert_int_equal(s.used_frames, s.total_frames);
    assert_int_equal(s.largest_free_run, 0);
    fx_destroy(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_marks_holes_used),
        cmocka_unit_test(init_nonzero_first_frame),
        cmocka_unit_test(init_storage_too_small),
        cmocka_unit_test(storage_size_counts_summary),
        cmocka_unit_test(init_rounds_first_frame_to_64),
        cmocka_unit_test(init_granularity_4k),
        cmocka_unit_test(init_granularity_8k),
        cmocka_unit_test(init_granularity_64k),
        cmocka_unit_test(init_rejects_bad_granularity),
        cmocka_unit_test(init_rejects_unsanitized_map),
        cmocka_unit_test(alloc_until_exhausted),
        cmocka_unit_test(alloc_finds_lone_frame_through_summary),
        cmocka_unit_test(free_returns_frame),
        cmocka_unit_test(free_errors_change_nothing),
        cmocka_unit_test(free_spans_adjacent_usable_entries),
        cmocka_unit_test(free_refuses_range_carved_later),
        cmocka_unit_test(reserve_rounds_outward),
        cmocka_unit_test(reserve_rejects_bad_ranges),
        cmocka_unit_test(reserve_then_free),
        cmocka_unit_test(is_free_bounds),
        cmocka_unit_test(stats_largest_free_run),
        cmocka_unit_test(stats_whole_and_empty),
    };
    return cmocka_run_group_tests_name("bitmap", tests, NULL, NULL);
}
