/* Shared set-up for the frame bitmap tests: a small map in a fixed array
 * and heap storage sized by mm_bitmap_storage_size(). */
#ifndef TEST_BITMAP_FIXTURE_H
#define TEST_BITMAP_FIXTURE_H

#include "mm/bitmap.h"

#define FX_MAX_ENTRIES 16
#define KIB            ((uint64_t)1024)
#define MIB            (KIB * 1024)
#define GIB            (MIB * 1024)

typedef struct bitmap_fixture {
    mm_entry entries[FX_MAX_ENTRIES];
    mm_map map;
    mm_bitmap bm;
    uint64_t *storage;
    uint64_t storage_bytes;
} bitmap_fixture;

/* Entry helpers for map literals. */
mm_entry fx_usable(uint64_t base, uint64_t length);
mm_entry fx_reserved(uint64_t base, uint64_t length);

/* Copies `n` entries into fx's map (no bitmap yet). */
void fx_set_map(bitmap_fixture *fx, const mm_entry *entries, uint32_t n);

/* fx_set_map + storage sizing + mm_bitmap_init; asserts success. */
void fx_build(bitmap_fixture *fx, const mm_entry *entries, uint32_t n, uint64_t granularity);

/* Frees the storage. */
void fx_destroy(bitmap_fixture *fx);

/* Snapshot of bitmap struct + storage, to prove an error changed nothing. */
typedef struct bitmap_snapshot {
    mm_bitmap bm;
    uint64_t *storage;
    uint64_t bytes;
} bitmap_snapshot;

void fx_snapshot(const bitmap_fixture *fx, bitmap_snapshot *snap);
/* Asserts fx equals the snapshot and frees it. */
void fx_assert_unchanged(const bitmap_fixture *fx, bitmap_snapshot *snap);

/* Number of free frames counted bit by bit through mm_bitmap_is_free. */
uint64_t fx_count_free(const bitmap_fixture *fx);

#endif
