/* Building and checking `struct mos_handoff` (include/mos/handoff.h): the
 * builder the boot driver (driver.h) calls last, and the verifier a kernel
 * (and the tests) run on what it received. */
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
#define BC_HANDOFF_MAX_CARVES 64u                           /* ranges the loader may carve */
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

/* What bc_handoff_build() writes: `fields` holds every field of the
 * handoff the loader knows (boot mode, heaps, bitmap, firmware, kernel,
 * stack, paging, timing, sanitizer counts); the builder sets the header,
 * the addresses and sizes of the map, cmdline and EFI map copy and the
 * map's CRC itself, overwriting what `fields` has there. Physical
 * addresses and bytes throughout. */
typedef struct bc_handoff_input {
    struct mos_handoff fields;
    const mm_map *map;   /* the final, carved, validated map */
    const char *cmdline; /* NUL-terminated, NULL = empty */
    const void *efi_map; /* raw final map (copied), NULL on BIOS */
    uint64_t efi_map_size;
} bc_handoff_input;

/* Builds the handoff in `region` (`l->bytes` bytes, laid out by
 * bc_handoff_layout_init, at physical address `region_phys`, which the
 * driver carved as MM_TYPE_HANDOFF): zeroes the region, copies
 * `in->fields`, fills the header (magic, revision, size, loader name and
 * version), copies the map (translated with bc_mos_type_from_mm), the
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
 *   header      magic, revision >= 1, 368 <= size <= BC_HANDOFF_MAX_SIZE (456 <= size
 *               when revision >= 2),
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
 *               MOS_MEM_KERNEL, cr3 inside MOS_MEM_PAGE_TABLES;
 *   rev 2       framebuffer inside MOS_MEM_FRAMEBUFFER and the HHDM with a sane
 *               RGB format; modules inside MOS_MEM_MODULE, their cmdlines
 *               NUL-terminated in HANDOFF; CPU list with exactly one BSP =
 *               bsp_apic_id, started records in MOS_MEM_AP_STACKS.
 * Returns MM_OK, or MM_ERR_INVALID_ARGUMENT (bad header or argument) /
 * MM_ERR_MAP_INVALID (any later check). Reads only inside the structure
 * and the map/cmdline it points to, after checking their sizes. */
mm_status bc_handoff_check(const struct mos_handoff *h, uint64_t virt_offset, char *why,
                           size_t why_len);

#endif
