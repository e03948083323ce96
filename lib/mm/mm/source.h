/* A source of whole frames, the one interface through which allocators that
 * grow (pools, the boot heap's refill, page-table builders) get memory.
 *
 * The frame bitmap provides one (mm_bitmap_source); tests provide their own
 * over host memory. `virt_offset`-style translation from physical frames to
 * usable pointers is the source's business, not its users'. */
#ifndef MM_SOURCE_H
#define MM_SOURCE_H

#include "mm/base.h"

typedef struct mm_frame_source {
    /* Takes `count` contiguous frames, aligned to `frame_size`. On MM_OK
     * *ptr is a pointer the caller can use and *phys the physical address
     * of the first frame (equal to the pointer where memory is
     * identity-mapped). Contents are undefined. */
    mm_status (*alloc)(void *ctx, uint64_t count, void **ptr, uint64_t *phys);
    /* Gives back `count` frames obtained from alloc() at `ptr`. */
    mm_status (*release)(void *ctx, void *ptr, uint64_t count);
    void *ctx;
    uint64_t frame_size; /* bytes, power of two >= 4096 */
} mm_frame_source;

#endif
