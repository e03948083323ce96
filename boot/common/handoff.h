/* Building and checking `struct mos_handoff` (include/mos/handoff.h).
 *
 * ========================================================================
 * ORDER OF WORK FOR BOTH FRONT ENDS (UEFI loader, BIOS stage 2)
 * ========================================================================
 * The handoff's memory map must describe every range the loader used,
 * including the handoff region itself, the frame bitmap and the page
 * tables, and the bitmap must agree with the map. That is consistent when
 * every range is PLACED AND CARVED FIRST, the bitmap is BUILT AFTER the
 * last carve, and the map is COPIED LAST. After phase B the loader takes
 * no more memory from the map or the bitmap.
 *
 * Phase A: sizes (nothing placed yet)
 *   A1. Read boot.cfg and hand it to bc_bootcfg_load (parse, validate,
 *       problems logged; halt when it fails; a missing file means
 *       defaults, still validated), read the kernel
 *       file into loader memory, bc_elf_parse() it (halt with img.msg).
 *   A2. Take the memory map (UEFI: provisional GetMemoryMap; BIOS: E820 or
 *       its fallbacks, final), import it into an mm_map whose capacity is
 *       bc_handoff_map_capacity(raw entry count), mm_map_sanitize() it
 *       at the configured bitmap_granularity (the handoff promises usable
 *       entries aligned to it; mm_map_carve() then rounds to it too).
 *       BIOS: carve the loader's own memory (stage 2, its stack, buffers:
 *       MM_TYPE_BOOTLOADER_RECLAIMABLE; EBDA and firmware areas below
 *       1 MiB: MM_TYPE_RESERVED) right away.
 *   A3. Sizes, all in bytes, all multiples of 4 KiB:
 *         kernel       img.span, aligned to img.phys_align
 *         stack        BC_KERNEL_STACK_SIZE
 *         temp heap    config temp_heap_size (0 = none)
 *         boot heap    config heap_size, aligned to config heap_alignment
 *         bitmap       the lib/mm bitmap storage size for the map at the
 *                      configured granularity
 *         page tables  bc_paging_bytes_needed() of bc_paging_standard()'s
 *                      layout (hhdm size = bc_paging_hhdm_size(map),
 *                      identity at least 4 GiB and past the loader's top;
 *                      the byte count does not depend on physical
 *                      addresses, so kernel phys may be 0 here)
 *         handoff      bc_handoff_layout_init(&l, capacity, cmdline bytes,
 *                      EFI map bytes + BC_HANDOFF_EFI_SLACK descriptors)
 *                      -> l.bytes
 * Phase B: placement, each range once, each carved to its own type
 *   BIOS: mm_map_find(size, align, at or above 1 MiB) then mm_map_carve()
 *         with MM_TYPE_KERNEL, _KERNEL_STACK, _TEMP_HEAP, _BOOT_HEAP,
 *         _FRAME_BITMAP, _PAGE_TABLES, _HANDOFF.
 *   UEFI: AllocatePages(EfiLoaderData) for each range BEFORE
 *         ExitBootServices; after the ExitBootServices retry loop, import
 *         the FINAL map (LoaderData becomes BOOTLOADER_RECLAIMABLE),
 *         sanitize, then mm_map_carve() each allocated range to its type.
 *   A temporary heap that cannot be placed is left out: base = size = 0.
 *   Nothing the kernel receives may live in the boot heap (the protocol
 *   lets the kernel reuse BOOT_HEAP at once): the handoff, map, cmdline and
 *   EFI map copy go to the HANDOFF region, the GDT to loader memory.
 * Phase C: building (the map is final from here on)
 *   C1. mm_map_validate() the map (halt on failure: a loader bug).
 *   C2. Build the frame bitmap in its carved storage from the final map:
 *       exactly the frames of non-usable entries are marked used.
 *   C3. bc_elf_load() into the kernel range; bc_paging_standard() with the
 *       kernel's physical base (the same call with phys 0 sized the tables
 *       in A3); bc_paging_build().
 *   C4. bc_handoff_input_fill() from bc_handoff_sources, then the
 *       firmware fields; bc_handoff_build(): header, fields from
 *       bc_handoff_input, the final map translated to MOS_MEM_*, the
 *       cmdline and the raw EFI map, all inside the handoff region.
 *   C5. Immediately before the jump: bc_handoff_seal(h, rdtsc()), which
 *       stores tsc_kernel_jump and the checksum. Nothing writes the handoff
 *       after sealing.
 * ======================================================================== */
#ifndef BC_HANDOFF_H
#define BC_HANDOFF_H

#include "elf.h"
#include "mm/bitmap.h"
#include "mm/memmap.h"
#include "mos/handoff.h"
#include "paging.h"

#define BC_LOADER_NAME        "MultiOS Boot"
#define BC_LOADER_VERSION     ((0u << 16) | (1u << 8) | 0u) /* 0.1.0 */
#define BC_KERNEL_STACK_SIZE  (64u * 1024u)                 /* bytes */
#define BC_HANDOFF_MAX_CARVES 16u                           /* ranges a front end may carve */
#define BC_HANDOFF_EFI_SLACK  8u                            /* extra EFI descriptors to allow for */
#define BC_HANDOFF_MAX_SIZE   4096u /* largest `size` bc_handoff_check accepts */

/* The start of both loaders' first log line, "MultiOS Boot 0.1.0"; each
 * front end appends its firmware part: mm_log(log, MM_LOG_INFO,
 * BC_BANNER_FMT " (UEFI, ...)", BC_BANNER_ARGS, ...). */
#define BC_BANNER_FMT "%s %u.%u.%u"
#define BC_BANNER_ARGS                                                                             \
    BC_LOADER_NAME, BC_LOADER_VERSION >> 16, (BC_LOADER_VERSION >> 8) & 0xff,                      \
        BC_LOADER_VERSION & 0xff

/* MOS_MEM_* type of an internal mm_type, 0 for MM_TYPE_NONE or a value
 * outside the enum. The ONE place where the two sets meet. */
uint32_t bc_mos_type_from_mm(uint32_t mm_type);

/* mm_type of a MOS_MEM_* type; MM_TYPE_NONE for an unknown value. */
uint32_t bc_mm_type_from_mos(uint32_t mos_type);

/* Static lower-case name of a MOS_MEM_* type, the same as mm_type_name()
 * of its mm_type ("usable", "kernel-stack", ...), "unknown" for anything
 * else. Never NULL. */
const char *bc_mos_type_name(uint32_t mos_type);

/* Map capacity (entries) to give an mm_map imported from `raw_count`
 * firmware entries so that sanitizing (overlap splits) and up to
 * BC_HANDOFF_MAX_CARVES carves always fit. 0 on overflow. */
uint32_t bc_handoff_map_capacity(uint32_t raw_count);

/* Where things live inside the handoff region (offsets from its start). */
typedef struct bc_handoff_layout {
    uint32_t map_capacity;     /* entries the map area holds */
    uint32_t cmdline_capacity; /* bytes including the NUL */
    uint64_t efi_capacity;     /* bytes for the raw EFI map copy (0 on BIOS) */
    uint64_t map_off;          /* struct mos_memmap_entry[map_capacity], 8-aligned */
    uint64_t cmdline_off;
    uint64_t efi_off; /* 8-aligned */
    uint64_t bytes;   /* total region size, multiple of 4096 */
} bc_handoff_layout;

/* Bytes of the NUL-terminated `cmdline` including the NUL (1 for NULL),
 * the `cmdline_bytes` bc_handoff_layout_init takes. */
uint32_t bc_cmdline_bytes(const char *cmdline);

/* Lays out a region for `map_capacity` entries, a cmdline of
 * `cmdline_bytes` (including the NUL, >= 1) and `efi_map_bytes` of raw EFI
 * map (0 on BIOS). Returns MM_OK, MM_ERR_INVALID_ARGUMENT or
 * MM_ERR_OVERFLOW (a region of 4 GiB or more is refused). */
mm_status bc_handoff_layout_init(bc_handoff_layout *l, uint32_t map_capacity,
                                 uint32_t cmdline_bytes, uint64_t efi_map_bytes);

/* Everything the front end knows; bc_handoff_build() copies it. Physical
 * addresses and bytes throughout; boot_mode is MOS_BOOT_MODE_*,
 * bios_memory_detect MOS_BIOS_DETECT_*. */
typedef struct bc_handoff_input {
    uint32_t boot_mode;
    uint32_t bios_memory_detect;
    const mm_map *map; /* the final, carved, validated map */

    uint64_t temp_heap_base, temp_heap_size; /* 0, 0 when none */
    uint64_t boot_heap_base, boot_heap_size, boot_heap_used;

    uint64_t bitmap_addr, bitmap_size, bitmap_first_frame, bitmap_frame_count;
    uint32_t bitmap_granularity;

    uint64_t efi_system_table;
    const void *efi_map; /* raw final map (copied), NULL on BIOS */
    uint64_t efi_map_size;
    uint32_t efi_desc_size, efi_desc_version;
    uint64_t acpi_rsdp;

    const char *cmdline; /* NUL-terminated, NULL = empty */

    uint64_t kernel_phys_base, kernel_virt_base, kernel_size, kernel_entry;
    uint64_t stack_phys_base, stack_size, stack_virt_top;

    uint64_t cr3, hhdm_offset, hhdm_size, identity_map_size;

    uint64_t tsc_loader_entry, tsc_memmap_done, tsc_frequency_hz;

    uint32_t sanitize_overlaps, sanitize_merged;
    uint64_t sanitize_trimmed, memtest_bad_bytes;
} bc_handoff_input;

/* A physical range a front end placed: [base, base + size), bytes;
 * 0, 0 = not placed. */
typedef struct bc_placed {
    uint64_t base, size;
} bc_placed;

/* What both front ends hold when they build the handoff (all borrowed,
 * read only during bc_handoff_input_fill). */
typedef struct bc_handoff_sources {
    uint32_t boot_mode;                 /* MOS_BOOT_MODE_* */
    const mm_map *map;                  /* final, carved, validated */
    const mm_bitmap *bitmap;            /* built in `bitmap_storage` */
    const bc_paging_layout *paging;     /* the layout the tables were built from */
    const bc_elf_image *elf;            /* the loaded kernel */
    const mm_sanitize_report *sanitize; /* of the final map */
    const char *cmdline;                /* NUL-terminated, NULL = empty */
    bc_placed kernel, stack, temp_heap, boot_heap, bitmap_storage;
    uint64_t cr3, acpi_rsdp, memtest_bad_bytes;
    uint64_t tsc_loader_entry, tsc_memmap_done, tsc_frequency_hz;
} bc_handoff_sources;

/* Zeroes `*in` and fills every field both loaders share from `s`
 * (kernel, stack with its virtual top through the HHDM, heaps, bitmap,
 * paging, cmdline, timestamps, sanitize counters). Leaves the
 * firmware-specific fields zero (efi_*; bios_memory_detect =
 * MOS_BIOS_DETECT_NONE) for the front end to set. All pointers in `s`
 * except cmdline must be non-NULL. */
void bc_handoff_input_fill(bc_handoff_input *in, const bc_handoff_sources *s);

/* Builds the handoff in `region` (`l->bytes` bytes, laid out by
 * bc_handoff_layout_init, at physical address `region_phys`, which the
 * front end carved as MM_TYPE_HANDOFF): zeroes the region, fills the
 * header (magic, revision, size, loader name and version) and every field
 * from `in`, copies the map (translated with bc_mos_type_from_mm), the
 * cmdline and the EFI map, and stores the struct's address in *out
 * (= region). The checksum is NOT set: call bc_handoff_seal() last.
 * Returns MM_OK; MM_ERR_INVALID_ARGUMENT for NULL pointers or an entry
 * with an unknown type; MM_ERR_BUFFER_TOO_SMALL when the map, cmdline or
 * EFI map exceeds the layout's capacity (nothing useful written then). */
mm_status bc_handoff_build(const bc_handoff_input *in, const bc_handoff_layout *l, void *region,
                           uint64_t region_phys, struct mos_handoff **out);

/* Stores `tsc_kernel_jump` and then the checksum. Last write before the
 * jump. */
void bc_handoff_seal(struct mos_handoff *h, uint64_t tsc_kernel_jump);

/* Verifies a handoff as a kernel receives it (defined in handoff_check.c,
 * which needs only text.c besides: a kernel can link just those two). `virt_offset` turns a
 * physical address of the handoff into a pointer: ptr = phys + virt_offset
 * (a kernel passes h->hhdm_offset; the struct itself is at `h`).
 * Checks, in order, each with its own message in `why` (`why_len` bytes,
 * NUL-terminated, may be NULL):
 *   header      magic, revision >= 1, sizeof(rev 1) <= size <= BC_HANDOFF_MAX_SIZE,
 *               checksum;
 *   map         address non-zero and 8-aligned, count >= 1, entry size >= 32
 *               and a multiple of 8, memmap_crc32 matches, entries
 *               non-empty, no wrap past 2^64, sorted, non-overlapping,
 *               usable entries aligned to bitmap_granularity;
 *   temp heap   both fields 0, or [base, base+size) inside one
 *               MOS_MEM_TEMP_HEAP entry;
 *   bitmap      granularity a power of two >= 4096, [addr, addr+size)
 *               inside MOS_MEM_FRAME_BITMAP, size >= frame_count / 8;
 *   self        the struct, the map array and the cmdline inside
 *               MOS_MEM_HANDOFF, cmdline NUL-terminated;
 *   others      stack inside MOS_MEM_KERNEL_STACK, kernel image inside
 *               MOS_MEM_KERNEL, cr3 inside MOS_MEM_PAGE_TABLES.
 * Returns MM_OK, or MM_ERR_INVALID_ARGUMENT (bad header or argument) /
 * MM_ERR_MAP_INVALID (any later check). Reads only inside the structure
 * and the map/cmdline it points to, after checking their sizes. */
mm_status bc_handoff_check(const struct mos_handoff *h, uint64_t virt_offset, char *why,
                           size_t why_len);

#endif
