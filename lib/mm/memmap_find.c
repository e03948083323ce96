/* mm_map_find(): a free, aligned range inside bounds, over runs of adjacent
 * usable entries (neighbours that differ only in attributes stay separate
 * entries in a sanitized map but are one stretch of RAM). */
#include "mm/memmap.h"

typedef struct run {
    uint64_t base, end;
} run;

static bool is_usable(const mm_entry *e)
{
    return e->type == MM_TYPE_USABLE;
}

/* Run of usable entries starting at index *i (which must be usable);
 * advances *i past it. */
static run run_forward(const mm_map *m, uint32_t *i)
{
    run r = {m->entries[*i].base, mm_entry_end(&m->entries[*i])};
    for ((*i)++; *i < m->count && is_usable(&m->entries[*i]) && m->entries[*i].base == r.end;
         (*i)++)
        r.end = mm_entry_end(&m->entries[*i]);
    return r;
}

/* Run of usable entries ending at index *i - 1 (which must be usable);
 * moves *i down to the run's first index. */
static run run_backward(const mm_map *m, uint32_t *i)
{
    (*i)--;
    run r = {m->entries[*i].base, mm_entry_end(&m->entries[*i])};
    while (*i > 0 && is_usable(&m->entries[*i - 1]) && mm_entry_end(&m->entries[*i - 1]) == r.base)
        r.base = m->entries[--(*i)].base;
    return r;
}

/* Clips a run to [min, max); false when nothing of `size` bytes is left. */
static bool clip(run *r, uint64_t size, uint64_t min, uint64_t max)
{
    if (r->base < min)
        r->base = min;
    if (r->end > max)
        r->end = max;
    return r->base < r->end && r->end - r->base >= size;
}

static bool fit_low(run r, uint64_t size, uint64_t align, uint64_t *out)
{
    uint64_t at;
    if (!mm_align_up(r.base, align, &at) || at >= r.end || r.end - at < size)
        return false;
    *out = at;
    return true;
}

static bool fit_high(run r, uint64_t size, uint64_t align, uint64_t *out)
{
    uint64_t at = mm_align_down(r.end - size, align);
    if (at < r.base)
        return false;
    *out = at;
    return true;
}

mm_status mm_map_find(const mm_map *m, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                      mm_find_flags flags, uint64_t *out)
{
    if (!m || !out || size == 0 || !mm_is_pow2(align) || min >= max ||
        ((uint32_t)flags & ~(uint32_t)MM_FIND_TOP_DOWN))
        return MM_ERR_INVALID_ARGUMENT;
    if (flags & MM_FIND_TOP_DOWN) {
        for (uint32_t i = m->count; i > 0;) {
            if (!is_usable(&m->entries[i - 1])) {
                i--;
                continue;
            }
            run r = run_backward(m, &i);
            if (clip(&r, size, min, max) && fit_high(r, size, align, out))
                return MM_OK;
        }
        return MM_ERR_NOT_FOUND;
    }
    for (uint32_t i = 0; i < m->count;) {
        if (!is_usable(&m->entries[i])) {
            i++;
            continue;
        }
        run r = run_forward(m, &i);
        if (clip(&r, size, min, max) && fit_low(r, size, align, out))
            return MM_OK;
    }
    return MM_ERR_NOT_FOUND;
}
