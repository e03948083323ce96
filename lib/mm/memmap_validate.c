/* mm_map_validate(): the invariants of a sanitized map, entry by entry. */
#include "mm/memmap.h"

static const char *const rule_names[MM_RULE_COUNT] = {
    [MM_RULE_NONE] = "none",
    [MM_RULE_BAD_TYPE] = "bad-type",
    [MM_RULE_EMPTY] = "empty",
    [MM_RULE_WRAPS] = "wraps",
    [MM_RULE_UNSORTED] = "unsorted",
    [MM_RULE_OVERLAP] = "overlap",
    [MM_RULE_NOT_MERGED] = "not-merged",
    [MM_RULE_USABLE_UNALIGNED] = "usable-unaligned",
};

const char *mm_validate_rule_name(mm_validate_rule rule)
{
    if ((uint32_t)rule >= MM_RULE_COUNT)
        return "unknown";
    return rule_names[rule];
}

/* Rules an entry breaks on its own as a range (type, empty, wrap). */
static mm_validate_rule rule_range(const mm_entry *e)
{
    uint64_t end;
    if (e->type == MM_TYPE_NONE || e->type >= MM_TYPE_COUNT)
        return MM_RULE_BAD_TYPE;
    if (e->length == 0)
        return MM_RULE_EMPTY;
    if (!mm_range_end(e->base, e->length, &end))
        return MM_RULE_WRAPS;
    return MM_RULE_NONE;
}

/* Against the predecessor, which is assumed to pass rule_range(). */
static mm_validate_rule rule_pair(const mm_entry *prev, const mm_entry *e)
{
    if (e->base < prev->base)
        return MM_RULE_UNSORTED;
    if (e->base < mm_entry_end(prev))
        return MM_RULE_OVERLAP;
    if (mm_entries_mergeable(prev, e))
        return MM_RULE_NOT_MERGED;
    return MM_RULE_NONE;
}

mm_validate_rule mm_map_entry_rule(const mm_map *m, uint32_t index, uint64_t frame_size)
{
    if (!m || index >= m->count || !mm_is_pow2(frame_size))
        return MM_RULE_NONE;
    const mm_entry *e = &m->entries[index];
    mm_validate_rule r = rule_range(e);
    if (r != MM_RULE_NONE)
        return r;
    /* A predecessor that is not a valid range is reported on its own index;
     * pairing with it would only repeat that. */
    if (index > 0 && rule_range(e - 1) == MM_RULE_NONE)
        r = rule_pair(e - 1, e);
    if (r == MM_RULE_NONE && e->type == MM_TYPE_USABLE &&
        ((e->base | e->length) & (frame_size - 1)))
        r = MM_RULE_USABLE_UNALIGNED;
    return r;
}

mm_status mm_map_validate(const mm_map *m, uint64_t frame_size, mm_validate_error *err)
{
    if (!m || m->count > m->capacity || (!m->entries && m->count > 0) || !mm_is_pow2(frame_size))
        return MM_ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < m->count; i++) {
        mm_validate_rule r = mm_map_entry_rule(m, i, frame_size);
        if (r != MM_RULE_NONE) {
            if (err)
                *err = (mm_validate_error){i, r};
            return MM_ERR_MAP_INVALID;
        }
    }
    if (err)
        *err = (mm_validate_error){0, MM_RULE_NONE};
    return MM_OK;
}
