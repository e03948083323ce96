/* The boot driver: the one sequence both loaders run, from boot.cfg to the
 * jump into the kernel. Its steps, in bc_boot_run's order:
 *
 *   config     boot.cfg read and checked (it sizes everything after it)
 *   map        the firmware's memory map, sanitized (UEFI: provisional)
 *   boot heap  placed first; the loader's own allocations come from it
 *   kernel     file read into the boot heap, parsed
 *   place      kernel, stack, temp heap, bitmap, page tables, handoff
 *   platform   ACPI RSDP, TSC frequency, CPU facts
 *   exit       leave the firmware (UEFI: ExitBootServices with retries)
 *   final map  every placed range carved to its type, validated
 *   build      frame bitmap, memory test, kernel copied, page tables,
 *              handoff, sealed
 *   enter      the jump
 *
 * Every decision that can fail is made before `exit`, so its message still
 * reaches the firmware's console. What differs between firmwares is
 * behind bc_fw_ops; the ranges are those of ranges.h. */
#ifndef BC_DRIVER_H
#define BC_DRIVER_H

#include "bootcfg.h"
#include "elf.h"
#include "handoff.h"
#include "paging.h"
#include "ranges.h"
#include "track.h"
#include "mm/bitmap.h"
#include "mm/config.h"
#include "mm/heap.h"
#include "mm/log.h"

#define BC_BOOT_CFG_PATH     "/boot.cfg"
#define BC_KERNEL_FILE_MAX   (256u * 1024u * 1024u) /* bytes */
#define BC_EXIT_MAX_ATTEMPTS 4u                     /* ExitBootServices calls before giving up */
#define BC_HEAP_MIN_SIZE     (256u * 1024u)         /* bytes: below this a shrunk heap is refused */
#define BC_HEAP_EXTENSIONS   8u /* boot heap refills before the heap reports exhaustion */
#define BC_HEAP_REFILL_MIN   (1024u * 1024u) /* bytes: smallest refill asked for */

/* Facts the front end reports about the machine (bc_fw_ops.platform). */
typedef struct bc_platform {
    uint64_t acpi_rsdp;          /* physical, 0 if none */
    uint64_t tsc_frequency_hz;   /* 0 when not calibrated */
    uint64_t efi_system_table;   /* physical, 0 on BIOS */
    uint64_t identity_min;       /* bytes the identity map must cover (the loader runs there) */
    uint64_t memtest_window_end; /* RAM the loader's code can reach for the memory test; 0 = all */
    uint64_t efi_map_capacity;   /* bytes the final raw EFI map may take (0 on BIOS) */
    uint32_t bios_memory_detect; /* MOS_BIOS_DETECT_* */
    uint32_t nx;                 /* 1 when the CPU has NX (the tables then use it) */
} bc_platform;

/* The raw firmware map a kernel also receives (UEFI only; all 0 on BIOS). */
typedef struct bc_efi_map {
    const void *data;
    uint64_t size;      /* bytes */
    uint32_t desc_size; /* firmware descriptor stride */
    uint32_t desc_version;
} bc_efi_map;

/* How the kernel is entered (bc_fw_ops.enter). */
typedef struct bc_entry {
    uint64_t entry; /* virtual entry point */
    uint64_t rsp;   /* virtual stack pointer */
    uint64_t rdi;   /* first argument: the handoff's virtual address */
    uint64_t cr3;
    uint32_t nx; /* set EFER.NXE */
} bc_entry;

/* What a firmware supplies. Every function gets `ctx`. Failures return a
 * status; the driver logs the message and decides. */
typedef struct bc_fw_ops {
    void *ctx;
    uint32_t boot_mode;    /* MOS_BOOT_MODE_* */
    mm_logger *log;        /* screen and serial; its level is set from boot.cfg */
    uintptr_t phys_offset; /* the loader reaches physical p at p + phys_offset */
    uint64_t tsc_entry;    /* TSC at the loader's first C instruction */

    /* Size in bytes of the file at `path` ('/'-separated, from the boot
     * volume's root): MM_OK, MM_ERR_NOT_FOUND, or another status with the
     * firmware's reason in `why` (`why_len` bytes). */
    mm_status (*file_size)(void *ctx, const char *path, uint64_t *size, char *why, size_t why_len);
    /* Reads the whole file (`size` bytes as file_size said) into `dst`. */
    mm_status (*file_read)(void *ctx, const char *path, void *dst, uint64_t size, char *why,
                           size_t why_len);
    /* Memory the loader needs before it has a heap (the boot.cfg text,
     * its own bookkeeping): `bytes` from the firmware's pool; stays the
     * loader's (bootloader-reclaimable) for the whole boot. */
    mm_status (*scratch)(void *ctx, size_t bytes, void **out);

    /* The memory map, sanitized at `granularity` (the front end's own low
     * memory and firmware areas already carved), in storage the front end
     * owns; capacity >= bc_handoff_map_capacity(raw entries); BIOS front
     * ends start detection at `bios_memory_detect` (MOS_BIOS_DETECT_*). Before
     * `exit` a UEFI map is provisional: allocations change it. After
     * `exit` it is the final map. */
    mm_status (*memory_map)(void *ctx, uint32_t granularity, uint32_t bios_memory_detect,
                            mm_map **map, mm_sanitize_report *report);
    /* Takes `size` bytes (a multiple of 4 KiB) aligned to `align` at or
     * above `min` from free memory for the loader; MM_ERR_NOT_FOUND when
     * nothing fits. The range is the loader's until the kernel runs. */
    mm_status (*place)(void *ctx, uint64_t size, uint64_t align, uint64_t min, uint64_t *base);
    /* Gives back [base, base + size) taken by `place` (page multiples). */
    void (*release)(void *ctx, uint64_t base, uint64_t size);
    /* Fills `out` (RSDP, TSC frequency, ...). Called once, before `exit`. */
    void (*platform)(void *ctx, bc_platform *out);
    /* Leaves the firmware (`attempt` counts from 1). MM_OK: the firmware
     * is gone and *efi describes the final raw map. MM_ERR_RETRY: the map
     * changed under the loader, call again. Anything else: failed; the
     * firmware may be partly gone (console output still works). */
    mm_status (*exit)(void *ctx, uint32_t attempt, bc_efi_map *efi);
    /* Calls `fn` for each range the loader still runs on that the final
     * map calls usable (UEFI: boot-services code and data), so the memory
     * test leaves it alone. May be NULL. */
    void (*for_each_busy)(void *ctx, void (*fn)(void *arg, uint64_t base, uint64_t size),
                          void *arg);
    /* A TSC reading. */
    uint64_t (*timestamp)(void *ctx);
    /* Stops the machine cleanly after an error was logged. Must not return. */
    void (*halt)(void *ctx);
    /* Loads CR3, GDT and stack and jumps (entry.h's state). Must not return. */
    void (*enter)(void *ctx, const bc_entry *e);
} bc_fw_ops;

/* Everything the driver knows, in the order it learns it. Zeroed by
 * bc_boot_run; the front end reads it only in tests. */
typedef struct bc_boot {
    const bc_fw_ops *fw;
    uint64_t tsc_entry, tsc_memmap;
    bc_bootcfg cfg;
    mm_config mem;
    mm_map *map;
    mm_sanitize_report sanitize;
    bc_placed range[BC_RANGE_COUNT]; /* HEAP_EXTENSION: see `extension` */
    bc_placed extension[BC_HEAP_EXTENSIONS];
    uint32_t extensions;
    mm_heap heap;
    uint64_t heap_wanted; /* bytes asked for: heap_size, or the default */
    const void *kernel_file;
    uint64_t kernel_file_size;
    bc_elf_image elf;
    bc_boot_paging pg;
    bc_handoff_layout layout;
    bc_platform platform;
    bc_efi_map efi;
    uint32_t exit_attempts;
    int firmware_gone;
    mm_bitmap bitmap;
    uint64_t memtest_bad_bytes;
    uint64_t cr3;
    struct mos_handoff *handoff;
#if MM_DEBUG
    mm_tracker track;
    mm_track_slot track_slots[BC_TRACK_SLOTS];
#endif
} bc_boot;

/* Boots: runs every step above in `b` (caller storage, any content) over
 * the firmware `fw`, and ends in fw->enter, or in fw->halt after logging
 * what went wrong. Never returns. */
_Noreturn void bc_boot_run(bc_boot *b, const bc_fw_ops *fw);

/* Logs `fmt` at ERROR and halts through the firmware. */
_Noreturn void bc_boot_fail(const bc_boot *b, const char *fmt, ...) MM_PRINTF_LIKE(2, 3);

#endif
