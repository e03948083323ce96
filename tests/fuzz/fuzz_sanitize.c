/* libFuzzer harness for mm_map_sanitize().
 *
 * Input: byte 0 picks the frame size (4 KiB << (b & 3)) and the storage
 * slack; then 18-byte records: base u64, length u64, type u8, raw/attr u8.
 * Bases and lengths are scaled down by record flags now and then so that
 * overlaps are common rather than astronomically rare.
 *
 * After sanitizing: validate() must pass and the reference model (byte
 * safety in both directions, exact usable alignment, non-usable kept) must
 * agree; MM_ERR_MAP_FULL must leave the documented state (same bytes,
 * sorted by base, empties dropped). Then the records are reused as carve
 * and find requests on the sanitized map: the map must stay valid, a carve
 * must leave its (frame-rounded) range of the new type, a found range must
 * be usable, aligned and inside its bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/memmap.h"
#include "../support/memmap_ref.h"

#define RECORD      18u
#define MAX_ENTRIES 256u

/* Record -> entry. The type byte's high bits select a scale: small
 * addresses (pages below 1 MiB), medium (below 4 GiB) or full 64 bits
 * (wrap tests). */
static mm_entry decode(const uint8_t *p)
{
    uint64_t base = mm_load_le64(p), len = mm_load_le64(p + 8);
    uint8_t t = p[16], extra = p[17];
    switch (t >> 6) {
    case 0:
        base = (base & 0xFF) << 12 | (base >> 8 & 0xFFF);
        len = (len & 0x3F) << 12 | (len >> 8 & 0xFFF);
        break;
    case 1:
        base &= 0xFFFFFFFFull;
        len &= 0x3FFFFFFull;
        break;
    default:
        break;
    }
    return (mm_entry){base, len, (uint32_t)(t & 0x3F) % (MM_TYPE_COUNT + 2), extra & 3,
                      (uint64_t)(extra >> 2 & 1)};
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz_sanitize: %s\n", what);
    abort();
}

/* Carve as asked by record `e`; on success the rounded range has the new
 * type and the map still validates. */
static void fuzz_carve(mm_map *m, uint64_t frame, const mm_entry *e)
{
    mm_type t = (mm_type)(1 + e->raw_type * 5 % (MM_TYPE_COUNT - 1));
    mm_carve_flags f = e->attributes ? MM_CARVE_ANY_TYPE : MM_CARVE_DEFAULT;
    mm_status st = mm_map_carve(m, e->base, e->length, t, f);
    if (st != MM_OK)
        return;
    if (mm_map_validate(m, frame, NULL) != MM_OK)
        die("carve broke the map");
    uint64_t b = mm_align_down(e->base, frame), end = e->base + e->length;
    if (t == MM_TYPE_USABLE) {
        if (!mm_align_up(e->base, frame, &b))
            die("carve to usable accepted an unroundable range");
        end = mm_align_down(end, frame);
    } else if (!mm_align_up(end, frame, &end)) {
        die("carve accepted a range past the top");
    }
    if (!mm_map_range_is(m, b, end - b, t))
        die("carved range does not have the new type");
}

/* Find as asked by record `e`: whatever is found must fit. */
static void fuzz_find(const mm_map *m, const mm_entry *e)
{
    uint64_t size = (e->length & 0xFFFFF) + 1, align = (uint64_t)1 << (e->raw_type * 7 % 24);
    uint64_t min = e->base & 0xFFFFFFFF, max = min + (e->length | 1), at;
    if (max < min)
        max = UINT64_MAX;
    mm_find_flags f = e->attributes ? MM_FIND_TOP_DOWN : MM_FIND_BOTTOM_UP;
    if (mm_map_find(m, size, align, min, max, f, &at) != MM_OK)
        return;
    if ((at & (align - 1)) || at < min || at + size > max || at + size < at)
        die("found range misaligned or out of bounds");
    if (!mm_map_range_is(m, at, size, MM_TYPE_USABLE))
        die("found range not usable");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint64_t frame = (uint64_t)4096 << (data[0] & 3);
    uint32_t n = (uint32_t)((size - 1) / RECORD);
    if (n > MAX_ENTRIES)
        n = MAX_ENTRIES;
    /* Capacity between n and 2n + 1 (enough for every split) so that both
     * MM_OK and MM_ERR_MAP_FULL paths run. */
    uint32_t cap = n + (uint32_t)((data[0] >> 2) * (n + 1) / 63);
    mm_entry *in = calloc(n + 1, sizeof(mm_entry));
    mm_entry *storage = calloc(cap + 1, sizeof(mm_entry));
    for (uint32_t i = 0; i < n; i++)
        in[i] = storage[i] = decode(data + 1 + (size_t)i * RECORD);
    mm_map m = {storage, n, cap, 4096};
    size_t scratch_size = mm_map_sanitize_scratch_size(n);
    void *scratch = malloc(scratch_size);
    mm_sanitize_report r;
    mm_status st = mm_map_sanitize(&m, frame, scratch, scratch_size, &r);
    char why[160];
    if (st == MM_OK) {
        mm_validate_error err;
        if (mm_map_validate(&m, frame, &err) != MM_OK) {
            fprintf(stderr, "entry %u breaks %s\n", err.index, mm_validate_rule_name(err.rule));
            die("sanitized map does not validate");
        }
        if (!memmap_ref_check(in, n, &m, frame, why, sizeof(why)))
            die(why);
        if (r.entries_in != n || r.entries_out != m.count)
            die("report counts do not match");
        for (uint32_t i = 0; i < n && i < 8; i++) {
            fuzz_find(&m, &in[i]);
            fuzz_carve(&m, frame, &in[i]);
        }
    } else if (st == MM_ERR_MAP_FULL) {
        for (uint32_t i = 1; i < m.count; i++)
            if (m.entries[i].base < m.entries[i - 1].base)
                die("MAP_FULL state not sorted");
        /* Same bytes with the same winners: the raw model of the restored
         * map equals that of the input, checked via a sanitize into room
         * for every split. */
        mm_entry *big = calloc(2 * n + 1, sizeof(mm_entry));
        memcpy(big, m.entries, m.count * sizeof(mm_entry));
        mm_map b = {big, m.count, 2 * n + 1, 4096};
        if (mm_map_sanitize(&b, frame, scratch, scratch_size, NULL) != MM_OK)
            die("retry with room for every split failed");
        if (!memmap_ref_check(in, n, &b, frame, why, sizeof(why)))
            die(why);
        free(big);
    } else {
        die("unexpected status");
    }
    free(scratch);
    free(in);
    free(storage);
    return 0;
}
