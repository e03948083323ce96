/* Physical memory map: import, sanitize, validate, carve, find, statistics,
 * log output.
 *
 * A map is an array of entries in storage the caller owns (`capacity`
 * entries, no fixed cap). Ranges are half-open [base, base + length).
 * After mm_map_sanitize() a map is: sorted by base, non-overlapping,
 * free of empty entries, adjacent same-type/same-attribute entries merged,
 * and usable entries aligned inward to the frame size. */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "mm/base.h"
#include "mm/log.h"

/* Internal memory types. These are NOT the handoff's types: the loader
 * translates them in exactly one place (boot/common). Values are stable
 * only inside one build. */
typedef enum mm_type {
    MM_TYPE_NONE = 0,         /* never stored; "no type" in lookups */
    MM_TYPE_USABLE,           /* free RAM */
    MM_TYPE_RESERVED,         /* firmware/hardware reserved, unknown E820 codes */
    MM_TYPE_ACPI_RECLAIMABLE, /* ACPI tables; RAM once the OS has read them */
    MM_TYPE_ACPI_NVS,         /* ACPI non-volatile storage; never touch */
    MM_TYPE_BAD,              /* defective RAM (E820 5, EFI unusable, memtest) */
    MM_TYPE_PERSISTENT,       /* persistent memory (E820 7, EFI 14) */
    MM_TYPE_FW_RUNTIME_CODE,  /* EFI runtime services code */
    MM_TYPE_FW_RUNTIME_DATA,  /* EFI runtime services data */
    MM_TYPE_MMIO,             /* EFI memory-mapped I/O (and port space) */
    MM_TYPE_UNACCEPTED,       /* EFI unaccepted memory (confidential VMs) */
    /* Loader-owned ranges, carved out of usable RAM by the loader. */
    MM_TYPE_BOOTLOADER_RECLAIMABLE, /* loader code/data the kernel may reuse */
    MM_TYPE_KERNEL,                 /* kernel image segments */
    MM_TYPE_KERNEL_STACK,           /* the stack the kernel starts on */
    MM_TYPE_TEMP_HEAP,              /* the 1 MiB temporary heap of the handoff */
    MM_TYPE_BOOT_HEAP,              /* the loader's boot heap */
    MM_TYPE_PAGE_TABLES,            /* page tables the kernel runs on */
    MM_TYPE_FRAME_BITMAP,           /* the frame bitmap given to the kernel */
    MM_TYPE_HANDOFF,                /* handoff structure, map copy, cmdline */
    MM_TYPE_FRAMEBUFFER,            /* the linear framebuffer (device memory) */
    MM_TYPE_MODULE,                 /* a module file loaded for the kernel */
    MM_TYPE_AP_TRAMPOLINE,          /* AP start code and data below 1 MiB */
    MM_TYPE_AP_STACKS,              /* per-CPU parking records and AP stacks */
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
    /* Granularity (bytes, power of two) usable entries are kept aligned to:
     * set to MM_FRAME_SIZE_DEFAULT by mm_map_init(), to the frame size of the
     * last successful mm_map_sanitize(); mm_map_carve() rounds to it. 0 (a
     * map built without mm_map_init) means byte granularity. */
    uint64_t frame_size;
} mm_map;

/* How the map was obtained. */
typedef enum mm_boot_mode {
    MM_BOOT_UNKNOWN = 0,
    MM_BOOT_UEFI = 1,
    MM_BOOT_BIOS = 2,
} mm_boot_mode;

/* ---- Names ------------------------------------------------------------ */

/* Short lower-case name of `t` for output ("usable", "acpi-nvs",
 * "bootloader-reclaimable", ...); "none" for MM_TYPE_NONE and "invalid" for
 * values outside the enum. Never NULL. */
const char *mm_type_name(mm_type t);

/* Inverse of mm_type_name(): MM_TYPE_NONE when `name` is NULL or no type
 * has that name. Exact, case-sensitive match. */
mm_type mm_type_from_name(const char *name);

/* "uefi", "bios" or "unknown" (also for values outside the enum). */
const char *mm_boot_mode_name(mm_boot_mode mode);

/* Overlap priority of `t` (higher wins, see docs/memory-map.md): usable is
 * lowest, every other type beats it; values outside the enum rank as
 * MM_TYPE_RESERVED. */
uint32_t mm_type_priority(mm_type t);

/* True when `a` is immediately followed by `b` (a.base + a.length ==
 * b.base) and both have the same type and attributes and either the same
 * raw code or type usable (usable RAM is alike whatever the firmware called
 * it). Such neighbours are one entry in a sanitized map. */
bool mm_entries_mergeable(const mm_entry *a, const mm_entry *b);

/* ---- Building a map ----------------------------------------------------- */

/* Sets up an empty map over `storage` (`capacity` entries, owned by the
 * caller and used until the map is dropped); frame_size starts at
 * MM_FRAME_SIZE_DEFAULT. MM_ERR_INVALID_ARGUMENT when `m` is NULL or
 * `storage` is NULL with a non-zero capacity. */
mm_status mm_map_init(mm_map *m, mm_entry *storage, uint32_t capacity);

/* Empties the map (count = 0); storage and frame_size are kept. */
void mm_map_clear(mm_map *m);

/* Appends [base, base + length) as one entry, unsorted and unmerged
 * (mm_map_sanitize() cleans up). `length` may be 0 (sanitize drops it).
 * MM_ERR_INVALID_ARGUMENT for a NULL map or a type outside
 * (MM_TYPE_NONE, MM_TYPE_COUNT); MM_ERR_OVERFLOW when base + length
 * passes 2^64 - 1 (ends of exactly 2^64 are not representable);
 * MM_ERR_MAP_FULL when count == capacity. The map is unchanged on error. */
mm_status mm_map_add(mm_map *m, uint64_t base, uint64_t length, mm_type type, uint32_t raw_type,
                     uint64_t attributes);

/* E820 types as the BIOS returns them (INT 15h, EAX=E820h). */
#define MM_E820_USABLE     1u
#define MM_E820_RESERVED   2u
#define MM_E820_ACPI       3u
#define MM_E820_NVS        4u
#define MM_E820_UNUSABLE   5u
#define MM_E820_PERSISTENT 7u
/* ACPI 3.0 extended attributes (24-byte entries). */
#define MM_E820_ATTR_ENABLED     0x1u /* clear: the OS must ignore the entry */
#define MM_E820_ATTR_NONVOLATILE 0x2u /* the range is non-volatile memory */

/* Maps an E820 type code (and, for 24-byte entries, its extended attributes)
 * to an mm_type: 1 usable (persistent when the non-volatile bit is set),
 * 2 reserved, 3 acpi-reclaimable, 4 acpi-nvs, 5 bad, 7 persistent, any other
 * code reserved (the caller keeps the raw code). */
mm_type mm_e820_type(uint32_t e820_type, uint64_t ext_attributes);

/* Appends `count` raw E820 entries from `entries`, packed `entry_size`
 * bytes apart (20: base u64, length u64, type u32; 24: plus the ACPI 3.0
 * extended attributes u32), little-endian, no alignment needed. 24-byte
 * entries whose "enabled" bit 0 is clear are skipped; the extended
 * attributes are stored in `attributes` (0 for 20-byte entries), the E820
 * code in `raw_type`. Entries are taken as given: zero-length or wrapping
 * entries are left for mm_map_sanitize() to drop or clip and report.
 * MM_ERR_INVALID_ARGUMENT for a NULL map, NULL entries with count > 0 or an
 * entry_size other than 20/24; MM_ERR_MAP_FULL when the entries do not fit.
 * On error the map is left as it was before the call. */
mm_status mm_map_import_e820(mm_map *m, const void *entries, uint32_t count, uint32_t entry_size);

/* UEFI memory types (EFI_MEMORY_TYPE). */
enum {
    MM_EFI_RESERVED = 0,
    MM_EFI_LOADER_CODE,
    MM_EFI_LOADER_DATA,
    MM_EFI_BOOT_SERVICES_CODE,
    MM_EFI_BOOT_SERVICES_DATA,
    MM_EFI_RUNTIME_SERVICES_CODE,
    MM_EFI_RUNTIME_SERVICES_DATA,
    MM_EFI_CONVENTIONAL,
    MM_EFI_UNUSABLE,
    MM_EFI_ACPI_RECLAIM,
    MM_EFI_ACPI_NVS,
    MM_EFI_MMIO,
    MM_EFI_MMIO_PORT_SPACE,
    MM_EFI_PAL_CODE,
    MM_EFI_PERSISTENT,
    MM_EFI_UNACCEPTED,
    MM_EFI_TYPE_COUNT
};
#define MM_EFI_PAGE_SIZE      4096u
#define MM_EFI_PAGE_SHIFT     12u
#define MM_EFI_DESC_MIN_SIZE  40u /* the EFI_MEMORY_DESCRIPTOR fields we read */
#define MM_EFI_DESC_VERSION   1u
#define MM_EFI_MEMORY_SP      0x40000ull /* EFI_MEMORY_SP: specific-purpose memory */
#define MM_EFI_MEMORY_RUNTIME 0x8000000000000000ull

/* Maps an EFI memory type to an mm_type as it stands after
 * ExitBootServices: boot-services code/data and conventional memory usable,
 * loader code/data bootloader-reclaimable (the loader carves what it keeps),
 * runtime code/data, unusable (bad), ACPI reclaim/NVS, MMIO and MMIO port
 * space (mmio), persistent and unaccepted kept apart; reserved, PAL code and
 * unknown codes reserved (the caller keeps the raw code). */
mm_type mm_efi_type(uint32_t efi_type);

/* mm_efi_type() refined by a descriptor's attribute bits: memory that would
 * be usable but carries EFI_MEMORY_SP (specific-purpose memory set aside for
 * particular devices or drivers) is reserved. What mm_map_import_efi()
 * stores. */
mm_type mm_efi_descriptor_type(uint32_t efi_type, uint64_t attributes);

/* Appends the descriptors of a raw GetMemoryMap() buffer: `map_size` bytes,
 * one EFI_MEMORY_DESCRIPTOR every `desc_size` bytes (the firmware's stride,
 * which may exceed the structure's size). Reads Type, PhysicalStart,
 * NumberOfPages and Attribute (little-endian, no alignment needed); the EFI
 * type goes to `raw_type`, the attribute bits to `attributes`. Memory that
 * would be usable but carries EFI_MEMORY_SP (specific-purpose memory set
 * aside for particular devices or drivers) is imported as reserved.
 * Descriptors with 0 pages are dropped. A page count whose byte length
 * passes 2^64 is saturated to the largest page-multiple length so that
 * mm_map_sanitize() clips the range at the top of the address space.
 * MM_ERR_INVALID_ARGUMENT for a NULL map, a NULL buffer with map_size > 0,
 * desc_size < 40, map_size not a multiple of desc_size, or desc_version 0;
 * MM_ERR_MAP_FULL when the descriptors do not fit. On error the map is left
 * as it was before the call. */
mm_status mm_map_import_efi(mm_map *m, const void *map, uint64_t map_size, uint64_t desc_size,
                            uint32_t desc_version);

/* Smallest RAM size the fallback layout assumes when no hint is given, and
 * the highest address it ever reports usable (below the 32-bit PCI hole,
 * which starts at 3 GiB or above on PC chipsets). */
#define MM_FALLBACK_DEFAULT_RAM ((uint64_t)32 * MM_MIB)
#define MM_FALLBACK_MAX_END     ((uint64_t)3 * MM_GIB)

/* Replaces the map with a conservative layout for an unknown boot
 * mode (sanitized at 4 KiB):
 *   [0, 0x9F000)          usable (conventional memory)
 *   [0x9F000, 0x100000)   reserved: the usual EBDA [0x9F000, 0xA0000) and
 *                         VGA/ROM/BIOS area [0xA0000, 0x100000), one entry
 *                         because equal neighbours are always merged
 *   [0x100000, top)       usable
 * where top = `ram_bytes_hint` (total RAM believed present, 0 = unknown ->
 * MM_FALLBACK_DEFAULT_RAM) rounded down to 1 MiB and capped at
 * MM_FALLBACK_MAX_END; no high entry when top <= 1 MiB. raw_type is 0,
 * attributes 0. MM_ERR_INVALID_ARGUMENT for a NULL map, MM_ERR_MAP_FULL
 * (map emptied) when capacity < 3. */
mm_status mm_map_fallback(mm_map *m, uint64_t ram_bytes_hint);

/* ---- Sanitize and validate --------------------------------------------- */

/* What mm_map_sanitize() changed, for the loader's log. */
typedef struct mm_sanitize_report {
    uint32_t entries_in;        /* entries before */
    uint32_t entries_out;       /* entries after */
    uint32_t empty_dropped;     /* zero-length entries removed */
    uint32_t wrapped_clipped;   /* entries ending past 2^64 - 1, clipped there */
    uint32_t invalid_types;     /* type values outside the enum, kept as reserved */
    uint32_t overlaps_resolved; /* entries overlapping an entry below them */
    uint32_t merged;            /* neighbouring entries joined into one */
    uint32_t slivers_dropped;   /* usable pieces smaller than a frame after alignment */
    uint64_t bytes_trimmed;     /* usable bytes given up to frame alignment (incl. slivers) */
} mm_sanitize_report;

/* Bytes of scratch mm_map_sanitize() needs for a map of `count` entries
 * (two entry arrays for the merge sort, one heap index per entry, plus
 * alignment slack: 68 * count + 8 bytes).
 * SIZE_MAX when that does not fit in size_t. */
size_t mm_map_sanitize_scratch_size(uint32_t count);

/* Brings the map into sanitized form (see the top of this file):
 *   1. drops zero-length entries, clips entries that end past 2^64 - 1
 *      (the last byte of the address space cannot be described), turns type
 *      values outside the enum into MM_TYPE_RESERVED (raw code kept);
 *   2. sorts by base (bottom-up merge sort: O(n log n) always, no
 *      recursion, stable);
 *   3. resolves overlaps with one sweep over the sorted entries and a binary
 *      heap of the entries covering the current address: each byte gets the
 *      type of the covering entry with the highest mm_type_priority() (ties:
 *      lower raw code, then lower attributes), so a reserved range inside a
 *      usable one splits it in three;
 *   4. merges neighbours for which mm_entries_mergeable() holds;
 *   5. aligns usable entries inward to `frame_size` (a power of two) and
 *      drops usable pieces smaller than a frame; the bytes given up become
 *      holes, never another type; neighbours that meet again are merged.
 * O(n log n) time, `scratch` (>= mm_map_sanitize_scratch_size(count) bytes,
 * any alignment, contents ignored) is the only extra memory. Sets
 * m->frame_size = frame_size. `report` may be NULL.
 * Errors: MM_ERR_INVALID_ARGUMENT (NULL map/scratch, frame_size not a power
 * of two), MM_ERR_BUFFER_TOO_SMALL (scratch) - map untouched;
 * MM_ERR_MAP_FULL when the result needs more entries than the capacity
 * (splits can add entries): the map then holds the input after step 1 and
 * 2 only (same bytes with the same types, sorted by base, overlaps not yet
 * resolved), so a caller can retry with larger storage. */
mm_status mm_map_sanitize(mm_map *m, uint64_t frame_size, void *scratch, size_t scratch_size,
                          mm_sanitize_report *report);

/* The invariants of a sanitized map, in the order validate checks them. */
typedef enum mm_validate_rule {
    MM_RULE_NONE = 0,         /* no rule broken */
    MM_RULE_BAD_TYPE,         /* type is MM_TYPE_NONE or outside the enum */
    MM_RULE_EMPTY,            /* length is 0 */
    MM_RULE_WRAPS,            /* base + length passes 2^64 - 1 */
    MM_RULE_UNSORTED,         /* base below the previous entry's base */
    MM_RULE_OVERLAP,          /* starts before the previous entry ends */
    MM_RULE_NOT_MERGED,       /* mergeable with the previous entry */
    MM_RULE_USABLE_UNALIGNED, /* usable base or length not a frame multiple */
    MM_RULE_COUNT
} mm_validate_rule;

typedef struct mm_validate_error {
    uint32_t index;        /* entry that breaks the rule */
    mm_validate_rule rule; /* which rule */
} mm_validate_error;

/* Short kebab-case name of a rule ("overlap", "usable-unaligned", ...);
 * "unknown" for values outside the enum. */
const char *mm_validate_rule_name(mm_validate_rule rule);

/* First rule entry `index` breaks, on its own or against entry index - 1
 * (MM_RULE_NONE if none, or if index >= count). `frame_size` as in
 * mm_map_validate(). Lets tools list every broken rule. */
mm_validate_rule mm_map_entry_rule(const mm_map *m, uint32_t index, uint64_t frame_size);

/* Checks every invariant of a sanitized map at `frame_size` (a power of
 * two). MM_OK, or MM_ERR_MAP_INVALID with *err (if err is not NULL) naming
 * the first entry and the rule it breaks; MM_ERR_INVALID_ARGUMENT for a
 * NULL map, count > capacity, or frame_size not a power of two. */
mm_status mm_map_validate(const mm_map *m, uint64_t frame_size, mm_validate_error *err);

/* ---- Using a sanitized map ---------------------------------------------- */

typedef enum mm_carve_flags {
    MM_CARVE_DEFAULT = 0,       /* the whole range must be usable now */
    MM_CARVE_ANY_TYPE = 1u << 0 /* retype whatever is there, holes included */
} mm_carve_flags;

/* Retypes [base, base + length) of a sanitized map to `new_type`, splitting
 * and merging entries so the map stays sanitized. The range is first
 * rounded to m->frame_size: outward for a non-usable new_type (so the
 * usable rest stays aligned: more is retyped, never less), inward for
 * MM_TYPE_USABLE (MM_ERR_INVALID_ARGUMENT if nothing is left). The new
 * entry gets raw_type 0 and the attributes of the entry that held `base`
 * (0 over a hole). By default every byte of the rounded range must be
 * usable (adjacent usable entries count); MM_CARVE_ANY_TYPE retypes any
 * type and fills holes, e.g. to mark bad memory.
 * Errors leave the map unchanged: MM_ERR_INVALID_ARGUMENT (NULL map, length
 * 0, new_type outside the enum or MM_TYPE_NONE, unknown flags, a
 * frame_size that is not 0 or a power of two),
 * MM_ERR_OVERFLOW (range passes 2^64 - 1), MM_ERR_NOT_USABLE (default mode,
 * some byte not usable), MM_ERR_MAP_FULL (a split needs more entries than
 * the capacity). O(n). */
mm_status mm_map_carve(mm_map *m, uint64_t base, uint64_t length, mm_type new_type,
                       mm_carve_flags flags);

typedef enum mm_find_flags {
    MM_FIND_BOTTOM_UP = 0,     /* lowest fitting address (first fit) */
    MM_FIND_TOP_DOWN = 1u << 0 /* highest fitting address */
} mm_find_flags;

/* Finds `size` bytes of usable memory at an address aligned to `align` (a
 * power of two), lying entirely inside [min, max), in a sanitized map
 * (adjacent usable entries count as one range). Stores the base in *out.
 * MM_ERR_INVALID_ARGUMENT (NULL map/out, size 0, align not a power of two,
 * min >= max, unknown flags); MM_ERR_NOT_FOUND when nothing fits. Does not
 * change the map: carve the result to take it. O(n). */
mm_status mm_map_find(const mm_map *m, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                      mm_find_flags flags, uint64_t *out);

/* Type of the byte at `addr` in a sanitized map (binary search, O(log n));
 * MM_TYPE_NONE for a hole or a NULL map. */
mm_type mm_map_type_at(const mm_map *m, uint64_t addr);

/* True when every byte of [base, base + length) is covered by entries of
 * `type` in a sanitized map (adjacent entries of that type count). False
 * for length 0, a range that overflows, or a NULL map. O(log n + k). */
bool mm_map_range_is(const mm_map *m, uint64_t base, uint64_t length, mm_type type);

/* Statistics of a map. Byte totals saturate at UINT64_MAX (only possible
 * for unsanitized maps). Entries with a type outside the enum are counted
 * under MM_TYPE_NONE. (A struct tag, not a typedef: the name is also the
 * function's.) */
struct mm_map_stats {
    uint64_t bytes[MM_TYPE_COUNT];   /* bytes per type */
    uint32_t entries[MM_TYPE_COUNT]; /* entries per type */
    uint32_t entry_count;            /* all entries */
    uint64_t total_bytes;            /* all entries */
    uint64_t usable_bytes;           /* == bytes[MM_TYPE_USABLE] */
    uint64_t highest_usable_end;     /* exclusive end of the highest usable byte, 0 if none */
    uint64_t highest_end;            /* exclusive end of the highest entry, 0 if empty */
};

/* Fills *s from the map (all zero for an empty or NULL map). */
void mm_map_stats(const mm_map *m, struct mm_map_stats *s);

/* base + length of an entry (entries of a sanitized map never wrap). */
static inline uint64_t mm_entry_end(const mm_entry *e)
{
    return e->base + e->length;
}

/* ---- Output ------------------------------------------------------------- */

/* Logs the map at `level`: a header line with the entry count, then one
 * line per entry with its half-open range (hex, zero-padded to 12 digits),
 * its size (mm_fmt_bytes) and mm_type_name():
 *   "memory map, 3 entries:"
 *   "  [0x000000000000 - 0x00000009f000)     636 KiB  usable"
 * Nothing when `map` is NULL or `lg` does not pass `level`. The map is only
 * read. */
void mm_log_map(const mm_logger *lg, mm_log_level level, const mm_map *map);

#endif
