/* mm_init on random firmware maps and configs. Input: 4 config bytes, a
 * mode byte, then 17-byte E820 records (base and length in 4 KiB units
 * below 32 MiB or raw 64-bit, type). RAM is a 16 MiB host buffer at
 * physical 0. Checks: never crash; only documented statuses; on MM_OK the
 * map validates, heap and bitmap are carved where init says, inside the
 * window, at or above min_heap_addr (heap), the heap allocates and the
 * bitmap hands out only usable frames outside both. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm/init.h"

#define WINDOW  ((uint64_t)16 << 20)
#define MAX_RAW 64

typedef struct __attribute__((packed)) e820 {
    uint64_t base, length;
    uint32_t type;
} e820;

static uint64_t get(const uint8_t **p, size_t *left, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i<n && * left> 0; i++, (*p)++, (*left)--)
        v |= (uint64_t) * *p << (8 * i);
    return v;
}

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_success(mm_ctx *c)
{
    uint64_t gran = c->config.bitmap_granularity;
    check(mm_map_validate(&c->map, gran, NULL) == MM_OK);
    check(mm_map_range_is(&c->map, c->heap_base, c->heap_size, MM_TYPE_BOOT_HEAP));
    check(mm_map_range_is(&c->map, c->bitmap_base, c->bitmap_bytes, MM_TYPE_FRAME_BITMAP));
    check(c->heap_base >= c->config.min_heap_addr);
    check(c->heap_base + c->heap_size <= WINDOW && c->bitmap_base + c->bitmap_bytes <= WINDOW);
    void *p;
    check(mm_heap_alloc(&c->heap, 64, 8, &p) == MM_OK);
    memset(p, 0xa5, 64);
    uint64_t phys;
    for (int i = 0; i < 64 && mm_bitmap_alloc(&c->bitmap, &phys) == MM_OK; i++) {
        check(mm_map_type_at(&c->map, phys) == MM_TYPE_USABLE);
        check(phys - c->heap_base >= c->heap_size);
        check(phys - c->bitmap_base >= c->bitmap_bytes);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char *ram;
    if (!ram && !(ram = aligned_alloc(2 << 20, WINDOW)))
        abort();
    const uint8_t *p = data;
    size_t left = size;
    mm_config cfg;
    mm_config_defaults(&cfg);
    cfg.bitmap_granularity = (uint64_t)4096 << (get(&p, &left, 1) % 4);
    cfg.heap_size = cfg.bitmap_granularity * (1 + get(&p, &left, 1) % 64);
    cfg.min_heap_addr = (get(&p, &left, 1) % 64) * 0x40000;
    cfg.heap_alignment = (uint64_t)1 << (get(&p, &left, 1) % 24);
    mm_boot_mode mode = (mm_boot_mode)(get(&p, &left, 1) % 3);

    e820 raw_entries[MAX_RAW];
    uint32_t n = 0;
    while (left >= 17 && n < MAX_RAW) {
        uint64_t b = get(&p, &left, 8), l = get(&p, &left, 8);
        uint32_t t = (uint32_t)get(&p, &left, 1);
        if (!(t & 0x80)) { /* mostly small, page-granular ranges */
            b = (b % 8192) << 12;
            l = (l % 4096) << 12;
        }
        raw_entries[n++] = (e820){b, l, (t & 7) + 1};
    }
    static mm_entry entries[MAX_RAW * 2 + 16];
    static unsigned char scratch[64 * 1024];
    if (mm_map_sanitize_scratch_size(MM_ARRAY_SIZE(entries)) > sizeof scratch)
        abort();
    mm_init_storage st = {entries,
                          MM_ARRAY_SIZE(entries),
                          scratch,
                          sizeof scratch,
                          {0, WINDOW, (uint64_t)(uintptr_t)ram},
                          NULL,
                          NULL};
    mm_raw_map raw = {raw_entries, n * sizeof(e820), sizeof(e820), 1, WINDOW};
    static mm_ctx ctx;
    mm_status s = mm_init(&ctx, mode, &raw, &cfg, &st, NULL);
    switch (s) {
    case MM_OK:
        check_success(&ctx);
        break;
    case MM_ERR_HEAP_INIT:
    case MM_ERR_BITMAP_INIT:
    case MM_ERR_MAP_FULL:
        break;
    default:
        abort();
    }
    return 0;
}
