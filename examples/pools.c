/* Memory pools: fixed-size blocks carved from frames of the frame bitmap
 * (over the sample E820 map, frames reached in host memory through a
 * window). Shows allocation and reuse, growth by whole frames, the
 * double-free and foreign-pointer checks, release of empty frames back to
 * the bitmap, and the statistics. */
#include "example.h"
#include "mm/pool.h"

static void print_stats(const char *when, const mm_pool *p, const mm_bitmap *bm)
{
    struct mm_pool_stats s;
    mm_pool_stats(p, &s);
    printf("  %-26s blocks %llu/%llu in use (peak %llu, %u.%u%%), %llu slabs, %llu frames; "
           "bitmap free frames %llu\n",
           when, (unsigned long long)s.in_use, (unsigned long long)s.capacity,
           (unsigned long long)s.peak, s.utilization / 10, s.utilization % 10,
           (unsigned long long)s.slabs, (unsigned long long)s.frames,
           (unsigned long long)bm->free_frames);
}

int main(void)
{
    mm_phys_window w;
    void *ram = ex_ram(EX_RAM, &w);
    mm_entry entries[32];
    mm_map map;
    ex_sample_map(&map, entries, MM_ARRAY_SIZE(entries), MM_BOOT_BIOS);
    mm_bitmap bm;
    void *bits = ex_bitmap(&bm, &map);

    /* Frames from the bitmap, reached through the window. */
    mm_bitmap_source_ctx sctx;
    mm_frame_source src;
    ex_check(mm_bitmap_source(&bm, w.virt_offset, &sctx, &src), "frame source");

    mm_pool pool;
    ex_check(mm_pool_init(&pool, 48, 16, &src), "pool init");
    printf("pool of 48-byte blocks, 16-byte aligned, frames from the bitmap\n");
    print_stats("empty:", &pool, &bm);

    void *blocks[300];
    for (int i = 0; i < 300; i++)
        ex_check(mm_pool_alloc(&pool, &blocks[i]), "pool alloc");
    print_stats("after 300 allocations:", &pool, &bm);

    for (int i = 0; i < 300; i += 2)
        ex_check(mm_pool_free(&pool, blocks[i]), "pool free");
    print_stats("after freeing every other:", &pool, &bm);

    void *again;
    ex_check(mm_pool_alloc(&pool, &again), "pool alloc");
    bool reused = false;
    for (int i = 0; i < 300; i += 2)
        reused |= again == blocks[i];
    printf("  a new allocation reuses a freed block: %s\n", reused ? "yes" : "no");

    int local;
    printf("  freeing block 0 twice:        %s\n", mm_status_name(mm_pool_free(&pool, blocks[0])));
    printf("  freeing a stack address:      %s\n", mm_status_name(mm_pool_free(&pool, &local)));
    printf("  freeing inside a block:       %s\n",
           mm_status_name(mm_pool_free(&pool, (char *)blocks[1] + 8)));

    ex_check(mm_pool_free(&pool, again), "pool free");
    for (int i = 1; i < 300; i += 2)
        ex_check(mm_pool_free(&pool, blocks[i]), "pool free");
    uint64_t released;
    ex_check(mm_pool_release_empty(&pool, &released), "release empty");
    printf("  all freed, %llu empty frames released to the bitmap\n", (unsigned long long)released);
    print_stats("at the end:", &pool, &bm);
    mm_pool_destroy(&pool);
    free(bits);
    free(ram);
    return 0;
}
