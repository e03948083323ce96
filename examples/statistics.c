/* Statistics: initializes the library on a UEFI map, allocates from the
 * heap, the bitmap and a pool while counting each site with the allocation
 * tracker, and prints every statistic lib/mm keeps plus the profile. */
#include "example.h"
#include "mm/pool.h"
#include "mm/track.h"

int main(void)
{
    mm_logger lg = ex_logger(MM_LOG_INFO);
    mm_phys_window w;
    void *ram = ex_ram(EX_RAM, &w);
    mm_ctx ctx;
    ex_init(&ctx, MM_BOOT_UEFI, w);

    mm_track_slot slots[8];
    mm_tracker tr;
    mm_track_init(&tr, slots, MM_ARRAY_SIZE(slots));

    void *p;
    for (int i = 0; i < 20; i++) {
        ex_check(mm_heap_alloc(&ctx.heap, 4096, 4096, &p), "heap");
        mm_track_alloc(&tr, MM_ALLOC_HEAP, "page-table scratch", 4096);
    }
    ex_check(mm_heap_alloc(&ctx.heap, 300, 8, &p), "heap");
    mm_track_alloc(&tr, MM_ALLOC_HEAP, "command line", 300);

    uint64_t phys;
    ex_check(mm_bitmap_alloc_contig(&ctx.bitmap, 256, 2 << 20, 0, &phys), "bitmap");
    mm_track_alloc(&tr, MM_ALLOC_BITMAP, "kernel image", 256 * 4096);
    ex_check(mm_carve_reserve(&ctx, phys, 256 * 4096, MM_TYPE_KERNEL), "carve kernel");
    ex_check(mm_bitmap_alloc(&ctx.bitmap, &phys), "bitmap");
    mm_track_alloc(&tr, MM_ALLOC_BITMAP, "kernel stack", 4096);
    ex_check(mm_bitmap_free(&ctx.bitmap, phys, 1), "bitmap free");
    mm_track_free(&tr, MM_ALLOC_BITMAP, "kernel stack", 4096);

    mm_bitmap_source_ctx sctx;
    mm_frame_source src;
    mm_pool pool;
    ex_check(mm_bitmap_source(&ctx.bitmap, w.virt_offset, &sctx, &src), "source");
    ex_check(mm_pool_init(&pool, 64, 8, &src), "pool");
    for (int i = 0; i < 100; i++) {
        ex_check(mm_pool_alloc(&pool, &p), "pool alloc");
        mm_track_alloc(&tr, MM_ALLOC_POOL, "handoff records", 64);
    }

    mm_init_report(&ctx, &lg);
    struct mm_pool_stats ps;
    mm_pool_stats(&pool, &ps);
    printf("[INFO ] pool: %llu-byte blocks, %llu of %llu in use, %u.%u%% utilization\n",
           (unsigned long long)ps.block_size, (unsigned long long)ps.in_use,
           (unsigned long long)ps.capacity, ps.utilization / 10, ps.utilization % 10);
    mm_track_report(&tr, &lg);
    mm_pool_destroy(&pool);
    free(ram);
    return 0;
}
