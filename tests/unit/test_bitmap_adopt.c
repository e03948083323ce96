/* Frame bitmap: adoption of leaf words built elsewhere (the kernel taking
 * over the loader's bitmap) and the mm_frame_source adapter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/bitmap_fixture.h"

#define F4K ((uint64_t)4096)

/*  0      640K  1M                 33M  34M        40M
 *  |usable|resv |usable            |resv|usable    |
 *  The "loader" builds a bitmap and allocates; the "kernel" gets a copy of
 *  the whole storage (leaves + summary, summary zeroed to prove it is
 *  rebuilt), adopts it, and from then on both answer every operation
 *  identically. */
static const mm_entry holey_map[] = {
    {.base = 0, .length = 640 * KIB, .type = MM_TYPE_USABLE},
    {.base = 640 * KIB, .length = 384 * KIB, .type = MM_TYPE_RESERVED},
    {.base = MIB, .length = 32 * MIB, .type = MM_TYPE_USABLE},
    {.base = 33 * MIB, .length = MIB, .type = MM_TYPE_RESERVED},
    {.base = 34 * MIB, .length = 6 * MIB, .type = MM_TYPE_USABLE},
};

static void adopt_matches_original(void **state)
{
    (void)state;
    bitmap_fixture loader;
    fx_build(&loader, holey_map, 5, F4K);
    uint64_t phys;
    for (int i = 0; i < 100; i++)
        assert_int_equal(mm_bitmap_alloc(&loader.bm, &phys), MM_OK);
    assert_int_equal(mm_bitmap_alloc_contig(&loader.bm, 512, 2 * MIB, 0, &phys), MM_OK);
    assert_int_equal(mm_bitmap_reserve(&loader.bm, 34 * MIB, 3 * F4K), MM_OK);

    uint64_t *copy = malloc(loader.storage_bytes);
    memcpy(copy, loader.storage, loader.storage_bytes);
    uint64_t leaf_bytes = loader.bm.word_count * 8;
    memset((char *)copy + leaf_bytes, 0, loader.storage_bytes - leaf_bytes);
    mm_bitmap kernel;
    assert_int_equal(mm_bitmap_adopt(&kernel, &loader.map, F4K, loader.bm.first_frame,
                                     loader.bm.frame_count, copy, loader.storage_bytes),
                     MM_OK);
    assert_memory_equal(copy, loader.storage, loader.storage_bytes);
    assert_int_equal(kernel.total_frames, loader.bm.total_frames);
    assert_int_equal(kernel.free_frames, loader.bm.free_frames);

    /* Same operations, same answers. */
    for (int i = 0; i < 300; i++) {
        uint64_t a = 0, b = 0, count = 1 + (uint64_t)(i % 7) * 37;
        uint64_t align = F4K << (i % 5);
        mm_status sa = mm_bitmap_alloc_contig(&loader.bm, count, align, 0, &a);
        mm_status sb = mm_bitmap_alloc_contig(&kernel, count, align, 0, &b);
        assert_int_equal(sa, sb);
        assert_int_equal(a, b);
        if (i % 3 == 0 && sa == MM_OK) {
            assert_int_equal(mm_bitmap_free(&loader.bm, a, count), MM_OK);
            assert_int_equal(mm_bitmap_free(&kernel, b, count), MM_OK);
        }
        assert_int_equal(mm_bitmap_alloc(&loader.bm, &a), mm_bitmap_alloc(&kernel, &b));
        assert_int_equal(a, b);
    }
    assert_memory_equal(copy, loader.storage, loader.storage_bytes);
    free(copy);
    fx_destroy(&loader);
}

/* A frame in the reserved hole marked free in the handed-over leaves is a
 * corrupt handoff: BITMAP_INIT, storage untouched. */
static void adopt_rejects_free_hole(void **state)
{
    (void)state;
    bitmap_fixture fx;
    fx_build(&fx, holey_map, 5, F4K);
    uint64_t hole_rel = (640 * KIB) / F4K; /* first frame of the hole */
    fx.storage[hole_rel >> 6] &= ~(1ull << (hole_rel & 63));
    bitmap_snapshot snap;
    fx_snapshot(&fx, &snap);
    assert_int_equal(mm_bitmap_adopt(&fx.bm, &fx.map, F4K, fx.bm.first_frame, fx.bm.frame_count,
                                     fx.storage, fx.storage_bytes),
                     MM_ERR_BITMAP_INIT);
    fx_assert_unchanged(&fx, &snap);
    fx_destroy(&fx);
}

/* Storage smaller than leaves + summary, zero frames, a range whose end
 * passes 2^64, and misaligned storage are refused. */
static void adopt_rejects_bad_arguments(void **state)
{
    (void)state;
    bitmap_fixture fx;
    fx_build(&fx, holey_map, 5, F4K);
    mm_bitmap bm;
    uint64_t first = fx.bm.first_frame, count = fx.bm.frame_count;
    assert_int_equal(
        mm_bitmap_adopt(&bm, &fx.map, F4K, first, count, fx.storage, fx.storage_bytes - 8),
        MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(mm_bitmap_adopt(&bm, &fx.map, F4K, first, 0, fx.storage, fx.storage_bytes),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_bitmap_adopt(&bm, &fx.map, F4K, (UINT64_MAX >> 12) - 10, 64, fx.storage,
                                     fx.storage_bytes),
                     MM_ERR_OVERFLOW);
    assert_int_equal(mm_bitmap_adopt(&bm, &fx.map, F4K, first, count, (char *)fx.storage + 4,
                                     fx.storage_bytes - 8),
                     MM_ERR_INVALID_ARGUMENT);
    fx_destroy(&fx);
}

/* The kernel's map may list fewer usable frames (ranges the loader carved
 * after building the bitmap are no longer usable): adoption over such a
 * map works when those frames are marked used, and the total shrinks. */
static void adopt_with_carved_map(void **state)
{
    (void)state;
    bitmap_fixture fx;
    fx_build(&fx, holey_map, 5, F4K);
    assert_int_equal(mm_bitmap_reserve(&fx.bm, 34 * MIB, 6 * MIB), MM_OK);
    uint64_t before_total = fx.bm.total_frames;
    fx.entries[4].type = MM_TYPE_KERNEL;
    mm_bitmap kernel;
    assert_int_equal(mm_bitmap_adopt(&kernel, &fx.map, F4K, fx.bm.first_frame, fx.bm.frame_count,
                                     fx.storage, fx.storage_bytes),
                     MM_OK);
    assert_int_equal(kernel.total_frames, before_total - 6 * MIB / F4K);
    assert_int_equal(kernel.free_frames, fx.bm.free_frames);
    fx_destroy(&fx);
}

/*  leaves built by hand for frames 3 .. 258 (bit 0 = frame 3, not a
 *  multiple of 64), all usable and free. 100 frames aligned to 64 frames
 *  (generic search, words do not line up): frame 64; the next aligned
 *  start, 192, would end at 292 > 259: OUT_OF_MEMORY. */
static void adopt_unaligned_first_frame(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(12 * KIB, MIB)};
    bitmap_fixture fx;
    fx_set_map(&fx, map, 1);
    uint64_t bytes;
    assert_int_equal(mm_bitmap_storage_size_frames(256, &bytes), MM_OK);
    uint64_t *storage = calloc(1, bytes);
    mm_bitmap bm;
    assert_int_equal(mm_bitmap_adopt(&bm, &fx.map, F4K, 3, 256, storage, bytes), MM_OK);
    assert_int_equal(bm.free_frames, 256);
    uint64_t run;
    assert_int_equal(mm_bitmap_alloc_contig(&bm, 100, 64 * F4K, 0, &run), MM_OK);
    assert_int_equal(run, 64 * F4K);
    assert_int_equal(mm_bitmap_alloc_contig(&bm, 100, 64 * F4K, 0, &run), MM_ERR_OUT_OF_MEMORY);
    /* Left: [3, 64) = 61 frames and [164, 259) = 95 frames. */
    assert_int_equal(mm_bitmap_alloc_contig(&bm, 96, 0, 0, &run), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_bitmap_alloc_contig(&bm, 95, 0, 0, &run), MM_OK);
    assert_int_equal(run, 164 * F4K);
    assert_int_equal(mm_bitmap_alloc_contig(&bm, 61, 0, 0, &run), MM_OK);
    assert_int_equal(run, 3 * F4K);
    assert_int_equal(bm.free_frames, 0);
    free(storage);
}

/* ---- frame source ---------------------------------------------------------- */

/* Identity offset: the pointer is the physical address; release frees. */
static void source_identity(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    mm_bitmap_source_ctx ctx;
    mm_frame_source src;
    assert_int_equal(mm_bitmap_source(&fx.bm, 0, &ctx, &src), MM_OK);
    assert_int_equal(src.frame_size, F4K);
    void *ptr;
    uint64_t phys;
    assert_int_equal(src.alloc(src.ctx, 3, &ptr, &phys), MM_OK);
    assert_int_equal(phys, MIB);
    assert_int_equal((uintptr_t)ptr, MIB);
    assert_int_equal(fx.bm.free_frames, 253);
    assert_int_equal(src.release(src.ctx, ptr, 3), MM_OK);
    assert_int_equal(fx.bm.free_frames, 256);
    assert_int_equal(src.release(src.ctx, ptr, 3), MM_ERR_DOUBLE_FREE);
    assert_int_equal(src.alloc(src.ctx, 0, &ptr, &phys), MM_ERR_INVALID_ARGUMENT);
    fx_destroy(&fx);
}

/* Higher-half direct map: pointer = phys + offset, release maps back. */
static void source_direct_map_offset(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    const uint64_t hhdm = 0xffff800000000000ull;
    mm_bitmap_source_ctx ctx;
    mm_frame_source src;
    assert_int_equal(mm_bitmap_source(&fx.bm, hhdm, &ctx, &src), MM_OK);
    void *ptr;
    uint64_t phys;
    assert_int_equal(src.alloc(src.ctx, 1, &ptr, &phys), MM_OK);
    assert_int_equal((uintptr_t)ptr, hhdm + phys);
    assert_int_equal(src.release(src.ctx, ptr, 1), MM_OK);
    assert_true(mm_bitmap_is_free(&fx.bm, phys));
    fx_destroy(&fx);
}

/* Pointers must fit uintptr_t: with an offset leaving room for only the
 * first 16 MiB, allocations stay below 16 MiB and then run out; an offset
 * leaving room for no covered frame is OUT_OF_RANGE. (On i386 the same
 * arithmetic keeps pointers below 4 GiB.) */
static void source_pointer_must_fit(void **state)
{
    (void)state;
    const mm_entry map[] = {fx_usable(MIB, 63 * MIB)};
    bitmap_fixture fx;
    fx_build(&fx, map, 1, F4K);
    mm_bitmap_source_ctx ctx;
    mm_frame_source src;
    uint64_t offset = (uint64_t)UINTPTR_MAX - 16 * MIB + 1;
    assert_int_equal(mm_bitmap_source(&fx.bm, offset, &ctx, &src), MM_OK);
    void *ptr;
    uint64_t phys;
    assert_int_equal(src.alloc(src.ctx, 15 * MIB / F4K, &ptr, &phys), MM_OK);
    assert_int_equal(phys, MIB);
    assert_int_equal(src.alloc(src.ctx, 1, &ptr, &phys), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(mm_bitmap_source(&fx.bm, (uint64_t)UINTPTR_MAX - 512 * KIB + 1, &ctx, &src),
                     MM_ERR_OUT_OF_RANGE);
    fx_destroy(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adopt_matches_original),      cmocka_unit_test(adopt_rejects_free_hole),
        cmocka_unit_test(adopt_rejects_bad_arguments), cmocka_unit_test(adopt_with_carved_map),
        cmocka_unit_test(adopt_unaligned_first_frame), cmocka_unit_test(source_identity),
        cmocka_unit_test(source_direct_map_offset),    cmocka_unit_test(source_pointer_must_fit),
    };
    return cmocka_run_group_tests_name("bitmap-adopt", tests, NULL, NULL);
}
