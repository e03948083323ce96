#include "mm/track.h"

static const char *const kind_names[MM_ALLOC_KIND_COUNT] = {
    [MM_ALLOC_HEAP] = "heap",
    [MM_ALLOC_POOL] = "pool",
    [MM_ALLOC_BITMAP] = "bitmap",
    [MM_ALLOC_OTHER] = "other",
};

static const char untagged[] = "(untagged)";
static const char overflow_tag[] = "(overflow)";

const char *mm_alloc_kind_name(mm_alloc_kind kind)
{
    if ((unsigned)kind >= MM_ALLOC_KIND_COUNT)
        return "?";
    return kind_names[kind];
}

static void slot_clear(mm_track_slot *s)
{
    mm_memset(s, 0, sizeof *s);
}

mm_status mm_track_init(mm_tracker *t, mm_track_slot *slots, uint32_t capacity)
{
    if (!t || (!slots && capacity > 0))
        return MM_ERR_INVALID_ARGUMENT;
    t->slots = slots;
    t->capacity = capacity;
    t->used = 0;
    for (uint32_t i = 0; i < capacity; i++)
        slot_clear(&slots[i]);
    for (unsigned k = 0; k < MM_ALLOC_KIND_COUNT; k++) {
        slot_clear(&t->overflow[k]);
        t->overflow[k].tag = overflow_tag;
        t->overflow[k].kind = (mm_alloc_kind)k;
        slot_clear(&t->totals[k]);
        t->totals[k].kind = (mm_alloc_kind)k;
    }
    t->overflow_ops = 0;
    t->unmatched_frees = 0;
    return MM_OK;
}

/* The slot of (kind, tag), or NULL when it has none yet. */
static mm_track_slot *find_slot(mm_tracker *t, mm_alloc_kind kind, const char *tag)
{
    for (uint32_t i = 0; i < t->used; i++) {
        if (t->slots[i].kind == kind && mm_str_eq(t->slots[i].tag, tag))
            return &t->slots[i];
    }
    return NULL;
}

/* A new slot for (kind, tag), or NULL when storage is full. */
static mm_track_slot *claim_slot(mm_tracker *t, mm_alloc_kind kind, const char *tag)
{
    if (t->used == t->capacity)
        return NULL;
    mm_track_slot *s = &t->slots[t->used++];
    s->tag = tag;
    s->kind = kind;
    return s;
}

/* The kind's overflow slot standing in for a site that has no slot. */
static mm_track_slot *use_overflow(mm_tracker *t, mm_alloc_kind kind)
{
    t->overflow_ops++;
    return &t->overflow[kind];
}

static bool args_ok(const mm_tracker *t, mm_alloc_kind kind)
{
    return t && (unsigned)kind < MM_ALLOC_KIND_COUNT;
}

static void count_alloc(mm_track_slot *s, uint64_t bytes)
{
    s->allocs++;
    s->live_bytes += bytes;
    s->total_bytes += bytes;
    if (s->live_bytes > s->peak_bytes)
        s->peak_bytes = s->live_bytes;
}

/* Takes `bytes` off s; returns how many were live (all of them unless the
 * free is for more than was allocated). */
static uint64_t count_free(mm_track_slot *s, uint64_t bytes)
{
    uint64_t taken = bytes < s->live_bytes ? bytes : s->live_bytes;
    s->frees++;
    s->live_bytes -= taken;
    return taken;
}

mm_status mm_track_alloc(mm_tracker *t, mm_alloc_kind kind, const char *tag, uint64_t bytes)
{
    if (!args_ok(t, kind))
        return MM_ERR_INVALID_ARGUMENT;
    tag = tag ? tag : untagged;
    mm_track_slot *s = find_slot(t, kind, tag);
    if (!s)
        s = claim_slot(t, kind, tag);
    if (!s)
        s = use_overflow(t, kind);
    count_alloc(s, bytes);
    count_alloc(&t->totals[kind], bytes);
    return MM_OK;
}

mm_status mm_track_free(mm_tracker *t, mm_alloc_kind kind, const char *tag, uint64_t bytes)
{
    if (!args_ok(t, kind))
        return MM_ERR_INVALID_ARGUMENT;
    mm_track_slot *s = find_slot(t, kind, tag ? tag : untagged);
    if (!s && t->overflow[kind].allocs > 0)
        s = use_overflow(t, kind);
    if (!s) {
        t->unmatched_frees++;
        return MM_ERR_NOT_FOUND;
    }
    uint64_t taken = count_free(s, bytes);
    t->totals[kind].frees++;
    t->totals[kind].live_bytes -= taken;
    if (taken < bytes) {
        t->unmatched_frees++;
        return MM_ERR_DOUBLE_FREE;
    }
    return MM_OK;
}

void mm_track_totals(const mm_tracker *t, mm_alloc_kind kind, mm_track_slot *out)
{
    if (!args_ok(t, kind)) {
        slot_clear(out);
        return;
    }
    *out = t->totals[kind];
}

static void report_row(const mm_logger *lg, mm_log_level level, const char *kind,
                       const mm_track_slot *s)
{
    char live[MM_FMT_BYTES_MAX], peak[MM_FMT_BYTES_MAX], total[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(live, sizeof live, s->live_bytes);
    mm_fmt_bytes(peak, sizeof peak, s->peak_bytes);
    mm_fmt_bytes(total, sizeof total, s->total_bytes);
    mm_log(lg, level, "%-6s %-24s %8llu %8llu %11s %11s %11s", kind, s->tag ? s->tag : "(all)",
           (unsigned long long)s->allocs, (unsigned long long)s->frees, live, peak, total);
}

void mm_track_report(const mm_tracker *t, const mm_logger *lg)
{
    if (!t || !mm_log_enabled(lg, MM_LOG_INFO))
        return;
    mm_log(lg, MM_LOG_INFO, "allocation profile: %u sites", t->used);
    mm_log(lg, MM_LOG_INFO, "%-6s %-24s %8s %8s %11s %11s %11s", "kind", "site", "allocs", "frees",
           "live", "peak", "total");
    for (uint32_t i = 0; i < t->used; i++)
        report_row(lg, MM_LOG_INFO, mm_alloc_kind_name(t->slots[i].kind), &t->slots[i]);
    for (unsigned k = 0; k < MM_ALLOC_KIND_COUNT; k++) {
        if (t->totals[k].allocs > 0)
            report_row(lg, MM_LOG_INFO, mm_alloc_kind_name((mm_alloc_kind)k), &t->totals[k]);
    }
    if (t->overflow_ops > 0) {
        mm_log(lg, MM_LOG_WARN,
               "allocation profile: %llu operations at sites beyond the %u slots (overflow)",
               (unsigned long long)t->overflow_ops, t->capacity);
        for (unsigned k = 0; k < MM_ALLOC_KIND_COUNT; k++) {
            if (t->overflow[k].allocs > 0)
                report_row(lg, MM_LOG_WARN, mm_alloc_kind_name((mm_alloc_kind)k), &t->overflow[k]);
        }
    }
    if (t->unmatched_frees > 0)
        mm_log(lg, MM_LOG_WARN, "allocation profile: %llu frees without a matching allocation",
               (unsigned long long)t->unmatched_frees);
}
