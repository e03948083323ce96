/* mm_map_carve(): retype a range of a sanitized map in place.
 *
 * The entries the range touches (indices [first, last)) are replaced by at
 * most three pieces - the part of the first entry below the range, the
 * range itself, the part of the last entry above it - and the pieces are
 * merged with each other and with the untouched neighbours on both sides.
 * Everything is computed in a small local array before the map changes, so
 * errors leave it untouched. */
#include "mm/memmap.h"

/* Up to: left neighbour, left rest, new range, right rest, right neighbour. */
#define CARVE_MAX_PIECES 5u

typedef struct carve_plan {
    uint32_t first, last; /* entries overlapping the range: [first, last) */
    uint32_t from, to;    /* entries replaced, neighbours included: [from, to) */
    mm_entry piece[CARVE_MAX_PIECES];
    uint32_t pieces;
} carve_plan;

static uint64_t granule(const mm_map *m)
{
    return m->frame_size ? m->frame_size : 1;
}

/* Rounds [*base, *end) inward to the frame size (a usable result must be
 * aligned); false when no whole frame is left. */
static bool round_inward(const mm_map *m, uint64_t *base, uint64_t *end)
{
    uint64_t b, e = mm_align_down(*end, granule(m));
    if (!mm_align_up(*base, granule(m), &b) || b >= e)
        return false;
    *base = b;
    *end = e;
    return true;
}

/* Rounds [*base, *end) outward (retyping more, never less, keeps the usable
 * rest aligned); false when the end would pass 2^64 - 1. */
static bool round_outward(const mm_map *m, uint64_t *base, uint64_t *end)
{
    *base = mm_align_down(*base, granule(m));
    return mm_align_up(*end, granule(m), end);
}

/* First index whose entry ends above `addr` (count if none). */
static uint32_t first_ending_above(const mm_map *m, uint64_t addr)
{
    uint32_t lo = 0, hi = m->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (mm_entry_end(&m->entries[mid]) <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool all_usable(const mm_map *m, uint32_t first, uint32_t last, uint64_t base, uint64_t end)
{
    uint64_t covered = base;
    for (uint32_t i = first; i < last; i++) {
        const mm_entry *e = &m->entries[i];
        if (e->type != MM_TYPE_USABLE || e->base > covered)
            return false;
        covered = mm_entry_end(e);
    }
    return covered >= end;
}

static void add_piece(carve_plan *p, mm_entry e)
{
    if (e.length == 0)
        return;
    if (p->pieces > 0 && mm_entries_mergeable(&p->piece[p->pieces - 1], &e)) {
        p->piece[p->pieces - 1].length += e.length;
        return;
    }
    p->piece[p->pieces++] = e;
}

static void plan(const mm_map *m, carve_plan *p, uint64_t base, uint64_t end, mm_type type)
{
    p->first = first_ending_above(m, base);
    p->last = p->first;
    while (p->last < m->count && m->entries[p->last].base < end)
        p->last++;
    p->from = p->first > 0 ? p->first - 1 : p->first;
    p->to = p->last < m->count ? p->last + 1 : p->last;
    p->pieces = 0;

    uint64_t attrs = 0;
    if (p->first < p->last && m->entries[p->first].base <= base)
        attrs = m->entries[p->first].attributes;
    if (p->from < p->first)
        add_piece(p, m->entries[p->from]);
    if (p->first < p->last && m->entries[p->first].base < base) {
        mm_entry left = m->entries[p->first];
        left.length = base - left.base;
        add_piece(p, left);
    }
    add_piece(p, (mm_entry){base, end - base, (uint32_t)type, 0, attrs});
    if (p->first < p->last && mm_entry_end(&m->entries[p->last - 1]) > end) {
        mm_entry right = m->entries[p->last - 1];
        right.length = mm_entry_end(&right) - end;
        right.base = end;
        add_piece(p, right);
    }
    if (p->last < p->to)
        add_piece(p, m->entries[p->last]);
}

static void apply(mm_map *m, const carve_plan *p)
{
    uint32_t removed = p->to - p->from;
    uint32_t tail = m->count - p->to;
    uint32_t dst = p->from + p->pieces;
    /* Move the tail first when it moves up, last when it moves down. */
    if (p->pieces > removed) {
        for (uint32_t k = tail; k-- > 0;)
            m->entries[dst + k] = m->entries[p->to + k];
    } else {
        for (uint32_t k = 0; k < tail; k++)
            m->entries[dst + k] = m->entries[p->to + k];
    }
    for (uint32_t k = 0; k < p->pieces; k++)
        m->entries[p->from + k] = p->piece[k];
    m->count = m->count - removed + p->pieces;
}

mm_status mm_map_carve(mm_map *m, uint64_t base, uint64_t length, mm_type new_type,
                       mm_carve_flags flags)
{
    uint64_t end;
    if (!m || length == 0 || new_type == MM_TYPE_NONE || (uint32_t)new_type >= MM_TYPE_COUNT ||
        ((uint32_t)flags & ~(uint32_t)MM_CARVE_ANY_TYPE) ||
        (m->frame_size != 0 && !mm_is_pow2(m->frame_size)))
        return MM_ERR_INVALID_ARGUMENT;
    if (!mm_range_end(base, length, &end))
        return MM_ERR_OVERFLOW;
    if (new_type == MM_TYPE_USABLE && !round_inward(m, &base, &end))
        return MM_ERR_INVALID_ARGUMENT;
    if (new_type != MM_TYPE_USABLE && !round_outward(m, &base, &end))
        return MM_ERR_OVERFLOW;

    carve_plan p;
    plan(m, &p, base, end, new_type);
    if (!(flags & MM_CARVE_ANY_TYPE) && !all_usable(m, p.first, p.last, base, end))
        return MM_ERR_NOT_USABLE;
    if (m->count - (p.to - p.from) + p.pieces > m->capacity)
        return MM_ERR_MAP_FULL;
    apply(m, &p);
    return MM_OK;
}
