/* Shared helpers of the test_memmap*.c suites (header-only so other suites
 * do not link them). Include after <cmocka.h>. */
#ifndef TESTS_UNIT_MEMMAP_TEST_H
#define TESTS_UNIT_MEMMAP_TEST_H

#include <stdlib.h>
#include <string.h>

#include "mm/memmap.h"
#include "../support/memmap_ref.h"

#define KIB  0x400ull
#define MIB  0x100000ull
#define GIB  0x40000000ull
#define PAGE 0x1000ull

/* A map over heap storage of `capacity` entries; free with map_free(). */
static inline mm_map map_new(uint32_t capacity)
{
    mm_map m;
    assert_int_equal(mm_map_init(&m, calloc(capacity ? capacity : 1, sizeof(mm_entry)), capacity),
                     MM_OK);
    return m;
}

static inline void map_free(mm_map *m)
{
    free(m->entries);
    m->entries = NULL;
}

/* Appends [base, end) or fails the test. */
static inline void add(mm_map *m, uint64_t base, uint64_t end, mm_type type)
{
    assert_int_equal(mm_map_add(m, base, end - base, type, 0, 0), MM_OK);
}

/* Sanitizes with heap scratch; returns the status. */
static inline mm_status sanitize(mm_map *m, uint64_t frame, mm_sanitize_report *r)
{
    size_t size = mm_map_sanitize_scratch_size(m->count);
    void *scratch = malloc(size);
    mm_status st = mm_map_sanitize(m, frame, scratch, size, r);
    free(scratch);
    return st;
}

/* Sanitizes a copy-checked map: status OK, validate OK, and the reference
 * model agrees with the result. */
static inline void sanitize_checked(mm_map *m, uint64_t frame, mm_sanitize_report *r)
{
    uint32_t n = m->count;
    mm_entry *in = malloc(sizeof(mm_entry) * (n ? n : 1));
    memcpy(in, m->entries, sizeof(mm_entry) * n);
    assert_int_equal(sanitize(m, frame, r), MM_OK);
    mm_validate_error err;
    if (mm_map_validate(m, frame, &err) != MM_OK)
        fail_msg("entry %u breaks %s", err.index, mm_validate_rule_name(err.rule));
    char why[160];
    if (!memmap_ref_check(in, n, m, frame, why, sizeof(why)))
        fail_msg("reference model: %s", why);
    free(in);
}

/* Entry i is [base, end) of `type`. */
static inline void expect_entry(const mm_map *m, uint32_t i, uint64_t base, uint64_t end,
                                mm_type type)
{
    assert_true(i < m->count);
    if (m->entries[i].base != base || mm_entry_end(&m->entries[i]) != end ||
        m->entries[i].type != (uint32_t)type)
        fail_msg("entry %u is [0x%llx, 0x%llx) %s, expected [0x%llx, 0x%llx) %s", i,
                 (unsigned long long)m->entries[i].base,
                 (unsigned long long)mm_entry_end(&m->entries[i]),
                 mm_type_name((mm_type)m->entries[i].type), (unsigned long long)base,
                 (unsigned long long)end, mm_type_name(type));
}

static inline void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Writes one raw E820 entry of `size` (20/24) bytes at p. */
static inline void e820_put(uint8_t *p, unsigned size, uint64_t base, uint64_t len, uint32_t type,
                            uint32_t ext)
{
    memset(p, 0, size);
    put_le(p, base, 8);
    put_le(p + 8, len, 8);
    put_le(p + 16, type, 4);
    if (size == 24)
        put_le(p + 20, ext, 4);
}

/* Writes one EFI_MEMORY_DESCRIPTOR (stride `desc_size`) at p; bytes past
 * the 40 known ones are filled with junk the importer must skip. */
static inline void efi_put(uint8_t *p, unsigned desc_size, uint32_t type, uint64_t phys,
                           uint64_t pages, uint64_t attrs)
{
    memset(p, 0xA5, desc_size);
    put_le(p, type, 4);
    put_le(p + 4, 0, 4);
    put_le(p + 8, phys, 8);
    put_le(p + 16, phys, 8); /* VirtualStart */
    put_le(p + 24, pages, 8);
    put_le(p + 32, attrs, 8);
}

#endif
