/* Boot heap: a bump allocator over one or more caller-provided regions.
 *
 * The loader runs it over the boot heap carved out of the memory map; the
 * kernel runs the same code over the 1 MiB temporary heap named in the
 * handoff. Allocation moves a cursor forward; there is no per-object free.
 * Memory comes back in bulk: mm_heap_rewind() releases everything allocated
 * after a mark (scratch state, LIFO) and mm_heap_reset() empties the heap.
 *
 * Multiple regions: when a request does not fit and a refill callback is
 * set, the heap asks it for a new region and continues there. Refilled
 * regions stay attached for the heap's lifetime: a reset or rewind moves
 * the cursor back, and later allocations walk forward through the already
 * attached regions (in the order they were obtained) before the callback
 * is asked again, so reset/refill cycles do not leak regions. The heap never
 * hands a region back; whoever owns the refill's memory (e.g. the frame
 * bitmap) keeps it allocated.
 *
 * Recovery from allocation failure, in the order a caller should try it:
 *   1. set a refill (mm_heap_refill_from_source() over the frame bitmap's
 *      source) so exhaustion of one region is not fatal;
 *   2. bracket scratch work with mm_heap_get_mark()/mm_heap_rewind(), or
 *      mm_heap_reset() once the heap's contents are no longer needed;
 *   3. free frames elsewhere (mm_pool_release_empty()) so the refill can
 *      succeed, and retry.
 * A failed allocation leaves the heap exactly as it was (except the failure
 * counter), so retrying after any of these steps is safe.
 *
 * Complexity: allocation O(1) on the inline fast path, O(regions) on the
 * out-of-line slow path (moving on to the next region, refill); mark O(1),
 * rewind O(regions), reset O(1). Not thread-safe: one heap, one user. */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include "mm/base.h"
#include "mm/source.h"

/* Asks for a new region of at least `min_bytes` bytes. On MM_OK stores its
 * start in *base and its size in bytes (>= min_bytes) in *size; the memory
 * must stay valid and unused by anyone else for the heap's lifetime. Any
 * other status refuses, and the allocation that needed it fails. */
typedef mm_status (*mm_heap_refill_fn)(void *ctx, size_t min_bytes, void **base, size_t *size);

/* Header at the start of every refilled region (the first region has none:
 * its bounds live in mm_heap so that all of its bytes are allocatable). */
typedef struct mm_heap_region {
    struct mm_heap_region *next; /* region attached after this one, or NULL */
    uintptr_t end;               /* one past the region's last byte */
} mm_heap_region;

/* All heap state; treat as opaque (fields may change). */
typedef struct mm_heap {
    /* hot: used by the inline fast path. The two counters are kept apart
     * on purpose: adjacent, the compiler merges their updates into one
     * vector read-modify-write that stalls on store forwarding and makes
     * the fast path 2x slower. */
    uintptr_t next; /* first free byte in the current region */
    uintptr_t end;  /* end of the current region */
    uint64_t allocations;
    uintptr_t first_base;
    uint64_t lost_to_alignment;
    /* region bookkeeping */
    uintptr_t first_end;
    mm_heap_region *chain;   /* refilled regions in attach order */
    mm_heap_region *current; /* NULL while in the first region */
    uintptr_t current_start; /* first byte of the current region (its header) */
    uint64_t used_before;    /* bytes of all regions before the current one */
    uint64_t total_size;     /* bytes of all attached regions */
    uint64_t peak_seen;      /* peak `used` recorded before cursor moves back */
    uint64_t failures;
    uint32_t regions;
    uint32_t generation; /* bumped by reset: older marks become stale */
    mm_heap_refill_fn refill;
    void *refill_ctx;
} mm_heap;

/* A position in a heap, from mm_heap_get_mark(). */
typedef struct mm_heap_mark {
    const mm_heap *heap;
    const mm_heap_region *region; /* NULL for the first region */
    uintptr_t pos;
    uint32_t generation;
} mm_heap_mark;

struct mm_heap_stats {
    uint64_t size;              /* bytes in all attached regions */
    uint64_t used;              /* bytes consumed: payload, alignment padding, region
                                   headers and tails left behind when moving on */
    uint64_t free;              /* size - used: available without a refill */
    uint64_t peak;              /* highest `used` since init */
    uint64_t allocations;       /* successful allocations since init */
    uint64_t failures;          /* failed allocation calls since init (any status) */
    uint64_t lost_to_alignment; /* padding bytes skipped to align, since init */
    uint32_t regions;           /* attached regions, including the first */
};

/* Sets up `h` over [base, base + size) (bytes; any alignment). The heap
 * does not own the memory. No refill is set. Returns MM_ERR_INVALID_ARGUMENT
 * for a NULL heap/base or zero size, MM_ERR_OVERFLOW if the region wraps the
 * address space. */
mm_status mm_heap_init(mm_heap *h, void *base, size_t size);

/* Out-of-line part of mm_heap_alloc(): argument errors, moving to the next
 * region, refill, failure accounting. Call mm_heap_alloc() instead. */
mm_status mm_heap_alloc_slow(mm_heap *h, size_t size, size_t align, void **out);

/* Allocates `size` bytes aligned to `align` (a power of two, any size,
 * including > 4 KiB) and stores the address in *out. Returns
 * MM_ERR_INVALID_ARGUMENT for size 0 or a bad alignment,
 * MM_ERR_OVERFLOW when size plus alignment padding cannot be represented,
 * MM_ERR_OUT_OF_MEMORY when it fits nowhere and no refill (or a refusing
 * one) is set. On failure *out is untouched and the heap unchanged except
 * for its failure counter. `h` must be an initialized heap and `out`
 * non-NULL: the fast path does not check them. */
static inline mm_status mm_heap_alloc(mm_heap *h, size_t size, size_t align, void **out)
{
    uintptr_t mask = (uintptr_t)align - 1;
    uintptr_t start = (h->next + mask) & ~mask;
    /* align == 0 yields start == 0 < next, size == 0 makes size - 1 huge:
     * both fall through to the slow path, which classifies the error. */
    if ((align & mask) == 0 && start >= h->next && start <= h->end &&
        (uintptr_t)size - 1 < h->end - start) {
        h->lost_to_alignment += start - h->next;
        h->allocations++;
        h->next = start + size;
        *out = (void *)start;
        return MM_OK;
    }
    return mm_heap_alloc_slow(h, size, align, out);
}

/* mm_heap_alloc() that also fills the `size` bytes with zero. */
mm_status mm_heap_alloc_zeroed(mm_heap *h, size_t size, size_t align, void **out);

/* Empties the heap: the cursor returns to the start of the first region.
 * Refilled regions stay attached and are reused by later allocations.
 * Every mark taken before the reset becomes stale. Counters (allocations,
 * failures, lost_to_alignment, peak) are kept. */
void mm_heap_reset(mm_heap *h);

/* Returns the current position, to be passed to mm_heap_rewind(). */
mm_heap_mark mm_heap_get_mark(const mm_heap *h);

/* Releases everything allocated after `mark` (LIFO: nested marks must be
 * rewound innermost first). Returns MM_ERR_FOREIGN_POINTER for a mark of
 * another heap, MM_ERR_INVALID_ARGUMENT for a stale mark (taken before a
 * reset, or lying beyond the current position because an earlier mark was
 * rewound); the heap is unchanged then. A mark taken before a rewind to an
 * older mark is not detected once the heap has grown past it again:
 * keep marks strictly nested. */
mm_status mm_heap_rewind(mm_heap *h, mm_heap_mark mark);

/* Fills *s with the heap's statistics (see struct mm_heap_stats). */
void mm_heap_stats(const mm_heap *h, struct mm_heap_stats *s);

/* Shrinks the first region to its first `size` bytes, so that the owner
 * of its memory can take the tail back (a loader making room for other
 * ranges). Only while the heap has never moved past its first region and
 * `size` still covers every byte in use. MM_ERR_INVALID_ARGUMENT otherwise,
 * the heap unchanged. */
mm_status mm_heap_shrink(mm_heap *h, size_t size);

/* Installs (or with fn == NULL removes) the refill callback, called with
 * `ctx` when a request fits in no attached region. `min_bytes` already
 * covers the region header and the worst-case alignment padding. */
void mm_heap_set_refill(mm_heap *h, mm_heap_refill_fn fn, void *ctx);

/* A ready-made mm_heap_refill_fn: `ctx` is a `const mm_frame_source *`
 * (e.g. the frame bitmap's). Takes the fewest whole contiguous frames that
 * cover `min_bytes`; the region is frame-aligned and frame-sized. Returns
 * the source's status, or MM_ERR_OVERFLOW when the frame-rounded size does
 * not fit size_t. */
mm_status mm_heap_refill_from_source(void *ctx, size_t min_bytes, void **base, size_t *size);

#endif
