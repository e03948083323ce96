/* Physical memory map: import, sanitize, validate, carve, find, statistics.
 *
 * A map is an array of entries in storage the caller owns (`capacity`
 * entries, no fixed cap). Ranges are half-open [base, base + length).
 * After mm_map_sanitize() a map is: sorted by base, non-overlapping,
 * free of empty entries, adjacent same-type/same-attribute entries merged,
 * and usable entries aligned inward to the frame size. */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "mm/base.h"

/* Internal memory types. These are NOT the handoff's types: the loader
 * translates them in exactly one place (boot/common). Values are stable
 * only inside one build. */
typedef enum mm_type {
    MM_TYPE_NONE = 0,           /* never stored; "no type" in lookups */
    MM_TYPE_USABLE,             /* free RAM */
    MM_TYPE_RESERVED,           /* firmware/hardware reserved, unknown E820 codes */
    MM_TYPE_ACPI_RECLAIMABLE,   /* ACPI tables; RAM once the OS has read them */
    MM_TYPE_ACPI_NVS,           /* ACPI non-volatile storage; never touch */
    MM_TYPE_BAD,                /* defective RAM (E820 5, EFI unusable, memtest) */
    MM_TYPE_PERSISTENT,         /* persistent memory (E820 7, EFI 14) */
    MM_TYPE_FW_RUNTIME_CODE,    /* EFI runtime services code */
    MM_TYPE_FW_RUNTIME_DATA,    /* EFI runtime services data */
    MM_TYPE_MMIO,               /* EFI memory-mapped I/O (and port space) */
    MM_TYPE_UNACCEPTED,         /* EFI unaccepted memory (confidential VMs) */
    /* Loader-owned ranges, carved out of usable RAM by the loader. */
    MM_TYPE_BOOTLOADER_RECLAIMABLE, /* loader code/data the kernel may reuse */
    MM_TYPE_KERNEL,             /* kernel image segments */
    MM_TYPE_KERNEL_STACK,       /* the stack the kernel starts on */
    MM_TYPE_TEMP_HEAP,          /* the 1 MiB temporary heap of the handoff */
    MM_TYPE_BOOT_HEAP,          /* the loader's boot heap */
    MM_TYPE_PAGE_TABLES,        /* page tables the kernel runs on */
    MM_TYPE_FRAME_BITMAP,       /* the frame bitmap given to the kernel */
    MM_TYPE_HANDOFF,            /* handoff structure, map copy, cmdline */
    MM_TYPE_COUNT
} mm_type;

/* One map entry. `raw_type` keeps the firmware's own code (E820 type or EFI
 * memory type) so nothing is lost when an unknown code is kept as
 * MM_TYPE_RESERVED; entries made by the loader have raw_type 0.
 * `attributes` holds the E820 ACPI 3.0 extended attributes or the EFI
 * attribute bits (EFI_MEMORY_WB ...), as given. */
typedef struct mm_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type; /* mm_type */
    uint32_t raw_type;
    uint64_t attributes;
} mm_entry;

/* A map over caller storage: entries[0 .. count) are valid, capacity is the
 * number of entries the storage holds. */
typedef struct mm_map {
    mm_entry *entries;
    uint32_t count;
    uint32_t capacity;
} mm_map;

/* How the map was obtained. */
typedef enum mm_boot_mode {
    MM_BOOT_UNKNOWN = 0,
    MM_BOOT_UEFI = 1,
    MM_BOOT_BIOS = 2,
} mm_boot_mode;

#endif
