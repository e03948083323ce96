/* Allocation tracking and profiling for DEBUG=1 builds.
 *
 * A tracker counts allocations per (allocator kind, tag) in slots the
 * caller provides: how many allocations and frees, bytes live now, the
 * peak of live bytes and the total ever allocated. A tag names the call
 * site or purpose ("handoff", "page tables", "kernel.c:42"); tags are
 * compared by content, so the same literal from different files is one
 * site, and the tracker keeps the pointer (tags must outlive it: string
 * literals).
 *
 * When every slot is taken, further sites are counted in an "overflow"
 * slot of their kind, so no allocation goes unrecorded; the report says
 * how many operations landed there.
 *
 * The code is always compiled; loaders and the kernel call it through the
 * MM_TRACK_* macros below, which vanish unless built with DEBUG=1
 * (MM_DEBUG=1). */
#ifndef MM_TRACK_H
#define MM_TRACK_H

#include "mm/log.h"

typedef enum mm_alloc_kind {
    MM_ALLOC_HEAP = 0, /* boot heap (bump allocator) */
    MM_ALLOC_POOL,     /* fixed-size block pools */
    MM_ALLOC_BITMAP,   /* physical frames from the frame bitmap */
    MM_ALLOC_OTHER,
    MM_ALLOC_KIND_COUNT
} mm_alloc_kind;

/* Counters of one (kind, tag) site. Bytes are what the caller asked for. */
typedef struct mm_track_slot {
    const char *tag; /* NULL: slot unused */
    mm_alloc_kind kind;
    uint64_t allocs;      /* allocation calls */
    uint64_t frees;       /* free calls */
    uint64_t live_bytes;  /* allocated and not yet freed */
    uint64_t peak_bytes;  /* highest live_bytes seen */
    uint64_t total_bytes; /* everything ever allocated */
} mm_track_slot;

typedef struct mm_tracker {
    mm_track_slot *slots; /* caller storage, `capacity` entries */
    uint32_t capacity;
    uint32_t used;                               /* slots in use */
    mm_track_slot overflow[MM_ALLOC_KIND_COUNT]; /* sites that found no free slot */
    mm_track_slot totals[MM_ALLOC_KIND_COUNT];   /* per kind, true peak of the kind */
    uint64_t overflow_ops;                       /* allocs + frees recorded in overflow */
    uint64_t unmatched_frees;                    /* frees with no matching live bytes */
} mm_tracker;

/* Sets up *t over `slots` (`capacity` entries; capacity 0 is allowed and
 * sends everything to the overflow slot). Returns MM_ERR_INVALID_ARGUMENT
 * when t is NULL or slots is NULL with capacity > 0. */
mm_status mm_track_init(mm_tracker *t, mm_track_slot *slots, uint32_t capacity);

/* Records an allocation of `bytes` at site (kind, tag). A NULL tag counts
 * as "(untagged)". Returns MM_OK (also when the site went to overflow) or
 * MM_ERR_INVALID_ARGUMENT (NULL t, kind out of range). */
mm_status mm_track_alloc(mm_tracker *t, mm_alloc_kind kind, const char *tag, uint64_t bytes);

/* Records a free of `bytes` at site (kind, tag). Returns MM_OK, or
 * MM_ERR_NOT_FOUND when the site never allocated, or MM_ERR_DOUBLE_FREE when
 * it frees more than it has live (then live bytes go to zero); both count
 * in unmatched_frees. Sites without a slot match their kind's overflow. */
mm_status mm_track_free(mm_tracker *t, mm_alloc_kind kind, const char *tag, uint64_t bytes);

/* Counters of everything of one kind (slots and overflow) into *out; its
 * peak is the highest live total of the kind, not a sum of site peaks.
 * Zeroes *out for a NULL tracker or a kind out of range. */
void mm_track_totals(const mm_tracker *t, mm_alloc_kind kind, mm_track_slot *out);

/* "heap", "pool", "bitmap", "other"; "?" otherwise. */
const char *mm_alloc_kind_name(mm_alloc_kind kind);

/* Logs the profile at INFO: one line per site, ordered as first seen, then
 * per-kind totals, then the overflow slot and unmatched frees (WARN) if any. */
void mm_track_report(const mm_tracker *t, const mm_logger *lg);

#if MM_DEBUG
#define MM_TRACK_ALLOC(t, kind, tag, bytes) ((void)mm_track_alloc((t), (kind), (tag), (bytes)))
#define MM_TRACK_FREE(t, kind, tag, bytes)  ((void)mm_track_free((t), (kind), (tag), (bytes)))
#else
#define MM_TRACK_ALLOC(t, kind, tag, bytes) ((void)sizeof(t))
#define MM_TRACK_FREE(t, kind, tag, bytes)  ((void)sizeof(t))
#endif

#endif
