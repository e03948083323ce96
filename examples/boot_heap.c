/* Boot heap: a bump allocator. Shows aligned allocations, zeroed memory,
 * mark/rewind for scratch work, running out, continuing in a refilled
 * region, reset, and the statistics. */
#include <string.h>

#include "example.h"

static void print_stats(const mm_heap *h)
{
    struct mm_heap_stats s;
    mm_heap_stats(h, &s);
    printf("  stats: size %llu, used %llu, free %llu, peak %llu, %llu allocations, "
           "%llu failures, %llu bytes lost to alignment, %u regions\n",
           (unsigned long long)s.size, (unsigned long long)s.used, (unsigned long long)s.free,
           (unsigned long long)s.peak, (unsigned long long)s.allocations,
           (unsigned long long)s.failures, (unsigned long long)s.lost_to_alignment, s.regions);
}

/* Refill: hands out one more 64 KiB region, once. */
static mm_status refill_once(void *ctx, size_t min_bytes, void **base, size_t *size)
{
    void **spare = ctx;
    if (!*spare || min_bytes > 64 * 1024)
        return MM_ERR_OUT_OF_MEMORY;
    *base = *spare;
    *size = 64 * 1024;
    *spare = NULL;
    return MM_OK;
}

int main(void)
{
    size_t size = 64 * 1024;
    void *region = aligned_alloc(4096, size);
    mm_heap h;
    ex_check(mm_heap_init(&h, region, size), "heap init");
    printf("heap over a 64 KiB region at %p\n", region);

    void *p;
    static const size_t aligns[] = {1, 8, 64, 4096};
    for (size_t i = 0; i < MM_ARRAY_SIZE(aligns); i++) {
        ex_check(mm_heap_alloc(&h, 100, aligns[i], &p), "alloc");
        printf("  100 bytes aligned to %-4zu -> offset %5zu\n", aligns[i],
               (size_t)((char *)p - (char *)region));
    }
    ex_check(mm_heap_alloc_zeroed(&h, 256, 16, &p), "alloc zeroed");
    printf("  256 zeroed bytes, first byte %d\n", ((unsigned char *)p)[0]);
    print_stats(&h);

    printf("scratch work between a mark and a rewind:\n");
    mm_heap_mark mark = mm_heap_get_mark(&h);
    for (int i = 0; i < 10; i++)
        ex_check(mm_heap_alloc(&h, 1000, 8, &p), "scratch alloc");
    print_stats(&h);
    ex_check(mm_heap_rewind(&h, mark), "rewind");
    print_stats(&h);

    printf("a 100 KiB request does not fit: %s\n",
           mm_status_name(mm_heap_alloc(&h, 100 * 1024, 8, &p)));
    void *spare = aligned_alloc(4096, 64 * 1024);
    void *spare_owned = spare;
    mm_heap_set_refill(&h, refill_once, &spare);
    printf("with a refill, 40 KiB, 30 KiB: ");
    mm_status s1 = mm_heap_alloc(&h, 40 * 1024, 8, &p);
    mm_status s2 = mm_heap_alloc(&h, 30 * 1024, 8, &p);
    printf("%s, %s\n", mm_status_name(s1), mm_status_name(s2));
    print_stats(&h);

    mm_heap_reset(&h);
    printf("after reset:\n");
    print_stats(&h);
    free(spare_owned);
    free(region);
    return 0;
}
