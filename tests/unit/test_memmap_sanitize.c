/* mm_map_sanitize and mm_map_validate. Diagrams: U usable, R reserved,
 * A acpi-reclaimable, N acpi-nvs, B bad; one character per 4 KiB page
 * unless stated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "memmap_test.h"

/* UUUU .... (length 0 at 0x8000) -> the empty entry disappears. */
static void drops_empty(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    add(&m, 0, 4 * PAGE, MM_TYPE_USABLE);
    add(&m, 8 * PAGE, 8 * PAGE, MM_TYPE_RESERVED);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.entries_in, 2);
    assert_int_equal(r.empty_dropped, 1);
    assert_int_equal(r.entries_out, 1);
    expect_entry(&m, 0, 0, 4 * PAGE, MM_TYPE_USABLE);
    map_free(&m);
}

/* [2^64 - 64K, +128K) wraps around to 64K: clipped at 2^64 - 1, the low
 * 64K it "wrapped" into is not invented. */
static void clips_wrap(void **state)
{
    (void)state;
    mm_map m = map_new(1);
    m.entries[0] = (mm_entry){UINT64_MAX - 0xFFFF, 0x20000, MM_TYPE_RESERVED, 2, 0};
    m.count = 1;
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.wrapped_clipped, 1);
    expect_entry(&m, 0, UINT64_MAX - 0xFFFF, UINT64_MAX, MM_TYPE_RESERVED);
    assert_int_equal(mm_map_type_at(&m, 0x8000), MM_TYPE_NONE);
    map_free(&m);
}

/* An entry starting at the very last byte (2^64 - 1) has nothing left after
 * clipping: it is dropped and counted both ways. */
static void clips_entry_at_top_byte(void **state)
{
    (void)state;
    mm_map m = map_new(1);
    m.entries[0] = (mm_entry){UINT64_MAX, 1, MM_TYPE_RESERVED, 2, 0};
    m.count = 1;
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.wrapped_clipped, 1);
    assert_int_equal(r.empty_dropped, 1);
    assert_int_equal(m.count, 0);
    map_free(&m);
}

/* A type value outside the enum (written directly into storage) is kept as
 * reserved with its raw code rather than trusted. */
static void invalid_type_becomes_reserved(void **state)
{
    (void)state;
    mm_map m = map_new(1);
    m.entries[0] = (mm_entry){0, PAGE, 200, 42, 0};
    m.count = 1;
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.invalid_types, 1);
    expect_entry(&m, 0, 0, PAGE, MM_TYPE_RESERVED);
    assert_int_equal(m.entries[0].raw_type, 42);
    map_free(&m);
}

/* Input in reverse address order comes out sorted. */
static void sorts_unsorted_input(void **state)
{
    (void)state;
    mm_map m = map_new(8);
    for (int i = 7; i >= 0; i--)
        add(&m, (uint64_t)i * 2 * MIB, (uint64_t)i * 2 * MIB + MIB,
            i % 2 ? MM_TYPE_RESERVED : MM_TYPE_USABLE);
    sanitize_checked(&m, PAGE, NULL);
    assert_int_equal(m.count, 8);
    for (uint32_t i = 0; i < 8; i++)
        expect_entry(&m, i, i * 2 * MIB, i * 2 * MIB + MIB,
                     i % 2 ? MM_TYPE_RESERVED : MM_TYPE_USABLE);
    map_free(&m);
}

/* UUUUUUUU          UUU RR UUU
 *    RR      ->     (split in three, never a panic) */
static void nested_reserved_splits_usable(void **state)
{
    (void)state;
    mm_map m = map_new(3);
    add(&m, 0, 8 * PAGE, MM_TYPE_USABLE);
    add(&m, 3 * PAGE, 5 * PAGE, MM_TYPE_RESERVED);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.overlaps_resolved, 1);
    assert_int_equal(m.count, 3);
    expect_entry(&m, 0, 0, 3 * PAGE, MM_TYPE_USABLE);
    expect_entry(&m, 1, 3 * PAGE, 5 * PAGE, MM_TYPE_RESERVED);
    expect_entry(&m, 2, 5 * PAGE, 8 * PAGE, MM_TYPE_USABLE);
    map_free(&m);
}

/* RRRRRRRR
 *   UU       -> RRRRRRRR: usable inside reserved vanishes. */
static void usable_inside_reserved_vanishes(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    add(&m, 0, 8 * PAGE, MM_TYPE_RESERVED);
    add(&m, 2 * PAGE, 4 * PAGE, MM_TYPE_USABLE);
    sanitize_checked(&m, PAGE, NULL);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 0, 8 * PAGE, MM_TYPE_RESERVED);
    map_free(&m);
}

/* UUUUUU
 *     AAAAAA  -> UUUU AAAAAA: ACPI tables win the shared pages. */
static void partial_overlap_non_usable_wins(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    add(&m, 0, 6 * PAGE, MM_TYPE_USABLE);
    add(&m, 4 * PAGE, 10 * PAGE, MM_TYPE_ACPI_RECLAIMABLE);
    sanitize_checked(&m, PAGE, NULL);
    expect_entry(&m, 0, 0, 4 * PAGE, MM_TYPE_USABLE);
    expect_entry(&m, 1, 4 * PAGE, 10 * PAGE, MM_TYPE_ACPI_RECLAIMABLE);
    map_free(&m);
}

/* A chain where each entry overlaps the next:
 * UUUUUU
 *    AAAAAA
 *       NNNNNN
 *          BBBBBB   -> UUU AAA NNN BBBBBB */
static void chain_of_overlaps(void **state)
{
    (void)state;
    mm_map m = map_new(4);
    add(&m, 9 * PAGE, 15 * PAGE, MM_TYPE_BAD);
    add(&m, 0, 6 * PAGE, MM_TYPE_USABLE);
    add(&m, 6 * PAGE, 12 * PAGE, MM_TYPE_ACPI_NVS);
    add(&m, 3 * PAGE, 9 * PAGE, MM_TYPE_ACPI_RECLAIMABLE);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.overlaps_resolved, 3);
    assert_int_equal(m.count, 4);
    expect_entry(&m, 0, 0, 3 * PAGE, MM_TYPE_USABLE);
    expect_entry(&m, 1, 3 * PAGE, 6 * PAGE, MM_TYPE_ACPI_RECLAIMABLE);
    expect_entry(&m, 2, 6 * PAGE, 9 * PAGE, MM_TYPE_ACPI_NVS);
    expect_entry(&m, 3, 9 * PAGE, 15 * PAGE, MM_TYPE_BAD);
    map_free(&m);
}

/* Nested three deep: U contains R contains B.
 * UUUUUUUUUU
 *   RRRRRR
 *     BB       -> UU RR BB RR UU */
static void nested_three_deep(void **state)
{
    (void)state;
    mm_map m = map_new(5);
    add(&m, 0, 10 * PAGE, MM_TYPE_USABLE);
    add(&m, 2 * PAGE, 8 * PAGE, MM_TYPE_RESERVED);
    add(&m, 4 * PAGE, 6 * PAGE, MM_TYPE_BAD);
    sanitize_checked(&m, PAGE, NULL);
    assert_int_equal(m.count, 5);
    expect_entry(&m, 0, 0, 2 * PAGE, MM_TYPE_USABLE);
    expect_entry(&m, 1, 2 * PAGE, 4 * PAGE, MM_TYPE_RESERVED);
    expect_entry(&m, 2, 4 * PAGE, 6 * PAGE, MM_TYPE_BAD);
    expect_entry(&m, 3, 6 * PAGE, 8 * PAGE, MM_TYPE_RESERVED);
    expect_entry(&m, 4, 8 * PAGE, 10 * PAGE, MM_TYPE_USABLE);
    map_free(&m);
}

/* The same entry three times: one entry, two overlaps, no merge. */
static void identical_duplicates(void **state)
{
    (void)state;
    mm_map m = map_new(3);
    for (int i = 0; i < 3; i++)
        add(&m, MIB, 2 * MIB, MM_TYPE_RESERVED);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(m.count, 1);
    assert_int_equal(r.overlaps_resolved, 2);
    assert_int_equal(r.merged, 0);
    expect_entry(&m, 0, MIB, 2 * MIB, MM_TYPE_RESERVED);
    map_free(&m);
}

/* Same type overlapping: UUUU + UUUU shifted -> one usable entry. */
static void same_type_overlap_joins(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    add(&m, 0, 4 * PAGE, MM_TYPE_USABLE);
    add(&m, 2 * PAGE, 6 * PAGE, MM_TYPE_USABLE);
    sanitize_checked(&m, PAGE, NULL);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 0, 6 * PAGE, MM_TYPE_USABLE);
    map_free(&m);
}

/* For every pair of types (a below b in the priority table), the shared
 * page of XX/ YY overlapping by one page takes the winner's type:
 *   aa
 *    bb   -> a b b (b wins the middle page), and the same swapped. */
static void priority_table_decides_every_pair(void **state)
{
    (void)state;
    for (uint32_t a = MM_TYPE_USABLE; a < MM_TYPE_COUNT; a++) {
        for (uint32_t b = MM_TYPE_USABLE; b < MM_TYPE_COUNT; b++) {
            if (a == b)
                continue;
            mm_map m = map_new(3);
            add(&m, 0, 2 * PAGE, (mm_type)a);
            add(&m, PAGE, 3 * PAGE, (mm_type)b);
            sanitize_checked(&m, PAGE, NULL);
            mm_type want = mm_type_priority((mm_type)a) > mm_type_priority((mm_type)b) ? (mm_type)a
                                                                                       : (mm_type)b;
            assert_int_equal(mm_map_type_at(&m, PAGE), want);
            assert_int_equal(mm_map_type_at(&m, 0), a);
            assert_int_equal(mm_map_type_at(&m, 2 * PAGE), b);
            map_free(&m);
        }
    }
}

/* Every non-usable type beats usable; bad memory beats everything; types
 * have distinct priorities (so the outcome never depends on input order). */
static void priority_table_shape(void **state)
{
    (void)state;
    for (uint32_t t = MM_TYPE_USABLE + 1; t < MM_TYPE_COUNT; t++) {
        assert_true(mm_type_priority((mm_type)t) > mm_type_priority(MM_TYPE_USABLE));
        if (t != MM_TYPE_BAD)
            assert_true(mm_type_priority(MM_TYPE_BAD) > mm_type_priority((mm_type)t));
        for (uint32_t u = t + 1; u < MM_TYPE_COUNT; u++)
            assert_int_not_equal(mm_type_priority((mm_type)t), mm_type_priority((mm_type)u));
    }
    assert_true(mm_type_priority(MM_TYPE_RESERVED) > mm_type_priority(MM_TYPE_ACPI_RECLAIMABLE));
    assert_true(mm_type_priority(MM_TYPE_KERNEL) < mm_type_priority(MM_TYPE_RESERVED));
}

/* Same type, same raw code: RR|RR -> RRRR; different raw: kept apart. */
static void merges_adjacent_equal_entries(void **state)
{
    (void)state;
    mm_map m = map_new(4);
    assert_int_equal(mm_map_add(&m, 0, PAGE, MM_TYPE_RESERVED, 2, 0), MM_OK);
    assert_int_equal(mm_map_add(&m, PAGE, PAGE, MM_TYPE_RESERVED, 2, 0), MM_OK);
    assert_int_equal(mm_map_add(&m, 2 * PAGE, PAGE, MM_TYPE_RESERVED, 12, 0), MM_OK);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.merged, 1);
    assert_int_equal(m.count, 2);
    expect_entry(&m, 0, 0, 2 * PAGE, MM_TYPE_RESERVED);
    expect_entry(&m, 1, 2 * PAGE, 3 * PAGE, MM_TYPE_RESERVED);
    assert_int_equal(m.entries[1].raw_type, 12);
    map_free(&m);
}

/* EFI conventional (7) next to boot-services data (4), same attributes:
 * both are plain RAM, one entry. Different attributes (WB vs UC): two. */
static void merges_usable_across_raw_codes_not_attributes(void **state)
{
    (void)state;
    mm_map m = map_new(3);
    assert_int_equal(mm_map_add(&m, 0, PAGE, MM_TYPE_USABLE, 7, 0xF), MM_OK);
    assert_int_equal(mm_map_add(&m, PAGE, PAGE, MM_TYPE_USABLE, 4, 0xF), MM_OK);
    assert_int_equal(mm_map_add(&m, 2 * PAGE, PAGE, MM_TYPE_USABLE, 7, 0x1), MM_OK);
    sanitize_checked(&m, PAGE, NULL);
    assert_int_equal(m.count, 2);
    expect_entry(&m, 0, 0, 2 * PAGE, MM_TYPE_USABLE);
    expect_entry(&m, 1, 2 * PAGE, 3 * PAGE, MM_TYPE_USABLE);
    map_free(&m);
}

/* Usable [0x800, 0x9FC00) shrinks to the whole pages [0x1000, 0x9F000);
 * reserved is never trimmed: [0x9FC00, 0xA0000) stays byte exact. */
static void aligns_usable_inward(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    add(&m, 0x800, 0x9FC00, MM_TYPE_USABLE);
    add(&m, 0x9FC00, 0xA0000, MM_TYPE_RESERVED);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    expect_entry(&m, 0, 0x1000, 0x9F000, MM_TYPE_USABLE);
    expect_entry(&m, 1, 0x9FC00, 0xA0000, MM_TYPE_RESERVED);
    assert_int_equal(r.bytes_trimmed, 0x800 + 0xC00);
    map_free(&m);
}

/* Usable [0x1800, 0x2800) holds no whole page: dropped as a sliver. */
static void drops_usable_sliver(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    add(&m, 0x1800, 0x2800, MM_TYPE_USABLE);
    add(&m, 0x10000, 0x20000, MM_TYPE_USABLE);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.slivers_dropped, 1);
    assert_int_equal(r.bytes_trimmed, 0x1000);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 0x10000, 0x20000, MM_TYPE_USABLE);
    map_free(&m);
}

/* Two usable halves of one page meet: merged before aligning, so the page
 * survives: [0x1000,0x1800) + [0x1800,0x2000) -> [0x1000,0x2000). */
static void merges_before_aligning(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    add(&m, 0x1800, 0x2000, MM_TYPE_USABLE);
    add(&m, 0x1000, 0x1800, MM_TYPE_USABLE);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 0x1000, 0x2000, MM_TYPE_USABLE);
    assert_int_equal(r.merged, 1);
    assert_int_equal(r.bytes_trimmed, 0);
    map_free(&m);
}

/* 8 KiB frames: usable [0x1000, 0x9000) -> [0x2000, 0x8000). */
static void larger_frame_size(void **state)
{
    (void)state;
    mm_map m = map_new(1);
    add(&m, 0x1000, 0x9000, MM_TYPE_USABLE);
    sanitize_checked(&m, 0x2000, NULL);
    expect_entry(&m, 0, 0x2000, 0x8000, MM_TYPE_USABLE);
    assert_int_equal(m.frame_size, 0x2000);
    map_free(&m);
}

/* Four nested reservations in one usable range need 9 entries; capacity 5
 * gives MAP_FULL and the documented state: the input sorted by base, same
 * bytes, overlaps not resolved. */
static void capacity_exhaustion(void **state)
{
    (void)state;
    mm_map m = map_new(5);
    for (int i = 4; i >= 1; i--)
        add(&m, (uint64_t)i * 4 * PAGE, (uint64_t)i * 4 * PAGE + PAGE, MM_TYPE_RESERVED);
    add(&m, 0, 20 * PAGE, MM_TYPE_USABLE);
    mm_sanitize_report r;
    assert_int_equal(sanitize(&m, PAGE, &r), MM_ERR_MAP_FULL);
    assert_int_equal(m.count, 5);
    expect_entry(&m, 0, 0, 20 * PAGE, MM_TYPE_USABLE);
    for (uint32_t i = 1; i <= 4; i++)
        expect_entry(&m, i, i * 4 * PAGE, i * 4 * PAGE + PAGE, MM_TYPE_RESERVED);
    /* Larger storage then succeeds from that state. */
    mm_map big = map_new(9);
    memcpy(big.entries, m.entries, 5 * sizeof(mm_entry));
    big.count = 5;
    sanitize_checked(&big, PAGE, NULL);
    assert_int_equal(big.count, 9);
    map_free(&big);
    map_free(&m);
}

static void rejects_bad_arguments(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    add(&m, 0, PAGE, MM_TYPE_USABLE);
    add(&m, PAGE, 2 * PAGE, MM_TYPE_RESERVED);
    uint8_t scratch[256];
    size_t need = mm_map_sanitize_scratch_size(2);
    assert_true(need <= sizeof(scratch));
    assert_int_equal(mm_map_sanitize(&m, 3000, scratch, need, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_sanitize(&m, 0, scratch, need, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_sanitize(&m, PAGE, NULL, need, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_sanitize(NULL, PAGE, scratch, need, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_sanitize(&m, PAGE, scratch, need - 1, NULL), MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(m.count, 2);
    /* Odd scratch address: still fine. */
    assert_int_equal(mm_map_sanitize(&m, PAGE, scratch + 1, need, NULL), MM_OK);
    map_free(&m);
}

static void empty_map(void **state)
{
    (void)state;
    mm_map m = map_new(0);
    mm_sanitize_report r;
    assert_int_equal(sanitize(&m, PAGE, &r), MM_OK);
    assert_int_equal(r.entries_out, 0);
    map_free(&m);
}

/* The result does not depend on input order: the same 64 pseudo-random
 * overlapping entries in two shuffles give identical maps. */
static void order_independent(void **state)
{
    (void)state;
    enum { N = 64 };
    mm_map a = map_new(2 * N), b = map_new(2 * N);
    uint64_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t base = (x >> 20) % (256 * PAGE), len = (x >> 40) % (32 * PAGE) + 1;
        mm_type t = (mm_type)(1 + (x >> 8) % 6);
        assert_int_equal(mm_map_add(&a, base, len, t, (uint32_t)(x >> 60), (x >> 62)), MM_OK);
    }
    for (int i = 0; i < N; i++)
        b.entries[i] = a.entries[(i * 37) % N];
    b.count = N;
    sanitize_checked(&a, PAGE, NULL);
    sanitize_checked(&b, PAGE, NULL);
    assert_int_equal(a.count, b.count);
    assert_memory_equal(a.entries, b.entries, a.count * sizeof(mm_entry));
    map_free(&a);
    map_free(&b);
}

/* Sanitizing a sanitized map changes nothing and reports nothing. */
static void idempotent(void **state)
{
    (void)state;
    mm_map m = map_new(8);
    add(&m, 0x800, 0x9FC00, MM_TYPE_USABLE);
    add(&m, 0x9F000, 0x100000, MM_TYPE_RESERVED);
    add(&m, 0x100000, 0x8000000, MM_TYPE_USABLE);
    add(&m, 0x7000000, 0x7001000, MM_TYPE_ACPI_NVS);
    sanitize_checked(&m, PAGE, NULL);
    mm_entry before[8];
    uint32_t n = m.count;
    memcpy(before, m.entries, n * sizeof(mm_entry));
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(m.count, n);
    assert_memory_equal(before, m.entries, n * sizeof(mm_entry));
    assert_int_equal(r.overlaps_resolved + r.merged + r.empty_dropped + r.wrapped_clipped, 0);
    assert_int_equal(r.bytes_trimmed, 0);
    map_free(&m);
}

/* ---- validate ---- */

/* Builds a two-entry map from a and b and expects validate to blame entry
 * `index` for `rule`. */
static void expect_rule(mm_entry a, mm_entry b, uint32_t index, mm_validate_rule rule)
{
    mm_entry e[2] = {a, b};
    mm_map m = {e, 2, 2, PAGE};
    mm_validate_error err = {99, MM_RULE_COUNT};
    assert_int_equal(mm_map_validate(&m, PAGE, &err), MM_ERR_MAP_INVALID);
    if (err.index != index || err.rule != rule)
        fail_msg("got entry %u %s, expected entry %u %s", err.index,
                 mm_validate_rule_name(err.rule), index, mm_validate_rule_name(rule));
}

static void validate_names_entry_and_rule(void **state)
{
    (void)state;
    mm_entry ok = {0, PAGE, MM_TYPE_USABLE, 1, 0};
    expect_rule(ok, (mm_entry){2 * PAGE, PAGE, MM_TYPE_NONE, 0, 0}, 1, MM_RULE_BAD_TYPE);
    expect_rule(ok, (mm_entry){2 * PAGE, PAGE, 77, 0, 0}, 1, MM_RULE_BAD_TYPE);
    expect_rule(ok, (mm_entry){2 * PAGE, 0, MM_TYPE_RESERVED, 0, 0}, 1, MM_RULE_EMPTY);
    expect_rule(ok, (mm_entry){UINT64_MAX - 1, 2, MM_TYPE_RESERVED, 0, 0}, 1, MM_RULE_WRAPS);
    expect_rule((mm_entry){4 * PAGE, PAGE, MM_TYPE_RESERVED, 0, 0}, ok, 1, MM_RULE_UNSORTED);
    expect_rule((mm_entry){0, 2 * PAGE, MM_TYPE_RESERVED, 0, 0},
                (mm_entry){PAGE, 2 * PAGE, MM_TYPE_BAD, 0, 0}, 1, MM_RULE_OVERLAP);
    expect_rule(ok, (mm_entry){PAGE, PAGE, MM_TYPE_USABLE, 7, 0}, 1, MM_RULE_NOT_MERGED);
    expect_rule(ok, (mm_entry){0x2800, PAGE, MM_TYPE_USABLE, 0, 0}, 1, MM_RULE_USABLE_UNALIGNED);
    expect_rule((mm_entry){0, 0x1800, MM_TYPE_USABLE, 0, 0}, ok, 0, MM_RULE_USABLE_UNALIGNED);
}

/* The sanitized-map shape passes: sorted, gaps allowed, reserved unaligned. */
static void validate_accepts_sanitized(void **state)
{
    (void)state;
    mm_entry e[3] = {{0, 0x9F000, MM_TYPE_USABLE, 1, 0},
                     {0x9FC00, 0x400, MM_TYPE_RESERVED, 2, 0},
                     {MIB, 127 * MIB, MM_TYPE_USABLE, 1, 0}};
    mm_map m = {e, 3, 3, PAGE};
    mm_validate_error err;
    assert_int_equal(mm_map_validate(&m, PAGE, &err), MM_OK);
    assert_int_equal(err.rule, MM_RULE_NONE);
    assert_int_equal(mm_map_validate(&m, PAGE, NULL), MM_OK);
    /* At 2 MiB frames the first usable entry is no longer aligned. */
    assert_int_equal(mm_map_validate(&m, 2 * MIB, &err), MM_ERR_MAP_INVALID);
    assert_int_equal(err.index, 0);
}

static void validate_rejects_bad_arguments(void **state)
{
    (void)state;
    mm_entry e[1] = {{0, PAGE, MM_TYPE_USABLE, 0, 0}};
    mm_map m = {e, 1, 1, PAGE};
    assert_int_equal(mm_map_validate(NULL, PAGE, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_validate(&m, 0, NULL), MM_ERR_INVALID_ARGUMENT);
    m.count = 2;
    assert_int_equal(mm_map_validate(&m, PAGE, NULL), MM_ERR_INVALID_ARGUMENT);
}

/* Rule names are distinct and stable for logs. */
static void rule_names(void **state)
{
    (void)state;
    assert_string_equal(mm_validate_rule_name(MM_RULE_OVERLAP), "overlap");
    assert_string_equal(mm_validate_rule_name(MM_RULE_USABLE_UNALIGNED), "usable-unaligned");
    assert_string_equal(mm_validate_rule_name(MM_RULE_COUNT), "unknown");
    for (int a = 0; a < MM_RULE_COUNT; a++)
        for (int b = a + 1; b < MM_RULE_COUNT; b++)
            assert_string_not_equal(mm_validate_rule_name((mm_validate_rule)a),
                                    mm_validate_rule_name((mm_validate_rule)b));
}

/* mm_map_entry_rule lists each broken entry, not only the first. */
static void entry_rule_lists_every_break(void **state)
{
    (void)state;
    mm_entry e[4] = {{0, 0x800, MM_TYPE_USABLE, 0, 0},
                     {0x1000, PAGE, MM_TYPE_RESERVED, 0, 0},
                     {0x1800, PAGE, MM_TYPE_RESERVED, 0, 0},
                     {0x4000, 0, MM_TYPE_RESERVED, 0, 0}};
    mm_map m = {e, 4, 4, PAGE};
    assert_int_equal(mm_map_entry_rule(&m, 0, PAGE), MM_RULE_USABLE_UNALIGNED);
    assert_int_equal(mm_map_entry_rule(&m, 1, PAGE), MM_RULE_NONE);
    assert_int_equal(mm_map_entry_rule(&m, 2, PAGE), MM_RULE_OVERLAP);
    assert_int_equal(mm_map_entry_rule(&m, 3, PAGE), MM_RULE_EMPTY);
    assert_int_equal(mm_map_entry_rule(&m, 4, PAGE), MM_RULE_NONE);
}

/* An unaligned usable entry is still a range: the entry after it is
 * checked against it.  UUU(U/2) then R overlapping the half page. */
static void entry_rule_pairs_with_unaligned_usable(void **state)
{
    (void)state;
    mm_entry e[2] = {{0, 0x1800, MM_TYPE_USABLE, 0, 0}, {0x1000, PAGE, MM_TYPE_RESERVED, 0, 0}};
    mm_map m = {e, 2, 2, PAGE};
    assert_int_equal(mm_map_entry_rule(&m, 0, PAGE), MM_RULE_USABLE_UNALIGNED);
    assert_int_equal(mm_map_entry_rule(&m, 1, PAGE), MM_RULE_OVERLAP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drops_empty),
        cmocka_unit_test(clips_wrap),
        cmocka_unit_test(clips_entry_at_top_byte),
        cmocka_unit_test(invalid_type_becomes_reserved),
        cmocka_unit_test(sorts_unsorted_input),
        cmocka_unit_test(nested_reserved_splits_usable),
        cmocka_unit_test(usable_inside_reserved_vanishes),
        cmocka_unit_test(partial_overlap_non_usable_wins),
        cmocka_unit_test(chain_of_overlaps),
        cmocka_unit_test(nested_three_deep),
        cmocka_unit_test(identical_duplicates),
        cmocka_unit_test(same_type_overlap_joins),
        cmocka_unit_test(priority_table_decides_every_pair),
        cmocka_unit_test(priority_table_shape),
        cmocka_unit_test(merges_adjacent_equal_entries),
        cmocka_unit_test(merges_usable_across_raw_codes_not_attributes),
        cmocka_unit_test(aligns_usable_inward),
        cmocka_unit_test(drops_usable_sliver),
        cmocka_unit_test(merges_before_aligning),
        cmocka_unit_test(larger_frame_size),
        cmocka_unit_test(capacity_exhaustion),
        cmocka_unit_test(rejects_bad_arguments),
        cmocka_unit_test(empty_map),
        cmocka_unit_test(order_independent),
        cmocka_unit_test(idempotent),
        cmocka_unit_test(validate_names_entry_and_rule),
        cmocka_unit_test(validate_accepts_sanitized),
        cmocka_unit_test(validate_rejects_bad_arguments),
        cmocka_unit_test(rule_names),
        cmocka_unit_test(entry_rule_lists_every_break),
        cmocka_unit_test(entry_rule_pairs_with_unaligned_usable),
    };
    return cmocka_run_group_tests_name("memmap-sanitize", tests, NULL, NULL);
}
