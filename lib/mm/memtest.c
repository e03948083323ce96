#include "mm/memtest.h"

bool mm_window_contains(const mm_phys_window *w, uint64_t phys, uint64_t len)
{
    uint64_t end;
    if (!w || len == 0 || !mm_range_end(phys, len, &end))
        return false;
    if (phys < w->base || (w->end != 0 && end > w->end))
        return false;
    /* The last byte's pointer must be representable (i386: below 4 GiB). */
    uint64_t last_ptr = end - 1 + w->virt_offset;
    return last_ptr >= phys + w->virt_offset && last_ptr <= (uint64_t)UINTPTR_MAX;
}

mm_status mm_memtest_init(mm_memtest *t, const mm_phys_window *window, uint64_t frame_size)
{
    if (!t || !window || !mm_is_pow2(frame_size) || frame_size < MM_FRAME_SIZE_DEFAULT)
        return MM_ERR_INVALID_ARGUMENT;
    t->window = *window;
    t->frame_size = frame_size;
    t->filter = NULL;
    t->filter_ctx = NULL;
    mm_memset(&t->result, 0, sizeof t->result);
    return MM_OK;
}

typedef enum pattern { PAT_FIVES, PAT_AS, PAT_WALKING_ONES, PAT_ADDRESS, PAT_COUNT } pattern;

static uint32_t pattern_word(pattern p, uint64_t phys, uint32_t index)
{
    switch (p) {
    case PAT_FIVES:
        return 0x55555555u;
    case PAT_AS:
        return 0xAAAAAAAAu;
    case PAT_WALKING_ONES:
        return (uint32_t)1 << (index & 31);
    default:
        return (uint32_t)phys ^ (uint32_t)(phys >> 32);
    }
}

/* Writes pattern `p` over the frame at `phys`, reads it back; false at the
 * first mismatch. */
static bool frame_passes(const mm_memtest *t, uint64_t phys, pattern p)
{
    volatile uint32_t *w = mm_window_ptr(&t->window, phys);
    uint32_t words = (uint32_t)(t->frame_size >> 2);
    for (uint32_t i = 0; i < words; i++)
        w[i] = pattern_word(p, phys + ((uint64_t)i << 2), i);
    for (uint32_t i = 0; i < words; i++) {
        uint64_t a = phys + ((uint64_t)i << 2);
        uint32_t v = w[i];
        if (t->filter)
            v = t->filter(t->filter_ctx, a, v);
        if (v != pattern_word(p, a, i))
            return false;
    }
    return true;
}

static bool frame_ok(const mm_memtest *t, uint64_t phys)
{
    for (int p = 0; p < PAT_COUNT; p++) {
        if (!frame_passes(t, phys, (pattern)p))
            return false;
    }
    return true;
}

static void record_bad(mm_memtest *t, uint64_t frame)
{
    if (t->result.bad_frames == 0 || frame < t->result.first_bad)
        t->result.first_bad = frame;
    t->result.bad_frames++;
    t->result.bad_bytes += t->frame_size;
}

mm_status mm_memtest_range(mm_memtest *t, uint64_t base, uint64_t length, mm_memtest_bad_fn bad,
                           void *bad_ctx)
{
    if (!t || length == 0 || ((base | length) & (t->frame_size - 1)))
        return MM_ERR_INVALID_ARGUMENT;
    if (!mm_window_contains(&t->window, base, length))
        return MM_ERR_OUT_OF_RANGE;
    uint64_t failed = 0;
    for (uint64_t off = 0; off < length; off += t->frame_size) {
        t->result.bytes_tested += t->frame_size;
        if (frame_ok(t, base + off))
            continue;
        record_bad(t, base + off);
        failed++;
        if (bad)
            bad(bad_ctx, base + off);
    }
    return failed ? MM_ERR_MEMTEST_FAILED : MM_OK;
}

/* The first usable byte range of `map` at or after `from`, clipped to the
 * window: [*base, *end). False when there is none. */
static bool next_usable(const mm_map *map, const mm_phys_window *w, uint64_t from, uint64_t *base,
                        uint64_t *end)
{
    if (from < w->base)
        from = w->base;
    for (uint32_t i = 0; i < map->count; i++) {
        const mm_entry *e = &map->entries[i];
        uint64_t e_end = mm_entry_end(e);
        if (e->type != MM_TYPE_USABLE || e_end <= from)
            continue;
        uint64_t b = e->base > from ? e->base : from;
        uint64_t x = (w->end != 0 && w->end < e_end) ? w->end : e_end;
        if (b >= x)
            return false; /* sorted: everything after is beyond the window */
        *base = b;
        *end = x;
        return true;
    }
    return false;
}

/* Tests one frame and marks it when bad. Returns MM_OK (passed),
 * MM_ERR_MEMTEST_FAILED (failed and marked: the map changed), or the status
 * of a carve that failed. */
static mm_status test_and_mark(mm_memtest *t, mm_map *map, mm_bitmap *bm, const mm_logger *lg,
                               uint64_t frame)
{
    t->result.bytes_tested += t->frame_size;
    if (frame_ok(t, frame))
        return MM_OK;
    record_bad(t, frame);
    mm_log(lg, MM_LOG_WARN, "memtest: bad frame at %#llx, marked bad", (unsigned long long)frame);
    mm_status st = mm_map_carve(map, frame, t->frame_size, MM_TYPE_BAD, MM_CARVE_ANY_TYPE);
    if (st != MM_OK) {
        mm_log(lg, MM_LOG_ERROR, "memtest: cannot mark %#llx bad in the map: %s",
               (unsigned long long)frame, mm_strerror(st));
        return st;
    }
    if (bm)
        mm_bitmap_reserve(bm, frame, t->frame_size);
    return MM_ERR_MEMTEST_FAILED;
}

/* Tests the free frames of [base, end) from *cursor on; stops early (with
 * *cursor after the frame) when a bad frame changed the map. */
static mm_status test_usable_range(mm_memtest *t, mm_map *map, mm_bitmap *bm, const mm_logger *lg,
                                   uint64_t base, uint64_t end, uint64_t *cursor)
{
    uint64_t frame;
    if (!mm_align_up(base, t->frame_size, &frame))
        return MM_OK;
    for (; frame < end && end - frame >= t->frame_size; frame += t->frame_size) {
        *cursor = frame + t->frame_size;
        if (!mm_window_contains(&t->window, frame, t->frame_size))
            break; /* the rest of the range is out of reach too */
        if (bm && !mm_bitmap_is_free(bm, frame))
            continue;
        mm_status st = test_and_mark(t, map, bm, lg, frame);
        if (st != MM_OK)
            return st;
    }
    *cursor = end;
    return MM_OK;
}

mm_status mm_memtest_map(mm_memtest *t, mm_map *map, mm_bitmap *bm, const mm_logger *lg)
{
    if (!t || !map || map->frame_size != t->frame_size)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t before_bad = t->result.bad_frames, before_bytes = t->result.bytes_tested;
    uint64_t cursor = 0, base, end;
    /* A bad frame is carved out of the map, so after one the next usable
     * range is looked up again from the cursor. */
    while (next_usable(map, &t->window, cursor, &base, &end)) {
        uint64_t prev = cursor;
        mm_status st = test_usable_range(t, map, bm, lg, base, end, &cursor);
        if (st != MM_OK && st != MM_ERR_MEMTEST_FAILED)
            return st;
        if (cursor <= prev || cursor == 0)
            break; /* no progress: the range ended at the top of the address space */
    }
    uint64_t bad = t->result.bad_frames - before_bad;
    char tested[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(tested, sizeof tested, t->result.bytes_tested - before_bytes);
    mm_log(lg, bad ? MM_LOG_WARN : MM_LOG_INFO, "memtest: tested %s, %llu bad frames", tested,
           (unsigned long long)bad);
    return bad ? MM_ERR_MEMTEST_FAILED : MM_OK;
}
