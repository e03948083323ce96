#include "mm/heap.h"

/* Rounds a refilled region's base up to where its header may live. */
#define REGION_ALIGN ((uintptr_t) _Alignof(mm_heap_region))

mm_status mm_heap_init(mm_heap *h, void *base, size_t size)
{
    if (!h || !base || size == 0)
        return MM_ERR_INVALID_ARGUMENT;
    uintptr_t b = (uintptr_t)base;
    if (b + size < b || b + size == 0)
        return MM_ERR_OVERFLOW;
    mm_memset(h, 0, sizeof(*h));
    h->first_base = b;
    h->first_end = b + size;
    h->current_start = b;
    h->next = b;
    h->end = b + size;
    h->total_size = size;
    h->regions = 1;
    return MM_OK;
}

mm_status mm_heap_shrink(mm_heap *h, size_t size)
{
    if (!h || h->current || h->chain || size == 0 || size > h->first_end - h->first_base ||
        h->first_base + size < h->next)
        return MM_ERR_INVALID_ARGUMENT;
    h->total_size -= (h->first_end - h->first_base) - size;
    h->first_end = h->first_base + size;
    h->end = h->first_end;
    return MM_OK;
}

static uintptr_t region_data(const mm_heap_region *r)
{
    return (uintptr_t)(r + 1);
}

static uint64_t region_bytes(const mm_heap_region *r)
{
    return r->end - (uintptr_t)r;
}

static uint64_t used_now(const mm_heap *h)
{
    return h->used_before + (h->next - h->current_start);
}

/* The cursor is about to move back: remember how far it got. */
static void record_peak(mm_heap *h)
{
    uint64_t used = used_now(h);
    if (used > h->peak_seen)
        h->peak_seen = used;
}

/* Makes `r` (NULL = the first region) current with the cursor at its
 * first allocatable byte. */
static void enter_region(mm_heap *h, mm_heap_region *r)
{
    uint64_t before = 0;
    if (r) {
        before = h->first_end - h->first_base;
        for (const mm_heap_region *c = h->chain; c != r; c = c->next)
            before += region_bytes(c);
    }
    h->current = r;
    h->used_before = before;
    h->current_start = r ? (uintptr_t)r : h->first_base;
    h->next = r ? region_data(r) : h->first_base;
    h->end = r ? r->end : h->first_end;
}

/* Start of a `size`-byte block aligned to `align` placed at or after
 * `next` and ending at or before `end`; false when it does not fit. */
static bool fit(uintptr_t next, uintptr_t end, size_t size, size_t align, uintptr_t *start)
{
    uintptr_t mask = (uintptr_t)align - 1;
    if (next + mask < next)
        return false;
    uintptr_t s = (next + mask) & ~mask;
    if (s > end || size > end - s)
        return false;
    *start = s;
    return true;
}

static void take(mm_heap *h, uintptr_t start, size_t size, void **out)
{
    h->lost_to_alignment += start - h->next;
    h->allocations++;
    h->next = start + size;
    *out = (void *)start;
}

/* First region after the current one in which the request fits, or NULL. */
static mm_heap_region *attached_fit(const mm_heap *h, size_t size, size_t align)
{
    mm_heap_region *r = h->current ? h->current->next : h->chain;
    uintptr_t start;
    for (; r; r = r->next) {
        if (fit(region_data(r), r->end, size, align, &start))
            return r;
    }
    return NULL;
}

/* Asks the refill callback for a region that surely holds the request and
 * appends it to the chain. */
static mm_status attach_refill(mm_heap *h, size_t size, size_t align, mm_heap_region **out)
{
    size_t overhead = sizeof(mm_heap_region) + (REGION_ALIGN - 1) + (align - 1);
    if (size > SIZE_MAX - overhead)
        return MM_ERR_OVERFLOW;
    size_t min_bytes = size + overhead;
    void *base = NULL;
    size_t got = 0;
    if (h->refill(h->refill_ctx, min_bytes, &base, &got) != MM_OK)
        return MM_ERR_OUT_OF_MEMORY;
    uintptr_t b = (uintptr_t)base;
    /* A region that is NULL, too small or wrapping is a broken callback;
     * the request then fails as if it had refused. */
    if (!base || got < min_bytes || b + got < b || b + got == 0)
        return MM_ERR_OUT_OF_MEMORY;
    mm_heap_region *r = (mm_heap_region *)((b + REGION_ALIGN - 1) & ~(REGION_ALIGN - 1));
    r->next = NULL;
    r->end = b + got;
    mm_heap_region **link = &h->chain;
    while (*link)
        link = &(*link)->next;
    *link = r;
    h->total_size += region_bytes(r);
    h->regions++;
    *out = r;
    return MM_OK;
}

static mm_status check_request(size_t size, size_t align)
{
    if (size == 0 || !mm_is_pow2(align))
        return MM_ERR_INVALID_ARGUMENT;
    /* The aligned start is a non-zero multiple of align, so a size above
     * SIZE_MAX + 1 - align could only end past the address space. */
    if (size > SIZE_MAX - (align - 1))
        return MM_ERR_OVERFLOW;
    return MM_OK;
}

static mm_status alloc_elsewhere(mm_heap *h, size_t size, size_t align, void **out)
{
    uintptr_t start;
    if (fit(h->next, h->end, size, align, &start)) {
        take(h, start, size, out);
        return MM_OK;
    }
    mm_heap_region *r = attached_fit(h, size, align);
    if (!r) {
        if (!h->refill)
            return MM_ERR_OUT_OF_MEMORY;
        mm_status st = attach_refill(h, size, align, &r);
        if (st != MM_OK)
            return st;
    }
    enter_region(h, r);
    if (!fit(h->next, h->end, size, align, &start))
        return MM_ERR_OUT_OF_MEMORY; /* unreachable: r was chosen to fit */
    take(h, start, size, out);
    return MM_OK;
}

mm_status mm_heap_alloc_slow(mm_heap *h, size_t size, size_t align, void **out)
{
    if (!h || !out)
        return MM_ERR_INVALID_ARGUMENT;
    mm_status st = check_request(size, align);
    if (st == MM_OK)
        st = alloc_elsewhere(h, size, align, out);
    if (st != MM_OK)
        h->failures++;
    return st;
}

mm_status mm_heap_alloc_zeroed(mm_heap *h, size_t size, size_t align, void **out)
{
    if (!h || !out)
        return MM_ERR_INVALID_ARGUMENT;
    void *p;
    mm_status st = mm_heap_alloc(h, size, align, &p);
    if (st != MM_OK)
        return st;
    mm_memset(p, 0, size);
    *out = p;
    return MM_OK;
}

void mm_heap_reset(mm_heap *h)
{
    record_peak(h);
    h->generation++;
    enter_region(h, NULL);
}

mm_heap_mark mm_heap_get_mark(const mm_heap *h)
{
    mm_heap_mark m = {h, h->current, h->next, h->generation};
    return m;
}

/* True when `r` is attached strictly before the current region. */
static bool is_before_current(const mm_heap *h, const mm_heap_region *r)
{
    if (!h->current)
        return false;
    if (!r)
        return true;
    for (const mm_heap_region *c = h->chain; c != h->current; c = c->next) {
        if (c == r)
            return true;
    }
    return false;
}

static bool mark_in_reach(const mm_heap *h, mm_heap_mark m)
{
    if (m.region == h->current) {
        uintptr_t data = h->current ? region_data(h->current) : h->first_base;
        return m.pos >= data && m.pos <= h->next;
    }
    if (!is_before_current(h, m.region))
        return false;
    if (!m.region)
        return m.pos >= h->first_base && m.pos <= h->first_end;
    return m.pos >= region_data(m.region) && m.pos <= m.region->end;
}

mm_status mm_heap_rewind(mm_heap *h, mm_heap_mark mark)
{
    if (!h)
        return MM_ERR_INVALID_ARGUMENT;
    if (mark.heap != h)
        return MM_ERR_FOREIGN_POINTER;
    if (mark.generation != h->generation || !mark_in_reach(h, mark))
        return MM_ERR_INVALID_ARGUMENT;
    record_peak(h);
    /* The mark came from this heap, so its region pointer is one of ours. */
    enter_region(h, (mm_heap_region *)(uintptr_t)mark.region);
    h->next = mark.pos;
    return MM_OK;
}

void mm_heap_stats(const mm_heap *h, struct mm_heap_stats *s)
{
    uint64_t used = used_now(h);
    s->size = h->total_size;
    s->used = used;
    s->free = h->total_size - used;
    s->peak = used > h->peak_seen ? used : h->peak_seen;
    s->allocations = h->allocations;
    s->failures = h->failures;
    s->lost_to_alignment = h->lost_to_alignment;
    s->regions = h->regions;
}

void mm_heap_set_refill(mm_heap *h, mm_heap_refill_fn fn, void *ctx)
{
    h->refill = fn;
    h->refill_ctx = fn ? ctx : NULL;
}

mm_status mm_heap_refill_from_source(void *ctx, size_t min_bytes, void **base, size_t *size)
{
    const mm_frame_source *src = (const mm_frame_source *)ctx;
    if (!src || !src->alloc || !mm_is_pow2(src->frame_size) || !base || !size || min_bytes == 0)
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t shift = mm_log2(src->frame_size);
    uint64_t count = ((uint64_t)min_bytes >> shift) + ((min_bytes & (src->frame_size - 1)) != 0);
    if (count > ((uint64_t)SIZE_MAX >> shift))
        return MM_ERR_OVERFLOW;
    void *ptr = NULL;
    uint64_t phys = 0;
    mm_status st = src->alloc(src->ctx, count, &ptr, &phys);
    if (st != MM_OK)
        return st;
    *base = ptr;
    *size = (size_t)(count << shift);
    return MM_OK;
}
