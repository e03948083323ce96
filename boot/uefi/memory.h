/* The memory services the UEFI front end gives the boot driver
 * (bc_fw_ops: memory_map, place, release, scratch, for_each_busy). */
#ifndef UEFI_MEMORY_H
#define UEFI_MEMORY_H

#include "loader.h"

/* bc_fw_ops.memory_map: before ExitBootServices the current map
 * (provisional: the loader's own allocations appear as
 * bootloader-reclaimable), after it the final one; sanitized, the first
 * page reserved. */
mm_status mem_memory_map(void *ctx, uint32_t granularity, uint32_t bios_memory_detect, mm_map **map,
                         mm_sanitize_report *report);

/* bc_fw_ops.place: AllocatePages(EfiLoaderData): AllocateAnyPages, or
 * AllocateMaxAddress for a `max`; at or above `min` (> 0) through a
 * first-fit search of what is free now and AllocateAddress. */
mm_status mem_place(void *ctx, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                    uint64_t *base);

/* bc_fw_ops.place_at: AllocatePages(AllocateAddress). */
mm_status mem_place_at(void *ctx, uint64_t base, uint64_t size);

/* bc_fw_ops.release: FreePages. */
void mem_release(void *ctx, uint64_t base, uint64_t size);

/* bc_fw_ops.scratch: pages of EfiLoaderData. */
mm_status mem_scratch(void *ctx, size_t bytes, void **out);

/* bc_fw_ops.for_each_busy: boot-services code and data of the final map
 * (the loader still runs on the firmware's stack and page tables). */
void mem_for_each_busy(void *ctx, void (*fn)(void *arg, uint64_t base, uint64_t size), void *arg);

#endif
