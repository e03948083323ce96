/* Memory test: a clean range passes; faults injected through the filter
 * hook fail exactly the frames they hit, whichever pattern exposes them;
 * over a map, bad frames become MM_TYPE_BAD and the bitmap never hands
 * them out; frames in use are never overwritten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/host_window.h"
#include "mm/memtest.h"

#define FRAME  4096u
#define BASE   0x100000u /* window starts at 1 MiB */
#define FRAMES 32u

/* Faults at chosen addresses: each one forces some bits of the value read. */
typedef struct fault {
    uint64_t phys;
    uint32_t and_mask; /* stuck-at-0 bits are cleared here */
    uint32_t or_mask;  /* stuck-at-1 bits are set here */
} fault;

typedef struct faults {
    fault f[8];
    int n;
    uint64_t reads;
} faults;

static uint32_t inject(void *ctx, uint64_t phys, uint32_t v)
{
    faults *fs = ctx;
    fs->reads++;
    for (int i = 0; i < fs->n; i++) {
        if (fs->f[i].phys == phys)
            v = (v & fs->f[i].and_mask) | fs->f[i].or_mask;
    }
    return v;
}

/* Records the bad frames reported, in order. */
typedef struct bad_list {
    uint64_t frame[16];
    int n;
} bad_list;

static void note_bad(void *ctx, uint64_t frame)
{
    bad_list *b = ctx;
    assert_true(b->n < 16);
    b->frame[b->n++] = frame;
}

static void setup(host_window *hw, mm_memtest *t)
{
    host_window_init(hw, BASE, FRAMES * FRAME);
    assert_int_equal(mm_memtest_init(t, &hw->w, FRAME), MM_OK);
}

static void clean_range_passes(void **state)
{
    (void)state;
    host_window hw;
    mm_memtest t;
    setup(&hw, &t);
    faults fs = {.n = 0};
    t.filter = inject;
    t.filter_ctx = &fs;
    bad_list bad = {.n = 0};
    assert_int_equal(mm_memtest_range(&t, BASE, FRAMES * FRAME, note_bad, &bad), MM_OK);
    assert_int_equal(t.result.bytes_tested, FRAMES * FRAME);
    assert_int_equal(t.result.bad_frames, 0);
    assert_int_equal(bad.n, 0);
    /* every word read back once per pattern */
    assert_int_equal(fs.reads, 4ull * FRAMES * FRAME / 4);
    /* the last pattern left each word holding its own address */
    uint32_t *w = host_window_ptr(&hw, BASE + 5 * FRAME + 8);
    assert_int_equal(*w, (uint32_t)(BASE + 5 * FRAME + 8));
    host_window_fini(&hw);
}

/* Three stuck bits:
 *   frame 2:  bit 0 stuck at 0 (0x55555555 exposes it)
 *   frame 9:  bit 0 stuck at 1 (only 0xAAAAAAAA exposes it)
 *   frame 20: bit 31 of word 31 stuck at 0 */
static void injected_faults_fail_exactly_their_frames(void **state)
{
    (void)state;
    host_window hw;
    mm_memtest t;
    setup(&hw, &t);
    faults fs = {.n = 3};
    fs.f[0] = (fault){BASE + 2 * FRAME + 100 * 4, ~1u, 0};
    fs.f[1] = (fault){BASE + 9 * FRAME, ~0u, 1u};
    fs.f[2] = (fault){BASE + 20 * FRAME + 31 * 4, 0x7fffffffu, 0};
    t.filter = inject;
    t.filter_ctx = &fs;
    bad_list bad = {.n = 0};
    assert_int_equal(mm_memtest_range(&t, BASE, FRAMES * FRAME, note_bad, &bad),
                     MM_ERR_MEMTEST_FAILED);
    assert_int_equal(bad.n, 3);
    assert_int_equal(bad.frame[0], BASE + 2 * FRAME);
    assert_int_equal(bad.frame[1], BASE + 9 * FRAME);
    assert_int_equal(bad.frame[2], BASE + 20 * FRAME);
    assert_int_equal(t.result.bad_frames, 3);
    assert_int_equal(t.result.bad_bytes, 3 * FRAME);
    assert_int_equal(t.result.first_bad, BASE + 2 * FRAME);
    host_window_fini(&hw);
}

/* Address aliasing: reading the target word returns the word 128 bytes
 * away (32 words: the same walking-ones value, the same 0x55/0xAA value),
 * so only the address-in-address pattern can tell them apart. */
typedef struct alias_ctx {
    const host_window *hw;
    uint64_t target;
    uint64_t frame_reads; /* reads inside the target's frame */
} alias_ctx;

static uint32_t alias(void *ctx, uint64_t phys, uint32_t v)
{
    alias_ctx *a = ctx;
    if (phys >> 12 == a->target >> 12)
        a->frame_reads++;
    if (phys != a->target)
        return v;
    return *(volatile uint32_t *)host_window_ptr(a->hw, phys ^ 128);
}

static void address_pattern_catches_aliasing(void **state)
{
    (void)state;
    host_window hw;
    mm_memtest t;
    setup(&hw, &t);
    alias_ctx a = {&hw, BASE + 4 * FRAME + 12, 0};
    t.filter = alias;
    t.filter_ctx = &a;
    bad_list bad = {.n = 0};
    assert_int_equal(mm_memtest_range(&t, BASE, FRAMES * FRAME, note_bad, &bad),
                     MM_ERR_MEMTEST_FAILED);
    assert_int_equal(bad.n, 1);
    assert_int_equal(bad.frame[0], BASE + 4 * FRAME);
    /* Patterns 1-3 read the whole frame (1024 words each) without a
     * mismatch; pattern 4 stops at word 3, the target. */
    assert_int_equal(a.frame_reads, 3 * 1024 + 4);
    host_window_fini(&hw);
}

static void arguments_and_window(void **state)
{
    (void)state;
    host_window hw;
    mm_memtest t;
    setup(&hw, &t);
    assert_int_equal(mm_memtest_range(&t, BASE + 1, FRAME, NULL, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_memtest_range(&t, BASE, 0, NULL, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_memtest_range(&t, BASE - FRAME, 2 * FRAME, NULL, NULL),
                     MM_ERR_OUT_OF_RANGE);
    assert_int_equal(mm_memtest_range(&t, BASE + FRAMES * FRAME, FRAME, NULL, NULL),
                     MM_ERR_OUT_OF_RANGE);
    assert_int_equal(t.result.bytes_tested, 0);
    mm_memtest bad;
    assert_int_equal(mm_memtest_init(&bad, &hw.w, 2048), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_memtest_init(&bad, &hw.w, 12288), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_memtest_init(NULL, &hw.w, FRAME), MM_ERR_INVALID_ARGUMENT);
    host_window_fini(&hw);
}

static void window_contains(void **state)
{
    (void)state;
    mm_phys_window w = {0x1000, 0x5000, 0};
    assert_true(mm_window_contains(&w, 0x1000, 0x4000));
    assert_false(mm_window_contains(&w, 0x1000, 0x4001));
    assert_false(mm_window_contains(&w, 0xfff, 2));
    assert_false(mm_window_contains(&w, 0x2000, 0));
    assert_false(mm_window_contains(&w, UINT64_MAX, 2));
    mm_phys_window open = {0, 0, 0};
    assert_true(mm_window_contains(&open, 0x100000000ull, 4096));
    assert_false(mm_window_contains(NULL, 0, 1));
}

/* Map over the window: 32 usable frames at 1 MiB, a reserved hole at frames
 * 12-13. Faults in frames 3 and 17 are found; the map gets two bad
 * entries, the bitmap reserves them and never hands them out. */
typedef struct map_fixture {
    host_window hw;
    mm_entry entries[16];
    mm_map map;
    mm_bitmap bm;
    uint64_t bits[64];
} map_fixture;

static void map_setup(map_fixture *fx)
{
    host_window_init(&fx->hw, BASE, FRAMES * FRAME);
    assert_int_equal(mm_map_init(&fx->map, fx->entries, 16), MM_OK);
    mm_map_add(&fx->map, 0, 0x9f000, MM_TYPE_USABLE, 1, 0); /* outside the window */
    mm_map_add(&fx->map, BASE, 12 * FRAME, MM_TYPE_USABLE, 1, 0);
    mm_map_add(&fx->map, BASE + 12 * FRAME, 2 * FRAME, MM_TYPE_RESERVED, 2, 0);
    mm_map_add(&fx->map, BASE + 14 * FRAME, 18 * FRAME, MM_TYPE_USABLE, 1, 0);
    uint64_t bytes;
    assert_int_equal(mm_bitmap_storage_size(&fx->map, FRAME, &bytes), MM_OK);
    assert_true(bytes <= sizeof fx->bits);
    assert_int_equal(mm_bitmap_init(&fx->bm, &fx->map, FRAME, fx->bits, sizeof fx->bits), MM_OK);
}

static void map_test_marks_and_reserves_bad_frames(void **state)
{
    (void)state;
    map_fixture fx;
    map_setup(&fx);
    mm_memtest t;
    assert_int_equal(mm_memtest_init(&t, &fx.hw.w, FRAME), MM_OK);
    faults fs = {.n = 2};
    fs.f[0] = (fault){BASE + 3 * FRAME + 40, ~0x100u, 0};
    fs.f[1] = (fault){BASE + 17 * FRAME + 4092, ~0u, 0x80000000u};
    t.filter = inject;
    t.filter_ctx = &fs;
    assert_int_equal(mm_memtest_map(&t, &fx.map, &fx.bm, NULL), MM_ERR_MEMTEST_FAILED);
    assert_int_equal(t.result.bad_frames, 2);
    /* 30 usable frames in the window were tested; low memory was not */
    assert_int_equal(t.result.bytes_tested, 30 * FRAME);
    assert_int_equal(mm_map_type_at(&fx.map, BASE + 3 * FRAME), MM_TYPE_BAD);
    assert_int_equal(mm_map_type_at(&fx.map, BASE + 17 * FRAME + 100), MM_TYPE_BAD);
    assert_int_equal(mm_map_type_at(&fx.map, BASE + 4 * FRAME), MM_TYPE_USABLE);
    assert_int_equal(mm_map_type_at(&fx.map, BASE + 2 * FRAME), MM_TYPE_USABLE);
    assert_int_equal(mm_map_validate(&fx.map, FRAME, NULL), MM_OK);
    assert_false(mm_bitmap_is_free(&fx.bm, BASE + 3 * FRAME));
    assert_false(mm_bitmap_is_free(&fx.bm, BASE + 17 * FRAME));
    /* Drain the bitmap: no frame handed out is bad. */
    uint64_t phys;
    int n = 0;
    while (mm_bitmap_alloc(&fx.bm, &phys) == MM_OK) {
        assert_int_equal(mm_map_type_at(&fx.map, phys), MM_TYPE_USABLE);
        n++;
    }
    assert_int_equal(n, 0x9f + 30 - 2);
    assert_int_equal(mm_bitmap_free(&fx.bm, BASE + 3 * FRAME, 1), MM_ERR_NOT_USABLE);
    host_window_fini(&fx.hw);
}

/* A frame allocated from the bitmap holds live data: the test skips it. */
static void map_test_skips_frames_in_use(void **state)
{
    (void)state;
    map_fixture fx;
    map_setup(&fx);
    uint64_t phys;
    /* take all low frames, then one in the window */
    for (int i = 0; i < 0x9f; i++)
        assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
    assert_int_equal(mm_bitmap_alloc(&fx.bm, &phys), MM_OK);
    assert_int_equal(phys, BASE);
    memset(host_window_ptr(&fx.hw, BASE), 0x3c, FRAME);
    mm_memtest t;
    mm_memtest_init(&t, &fx.hw.w, FRAME);
    assert_int_equal(mm_memtest_map(&t, &fx.map, &fx.bm, NULL), MM_OK);
    assert_int_equal(t.result.bytes_tested, 29 * FRAME);
    unsigned char *p = host_window_ptr(&fx.hw, BASE);
    for (unsigned i = 0; i < FRAME; i++)
        assert_int_equal(p[i], 0x3c);
    host_window_fini(&fx.hw);
}

/* Without a bitmap every usable frame in the window is tested. */
static void map_test_without_bitmap(void **state)
{
    (void)state;
    map_fixture fx;
    map_setup(&fx);
    mm_memtest t;
    mm_memtest_init(&t, &fx.hw.w, FRAME);
    assert_int_equal(mm_memtest_map(&t, &fx.map, NULL, NULL), MM_OK);
    assert_int_equal(t.result.bytes_tested, 30 * FRAME);
    mm_memtest t8;
    mm_memtest_init(&t8, &fx.hw.w, 8192);
    assert_int_equal(mm_memtest_map(&t8, &fx.map, NULL, NULL), MM_ERR_INVALID_ARGUMENT);
    host_window_fini(&fx.hw);
}

/* Map storage with no room for the split: the carve's MM_ERR_MAP_FULL
 * comes back, nothing is silently ignored. */
static void map_test_reports_full_map(void **state)
{
    (void)state;
    map_fixture fx;
    map_setup(&fx);
    fx.map.capacity = fx.map.count; /* no spare entries */
    mm_memtest t;
    mm_memtest_init(&t, &fx.hw.w, FRAME);
    faults fs = {.n = 1};
    fs.f[0] = (fault){BASE + 5 * FRAME, 0, 0};
    t.filter = inject;
    t.filter_ctx = &fs;
    assert_int_equal(mm_memtest_map(&t, &fx.map, &fx.bm, NULL), MM_ERR_MAP_FULL);
    assert_int_equal(t.result.bad_frames, 1);
    host_window_fini(&fx.hw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_range_passes),
        cmocka_unit_test(injected_faults_fail_exactly_their_frames),
        cmocka_unit_test(address_pattern_catches_aliasing),
        cmocka_unit_test(arguments_and_window),
        cmocka_unit_test(window_contains),
        cmocka_unit_test(map_test_marks_and_reserves_bad_frames),
        cmocka_unit_test(map_test_skips_frames_in_use),
        cmocka_unit_test(map_test_without_bitmap),
        cmocka_unit_test(map_test_reports_full_map),
    };
    return cmocka_run_group_tests_name("memtest", tests, NULL, NULL);
}
