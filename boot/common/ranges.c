#include "ranges.h"

static const bc_range_info ranges[BC_RANGE_COUNT] = {
    [BC_RANGE_BOOT_HEAP] = {"boot heap", MM_TYPE_BOOT_HEAP, 4096, BC_RECLAIM_AT_ONCE,
                            BC_NEED_REQUIRED, BC_RANGE_ONE},
    [BC_RANGE_KERNEL] = {"kernel", MM_TYPE_KERNEL, 4096, BC_RECLAIM_NEVER, BC_NEED_REQUIRED,
                         BC_RANGE_ONE},
    [BC_RANGE_STACK] = {"kernel stack", MM_TYPE_KERNEL_STACK, 4096, BC_RECLAIM_WHEN_DONE,
                        BC_NEED_REQUIRED, BC_RANGE_ONE},
    [BC_RANGE_TEMP_HEAP] = {"temp heap", MM_TYPE_TEMP_HEAP, 4096, BC_RECLAIM_WHEN_DONE,
                            BC_NEED_OPTIONAL, BC_RANGE_ONE},
    [BC_RANGE_BITMAP] = {"frame bitmap", MM_TYPE_FRAME_BITMAP, 4096, BC_RECLAIM_WHEN_DONE,
                         BC_NEED_REQUIRED, BC_RANGE_ONE},
    [BC_RANGE_PAGE_TABLES] = {"page tables", MM_TYPE_PAGE_TABLES, 4096, BC_RECLAIM_WHEN_DONE,
                              BC_NEED_REQUIRED, BC_RANGE_ONE},
    [BC_RANGE_HANDOFF] = {"handoff", MM_TYPE_HANDOFF, 4096, BC_RECLAIM_AFTER_HANDOFF,
                          BC_NEED_REQUIRED, BC_RANGE_ONE},
    [BC_RANGE_HEAP_EXTENSION] = {"boot heap extension", MM_TYPE_BOOTLOADER_RECLAIMABLE, 4096,
                                 BC_RECLAIM_AFTER_HANDOFF, BC_NEED_OPTIONAL, BC_RANGE_MANY},
    [BC_RANGE_MODULE] = {"module", MM_TYPE_MODULE, 4096, BC_RECLAIM_WHEN_DONE, BC_NEED_REQUIRED,
                         BC_RANGE_MANY},
    [BC_RANGE_PROTOCOL_DATA] = {"protocol data", MM_TYPE_HANDOFF, 4096, BC_RECLAIM_AFTER_HANDOFF,
                                BC_NEED_REQUIRED, BC_RANGE_MANY},
    [BC_RANGE_KERNEL_SEGMENT] = {"kernel segment", MM_TYPE_KERNEL, 4096, BC_RECLAIM_NEVER,
                                 BC_NEED_REQUIRED, BC_RANGE_MANY},
    [BC_RANGE_FRAMEBUFFER] = {"framebuffer", MM_TYPE_FRAMEBUFFER, 4096, BC_RECLAIM_NEVER,
                              BC_NEED_OPTIONAL, BC_RANGE_ONE},
    [BC_RANGE_AP_TRAMPOLINE] = {"AP trampoline", MM_TYPE_AP_TRAMPOLINE, 4096, BC_RECLAIM_WHEN_DONE,
                                BC_NEED_OPTIONAL, BC_RANGE_ONE},
    [BC_RANGE_AP_STACKS] = {"AP stacks", MM_TYPE_AP_STACKS, 4096, BC_RECLAIM_WHEN_DONE,
                            BC_NEED_REQUIRED, BC_RANGE_ONE},
};

const bc_range_info *bc_range_info_of(bc_range_id id)
{
    return (unsigned)id < BC_RANGE_COUNT ? &ranges[id] : 0;
}
