#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bitmap_fixture.h"

mm_entry fx_usable(uint64_t base, uint64_t length)
{
    return (mm_entry){.base = base, .length = length, .type = MM_TYPE_USABLE};
}

mm_entry fx_reserved(uint64_t base, uint64_t length)
{
    return (mm_entry){.base = base, .length = length, .type = MM_TYPE_RESERVED};
}

void fx_set_map(bitmap_fixture *fx, const mm_entry *entries, uint32_t n)
{
    assert_true(n <= FX_MAX_ENTRIES);
    memset(fx, 0, sizeof(*fx));
    memcpy(fx->entries, entries, n * sizeof(mm_entry));
    fx->map.entries = fx->entries;
    fx->map.count = n;
    fx->map.capacity = FX_MAX_ENTRIES;
}

void fx_build(bitmap_fixture *fx, const mm_entry *entries, uint32_t n, uint64_t granularity)
{
    fx_set_map(fx, entries, n);
    assert_int_equal(mm_bitmap_storage_size(&fx->map, granularity, &fx->storage_bytes), MM_OK);
    fx->storage = malloc(fx->storage_bytes);
    assert_non_null(fx->storage);
    assert_int_equal(mm_bitmap_init(&fx->bm, &fx->map, granularity, fx->storage, fx->storage_bytes),
                     MM_OK);
}

void fx_destroy(bitmap_fixture *fx)
{
    free(fx->storage);
    fx->storage = NULL;
}

void fx_snapshot(const bitmap_fixture *fx, bitmap_snapshot *snap)
{
    snap->bm = fx->bm;
    snap->bytes = fx->storage_bytes;
    snap->storage = malloc(snap->bytes);
    assert_non_null(snap->storage);
    memcpy(snap->storage, fx->storage, snap->bytes);
}

void fx_assert_unchanged(const bitmap_fixture *fx, bitmap_snapshot *snap)
{
    assert_memory_equal(&snap->bm, &fx->bm, sizeof(mm_bitmap));
    assert_memory_equal(snap->storage, fx->storage, snap->bytes);
    free(snap->storage);
    snap->storage = NULL;
}

uint64_t fx_count_free(const bitmap_fixture *fx)
{
    uint64_t n = 0;
    for (uint64_t f = 0; f < fx->bm.frame_count; f++)
        n += mm_bitmap_is_free(&fx->bm, (fx->bm.first_frame + f) << fx->bm.shift);
    return n;
}
