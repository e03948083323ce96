/* Shared pieces of the example programs: firmware maps as a QEMU guest with
 * 128 MiB sees them, host memory standing in for that RAM, a logger that
 * prints to stdout, and the map/bitmap setup the examples about other parts
 * start from. Header-only so each example stays one file. */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>

#include "mm/bitmap.h"
#include "mm/heap.h"
#include "mm/memmap.h"
#include "mm/memtest.h"

#define EX_MIB ((uint64_t)1 << 20)
#define EX_RAM (128 * EX_MIB)

/* E820 entry as INT 15h, EAX=E820h returns it (20 bytes). */
typedef struct __attribute__((packed)) ex_e820 {
    uint64_t base, length;
    uint32_t type;
} ex_e820;

/* SeaBIOS's E820 map for a 128 MiB QEMU guest, plus two quirks real
 * firmware has: an entry repeated with an overlap, and an empty entry. */
static const ex_e820 ex_qemu_e820[] = {
    {0x0, 0x9fc00, 1},        /* conventional memory */
    {0x9fc00, 0x400, 2},      /* EBDA */
    {0xf0000, 0x10000, 2},    /* BIOS ROM */
    {0x100000, 0x7ee0000, 1}, /* RAM above 1 MiB */
    {0x7fe0000, 0x20000, 2},  /* ACPI tables area, reported reserved */
    {0xfeffc000, 0x4000, 2},  /* QEMU's identity-map/TSS pages */
    {0xfffc0000, 0x40000, 2}, /* flash */
    {0x7fd0000, 0x20000, 2},  /* overlaps the RAM end and the entry above */
    {0x500000, 0, 1},         /* empty */
};

/* EFI_MEMORY_DESCRIPTOR with the 8 padding bytes OVMF reports (stride 48). */
typedef struct ex_efi_desc {
    uint32_t type, pad;
    uint64_t phys, virt, pages, attr;
    uint64_t extra;
} ex_efi_desc;

#define EX_WB 0xfull
/* OVMF's map for a 128 MiB guest, as seen just before ExitBootServices. */
static const ex_efi_desc ex_ovmf_efi[] = {
    {7, 0, 0x0, 0, 0xa0, EX_WB, 0},         /* conventional */
    {7, 0, 0x100000, 0, 0x700, EX_WB, 0},   /* conventional */
    {10, 0, 0x800000, 0, 0x8, EX_WB, 0},    /* ACPI NVS */
    {7, 0, 0x808000, 0, 0x8, EX_WB, 0},     /* conventional */
    {10, 0, 0x810000, 0, 0xf0, EX_WB, 0},   /* ACPI NVS */
    {4, 0, 0x900000, 0, 0x5700, EX_WB, 0},  /* boot services data */
    {1, 0, 0x6000000, 0, 0x100, EX_WB, 0},  /* loader code (this loader) */
    {2, 0, 0x6100000, 0, 0x200, EX_WB, 0},  /* loader data */
    {3, 0, 0x6300000, 0, 0x1500, EX_WB, 0}, /* boot services code */
    {5, 0, 0x7800000, 0, 0x100, EX_WB, 0},  /* runtime services code */
    {6, 0, 0x7900000, 0, 0x100, EX_WB, 0},  /* runtime services data */
    {9, 0, 0x7a00000, 0, 0x10, EX_WB, 0},   /* ACPI reclaim */
    {7, 0, 0x7a10000, 0, 0x5d0, EX_WB, 0},  /* conventional */
    {0, 0, 0x7fe0000, 0, 0x20, EX_WB, 0},   /* reserved */
    {11, 0, 0xffc00000, 0, 0x400, 0x1, 0},  /* MMIO: flash */
};

static inline void ex_print_line(void *ctx, mm_log_level level, const char *line, size_t len)
{
    (void)ctx;
    (void)level;
    printf("%.*s\n", (int)len, line);
}

/* A logger printing every line up to `level` to stdout. */
static inline mm_logger ex_logger(mm_log_level level)
{
    return (mm_logger){ex_print_line, NULL, level};
}

/* Exits with a message when `st` is not MM_OK (examples are not
 * libraries: they stop at the first failure). */
static inline void ex_check(mm_status st, const char *what)
{
    if (st != MM_OK) {
        fprintf(stderr, "%s: %s (%s)\n", what, mm_strerror(st), mm_status_name(st));
        exit(1);
    }
}

/* Host memory for physical [0, size), 2 MiB aligned so frame alignments
 * survive the offset; *w is the window allocators reach it through. Exits
 * when the host has no memory. */
static inline void *ex_ram(uint64_t size, mm_phys_window *w)
{
    void *buf = aligned_alloc(2 * EX_MIB, (size_t)size);
    if (!buf) {
        fprintf(stderr, "cannot allocate %llu bytes of stand-in RAM\n", (unsigned long long)size);
        exit(1);
    }
    *w = (mm_phys_window){0, size, (uint64_t)(uintptr_t)buf};
    return buf;
}

/* Fills `map` (over `entries`, `capacity` of them) with the sample map of
 * `mode` (ex_ovmf_efi for MM_BOOT_UEFI, else ex_qemu_e820) sanitized at
 * 4 KiB. Exits on failure. */
static inline void ex_sample_map(mm_map *map, mm_entry *entries, uint32_t capacity,
                                 mm_boot_mode mode)
{
    static unsigned char scratch[16384];
    ex_check(mm_map_init(map, entries, capacity), "map init");
    if (mode == MM_BOOT_UEFI)
        ex_check(mm_map_import_efi(map, ex_ovmf_efi, sizeof ex_ovmf_efi, sizeof(ex_efi_desc), 1),
                 "import EFI map");
    else
        ex_check(
            mm_map_import_e820(map, ex_qemu_e820, MM_ARRAY_SIZE(ex_qemu_e820), sizeof(ex_e820)),
            "import E820");
    if (mm_map_sanitize_scratch_size(map->count) > sizeof scratch)
        ex_check(MM_ERR_BUFFER_TOO_SMALL, "sanitize scratch");
    ex_check(mm_map_sanitize(map, 4096, scratch, sizeof scratch, NULL), "sanitize");
}

/* Sets up `bm` over `map` at 4 KiB frames with storage from the host heap;
 * returns that storage for the caller to free after the bitmap's last use.
 * Exits on failure. */
static inline void *ex_bitmap(mm_bitmap *bm, const mm_map *map)
{
    uint64_t bytes;
    ex_check(mm_bitmap_storage_size(map, 4096, &bytes), "bitmap storage size");
    void *storage = aligned_alloc(8, (size_t)((bytes + 7) & ~7ull));
    if (!storage)
        ex_check(MM_ERR_OUT_OF_MEMORY, "bitmap storage");
    ex_check(mm_bitmap_init(bm, map, 4096, storage, bytes), "bitmap init");
    return storage;
}

#endif
