/* Frame bitmap: one bit per 4 KiB frame over a sanitized map. Shows single
 * frames, aligned contiguous runs, runs below 1 MiB, freeing with
 * validation (double free and frames that are not RAM are errors, not
 * corruption), reserving, and statistics. */
#include "example.h"

static void print_stats(const mm_bitmap *bm)
{
    struct mm_bitmap_stats s;
    mm_bitmap_stats(bm, &s);
    printf("  stats: %llu usable frames, %llu free, %llu used, largest free run %llu frames\n",
           (unsigned long long)s.total_frames, (unsigned long long)s.free_frames,
           (unsigned long long)s.used_frames, (unsigned long long)s.largest_free_run);
}

static void show(const char *what, mm_status st, uint64_t phys)
{
    if (st == MM_OK)
        printf("  %-44s -> 0x%llx\n", what, (unsigned long long)phys);
    else
        printf("  %-44s -> %s\n", what, mm_status_name(st));
}

int main(void)
{
    mm_entry entries[32];
    mm_map map;
    ex_sample_map(&map, entries, MM_ARRAY_SIZE(entries), MM_BOOT_BIOS);

    uint64_t bytes;
    ex_check(mm_bitmap_storage_size(&map, 4096, &bytes), "storage size");
    printf("bitmap over 128 MiB of RAM needs %llu bytes of storage (bits + summary)\n",
           (unsigned long long)bytes);
    void *storage = aligned_alloc(8, (size_t)((bytes + 7) & ~7ull));
    mm_bitmap bm;
    ex_check(mm_bitmap_init(&bm, &map, 4096, storage, bytes), "bitmap init");
    print_stats(&bm);

    uint64_t a, b, c, d;
    show("alloc one frame", mm_bitmap_alloc(&bm, &a), a);
    show("alloc one more", mm_bitmap_alloc(&bm, &b), b);
    show("alloc 512 frames aligned to 2 MiB", mm_bitmap_alloc_contig(&bm, 512, 2 << 20, 0, &c), c);
    show("alloc 4 frames below 1 MiB", mm_bitmap_alloc_below_1m(&bm, 4, 0, &d), d);
    print_stats(&bm);

    printf("free checks:\n");
    show("free the first frame", mm_bitmap_free(&bm, a, 1), a);
    show("free it again (double free)", mm_bitmap_free(&bm, a, 1), a);
    show("free a frame of the BIOS ROM (not RAM)", mm_bitmap_free(&bm, 0xf0000, 1), 0xf0000);
    show("free a misaligned address", mm_bitmap_free(&bm, b + 12, 1), b + 12);
    show("free 512 frames back", mm_bitmap_free(&bm, c, 512), c);

    printf("reserve [1 MiB, 3 MiB) for the kernel image:\n");
    ex_check(mm_bitmap_reserve(&bm, 1 << 20, 2 << 20), "reserve");
    printf("  frame at 2 MiB is %s\n", mm_bitmap_is_free(&bm, 2 << 20) ? "free" : "used");
    print_stats(&bm);
    free(storage);
    return 0;
}
