/* Memory pool: fixed-size blocks carved from whole frames of a frame source.
 *
 * A pool grows by one slab (a run of whole frames, usually one) when no
 * block is free, and gives completely empty slabs back on request. Each slab
 * starts with a header: an intrusive free list of the blocks freed in it, a
 * count of blocks in use, a bump index over blocks never handed out (so a
 * new slab costs O(1), not O(blocks)) and a used-bit per block. A hash
 * table from frame to slab (itself kept in frames from the source) finds
 * the slab of any pointer in O(1) without reading memory the pool does not
 * own, which is what makes double-free and foreign-pointer checks safe and
 * cheap.
 *
 * Complexity: alloc O(1) (amortized: growing the index rehashes it, and a
 * new slab costs one source call), free O(1), release_empty O(slabs),
 * stats O(1).
 *
 * Recovery from allocation failure (MM_ERR_OUT_OF_MEMORY from the source):
 * mm_pool_release_empty() on this and other pools returns whole empty slabs
 * to the source, after which a failed
 * mm_pool_alloc() or heap refill can be retried. A failed call leaves the
 * pool unchanged. */
#ifndef MM_POOL_H
#define MM_POOL_H

#include "mm/base.h"
#include "mm/source.h"

typedef struct mm_pool_slab mm_pool_slab;

/* All pool state; treat as opaque (fields may change). */
typedef struct mm_pool {
    const mm_frame_source *src;
    uint32_t block_size;   /* bytes, after rounding (see mm_pool_init) */
    uint32_t block_align;  /* bytes, power of two */
    uint32_t slab_frames;  /* frames per slab */
    uint32_t slab_blocks;  /* blocks per slab */
    uint32_t first_offset; /* offset of block 0 from the slab start */
    uint32_t frame_shift;  /* log2(frame_size) */
    uint32_t block_recip;  /* ceil(2^32 / block_size): division by multiply */
    uintptr_t slab_size;   /* bytes per slab */
    mm_pool_slab *partial; /* slabs with at least one free block */
    mm_pool_slab *slabs;   /* all slabs */
    uint64_t slab_count;
    mm_pool_slab **index;  /* frame -> slab hash table (see pool.c) */
    uint64_t index_cap;    /* slots, power of two */
    uint64_t index_used;   /* slots live or deleted */
    uint64_t index_frames; /* frames holding `index` */
    uint32_t index_shift;  /* 64 - log2(index_cap) */
    uint64_t in_use;
    uint64_t peak;
} mm_pool;

struct mm_pool_stats {
    uint64_t block_size;  /* bytes per block after rounding */
    uint64_t capacity;    /* blocks in all slabs */
    uint64_t in_use;      /* blocks allocated and not freed */
    uint64_t free;        /* capacity - in_use */
    uint64_t peak;        /* highest in_use since init */
    uint64_t slabs;       /* slabs held */
    uint64_t frames;      /* frames held for slabs (directory frames apart) */
    uint64_t dir_frames;  /* frames held for the slab directory (the index) */
    uint32_t utilization; /* in_use / capacity in per-mille (0 when empty) */
};

/* Sets up an empty pool of blocks of `block_size` bytes aligned to `align`
 * (a power of two, at most the source's frame size) whose frames come from
 * `src` (which must outlive the pool). Blocks hold at least a pointer and
 * are at least pointer-aligned, so smaller sizes/alignments are rounded up;
 * the size is then rounded up to a multiple of the alignment. Blocks larger
 * than a frame get multi-frame slabs. No frame is taken before the first
 * allocation. Returns MM_ERR_INVALID_ARGUMENT for a NULL pool/source, a
 * source without alloc/release, zero size, a bad alignment, or a block
 * size of 1 GiB or more. */
mm_status mm_pool_init(mm_pool *p, size_t block_size, size_t align, const mm_frame_source *src);

/* Takes a free block and stores its address in *out (contents undefined).
 * Grows the pool by one slab when none is free; returns the source's
 * status (MM_ERR_OUT_OF_MEMORY ...) when growing fails, leaving *out and
 * the pool unchanged. */
mm_status mm_pool_alloc(mm_pool *p, void **out);

/* Gives back a block obtained from mm_pool_alloc() on this pool. Returns
 * MM_ERR_FOREIGN_POINTER when `ptr` lies in none of the pool's slabs or not
 * on a block boundary, MM_ERR_DOUBLE_FREE when the block is not allocated;
 * the pool is unchanged then. Empty slabs are kept (see release_empty). */
mm_status mm_pool_free(mm_pool *p, void *ptr);

/* Returns every slab with no block in use to the source and stores the
 * number of frames given back in *frames_released (may be NULL). Stops at
 * the first release the source refuses and returns its status (slabs
 * released before it stay released). */
mm_status mm_pool_release_empty(mm_pool *p, uint64_t *frames_released);

/* Returns every frame (slabs, even with blocks in use, and the index)
 * to the source; the pool is empty afterwards and can be used again.
 * Returns the first status the source refused with, MM_OK otherwise. */
mm_status mm_pool_destroy(mm_pool *p);

/* Fills *s with the pool's statistics (see struct mm_pool_stats). */
void mm_pool_stats(const mm_pool *p, struct mm_pool_stats *s);

#endif
