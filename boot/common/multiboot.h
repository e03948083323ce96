/* Multiboot 1 (spec 0.6.96) and Multiboot 2 (spec 2.0) back end: what a
 * loader needs to boot a kernel written for GRUB's `multiboot` /
 * `multiboot2` commands unchanged (docs/multiboot.md).
 *
 * Order of work (proto_multiboot.c runs it inside the boot driver; every
 * step is firmware-neutral):
 *   1. Kernel file read; if bc_gzip_detect() it, bc_gzip_decompress() it
 *      (output sized from bc_gzip_claimed_size()). Same for each module.
 *   2. bc_mb_find_header(file, version, info_available): the header, or a
 *      message naming what is missing or unsupported.
 *   3. bc_mb_plan_build(): the load plan (ELF32/ELF64 by p_paddr, or the
 *      header's address fields), entry point, section header table.
 *   4. MB2 relocatable kernels: bc_mb_plan_relocate() against the map.
 *   5. bc_mb_plan_check() against the sanitized map: every segment must be
 *      usable RAM (the loader's own memory is carved before this, so a
 *      kernel over the loader or the firmware is refused with a message).
 *      Carve each segment as MM_TYPE_KERNEL; bc_mb_load() the file bytes.
 *   6. Modules: place each at a page-aligned usable address below 4 GiB
 *      (the driver: BC_RANGE_MODULE, typed MM_TYPE_MODULE), copy it.
 *   7. Info region: bc_mb_info_size() bytes, 8-aligned, below 4 GiB,
 *      carved MM_TYPE_HANDOFF; bc_mb_modules_check(); bc_mb1_info_build()
 *      or bc_mb2_info_build() (the map is final from here on).
 *   8. bc_mb_entry_regs(): EIP/EAX/EBX for the 32-bit trampoline.
 *
 * Everything a Multiboot kernel is handed is below 4 GiB: it starts in
 * 32-bit protected mode with paging off. */
#ifndef BC_MULTIBOOT_H
#define BC_MULTIBOOT_H

#include "mm/memmap.h"
#include "mm/memtest.h"

#define BC_MB1_HEADER_MAGIC 0x1badb002u
#define BC_MB1_BOOT_MAGIC   0x2badb002u /* EAX at entry */
#define BC_MB2_HEADER_MAGIC 0xe85250d6u
#define BC_MB2_BOOT_MAGIC   0x36d76289u /* EAX at entry */
#define BC_MB1_SEARCH_BYTES 8192u       /* header within, 4-byte aligned */
#define BC_MB2_SEARCH_BYTES 32768u      /* header within, 8-byte aligned */

#define BC_MB_MAX_SEGMENTS 16u
#define BC_MB_MSG_MAX      112u
#define BC_MB_4GIB         0x100000000ull

typedef enum bc_mb_status {
    BC_MB_OK = 0,
    BC_MB_NO_HEADER,        /* no magic in the search area */
    BC_MB_BAD_CHECKSUM,     /* magic found, checksum wrong */
    BC_MB_BAD_HEADER,       /* malformed header: length, tag sizes, architecture */
    BC_MB_UNSUPPORTED,      /* a required flag bit / tag / information we cannot give */
    BC_MB_BAD_IMAGE,        /* load plan impossible: ELF or address fields inconsistent */
    BC_MB_NOT_USABLE,       /* plan or module placement collides with non-free memory */
    BC_MB_BUFFER_TOO_SMALL, /* caller buffer smaller than the computed size */
    BC_MB_BAD_ARGUMENT,     /* NULL pointer, unknown version */
    BC_MB_STATUS_COUNT
} bc_mb_status;

/* ---- Header ------------------------------------------------------------- */

/* MB1 header flag bits (bits 0-15 are requirements, 16-31 optional). */
#define BC_MB1_FLAG_PAGE_ALIGN 0x1u     /* modules page-aligned */
#define BC_MB1_FLAG_MEMINFO    0x2u     /* mem_* and mmap wanted */
#define BC_MB1_FLAG_VIDEO      0x4u     /* video mode fields valid (header bytes 32-47) */
#define BC_MB1_FLAG_ADDRESS    0x10000u /* address fields valid (a.out kludge) */

/* MB2 header tag types. */
enum {
    BC_MB2_HTAG_END = 0,
    BC_MB2_HTAG_INFO_REQUEST = 1,
    BC_MB2_HTAG_ADDRESS = 2,
    BC_MB2_HTAG_ENTRY = 3,
    BC_MB2_HTAG_CONSOLE = 4,
    BC_MB2_HTAG_FRAMEBUFFER = 5,
    BC_MB2_HTAG_MODULE_ALIGN = 6,
    BC_MB2_HTAG_EFI_BS = 7,
    BC_MB2_HTAG_ENTRY_EFI32 = 8,
    BC_MB2_HTAG_ENTRY_EFI64 = 9,
    BC_MB2_HTAG_RELOCATABLE = 10,
};
#define BC_MB2_HTAG_OPTIONAL 0x1u /* tag flags bit 0 */

/* MB2 information tag types. */
enum {
    BC_MB2_TAG_END = 0,
    BC_MB2_TAG_CMDLINE = 1,
    BC_MB2_TAG_LOADER_NAME = 2,
    BC_MB2_TAG_MODULE = 3,
    BC_MB2_TAG_BASIC_MEMINFO = 4,
    BC_MB2_TAG_BOOTDEV = 5,
    BC_MB2_TAG_MMAP = 6,
    BC_MB2_TAG_VBE = 7,
    BC_MB2_TAG_FRAMEBUFFER = 8,
    BC_MB2_TAG_ELF_SECTIONS = 9,
    BC_MB2_TAG_APM = 10,
    BC_MB2_TAG_EFI32 = 11,
    BC_MB2_TAG_EFI64 = 12,
    BC_MB2_TAG_SMBIOS = 13,
    BC_MB2_TAG_ACPI_OLD = 14,
    BC_MB2_TAG_ACPI_NEW = 15,
    BC_MB2_TAG_NETWORK = 16,
    BC_MB2_TAG_EFI_MMAP = 17,
    BC_MB2_TAG_EFI_BS = 18,
    BC_MB2_TAG_EFI32_IH = 19,
    BC_MB2_TAG_EFI64_IH = 20,
    BC_MB2_TAG_LOAD_BASE = 21,
};
#define BC_MB2_INFO_BIT(type) (1u << (type))
/* Information every boot can give; the driver ORs in BOOTDEV, EFI64,
 * SMBIOS, ACPI_OLD, ACPI_NEW and EFI_MMAP when it has them. */
#define BC_MB2_INFO_ALWAYS                                                                         \
    (BC_MB2_INFO_BIT(BC_MB2_TAG_CMDLINE) | BC_MB2_INFO_BIT(BC_MB2_TAG_LOADER_NAME) |               \
     BC_MB2_INFO_BIT(BC_MB2_TAG_MODULE) | BC_MB2_INFO_BIT(BC_MB2_TAG_BASIC_MEMINFO) |              \
     BC_MB2_INFO_BIT(BC_MB2_TAG_MMAP) | BC_MB2_INFO_BIT(BC_MB2_TAG_ELF_SECTIONS) |                 \
     BC_MB2_INFO_BIT(BC_MB2_TAG_LOAD_BASE))

/* bc_mb_header.has bits. */
#define BC_MB_HAS_ADDRESS     0x1u  /* address fields (MB1 flag 16, MB2 tag 2) */
#define BC_MB_HAS_ENTRY       0x2u  /* entry from the header (MB1 flag 16, MB2 tag 3) */
#define BC_MB_HAS_RELOCATABLE 0x4u  /* MB2 tag 10 */
#define BC_MB_HAS_CONSOLE     0x8u  /* MB2 tag 4 (console_flags valid) */
#define BC_MB_ALIGN_MODULES   0x10u /* MB1 flag 0 / MB2 tag 6 (always honoured) */

/* bc_mb_header.video: what the kernel asks of the screen (MB1 flag 2's
 * mode_type, MB2 tag 5). */
#define BC_MB_VIDEO_NONE   0u /* no request: the screen as it is */
#define BC_MB_VIDEO_LINEAR 1u /* a linear graphics mode */
#define BC_MB_VIDEO_TEXT   2u /* EGA text: the screen as it is */

/* A header as found: where, what it asks for. */
typedef struct bc_mb_header {
    uint32_t version;     /* 1 or 2 */
    uint32_t offset;      /* file offset of the magic */
    uint32_t length;      /* bytes of the header (MB1: 12, 32 or 48) */
    uint32_t flags;       /* MB1 flags word (0 for MB2) */
    uint32_t has;         /* BC_MB_HAS_* */
    uint32_t header_addr; /* address fields, when BC_MB_HAS_ADDRESS */
    uint32_t load_addr;
    uint32_t load_end_addr;
    uint32_t bss_end_addr;
    uint32_t entry_addr; /* when BC_MB_HAS_ENTRY */
    uint32_t reloc_min;  /* relocatable tag, when BC_MB_HAS_RELOCATABLE */
    uint32_t reloc_max;
    uint32_t reloc_align;
    uint32_t reloc_pref;       /* 0 none, 1 lowest, 2 highest */
    uint32_t console_flags;    /* when BC_MB_HAS_CONSOLE */
    uint32_t video;            /* BC_MB_VIDEO_* */
    uint32_t video_width;      /* pixels (text: columns); 0 = no preference */
    uint32_t video_height;     /* pixels (text: rows); 0 = no preference */
    uint32_t video_depth;      /* bits per pixel; 0 = no preference */
    uint32_t video_required;   /* MB2: tag 5 without its optional flag */
    uint32_t info_wanted;      /* MB2: BC_MB2_INFO_BIT of each requested type < 32 */
    uint32_t optional_ignored; /* MB2: bit per optional header tag type skipped */
    char msg[BC_MB_MSG_MAX];   /* "ok" or the problem */
} bc_mb_header;

/* Finds and validates the Multiboot `version` (1 or 2) header in the
 * `len`-byte file. MB1: first magic with a valid checksum in the first
 * 8 KiB at a 4-byte boundary; required flag bits other than 0, 1, 2 (and
 * 16, the address fields) are refused, as is a video mode_type other
 * than 0 (linear) or 1 (EGA text). MB2: first valid header in 32 KiB at
 * an 8-byte boundary, architecture i386, tags walked to the end tag; a
 * required tag we do not implement (EFI boot services, EFI entry points,
 * unknown types) is refused, as is a required information
 * request for a type not in `info_available` (BC_MB2_INFO_BIT mask; types
 * >= 32 are never available). Fills *h (h->msg always; other fields
 * unspecified on error). Reads only inside the file. */
bc_mb_status bc_mb_find_header(const void *file, size_t len, uint32_t version,
                               uint32_t info_available, bc_mb_header *h);

/* ---- Load plan ------------------------------------------------------------ */

/* One range to load: file[file_off, file_off + file_size) to physical
 * [phys, phys + mem_size), the rest (bss) zeroed. */
typedef struct bc_mb_segment {
    uint64_t file_off, file_size;
    uint64_t phys, mem_size;
} bc_mb_segment;

typedef struct bc_mb_plan {
    uint32_t count; /* segments[0 .. count), mem_size > 0, pairwise disjoint */
    uint32_t entry; /* physical EIP */
    bc_mb_segment segments[BC_MB_MAX_SEGMENTS];
    uint64_t lowest;    /* lowest physical byte of any segment */
    uint64_t end;       /* end of the highest segment (<= 4 GiB) */
    uint32_t elf_class; /* 32 or 64; 0 for the address-field form */
    uint32_t shnum;     /* section headers in the file (0 = none usable) */
    uint32_t shentsize; /* bytes per section header */
    uint32_t shstrndx;  /* index of the section name string table */
    uint64_t shoff;     /* file offset of the section header table */
    char msg[BC_MB_MSG_MAX];
} bc_mb_plan;

/* Builds the plan for the file whose header `h` bc_mb_find_header found.
 * With address fields: the a.out kludge (load_addr .. load_end_addr from
 * the file position implied by header_addr, 0 = to the end of the file;
 * bss to bss_end_addr, 0 = none). Otherwise ELF32 (EM_386) or ELF64
 * (EM_X86_64), ET_EXEC, each non-empty PT_LOAD at p_paddr; e_entry is
 * translated from a segment's p_vaddr to its p_paddr when it lies in one
 * (as GRUB does). MB2's entry tag overrides the entry. The entry must be
 * inside a segment, every segment below 4 GiB, segments disjoint, at most
 * BC_MB_MAX_SEGMENTS. Fills *p (p->msg always). */
bc_mb_status bc_mb_plan_build(const void *file, size_t len, const bc_mb_header *h, bc_mb_plan *p);

/* MB2 relocatable kernels: moves the whole plan (segments, entry, lowest,
 * end) to a base inside [reloc_min, reloc_max) aligned to reloc_align (at
 * least 4 KiB) in usable memory of the sanitized `map`: lowest fitting
 * address for preference 1, highest for 2; for 0 the linked address when
 * it is usable, else the lowest. No-op (BC_MB_OK) without the tag.
 * BC_MB_NOT_USABLE when nothing fits; *p unchanged then (but p->msg). */
bc_mb_status bc_mb_plan_relocate(bc_mb_plan *p, const bc_mb_header *h, const mm_map *map);

/* Checks that every segment lies entirely in MM_TYPE_USABLE memory of the
 * sanitized `map`. On failure p->msg names the segment and the first
 * entry (type and range) or hole it runs into: BC_MB_NOT_USABLE. */
bc_mb_status bc_mb_plan_check(bc_mb_plan *p, const mm_map *map);

/* Copies each segment's file bytes to its physical range through `w` and
 * zeroes the rest of mem_size. BC_MB_BAD_ARGUMENT (nothing written) when
 * a segment is outside the window or the file. */
bc_mb_status bc_mb_load(const bc_mb_plan *p, const void *file, size_t len, const mm_phys_window *w);

/* ---- Modules and info ------------------------------------------------------ */

/* A module as placed by the driver; the cmdline (bc_mb_cmdline of its
 * path and arguments; NULL = "") is copied into the info structure, so it
 * may live anywhere. */
typedef struct bc_mb_module {
    uint64_t phys, size;
    const char *cmdline;
} bc_mb_module;

/* Checks the driver's placement: every module page-aligned, below 4 GiB,
 * not overlapping the kernel's segments, the info region
 * [info_phys, info_phys + info_size) or another module. `msg` (`cap`
 * bytes, may be NULL) names the first problem. BC_MB_NOT_USABLE or
 * BC_MB_OK. */
bc_mb_status bc_mb_modules_check(const bc_mb_plan *p, const bc_mb_module *mods, uint32_t count,
                                 uint64_t info_phys, uint64_t info_size, char *msg, size_t cap);

/* Writes the command line a Multiboot kernel or module is given into
 * dst[0 .. cap): `path`, then a blank and `args` when args is not empty,
 * NUL-terminated (cut to fit when cap is too small; nothing written when
 * cap is 0). The image's path comes first, as GRUB legacy and QEMU pass
 * it: Xen drops the first word of its own and of the dom0 kernel's
 * command line unless the loader calls itself GRUB 2. Returns the length
 * of the full line without the NUL (the bytes needed are that + 1). */
size_t bc_mb_cmdline(char *dst, size_t cap, const char *path, const char *args);

/* A screen for MB1 flag 12 / MB2 tag 8. */
#define BC_MB_FB_RGB      1u /* direct colour; the colour fields below */
#define BC_MB_FB_EGA_TEXT 2u /* width x height characters of 2 bytes */

typedef struct bc_mb_framebuffer {
    uint64_t addr;             /* physical */
    uint32_t pitch;            /* bytes per line */
    uint32_t width, height;    /* pixels (EGA text: characters) */
    uint32_t bpp;              /* bits per pixel (EGA text: 16) */
    uint32_t type;             /* BC_MB_FB_* */
    uint8_t red_pos, red_size; /* RGB: bit position and width of each colour */
    uint8_t green_pos, green_size;
    uint8_t blue_pos, blue_size;
    uint16_t reserved;
} bc_mb_framebuffer;

/* bc_mb_info_input.flags */
#define BC_MB_INFO_BOOTDEV 0x1u /* bios_drive/partition/sub_partition valid */

/* Everything the info builders copy. Pointers are read during the build
 * only. Physical addresses are < 4 GiB except efi_system_table. */
typedef struct bc_mb_info_input {
    const mm_map *map;   /* final, carved, sanitized */
    const char *cmdline; /* kernel command line (bc_mb_cmdline), NULL = "" */
    const bc_mb_module *modules;
    uint32_t module_count;
    uint32_t flags;         /* BC_MB_INFO_* */
    uint32_t bios_drive;    /* 0x80 = first hard disk */
    uint32_t partition;     /* 0-based, 0xffffffff = none (MB1: 0xff past 254) */
    uint32_t sub_partition; /* 0xffffffff = none */
    const bc_mb_plan *plan; /* the loaded kernel */
    const void *shdrs;      /* plan->shnum * shentsize bytes, or NULL */
    /* ACPI RSDP or NULL: 20 bytes read, for revision >= 2 its `length`
     * bytes (clamped to 36 .. 256). */
    const void *rsdp;
    /* SMBIOS entry point or NULL: "_SM_" (31 bytes or its length byte) or
     * "_SM3_" (24 or its length byte); another signature gives no tag. */
    const void *smbios;
    uint64_t efi_system_table; /* 0 = none (BIOS) */
    const void *efi_map;       /* raw final EFI memory map, or NULL */
    uint32_t efi_map_size;     /* bytes */
    uint32_t efi_desc_size;
    uint32_t efi_desc_version;
    const bc_mb_framebuffer *fb; /* MB1 flag 12 / MB2 tag 8; NULL = none */
} bc_mb_info_input;

/* Upper bound of the info structure's bytes for `version` (1 or 2) with
 * `in` (8-byte multiple), allowing for `extra_entries` more map entries
 * than in->map holds now (2 covers carving the info region itself). 0 for
 * bad arguments or beyond 4 GiB. */
uint32_t bc_mb_info_size(uint32_t version, const bc_mb_info_input *in, uint32_t extra_entries);

/* Builds the MB1 information structure (struct, memory map, modules,
 * section headers, strings) in buf[0 .. cap), which sits at physical
 * `phys` (8-aligned, buffer below 4 GiB); *used gets the bytes written.
 * The framebuffer fields (flag 12) when in->fb. The memory map is in->map
 * translated (bc_mb_map_type) with equal neighbours merged; mem_lower/mem_upper count RAM of any
 * loader-known kind from 0 and from 1 MiB. BC_MB_BUFFER_TOO_SMALL, BC_MB_BAD_ARGUMENT (NULL,
 * unaligned, past 4 GiB); the buffer is garbage on error. */
bc_mb_status bc_mb1_info_build(const bc_mb_info_input *in, void *buf, uint32_t cap, uint64_t phys,
                               uint32_t *used);

/* Builds the MB2 information (fixed part and tags: cmdline, loader name,
 * modules, basic meminfo, boot device when known, memory map, framebuffer
 * when fb, ELF sections when shdrs, EFI64 system table, SMBIOS, ACPI old (always the
 * 20-byte v1 part) and new (revision >= 2) RSDP, EFI memory map, load base
 * address, end) like bc_mb1_info_build. */
bc_mb_status bc_mb2_info_build(const bc_mb_info_input *in, void *buf, uint32_t cap, uint64_t phys,
                               uint32_t *used);

/* Multiboot memory-map type of an mm_type: 1 available for usable RAM and
 * the loader's own reclaimable kinds (stack, heaps, page tables, bitmap:
 * a Multiboot kernel gets none of them), 2 reserved for the kernel,
 * modules and info (MM_TYPE_KERNEL, MM_TYPE_HANDOFF) and firmware
 * memory, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad, 7 persistent. */
uint32_t bc_mb_map_type(uint32_t mm_type);

/* Register state at the kernel's entry (32-bit protected mode, paging
 * off, A20 on, flat 4 GiB segments, interrupts off): the trampoline
 * loads these and jumps to eip. */
typedef struct bc_mb_entry {
    uint32_t eip, eax, ebx;
} bc_mb_entry;

/* Entry registers for `p` booted as `version` with the info at info_phys. */
bc_mb_entry bc_mb_entry_regs(const bc_mb_plan *p, uint32_t version, uint32_t info_phys);

/* Static names ("BC_MB_UNSUPPORTED"), never NULL. */
const char *bc_mb_status_name(bc_mb_status status);

#endif
