/* Stage 2 state shared by its steps (one instance, in .bss). */
#ifndef BIOS_LOADER_H
#define BIOS_LOADER_H

#include "common/biosmem.h"
#include "common/bootcfg.h"
#include "common/elf.h"
#include "common/fat.h"
#include "common/handoff.h"
#include "common/paging.h"
#include "common/track.h"
#include "common/part.h"
#include "disk.h"
#include "mm/bitmap.h"
#include "mm/config.h"
#include "mm/memtest.h"

/* The ranges the loader places and carves (boot/common/handoff.h, phase B). */
enum range_id {
    R_KERNEL_FILE, /* the ELF file as read, until copied (bootloader-reclaimable) */
    R_KERNEL,
    R_STACK,
    R_TEMP_HEAP,
    R_BOOT_HEAP,
    R_BITMAP,
    R_PAGE_TABLES,
    R_HANDOFF,
    R_COUNT
};

struct range {
    uint64_t base, size; /* size 0 = not placed */
};

struct loader {
    uint64_t tsc_entry, tsc_memmap, tsc_hz;
    struct bios_disk disk;
    part_entry volume;
    fat_fs *fs;
    bc_bootcfg cfg;
    mm_config mem;
    mm_map map;
    mm_sanitize_report sanitize;
    bm_report detect;
    bc_elf_image elf;
    struct range range[R_COUNT];
    mm_bitmap bitmap;
    bc_boot_paging paging;
    bc_handoff_layout handoff_layout;
    uint64_t cr3, rsdp, memtest_bad_bytes;
    bool nx;
#if MM_DEBUG
    /* DEBUG=1: low buffers and placed ranges, by purpose (common/track.h). */
    mm_tracker track;
    mm_track_slot track_slots[BC_TRACK_SLOTS];
#endif
};

#endif
