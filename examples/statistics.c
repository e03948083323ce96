/* Statistics: every figure lib/mm keeps, after some work on the sample UEFI
 * map with host memory standing in for the RAM: per-type map totals
 * (mm_map_stats), the frame bitmap (mm_bitmap_stats), a boot heap in frames
 * from the bitmap (mm_heap_stats), a pool (mm_pool_stats), and the profile
 * of every allocation site counted with the tracker (mm_track_report).
 * Ranges taken from the bitmap are recorded in the map with mm_map_carve so
 * that the map totals show them. */
#include "example.h"
#include "mm/pool.h"
#include "mm/track.h"

#define HEAP_FRAMES 256 /* 1 MiB */

/* Takes `frames` contiguous frames aligned to `align` from the bitmap and
 * records them in the map as `type`; returns their physical base. */
static uint64_t take(mm_bitmap *bm, mm_map *map, uint64_t frames, uint64_t align, mm_type type)
{
    uint64_t phys;
    ex_check(mm_bitmap_alloc_contig(bm, frames, align, 0, &phys), mm_type_name(type));
    ex_check(mm_map_carve(map, phys, frames * 4096, type, MM_CARVE_DEFAULT), "carve");
    return phys;
}

static void report_map(const mm_map *map, const mm_logger *lg)
{
    struct mm_map_stats st;
    mm_map_stats(map, &st);
    mm_log_map(lg, MM_LOG_INFO, map);
    for (int t = MM_TYPE_USABLE; t < MM_TYPE_COUNT; t++) {
        if (st.entries[t] == 0)
            continue;
        char size[MM_FMT_BYTES_MAX];
        mm_fmt_bytes(size, sizeof size, st.bytes[t]);
        mm_log(lg, MM_LOG_INFO, "  %-24s %11s in %u entries", mm_type_name((mm_type)t), size,
               st.entries[t]);
    }
    mm_log(lg, MM_LOG_INFO, "  highest usable address: %#llx",
           (unsigned long long)st.highest_usable_end);
}

static void report_bitmap(const mm_bitmap *bm, const mm_logger *lg)
{
    struct mm_bitmap_stats b;
    mm_bitmap_stats(bm, &b);
    char free[MM_FMT_BYTES_MAX], run[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(free, sizeof free, b.free_frames * b.granularity);
    mm_fmt_bytes(run, sizeof run, b.largest_free_run * b.granularity);
    mm_log(lg, MM_LOG_INFO,
           "frame bitmap: %llu frames of %llu bytes, %llu usable, %llu free (%s), %llu used, "
           "largest free run %llu frames (%s)",
           (unsigned long long)b.frame_count, (unsigned long long)b.granularity,
           (unsigned long long)b.total_frames, (unsigned long long)b.free_frames, free,
           (unsigned long long)b.used_frames, (unsigned long long)b.largest_free_run, run);
}

static void report_heap(const mm_heap *h, uint64_t base, const mm_logger *lg)
{
    struct mm_heap_stats s;
    mm_heap_stats(h, &s);
    char size[MM_FMT_BYTES_MAX], used[MM_FMT_BYTES_MAX], peak[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(size, sizeof size, s.size);
    mm_fmt_bytes(used, sizeof used, s.used);
    mm_fmt_bytes(peak, sizeof peak, s.peak);
    mm_log(lg, MM_LOG_INFO,
           "boot heap: %s at %#llx, used %s, peak %s, %llu allocations, %llu failures, "
           "%llu bytes lost to alignment, %u regions",
           size, (unsigned long long)base, used, peak, (unsigned long long)s.allocations,
           (unsigned long long)s.failures, (unsigned long long)s.lost_to_alignment, s.regions);
}

static void report_pool(const mm_pool *p, const mm_logger *lg)
{
    struct mm_pool_stats s;
    mm_pool_stats(p, &s);
    mm_log(lg, MM_LOG_INFO,
           "pool: %llu-byte blocks, %llu of %llu in use, %u.%u%% utilization, %llu frames",
           (unsigned long long)s.block_size, (unsigned long long)s.in_use,
           (unsigned long long)s.capacity, s.utilization / 10, s.utilization % 10,
           (unsigned long long)s.frames);
}

/* Heap work the tracker counts: page-table scratch and a command line. */
static void use_heap(mm_heap *h, mm_tracker *tr)
{
    void *p;
    for (int i = 0; i < 20; i++) {
        ex_check(mm_heap_alloc(h, 4096, 4096, &p), "heap");
        mm_track_alloc(tr, MM_ALLOC_HEAP, "page-table scratch", 4096);
    }
    ex_check(mm_heap_alloc(h, 300, 8, &p), "heap");
    mm_track_alloc(tr, MM_ALLOC_HEAP, "command line", 300);
}

/* Bitmap work the tracker counts: a kernel image kept (and carved), a
 * stack taken and given back. */
static void use_bitmap(mm_bitmap *bm, mm_map *map, mm_tracker *tr)
{
    take(bm, map, 256, 2 * EX_MIB, MM_TYPE_KERNEL);
    mm_track_alloc(tr, MM_ALLOC_BITMAP, "kernel image", 256 * 4096);
    uint64_t phys;
    ex_check(mm_bitmap_alloc(bm, &phys), "bitmap");
    mm_track_alloc(tr, MM_ALLOC_BITMAP, "kernel stack", 4096);
    ex_check(mm_bitmap_free(bm, phys, 1), "bitmap free");
    mm_track_free(tr, MM_ALLOC_BITMAP, "kernel stack", 4096);
}

int main(void)
{
    mm_logger lg = ex_logger(MM_LOG_INFO);
    mm_phys_window w;
    void *ram = ex_ram(EX_RAM, &w);
    mm_entry entries[48];
    mm_map map;
    ex_sample_map(&map, entries, MM_ARRAY_SIZE(entries), MM_BOOT_UEFI);
    mm_bitmap bm;
    void *bits = ex_bitmap(&bm, &map);

    mm_track_slot slots[8];
    mm_tracker tr;
    ex_check(mm_track_init(&tr, slots, MM_ARRAY_SIZE(slots)), "tracker");

    uint64_t heap_base = take(&bm, &map, HEAP_FRAMES, 4096, MM_TYPE_BOOT_HEAP);
    mm_heap heap;
    ex_check(mm_heap_init(&heap, mm_window_ptr(&w, heap_base), HEAP_FRAMES * 4096), "heap init");
    use_heap(&heap, &tr);
    use_bitmap(&bm, &map, &tr);

    mm_bitmap_source_ctx sctx;
    mm_frame_source src;
    mm_pool pool;
    ex_check(mm_bitmap_source(&bm, w.virt_offset, &sctx, &src), "source");
    ex_check(mm_pool_init(&pool, 64, 8, &src), "pool");
    void *p;
    for (int i = 0; i < 100; i++) {
        ex_check(mm_pool_alloc(&pool, &p), "pool alloc");
        mm_track_alloc(&tr, MM_ALLOC_POOL, "handoff records", 64);
    }

    report_map(&map, &lg);
    report_bitmap(&bm, &lg);
    report_heap(&heap, heap_base, &lg);
    report_pool(&pool, &lg);
    mm_track_report(&tr, &lg);
    mm_pool_destroy(&pool);
    free(bits);
    free(ram);
    return 0;
}
