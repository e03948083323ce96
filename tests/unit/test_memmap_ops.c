/* Using a sanitized map: carve, find, type_at, range_is, stats, fallback,
 * names. Diagrams: one character per 4 KiB page; U usable, R reserved,
 * K kernel, H boot heap, B bad, . hole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "memmap_test.h"

/* UUUUUUUUUUUUUUUU (16 pages) in a map with room for `cap` entries. */
static mm_map one_usable(uint32_t cap)
{
    mm_map m = map_new(cap);
    add(&m, 0, 16 * PAGE, MM_TYPE_USABLE);
    return m;
}

static void expect_valid(const mm_map *m)
{
    mm_validate_error err;
    if (mm_map_validate(m, PAGE, &err) != MM_OK)
        fail_msg("entry %u breaks %s", err.index, mm_validate_rule_name(err.rule));
}

/* ---- carve ---- */

/* KKUUUUUUUUUUUUUU: carve at the start. */
static void carve_start(void **state)
{
    (void)state;
    mm_map m = one_usable(4);
    assert_int_equal(mm_map_carve(&m, 0, 2 * PAGE, MM_TYPE_KERNEL, MM_CARVE_DEFAULT), MM_OK);
    assert_int_equal(m.count, 2);
    expect_entry(&m, 0, 0, 2 * PAGE, MM_TYPE_KERNEL);
    expect_entry(&m, 1, 2 * PAGE, 16 * PAGE, MM_TYPE_USABLE);
    expect_valid(&m);
    map_free(&m);
}

/* UUUUHHHHUUUUUUUU: carve in the middle splits in three. */
static void carve_middle(void **state)
{
    (void)state;
    mm_map m = one_usable(4);
    assert_int_equal(mm_map_carve(&m, 4 * PAGE, 4 * PAGE, MM_TYPE_BOOT_HEAP, MM_CARVE_DEFAULT),
                     MM_OK);
    assert_int_equal(m.count, 3);
    expect_entry(&m, 0, 0, 4 * PAGE, MM_TYPE_USABLE);
    expect_entry(&m, 1, 4 * PAGE, 8 * PAGE, MM_TYPE_BOOT_HEAP);
    expect_entry(&m, 2, 8 * PAGE, 16 * PAGE, MM_TYPE_USABLE);
    assert_int_equal(m.entries[1].raw_type, 0);
    expect_valid(&m);
    map_free(&m);
}

/* UUUUUUUUUUUUUUKK: carve at the end. */
static void carve_end(void **state)
{
    (void)state;
    mm_map m = one_usable(4);
    assert_int_equal(mm_map_carve(&m, 14 * PAGE, 2 * PAGE, MM_TYPE_KERNEL, MM_CARVE_DEFAULT),
                     MM_OK);
    assert_int_equal(m.count, 2);
    expect_entry(&m, 1, 14 * PAGE, 16 * PAGE, MM_TYPE_KERNEL);
    expect_valid(&m);
    map_free(&m);
}

/* The whole entry: one entry retyped in place, count unchanged. */
static void carve_whole(void **state)
{
    (void)state;
    mm_map m = one_usable(1);
    assert_int_equal(mm_map_carve(&m, 0, 16 * PAGE, MM_TYPE_PAGE_TABLES, MM_CARVE_DEFAULT), MM_OK);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 0, 16 * PAGE, MM_TYPE_PAGE_TABLES);
    map_free(&m);
}

/* Two usable entries that differ in attributes, touching:
 * UUUU|uuuu -> UU KKKK uu  (one carve spanning both). The new entry takes
 * the attributes of the entry holding its base. */
static void carve_spanning_entries(void **state)
{
    (void)state;
    mm_map m = map_new(4);
    assert_int_equal(mm_map_add(&m, 0, 4 * PAGE, MM_TYPE_USABLE, 7, 0xF), MM_OK);
    assert_int_equal(mm_map_add(&m, 4 * PAGE, 4 * PAGE, MM_TYPE_USABLE, 7, 0x1), MM_OK);
    assert_int_equal(mm_map_carve(&m, 2 * PAGE, 4 * PAGE, MM_TYPE_KERNEL, MM_CARVE_DEFAULT), MM_OK);
    assert_int_equal(m.count, 3);
    expect_entry(&m, 0, 0, 2 * PAGE, MM_TYPE_USABLE);
    expect_entry(&m, 1, 2 * PAGE, 6 * PAGE, MM_TYPE_KERNEL);
    expect_entry(&m, 2, 6 * PAGE, 8 * PAGE, MM_TYPE_USABLE);
    assert_int_equal(m.entries[1].attributes, 0xF);
    assert_int_equal(m.entries[2].attributes, 0x1);
    expect_valid(&m);
    map_free(&m);
}

/* UUUURRRRUUUU: a default carve over the reserved middle is refused and
 * changes nothing; so is one reaching into a hole. */
static void carve_not_usable(void **state)
{
    (void)state;
    mm_map m = map_new(8);
    add(&m, 0, 4 * PAGE, MM_TYPE_USABLE);
    add(&m, 4 * PAGE, 8 * PAGE, MM_TYPE_RESERVED);
    add(&m, 8 * PAGE, 12 * PAGE, MM_TYPE_USABLE);
    mm_entry before[3];
    memcpy(before, m.entries, sizeof(before));
    assert_int_equal(mm_map_carve(&m, 2 * PAGE, 4 * PAGE, MM_TYPE_KERNEL, MM_CARVE_DEFAULT),
                     MM_ERR_NOT_USABLE);
    assert_int_equal(mm_map_carve(&m, 10 * PAGE, 4 * PAGE, MM_TYPE_KERNEL, MM_CARVE_DEFAULT),
                     MM_ERR_NOT_USABLE);
    assert_int_equal(mm_map_carve(&m, 20 * PAGE, PAGE, MM_TYPE_KERNEL, MM_CARVE_DEFAULT),
                     MM_ERR_NOT_USABLE);
    assert_int_equal(m.count, 3);
    assert_memory_equal(before, m.entries, sizeof(before));
    map_free(&m);
}

/* UUUURRRRUUUU -> UUBBBBBBBBUU with MM_CARVE_ANY_TYPE (bad memory found by a
 * memory test spanning the reserved range). */
static void carve_any_type(void **state)
{
    (void)state;
    mm_map m = map_new(8);
    add(&m, 0, 4 * PAGE, MM_TYPE_USABLE);
    add(&m, 4 * PAGE, 8 * PAGE, MM_TYPE_RESERVED);
    add(&m, 8 * PAGE, 12 * PAGE, MM_TYPE_USABLE);
    assert_int_equal(mm_map_carve(&m, 2 * PAGE, 8 * PAGE, MM_TYPE_BAD, MM_CARVE_ANY_TYPE), MM_OK);
    assert_int_equal(m.count, 3);
    expect_entry(&m, 0, 0, 2 * PAGE, MM_TYPE_USABLE);
    expect_entry(&m, 1, 2 * PAGE, 10 * PAGE, MM_TYPE_BAD);
    expect_entry(&m, 2, 10 * PAGE, 12 * PAGE, MM_TYPE_USABLE);
    expect_valid(&m);
    map_free(&m);
}

/* UU..UU with ANY_TYPE over [1, 5): the hole is filled too, so
 * range_is(new type) holds afterwards: U RRRR U. */
static void carve_any_type_fills_hole(void **state)
{
    (void)state;
    mm_map m = map_new(4);
    add(&m, 0, 2 * PAGE, MM_TYPE_USABLE);
    add(&m, 4 * PAGE, 6 * PAGE, MM_TYPE_USABLE);
    assert_int_equal(mm_map_carve(&m, PAGE, 4 * PAGE, MM_TYPE_RESERVED, MM_CARVE_ANY_TYPE), MM_OK);
    assert_true(mm_map_range_is(&m, PAGE, 4 * PAGE, MM_TYPE_RESERVED));
    assert_int_equal(m.count, 3);
    expect_valid(&m);
    map_free(&m);
}

/* KKKKUUUU: carving kernel right after kernel merges: KKKKKKUU. */
static void carve_merges_with_neighbour(void **state)
{
    (void)state;
    mm_map m = map_new(4);
    add(&m, 0, 4 * PAGE, MM_TYPE_KERNEL);
    add(&m, 4 * PAGE, 8 * PAGE, MM_TYPE_USABLE);
    assert_int_equal(mm_map_carve(&m, 4 * PAGE, 2 * PAGE, MM_TYPE_KERNEL, MM_CARVE_DEFAULT), MM_OK);
    assert_int_equal(m.count, 2);
    expect_entry(&m, 0, 0, 6 * PAGE, MM_TYPE_KERNEL);
    expect_valid(&m);
    map_free(&m);
}

/* Unaligned range [0x1800, 0x2100) rounds out to whole frames
 * [0x1000, 0x3000) so the usable rest stays frame aligned. */
static void carve_rounds_to_frames(void **state)
{
    (void)state;
    mm_map m = one_usable(4);
    assert_int_equal(mm_map_carve(&m, 0x1800, 0x900, MM_TYPE_KERNEL, MM_CARVE_DEFAULT), MM_OK);
    expect_entry(&m, 1, 0x1000, 0x3000, MM_TYPE_KERNEL);
    expect_valid(&m);
    map_free(&m);
}

/* Giving memory back: bootloader-reclaimable [0x1800, 0x5800) -> usable
 * rounds inward to [0x2000, 0x5000). */
static void carve_back_to_usable_rounds_inward(void **state)
{
    (void)state;
    mm_map m = map_new(4);
    add(&m, 0, 16 * PAGE, MM_TYPE_BOOTLOADER_RECLAIMABLE);
    assert_int_equal(mm_map_carve(&m, 0x1800, 0x4000, MM_TYPE_USABLE, MM_CARVE_ANY_TYPE), MM_OK);
    expect_entry(&m, 1, 0x2000, 0x5000, MM_TYPE_USABLE);
    expect_valid(&m);
    assert_int_equal(mm_map_carve(&m, 0x1800, 0x400, MM_TYPE_USABLE, MM_CARVE_ANY_TYPE),
                     MM_ERR_INVALID_ARGUMENT);
    map_free(&m);
}

/* A split needing a third entry in room for two: MAP_FULL, unchanged. */
static void carve_full(void **state)
{
    (void)state;
    mm_map m = one_usable(2);
    assert_int_equal(mm_map_carve(&m, 4 * PAGE, PAGE, MM_TYPE_KERNEL, MM_CARVE_DEFAULT),
                     MM_ERR_MAP_FULL);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 0, 16 * PAGE, MM_TYPE_USABLE);
    map_free(&m);
}

static void carve_rejects_bad_arguments(void **state)
{
    (void)state;
    mm_map m = one_usable(4);
    assert_int_equal(mm_map_carve(&m, 0, 0, MM_TYPE_KERNEL, MM_CARVE_DEFAULT),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_carve(&m, 0, PAGE, MM_TYPE_NONE, MM_CARVE_DEFAULT),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_carve(&m, 0, PAGE, MM_TYPE_KERNEL, (mm_carve_flags)4),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(
        mm_map_carve(&m, UINT64_MAX - PAGE, 2 * PAGE, MM_TYPE_KERNEL, MM_CARVE_ANY_TYPE),
        MM_ERR_OVERFLOW);
    assert_int_equal(mm_map_carve(&m, UINT64_MAX - 0x1800, 0x1000, MM_TYPE_BAD, MM_CARVE_ANY_TYPE),
                     MM_ERR_OVERFLOW);
    assert_int_equal(m.count, 1);
    map_free(&m);
}

/* Many carves in a row keep the map valid and the bytes accounted for. */
static void carve_sequence_keeps_map_valid(void **state)
{
    (void)state;
    mm_map m = map_new(64);
    add(&m, 0, 256 * PAGE, MM_TYPE_USABLE);
    for (uint64_t i = 0; i < 20; i++)
        assert_int_equal(mm_map_carve(&m, (i * 37 % 250) * PAGE, PAGE,
                                      (mm_type)(MM_TYPE_KERNEL + i % 4), MM_CARVE_ANY_TYPE),
                         MM_OK);
    expect_valid(&m);
    struct mm_map_stats s;
    mm_map_stats(&m, &s);
    assert_int_equal(s.total_bytes, 256 * PAGE);
    map_free(&m);
}

/* ---- find ---- */

/* ..UUUU..RR..UUUUUUUU (pages 2-6 and 12-20 usable). */
static mm_map find_map(void)
{
    mm_map m = map_new(4);
    add(&m, 2 * PAGE, 6 * PAGE, MM_TYPE_USABLE);
    add(&m, 8 * PAGE, 10 * PAGE, MM_TYPE_RESERVED);
    add(&m, 12 * PAGE, 20 * PAGE, MM_TYPE_USABLE);
    return m;
}

static void find_bottom_up_first_fit(void **state)
{
    (void)state;
    mm_map m = find_map();
    uint64_t at = 0;
    assert_int_equal(mm_map_find(&m, 2 * PAGE, PAGE, 0, UINT64_MAX, MM_FIND_BOTTOM_UP, &at), MM_OK);
    assert_int_equal(at, 2 * PAGE);
    /* 5 pages do not fit in the first range. */
    assert_int_equal(mm_map_find(&m, 5 * PAGE, PAGE, 0, UINT64_MAX, MM_FIND_BOTTOM_UP, &at), MM_OK);
    assert_int_equal(at, 12 * PAGE);
    map_free(&m);
}

static void find_top_down(void **state)
{
    (void)state;
    mm_map m = find_map();
    uint64_t at = 0;
    assert_int_equal(mm_map_find(&m, 2 * PAGE, PAGE, 0, UINT64_MAX, MM_FIND_TOP_DOWN, &at), MM_OK);
    assert_int_equal(at, 18 * PAGE);
    /* max cuts the top range to [12, 13): only the low range fits. */
    assert_int_equal(mm_map_find(&m, 2 * PAGE, PAGE, 0, 13 * PAGE, MM_FIND_TOP_DOWN, &at), MM_OK);
    assert_int_equal(at, 4 * PAGE);
    map_free(&m);
}

/* min inside a range; max at a range's end is exclusive. */
static void find_respects_bounds(void **state)
{
    (void)state;
    mm_map m = find_map();
    uint64_t at = 0;
    assert_int_equal(mm_map_find(&m, PAGE, PAGE, 3 * PAGE, 20 * PAGE, MM_FIND_BOTTOM_UP, &at),
                     MM_OK);
    assert_int_equal(at, 3 * PAGE);
    assert_int_equal(mm_map_find(&m, 8 * PAGE, PAGE, 0, 20 * PAGE, MM_FIND_BOTTOM_UP, &at), MM_OK);
    assert_int_equal(at, 12 * PAGE);
    assert_int_equal(mm_map_find(&m, 8 * PAGE, PAGE, 0, 20 * PAGE - 1, MM_FIND_BOTTOM_UP, &at),
                     MM_ERR_NOT_FOUND);
    assert_int_equal(mm_map_find(&m, PAGE, PAGE, 6 * PAGE, 12 * PAGE, MM_FIND_TOP_DOWN, &at),
                     MM_ERR_NOT_FOUND);
    map_free(&m);
}

/* 16 KiB alignment: bottom-up from page 2 goes to page 4 (0x4000);
 * top-down ends at 20 pages, 2 pages at 16K alignment -> page 16. */
static void find_alignment(void **state)
{
    (void)state;
    mm_map m = find_map();
    uint64_t at = 0;
    assert_int_equal(mm_map_find(&m, 2 * PAGE, 4 * PAGE, 0, UINT64_MAX, MM_FIND_BOTTOM_UP, &at),
                     MM_OK);
    assert_int_equal(at, 4 * PAGE);
    assert_int_equal(mm_map_find(&m, 2 * PAGE, 4 * PAGE, 0, UINT64_MAX, MM_FIND_TOP_DOWN, &at),
                     MM_OK);
    assert_int_equal(at, 16 * PAGE);
    /* 3 pages at 8-page alignment: only page 16 could start it, and 16+3
     * fits below 20. */
    assert_int_equal(mm_map_find(&m, 3 * PAGE, 8 * PAGE, 0, UINT64_MAX, MM_FIND_BOTTOM_UP, &at),
                     MM_OK);
    assert_int_equal(at, 16 * PAGE);
    assert_int_equal(mm_map_find(&m, 5 * PAGE, 8 * PAGE, 0, UINT64_MAX, MM_FIND_BOTTOM_UP, &at),
                     MM_ERR_NOT_FOUND);
    map_free(&m);
}

/* UUUU|uuuu (attributes differ) is one stretch of RAM for find. */
static void find_spans_adjacent_usable(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    assert_int_equal(mm_map_add(&m, 0, 4 * PAGE, MM_TYPE_USABLE, 7, 0xF), MM_OK);
    assert_int_equal(mm_map_add(&m, 4 * PAGE, 4 * PAGE, MM_TYPE_USABLE, 7, 0x1), MM_OK);
    uint64_t at = 1;
    assert_int_equal(mm_map_find(&m, 8 * PAGE, PAGE, 0, UINT64_MAX, MM_FIND_BOTTOM_UP, &at), MM_OK);
    assert_int_equal(at, 0);
    assert_int_equal(mm_map_find(&m, 6 * PAGE, PAGE, 0, UINT64_MAX, MM_FIND_TOP_DOWN, &at), MM_OK);
    assert_int_equal(at, 2 * PAGE);
    map_free(&m);
}

static void find_rejects_bad_arguments(void **state)
{
    (void)state;
    mm_map m = find_map();
    uint64_t at;
    assert_int_equal(mm_map_find(&m, 0, PAGE, 0, UINT64_MAX, MM_FIND_BOTTOM_UP, &at),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_find(&m, PAGE, 3000, 0, UINT64_MAX, MM_FIND_BOTTOM_UP, &at),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_find(&m, PAGE, PAGE, 5, 5, MM_FIND_BOTTOM_UP, &at),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_find(&m, PAGE, PAGE, 0, 1, (mm_find_flags)2, &at),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_find(&m, PAGE, PAGE, 0, 1, MM_FIND_BOTTOM_UP, NULL),
                     MM_ERR_INVALID_ARGUMENT);
    /* A size near 2^64 never wraps into a false hit. */
    assert_int_equal(mm_map_find(&m, UINT64_MAX, PAGE, 0, UINT64_MAX, MM_FIND_TOP_DOWN, &at),
                     MM_ERR_NOT_FOUND);
    assert_int_equal(mm_map_find(&m, UINT64_MAX, PAGE, 0, UINT64_MAX, MM_FIND_BOTTOM_UP, &at),
                     MM_ERR_NOT_FOUND);
    map_free(&m);
}

/* ---- type_at / range_is ---- */

static void type_at_lookups(void **state)
{
    (void)state;
    mm_map m = find_map();
    assert_int_equal(mm_map_type_at(&m, 0), MM_TYPE_NONE);
    assert_int_equal(mm_map_type_at(&m, 2 * PAGE), MM_TYPE_USABLE);
    assert_int_equal(mm_map_type_at(&m, 6 * PAGE - 1), MM_TYPE_USABLE);
    assert_int_equal(mm_map_type_at(&m, 6 * PAGE), MM_TYPE_NONE);
    assert_int_equal(mm_map_type_at(&m, 9 * PAGE), MM_TYPE_RESERVED);
    assert_int_equal(mm_map_type_at(&m, 20 * PAGE), MM_TYPE_NONE);
    assert_int_equal(mm_map_type_at(&m, UINT64_MAX), MM_TYPE_NONE);
    assert_int_equal(mm_map_type_at(NULL, 0), MM_TYPE_NONE);
    map_free(&m);
}

static void range_is_checks_coverage(void **state)
{
    (void)state;
    mm_map m = find_map();
    assert_true(mm_map_range_is(&m, 2 * PAGE, 4 * PAGE, MM_TYPE_USABLE));
    assert_true(mm_map_range_is(&m, 3 * PAGE, 1, MM_TYPE_USABLE));
    assert_false(mm_map_range_is(&m, 2 * PAGE, 4 * PAGE + 1, MM_TYPE_USABLE));
    assert_false(mm_map_range_is(&m, PAGE, 2 * PAGE, MM_TYPE_USABLE));
    assert_false(mm_map_range_is(&m, 8 * PAGE, PAGE, MM_TYPE_USABLE));
    assert_true(mm_map_range_is(&m, 8 * PAGE, PAGE, MM_TYPE_RESERVED));
    assert_false(mm_map_range_is(&m, 2 * PAGE, 0, MM_TYPE_USABLE));
    assert_false(mm_map_range_is(&m, UINT64_MAX, 2, MM_TYPE_USABLE));
    map_free(&m);
}

/* Adjacent entries of the same type (different attributes) count. */
static void range_is_spans_entries(void **state)
{
    (void)state;
    mm_map m = map_new(3);
    assert_int_equal(mm_map_add(&m, 0, PAGE, MM_TYPE_RESERVED, 2, 0), MM_OK);
    assert_int_equal(mm_map_add(&m, PAGE, PAGE, MM_TYPE_RESERVED, 12, 0), MM_OK);
    assert_true(mm_map_range_is(&m, 0x800, PAGE, MM_TYPE_RESERVED));
    map_free(&m);
}

/* ---- stats ---- */

static void stats_per_type(void **state)
{
    (void)state;
    mm_map m = map_new(5);
    add(&m, 0, 0x9F000, MM_TYPE_USABLE);
    add(&m, 0x9F000, 0x100000, MM_TYPE_RESERVED);
    add(&m, 0x100000, 0x7FE0000, MM_TYPE_USABLE);
    add(&m, 0x7FE0000, 0x8000000, MM_TYPE_ACPI_RECLAIMABLE);
    add(&m, 0xFFFC0000, 0x100000000, MM_TYPE_RESERVED);
    struct mm_map_stats s;
    mm_map_stats(&m, &s);
    assert_int_equal(s.entry_count, 5);
    assert_int_equal(s.entries[MM_TYPE_USABLE], 2);
    assert_int_equal(s.entries[MM_TYPE_RESERVED], 2);
    assert_int_equal(s.bytes[MM_TYPE_USABLE], 0x9F000 + 0x7EE0000);
    assert_int_equal(s.usable_bytes, s.bytes[MM_TYPE_USABLE]);
    assert_int_equal(s.bytes[MM_TYPE_RESERVED], 0x61000 + 0x40000);
    assert_int_equal(s.bytes[MM_TYPE_ACPI_RECLAIMABLE], 0x20000);
    assert_int_equal(s.total_bytes, 0x8000000 + 0x40000);
    assert_int_equal(s.highest_usable_end, 0x7FE0000);
    assert_int_equal(s.highest_end, 0x100000000);
    map_free(&m);
}

/* Empty and NULL maps give all zeros; invalid types count under NONE. */
static void stats_edge_cases(void **state)
{
    (void)state;
    struct mm_map_stats s;
    memset(&s, 0xFF, sizeof(s));
    mm_map_stats(NULL, &s);
    assert_int_equal(s.entry_count, 0);
    assert_int_equal(s.highest_end, 0);
    mm_entry e[1] = {{0, PAGE, 99, 0, 0}};
    mm_map m = {e, 1, 1, PAGE};
    mm_map_stats(&m, &s);
    assert_int_equal(s.entries[MM_TYPE_NONE], 1);
    assert_int_equal(s.usable_bytes, 0);
    mm_map_stats(&m, NULL);
}

/* ---- fallback ---- */

/* No hint: 32 MiB assumed. The conservative layout, already sanitized. */
static void fallback_default(void **state)
{
    (void)state;
    mm_map m = map_new(4);
    assert_int_equal(mm_map_fallback(&m, 0), MM_OK);
    assert_int_equal(m.count, 3);
    expect_entry(&m, 0, 0, 0x9F000, MM_TYPE_USABLE);
    expect_entry(&m, 1, 0x9F000, 0x100000, MM_TYPE_RESERVED);
    expect_entry(&m, 2, 0x100000, MM_FALLBACK_DEFAULT_RAM, MM_TYPE_USABLE);
    assert_int_equal(mm_map_type_at(&m, 0x9F800), MM_TYPE_RESERVED); /* EBDA */
    assert_int_equal(mm_map_type_at(&m, 0xB8000), MM_TYPE_RESERVED); /* VGA text */
    expect_valid(&m);
    map_free(&m);
}

/* A hint is rounded down to 1 MiB and capped below the PCI hole; a hint
 * under 1 MiB leaves only low memory. */
static void fallback_hint(void **state)
{
    (void)state;
    mm_map m = map_new(4);
    assert_int_equal(mm_map_fallback(&m, 512 * MIB + 12345), MM_OK);
    expect_entry(&m, 2, 0x100000, 512 * MIB, MM_TYPE_USABLE);
    assert_int_equal(mm_map_fallback(&m, 64 * GIB), MM_OK);
    expect_entry(&m, 2, 0x100000, MM_FALLBACK_MAX_END, MM_TYPE_USABLE);
    assert_int_equal(mm_map_fallback(&m, 640 * KIB), MM_OK);
    assert_int_equal(m.count, 2);
    expect_valid(&m);
    map_free(&m);
}

static void fallback_needs_capacity(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    add(&m, 0, PAGE, MM_TYPE_USABLE);
    assert_int_equal(mm_map_fallback(&m, 0), MM_ERR_MAP_FULL);
    assert_int_equal(m.count, 0);
    assert_int_equal(mm_map_fallback(NULL, 0), MM_ERR_INVALID_ARGUMENT);
    map_free(&m);
}

/* ---- clear / mergeable ---- */

/* UUUU RRRR -> (empty): clear drops the entries but keeps storage,
 * capacity and frame_size, and the map takes new entries from index 0. */
static void map_clear_keeps_storage(void **state)
{
    (void)state;
    mm_map m = map_new(4);
    add(&m, 0, 4 * PAGE, MM_TYPE_USABLE);
    add(&m, 4 * PAGE, 8 * PAGE, MM_TYPE_RESERVED);
    m.frame_size = 2 * MIB;
    mm_entry *storage = m.entries;
    mm_map_clear(&m);
    assert_int_equal(m.count, 0);
    assert_ptr_equal(m.entries, storage);
    assert_int_equal(m.capacity, 4);
    assert_int_equal(m.frame_size, 2 * MIB);
    add(&m, 8 * PAGE, 9 * PAGE, MM_TYPE_KERNEL);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 8 * PAGE, 9 * PAGE, MM_TYPE_KERNEL);
    mm_map_clear(NULL); /* documented no-op, must not crash */
    map_free(&m);
}

/* Which neighbours are one entry in a sanitized map: a immediately
 * followed by b, same type and attributes, and the same raw code unless
 * both are usable (usable RAM is alike whatever the firmware called it). */
static void entries_mergeable_cases(void **state)
{
    (void)state;
    /* Entries are {base, length, type, raw_type, attributes}. */
    static const struct {
        const char *what;
        mm_entry a, b;
        bool mergeable;
    } table[] = {
        {"UU: touching, same everything",
         {0, 2 * PAGE, MM_TYPE_USABLE, 1, 0},
         {2 * PAGE, PAGE, MM_TYPE_USABLE, 1, 0},
         true},
        {"U.U: a gap",
         {0, 2 * PAGE, MM_TYPE_USABLE, 1, 0},
         {3 * PAGE, PAGE, MM_TYPE_USABLE, 1, 0},
         false},
        {"overlap", {0, 2 * PAGE, MM_TYPE_USABLE, 1, 0}, {PAGE, PAGE, MM_TYPE_USABLE, 1, 0}, false},
        {"b before a",
         {2 * PAGE, PAGE, MM_TYPE_USABLE, 1, 0},
         {0, 2 * PAGE, MM_TYPE_USABLE, 1, 0},
         false},
        {"UR: types differ",
         {0, PAGE, MM_TYPE_USABLE, 1, 0},
         {PAGE, PAGE, MM_TYPE_RESERVED, 1, 0},
         false},
        {"attributes differ",
         {0, PAGE, MM_TYPE_USABLE, 1, 0xF},
         {PAGE, PAGE, MM_TYPE_USABLE, 1, 0x1},
         false},
        {"usable, raw codes differ (EFI 7 vs 3)",
         {0, PAGE, MM_TYPE_USABLE, 7, 0xF},
         {PAGE, PAGE, MM_TYPE_USABLE, 3, 0xF},
         true},
        {"reserved, raw codes differ (E820 2 vs 12)",
         {0, PAGE, MM_TYPE_RESERVED, 2, 0},
         {PAGE, PAGE, MM_TYPE_RESERVED, 12, 0},
         false},
        {"reserved, same raw code",
         {0, PAGE, MM_TYPE_RESERVED, 2, 0},
         {PAGE, PAGE, MM_TYPE_RESERVED, 2, 0},
         true},
    };
    for (size_t i = 0; i < MM_ARRAY_SIZE(table); i++) {
        if (mm_entries_mergeable(&table[i].a, &table[i].b) != table[i].mergeable)
            fail_msg("%s: expected %s", table[i].what,
                     table[i].mergeable ? "mergeable" : "not mergeable");
    }
}

/* ---- names ---- */

static void type_names_round_trip(void **state)
{
    (void)state;
    static const char *const expected[] = {
        "usable",
        "reserved",
        "acpi-reclaimable",
        "acpi-nvs",
        "bad",
        "persistent",
        "runtime-code",
        "runtime-data",
        "mmio",
        "unaccepted",
        "bootloader-reclaimable",
        "kernel",
        "kernel-stack",
        "temp-heap",
        "boot-heap",
        "page-tables",
        "frame-bitmap",
        "handoff",
        "framebuffer",
        "module",
        "ap-trampoline",
        "ap-stacks",
    };
    assert_int_equal(MM_ARRAY_SIZE(expected), MM_TYPE_COUNT - 1);
    for (uint32_t t = MM_TYPE_USABLE; t < MM_TYPE_COUNT; t++) {
        assert_string_equal(mm_type_name((mm_type)t), expected[t - 1]);
        assert_int_equal(mm_type_from_name(expected[t - 1]), t);
    }
    assert_string_equal(mm_type_name(MM_TYPE_NONE), "none");
    assert_string_equal(mm_type_name(MM_TYPE_COUNT), "invalid");
    assert_int_equal(mm_type_from_name("none"), MM_TYPE_NONE);
    assert_int_equal(mm_type_from_name("usabl"), MM_TYPE_NONE);
    assert_int_equal(mm_type_from_name("usable "), MM_TYPE_NONE);
    assert_int_equal(mm_type_from_name(NULL), MM_TYPE_NONE);
}

static void boot_mode_names(void **state)
{
    (void)state;
    assert_string_equal(mm_boot_mode_name(MM_BOOT_UEFI), "uefi");
    assert_string_equal(mm_boot_mode_name(MM_BOOT_BIOS), "bios");
    assert_string_equal(mm_boot_mode_name(MM_BOOT_UNKNOWN), "unknown");
    assert_string_equal(mm_boot_mode_name((mm_boot_mode)9), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_clear_keeps_storage),
        cmocka_unit_test(entries_mergeable_cases),
        cmocka_unit_test(carve_start),
        cmocka_unit_test(carve_middle),
        cmocka_unit_test(carve_end),
        cmocka_unit_test(carve_whole),
        cmocka_unit_test(carve_spanning_entries),
        cmocka_unit_test(carve_not_usable),
        cmocka_unit_test(carve_any_type),
        cmocka_unit_test(carve_any_type_fills_hole),
        cmocka_unit_test(carve_merges_with_neighbour),
        cmocka_unit_test(carve_rounds_to_frames),
        cmocka_unit_test(carve_back_to_usable_rounds_inward),
        cmocka_unit_test(carve_full),
        cmocka_unit_test(carve_rejects_bad_arguments),
        cmocka_unit_test(carve_sequence_keeps_map_valid),
        cmocka_unit_test(find_bottom_up_first_fit),
        cmocka_unit_test(find_top_down),
        cmocka_unit_test(find_respects_bounds),
        cmocka_unit_test(find_alignment),
        cmocka_unit_test(find_spans_adjacent_usable),
        cmocka_unit_test(find_rejects_bad_arguments),
        cmocka_unit_test(type_at_lookups),
        cmocka_unit_test(range_is_checks_coverage),
        cmocka_unit_test(range_is_spans_entries),
        cmocka_unit_test(stats_per_type),
        cmocka_unit_test(stats_edge_cases),
        cmocka_unit_test(fallback_default),
        cmocka_unit_test(fallback_hint),
        cmocka_unit_test(fallback_needs_capacity),
        cmocka_unit_test(type_names_round_trip),
        cmocka_unit_test(boot_mode_names),
    };
    return cmocka_run_group_tests_name("memmap-ops", tests, NULL, NULL);
}
