/* State of the UEFI loader between its steps (boot/uefi/main.c runs them in
 * the order boot/common/handoff.h prescribes). One instance, on the
 * firmware's stack; every step gets it by pointer. */
#ifndef UEFI_LOADER_H
#define UEFI_LOADER_H

#include <efi.h>

#include "common/bootcfg.h"
#include "common/elf.h"
#include "common/handoff.h"
#include "common/paging.h"
#include "common/track.h"
#include "firmware.h"
#include "mm/bitmap.h"
#include "mm/config.h"
#include "mm/log.h"
#include "mm/memmap.h"

/* The loader's own allocations, each carved into the final map under its
 * type (or left bootloader-reclaimable: the scratch area). */
enum loader_range {
    RANGE_KERNEL,
    RANGE_STACK,
    RANGE_TEMP_HEAP,
    RANGE_BOOT_HEAP,
    RANGE_BITMAP,
    RANGE_PAGE_TABLES,
    RANGE_HANDOFF,
    RANGE_COUNT
};

struct owned_range {
    uint64_t base; /* physical, 4 KiB aligned; 0 with size 0 = not allocated */
    uint64_t size; /* bytes, multiple of 4 KiB */
};

struct loader {
    EFI_HANDLE image;
    EFI_SYSTEM_TABLE *st;
    EFI_BOOT_SERVICES *bs; /* NULL once boot services are gone */
    mm_logger log;

    mm_config mem; /* memory settings from boot.cfg */
    bc_bootcfg cfg;
    bc_elf_image elf;
    struct owned_range range[RANGE_COUNT];

    /* Scratch (bootloader-reclaimable): raw EFI map buffer, mm_map storage
     * and sanitize scratch, sized once before ExitBootServices. */
    struct fw_memmap efimap;
    mm_map map;
    void *sanitize_scratch;
    size_t sanitize_scratch_size;
    mm_sanitize_report sanitized;

    mm_bitmap bitmap;
    bc_boot_paging pg; /* page-table layout (pg.layout points into pg) */
    bc_handoff_layout handoff_layout;
    uint64_t cr3;
    uint64_t loader_top; /* end of the loader's image and stack: stays identity-mapped */
    bool nx;
    bool boot_heap_deferred; /* no room before ExitBootServices: placed in the final map */

    uint64_t rsdp;
    uint64_t memtest_bad_bytes;
    uint64_t tsc_entry, tsc_memmap_done, tsc_hz;
#if MM_DEBUG
    /* DEBUG=1: every page allocation, by purpose (common/track.h). */
    mm_tracker track;
    mm_track_slot track_slots[BC_TRACK_SLOTS];
#endif
};

/* Stops the boot cleanly after an error that was already logged: gives a
 * person time to read the screen, then powers off through the firmware
 * (ResetSystem(EfiResetShutdown)); if that returns, halts the CPU with
 * interrupts off. Works before and after ExitBootServices. */
_Noreturn void loader_halt(struct loader *L);

/* Logs at ERROR and halts (loader_halt). */
_Noreturn void loader_fail(struct loader *L, const char *fmt, ...) MM_PRINTF_LIKE(2, 3);

#endif
