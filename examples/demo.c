/* A short tour of lib/mm on the host: the E820 map SeaBIOS gives a 128 MiB
 * QEMU guest (with an overlap and an empty entry) is imported, sanitized
 * and printed; then a frame bitmap hands out frames of it, a boot heap
 * works in some of them and grows by more, and a pool carves small blocks
 * out of others. Host memory stands in for the guest's RAM.
 *
 * Which ranges a loader places, and in which order, is the boot driver's
 * business (docs/driver.md), not the library's: nothing here is placed in
 * boot order. */
#include "example.h"
#include "mm/pool.h"

/* Import, sanitize, validate, print. */
static void tour_map(mm_map *map, const mm_logger *lg)
{
    static unsigned char scratch[4096];
    printf("== firmware map: %zu E820 entries\n", MM_ARRAY_SIZE(ex_qemu_e820));
    ex_check(mm_map_import_e820(map, ex_qemu_e820, MM_ARRAY_SIZE(ex_qemu_e820), sizeof(ex_e820)),
             "import E820");
    if (mm_map_sanitize_scratch_size(map->count) > sizeof scratch)
        ex_check(MM_ERR_BUFFER_TOO_SMALL, "sanitize scratch");
    mm_sanitize_report rep;
    ex_check(mm_map_sanitize(map, 4096, scratch, sizeof scratch, &rep), "sanitize");
    ex_check(mm_map_validate(map, 4096, NULL), "validate");
    printf("sanitized: %u entries in, %u out (%u empty dropped, %u overlaps resolved, "
           "%llu bytes trimmed)\n",
           rep.entries_in, rep.entries_out, rep.empty_dropped, rep.overlaps_resolved,
           (unsigned long long)rep.bytes_trimmed);
    mm_log_map(lg, MM_LOG_INFO, map);
    struct mm_map_stats st;
    mm_map_stats(map, &st);
    char usable[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(usable, sizeof usable, st.usable_bytes);
    printf("usable RAM: %s, highest usable address %#llx\n", usable,
           (unsigned long long)st.highest_usable_end);
}

static void print_bitmap(const mm_bitmap *bm)
{
    struct mm_bitmap_stats s;
    mm_bitmap_stats(bm, &s);
    printf("bitmap: %llu usable frames, %llu free, %llu used\n", (unsigned long long)s.total_frames,
           (unsigned long long)s.free_frames, (unsigned long long)s.used_frames);
}

/* Frames: a run below 1 MiB, an aligned run, a free; returns a 16-frame
 * run at 64 KiB alignment for the heap. */
static uint64_t tour_bitmap(mm_bitmap *bm)
{
    printf("\n== frame bitmap\n");
    print_bitmap(bm);
    uint64_t low, run;
    ex_check(mm_bitmap_alloc_below_1m(bm, 2, 0, &low), "2 frames below 1 MiB");
    printf("2 frames below 1 MiB at 0x%llx\n", (unsigned long long)low);
    ex_check(mm_bitmap_alloc_contig(bm, 16, 64 * 1024, 0, &run), "16 frames");
    printf("16 frames aligned to 64 KiB at 0x%llx\n", (unsigned long long)run);
    ex_check(mm_bitmap_free(bm, low, 2), "free");
    printf("freeing the 2 low frames again: %s\n", mm_status_name(mm_bitmap_free(bm, low, 2)));
    print_bitmap(bm);
    return run;
}

static void print_heap(const mm_heap *h)
{
    struct mm_heap_stats s;
    mm_heap_stats(h, &s);
    printf("heap: size %llu, used %llu, peak %llu, %llu allocations, %u regions\n",
           (unsigned long long)s.size, (unsigned long long)s.used, (unsigned long long)s.peak,
           (unsigned long long)s.allocations, s.regions);
}

/* A heap over the 16 frames at `base`, refilled from the bitmap when a
 * request does not fit; scratch work undone with mark/rewind. */
static void tour_heap(mm_heap *h, uint64_t base, const mm_phys_window *w,
                      const mm_frame_source *src)
{
    printf("\n== boot heap over the 16 frames at %#llx\n", (unsigned long long)base);
    ex_check(mm_heap_init(h, mm_window_ptr(w, base), 16 * 4096), "heap init");
    mm_heap_set_refill(h, mm_heap_refill_from_source, (void *)src);
    void *p;
    ex_check(mm_heap_alloc(h, 4096, 4096, &p), "page");
    ex_check(mm_heap_alloc(h, 100, 8, &p), "string");
    print_heap(h);
    mm_heap_mark mark = mm_heap_get_mark(h);
    ex_check(mm_heap_alloc(h, 32 * 1024, 8, &p), "scratch");
    print_heap(h);
    ex_check(mm_heap_rewind(h, mark), "rewind");
    printf("after rewinding the scratch:\n");
    print_heap(h);
    ex_check(mm_heap_alloc(h, 100 * 1024, 8, &p), "100 KiB");
    printf("after 100 KiB more (refilled from the bitmap):\n");
    print_heap(h);
}

/* 200 blocks of 48 bytes, half freed, the empty frames given back. */
static void tour_pool(const mm_frame_source *src)
{
    printf("\n== pool of 48-byte blocks\n");
    mm_pool pool;
    ex_check(mm_pool_init(&pool, 48, 16, src), "pool init");
    void *blocks[200];
    for (int i = 0; i < 200; i++)
        ex_check(mm_pool_alloc(&pool, &blocks[i]), "pool alloc");
    for (int i = 0; i < 200; i++)
        ex_check(mm_pool_free(&pool, blocks[i]), "pool free");
    struct mm_pool_stats s;
    mm_pool_stats(&pool, &s);
    uint64_t released;
    ex_check(mm_pool_release_empty(&pool, &released), "release");
    printf("pool: peak %llu blocks in %llu frames (+%llu directory), %llu frames released\n",
           (unsigned long long)s.peak, (unsigned long long)s.frames,
           (unsigned long long)s.dir_frames, (unsigned long long)released);
    ex_check(mm_pool_destroy(&pool), "pool destroy");
}

int main(void)
{
    mm_logger lg = ex_logger(MM_LOG_INFO);
    mm_phys_window w;
    void *ram = ex_ram(EX_RAM, &w);
    mm_entry entries[32];
    mm_map map;
    ex_check(mm_map_init(&map, entries, MM_ARRAY_SIZE(entries)), "map init");
    tour_map(&map, &lg);

    mm_bitmap bm;
    void *bits = ex_bitmap(&bm, &map);
    uint64_t heap_base = tour_bitmap(&bm);

    mm_bitmap_source_ctx sctx;
    mm_frame_source src;
    ex_check(mm_bitmap_source(&bm, w.virt_offset, &sctx, &src), "frame source");
    mm_heap heap;
    tour_heap(&heap, heap_base, &w, &src);
    tour_pool(&src);
    printf("\n");
    print_bitmap(&bm);
    free(bits);
    free(ram);
    return 0;
}
