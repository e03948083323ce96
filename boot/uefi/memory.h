/* The UEFI loader's memory: allocation through boot services, the memory
 * map views it works with, and the final map, bitmap and handoff. */
#ifndef UEFI_MEMORY_H
#define UEFI_MEMORY_H

#include "loader.h"

/* Name of a loader range for messages ("kernel stack", ...). */
const char *mem_range_name(int range);

/* Allocates `bytes` (> 0) of EfiLoaderData aligned to `align` (a power of
 * two, 0 = none), both raised to the bitmap granularity so that carving
 * one range can never round into a neighbour. Fills *out on EFI_SUCCESS. */
EFI_STATUS mem_alloc(struct loader *L, uint64_t bytes, uint64_t align, struct owned_range *out);

/* Like mem_alloc(), but at the lowest address >= `min` where the firmware
 * has free memory (first fit; for the boot heap's min_heap_addr). */
EFI_STATUS mem_alloc_first_fit(struct loader *L, uint64_t bytes, uint64_t align, uint64_t min,
                               struct owned_range *out);

/* Usable memory at or above some address in the map as it will look after
 * ExitBootServices (free plus boot-services memory), in bytes. */
struct mem_room {
    uint64_t largest; /* biggest single block, clipped at the address */
    uint64_t total;   /* all blocks together */
};

/* Whether `bytes` aligned to `align` (both raised to the bitmap
 * granularity) could be placed at or above `min` once boot services are
 * gone, judged on the provisional map (the final one only loses what the
 * loader still allocates). Fills *room either way; leaves the provisional
 * map in L->map. Halts if the map cannot be read. */
bool mem_fits_after_exit(struct loader *L, uint64_t bytes, uint64_t align, uint64_t min,
                         struct mem_room *room);

/* Allocates the scratch area (raw map buffer, map storage, sanitize
 * scratch) with room for the map to grow, and reads the provisional map
 * into L->map as it will look after ExitBootServices. */
void mem_scratch_setup(struct loader *L);

/* Re-reads the firmware map into L->map (after-ExitBootServices view). */
void mem_provisional_map(struct loader *L);

/* After ExitBootServices: imports and sanitizes the final map, logs what
 * the sanitizer fixed, reserves the first page, carves every loader range into its type (placing
 * the boot heap first when it was deferred), validates and logs the
 * result. Halts on failure. */
void mem_final_map(struct loader *L);

/* Builds the frame bitmap from the final map in RANGE_BITMAP. */
void mem_build_bitmap(struct loader *L);

/* memory_test=on: pattern-tests every free frame (mm_memtest_map) except
 * boot-services memory, which still holds the firmware stack and page
 * tables the loader runs on; bad frames become MM_TYPE_BAD in the map and
 * used in the bitmap. */
void mem_memory_test(struct loader *L);

/* Fills the handoff in RANGE_HANDOFF (not sealed) and returns it. */
struct mos_handoff *mem_build_handoff(struct loader *L);

/* Physical address -> pointer while the firmware's identity map is active. */
void *mem_phys_to_ptr(void *ctx, uint64_t phys);

#endif
