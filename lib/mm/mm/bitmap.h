/* Physical frame bitmap: one bit per frame over a sanitized memory map.
 *
 * Bit meaning and leaf layout are the handoff ABI's (include/mos/handoff.h):
 * bit set = frame used or not RAM, clear = free; little-endian uint64_t leaf
 * words, frame (first_frame + 64 * w + i) is bit i of word w. Bits past
 * frame_count in the last leaf word are always set.
 *
 * Storage (caller-provided, 8-byte aligned) holds, in this order:
 *   - the leaf words, ceil(frame_count / 64) of them;
 *   - the "avail" summary tree, level 0 first: level 0 has one bit per leaf
 *     word (set = that word has at least one free frame), level k > 0 one
 *     bit per word of level k - 1 (set = that word is non-zero); the last
 *     level is a single word;
 *   - the "empty" summary tree, same shape: level 0 bit set = that leaf
 *     word is entirely free.
 * The layout depends only on frame_count, so a kernel can adopt the loader's
 * whole storage (mm_bitmap_adopt) and rebuild the summary from the leaves.
 * mm_bitmap_init() starts bit 0 at a multiple of 64 frames (frames below
 * the lowest usable one are marked used) so that leaf words line up with
 * physical alignments.
 *
 * Allocation is first-fit: the lowest free frame, the lowest aligned free
 * run. A single-frame allocation walks the avail tree from a lowest-free
 * hint in O(levels) word reads (levels = log64 of the leaf word count, 4 at
 * 1 TiB of 4 KiB frames); a contiguous search skips full words through the
 * avail tree and jumps past the last used frame of every rejected window;
 * runs of >= 64 frames aligned to >= 64 frames go from empty word to empty
 * word through the empty tree. docs/bitmap.md has the details. */
#ifndef MM_BITMAP_H
#define MM_BITMAP_H

#include "mm/base.h"
#include "mm/memmap.h"
#include "mm/source.h"

/* Enough summary levels for 2^52 frames (every 4 KiB frame of a 64-bit
 * address space): 2^46 leaf words need 8 levels of 64-way fan-in. */
#define MM_BITMAP_MAX_LEVELS 8u

/* A frame bitmap. Fields are readable (the loader copies words,
 * storage_bytes, first_frame, frame_count and granularity into the
 * handoff); change them only through the functions below. */
typedef struct mm_bitmap {
    uint64_t *words; /* leaf words, at the start of storage */
    /* Summary trees inside storage, level 0 first: `avail` bit = leaf word
     * has a free frame, `empty` bit = leaf word is entirely free. */
    uint64_t *avail[MM_BITMAP_MAX_LEVELS];
    uint64_t *empty[MM_BITMAP_MAX_LEVELS];
    uint64_t level_words[MM_BITMAP_MAX_LEVELS]; /* words per level (both trees) */
    uint32_t levels;                            /* summary levels in use, >= 1 */
    uint32_t shift;                             /* log2(granularity) */
    uint64_t granularity;                       /* bytes per frame, power of two >= 4096 */
    uint64_t first_frame;                       /* frame number (address >> shift) of bit 0 */
    uint64_t frame_count;                       /* frames covered, > 0 */
    uint64_t word_count;                        /* leaf words */
    uint64_t storage_bytes;                     /* bytes of storage in use (leaves + summary) */
    uint64_t total_frames; /* frames usable in the map, inside the covered range */
    uint64_t free_frames;  /* clear bits */
    uint64_t hint;         /* every leaf word below this index is full */
    const mm_map *map;     /* the map "never usable" is checked against */
} mm_bitmap;

/* Statistics, all in frames except `granularity` (bytes). */
struct mm_bitmap_stats {
    uint64_t total_frames; /* usable frames covered */
    uint64_t free_frames;
    uint64_t used_frames;      /* total_frames - free_frames */
    uint64_t largest_free_run; /* longest run of free frames (unaligned) */
    uint64_t granularity;
    uint64_t first_frame;
    uint64_t frame_count;
};

/* Context of the frame source made by mm_bitmap_source(); lives as long as
 * the source is used. */
typedef struct mm_bitmap_source_ctx {
    mm_bitmap *bm;
    uint64_t virt_offset; /* pointer = phys + virt_offset */
    uint64_t ceiling;     /* physical end every allocation stays below (0 = none) */
} mm_bitmap_source_ctx;

/* Bytes of storage mm_bitmap_init() needs for `map` at `granularity` bytes
 * per frame (a power of two >= 4096): leaf words plus summary, a multiple of
 * 8. The covered range runs from the lowest usable frame, rounded down to a
 * multiple of 64 frames, to the end of the highest usable entry.
 * Returns MM_ERR_INVALID_ARGUMENT (NULL, bad granularity),
 * MM_ERR_MAP_INVALID (map unsorted, overlapping, wrapping, or with a usable
 * entry not aligned to the granularity), MM_ERR_BITMAP_INIT (no usable
 * entry). */
mm_status mm_bitmap_storage_size(const mm_map *map, uint64_t granularity, uint64_t *bytes);

/* Bytes of storage a bitmap of `frame_count` frames needs (what
 * mm_bitmap_adopt() requires). MM_ERR_INVALID_ARGUMENT for 0 frames or more
 * than 2^52. */
mm_status mm_bitmap_storage_size_frames(uint64_t frame_count, uint64_t *bytes);

/* Builds a bitmap in `storage` (8-byte aligned, `storage_size` bytes, owned
 * by the caller for the bitmap's lifetime) over the frames from the lowest
 * usable address of `map` (rounded down to a multiple of 64 frames) to the
 * highest: frames inside usable entries are
 * free, every other frame is used. `map` must stay valid (same address,
 * sorted) while the bitmap is used: mm_bitmap_free() checks frames against
 * it, so ranges carved out of the map later can never be freed.
 * Errors as mm_bitmap_storage_size(), plus MM_ERR_BUFFER_TOO_SMALL and
 * MM_ERR_INVALID_ARGUMENT for misaligned storage. *bm and storage are
 * untouched on error. */
mm_status mm_bitmap_init(mm_bitmap *bm, const mm_map *map, uint64_t granularity, void *storage,
                         uint64_t storage_size);

/* Takes over leaf words built elsewhere (the kernel adopting the loader's
 * bitmap): storage starts with the leaf words of `frame_count` frames from
 * `first_frame`; the summary after them is rebuilt, counts recomputed, and
 * the padding bits of the last leaf word set. Frames `map` does not list as
 * usable must be marked used, else MM_ERR_BITMAP_INIT (a corrupt handoff)
 * and nothing is written. Other errors as mm_bitmap_init(); `first_frame +
 * frame_count` must stay below 2^64 bytes (MM_ERR_OVERFLOW). */
mm_status mm_bitmap_adopt(mm_bitmap *bm, const mm_map *map, uint64_t granularity,
                          uint64_t first_frame, uint64_t frame_count, void *storage,
                          uint64_t storage_size);

/* Allocates the lowest free frame; *phys = its physical address.
 * MM_ERR_OUT_OF_MEMORY when none is free. */
mm_status mm_bitmap_alloc(mm_bitmap *bm, uint64_t *phys);

/* Allocates the lowest run of `count` free frames whose start is aligned to
 * `align_bytes` (a power of two >= granularity; 0 means the granularity) and
 * whose end is <= `ceiling` bytes (0 = no ceiling; rounded down to a frame).
 * MM_ERR_INVALID_ARGUMENT for count 0 or a bad alignment,
 * MM_ERR_OUT_OF_MEMORY when no such run exists. */
mm_status mm_bitmap_alloc_contig(mm_bitmap *bm, uint64_t count, uint64_t align_bytes,
                                 uint64_t ceiling, uint64_t *phys);

/* mm_bitmap_alloc_contig() with the run ending at or below 4 GiB (32-bit
 * DMA, the BIOS stage's reach). */
mm_status mm_bitmap_alloc_below_4g(mm_bitmap *bm, uint64_t count, uint64_t align_bytes,
                                   uint64_t *phys);

/* mm_bitmap_alloc_contig() with the run ending at or below 1 MiB (real-mode
 * trampolines, BIOS buffers). */
mm_status mm_bitmap_alloc_below_1m(mm_bitmap *bm, uint64_t count, uint64_t align_bytes,
                                   uint64_t *phys);

/* Frees `count` frames from `phys`. Everything is checked before anything
 * changes: MM_ERR_INVALID_ARGUMENT (count 0, phys not frame-aligned),
 * MM_ERR_OUT_OF_RANGE (outside the covered frames, or overflow),
 * MM_ERR_NOT_USABLE (a frame the map does not list as usable),
 * MM_ERR_DOUBLE_FREE (a frame already free). On error nothing is modified. */
mm_status mm_bitmap_free(mm_bitmap *bm, uint64_t phys, uint64_t count);

/* Marks the frames touching [base, base + length) used, rounded outward to
 * frames; frames outside the covered range are skipped (they are not RAM
 * the bitmap manages) and frames already used stay used.
 * MM_ERR_INVALID_ARGUMENT for length 0, MM_ERR_OVERFLOW when the range
 * passes 2^64. */
mm_status mm_bitmap_reserve(mm_bitmap *bm, uint64_t base, uint64_t length);

/* True when the frame containing `phys` is covered and free. O(1). */
bool mm_bitmap_is_free(const mm_bitmap *bm, uint64_t phys);

/* Fills *s. O(frame_count / 64) for the largest free run. */
void mm_bitmap_stats(const mm_bitmap *bm, struct mm_bitmap_stats *s);

/* Fills *out with a frame source over `bm`: alloc() takes the lowest
 * frame-aligned run (mm_bitmap_alloc_contig) and returns
 * pointer = phys + virt_offset (0 where memory is identity-mapped, the
 * direct-map offset in the kernel); release() frees through
 * mm_bitmap_free(). Only frames whose pointers fit uintptr_t are handed out
 * (on i386, frames below 4 GiB - virt_offset). `ctx` is owned by the caller
 * and must outlive the source.
 * MM_ERR_OUT_OF_RANGE when no covered frame has a pointer that fits. */
mm_status mm_bitmap_source(mm_bitmap *bm, uint64_t virt_offset, mm_bitmap_source_ctx *ctx,
                           mm_frame_source *out);

#endif
