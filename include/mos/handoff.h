/* MultiOS Boot handoff ABI, revision 2 (revision 1 plus framebuffer,
 * modules and CPUs, appended).
 *
 * The loader (UEFI or legacy BIOS) jumps to the kernel's ELF entry point in
 * 64-bit long mode with interrupts disabled, RSP = stack_virt_top, and RDI
 * (first argument, System V AMD64) = the VIRTUAL address, through the
 * higher-half direct map, of one `struct mos_handoff`, i.e.
 * hhdm_offset + its physical address. Everything inside is fixed-width;
 * every address field is a PHYSICAL address in a uint64_t, reachable at
 * `phys + hhdm_offset` (and, below `identity_map_size`, also at `phys`
 * itself). See docs/protocol.md. */
#ifndef MOS_HANDOFF_H
#define MOS_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#define MOS_HANDOFF_MAGIC     0x3146464f48534f4dULL /* "MOSHOFF1" in memory */
#define MOS_HANDOFF_REVISION  2u
#define MOS_HANDOFF_SIZE_REV1 368u /* `size` of a revision-1 handoff */

/* Boot mode (`boot_mode`). */
#define MOS_BOOT_MODE_UEFI 1u
#define MOS_BOOT_MODE_BIOS 2u

/* Memory types of the handoff's memory map. Firmware types first; then the
 * ranges the loader itself used, each under its own type so none of them is
 * ever reported usable. Reclaim rules are in docs/protocol.md. */
#define MOS_MEM_USABLE           1u
#define MOS_MEM_RESERVED         2u
#define MOS_MEM_ACPI_RECLAIMABLE 3u
#define MOS_MEM_ACPI_NVS         4u
#define MOS_MEM_BAD              5u
#define MOS_MEM_PERSISTENT       6u
#define MOS_MEM_RUNTIME_CODE     7u /* EFI runtime services code */
#define MOS_MEM_RUNTIME_DATA     8u /* EFI runtime services data */
#define MOS_MEM_MMIO             9u
#define MOS_MEM_UNACCEPTED       10u
#define MOS_MEM_BOOTLOADER_RECLAIMABLE                                                             \
    0x100u                          /* loader code/data, free once the handoff is consumed */
#define MOS_MEM_KERNEL       0x101u /* kernel image */
#define MOS_MEM_KERNEL_STACK 0x102u /* initial kernel stack */
#define MOS_MEM_TEMP_HEAP    0x103u /* temporary heap (temp_heap_base/size) */
#define MOS_MEM_BOOT_HEAP    0x104u /* loader boot heap */
#define MOS_MEM_PAGE_TABLES  0x105u /* page tables in CR3 at entry */
#define MOS_MEM_FRAME_BITMAP 0x106u /* frame bitmap (bitmap_addr/size) */
#define MOS_MEM_HANDOFF      0x107u /* this structure, the map, cmdline, raw EFI map */
/* Revision 2. */
#define MOS_MEM_FRAMEBUFFER   0x108u /* [fb_addr, fb_addr + fb_size) */
#define MOS_MEM_MODULE        0x109u /* one per loaded module file */
#define MOS_MEM_AP_TRAMPOLINE 0x10au /* AP start code and data below 1 MiB */
#define MOS_MEM_AP_STACKS     0x10bu /* per-CPU records and the APs' stacks */

/* BIOS memory detection method (`bios_memory_detect`). */
#define MOS_BIOS_DETECT_NONE     0u /* not BIOS */
#define MOS_BIOS_DETECT_E820     1u
#define MOS_BIOS_DETECT_E801     2u
#define MOS_BIOS_DETECT_88H      3u
#define MOS_BIOS_DETECT_FALLBACK 4u /* conservative fixed layout */

/* Frame bitmap bit meaning: bit (f - bitmap_first_frame) set = frame f is
 * used or not RAM; clear = free. Bits are packed in little-endian uint64_t
 * words, frame (first + 64 * w + i) is bit i of word w. */
#define MOS_BITMAP_BIT_SET_MEANS_USED 1u

/* One entry of the handoff memory map. Sorted by base, non-overlapping,
 * MOS_MEM_USABLE entries aligned to `bitmap_granularity`. */
struct mos_memmap_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;       /* MOS_MEM_* */
    uint32_t raw_type;   /* firmware code (E820 type / EFI type), 0 for loader types */
    uint64_t attributes; /* E820 extended attributes or EFI attribute bits */
};
_Static_assert(sizeof(struct mos_memmap_entry) == 32, "mos_memmap_entry layout");

struct mos_handoff {
    /* Header: check these before touching anything else. */
    uint64_t magic;    /* MOS_HANDOFF_MAGIC */
    uint32_t revision; /* MOS_HANDOFF_REVISION; later revisions only append */
    uint32_t size;     /* sizeof(struct mos_handoff) as the loader built it */
    uint32_t checksum; /* mos_handoff_checksum() over `size` bytes, this field as 0 */
    uint32_t flags;    /* reserved, 0 */

    /* Loader */
    uint32_t boot_mode;      /* MOS_BOOT_MODE_* */
    uint32_t loader_version; /* major << 16 | minor << 8 | patch */
    char loader_name[32];    /* NUL-terminated, e.g. "MultiOS Boot" */

    /* Temporary heap: 0 and 0 when the loader could not allocate. */
    uint64_t temp_heap_base;
    uint64_t temp_heap_size;

    /* Loader boot heap (already carved as MOS_MEM_BOOT_HEAP). */
    uint64_t boot_heap_base;
    uint64_t boot_heap_size;
    uint64_t boot_heap_used;

    /* Sanitized memory map */
    uint64_t memmap_addr; /* array of struct mos_memmap_entry */
    uint32_t memmap_count;
    uint32_t memmap_entry_size; /* sizeof(struct mos_memmap_entry) of this revision */

    /* Frame bitmap the loader allocated from (kernel may adopt it). */
    uint64_t bitmap_addr;        /* leaf words; see MOS_BITMAP_BIT_SET_MEANS_USED */
    uint64_t bitmap_size;        /* bytes at bitmap_addr (leaf words + loader's summary) */
    uint64_t bitmap_first_frame; /* frame number (address / granularity) of bit 0 */
    uint64_t bitmap_frame_count; /* frames covered */
    uint32_t bitmap_granularity; /* bytes per frame, power of two >= 4096 */
    uint32_t bitmap_flags;       /* MOS_BITMAP_BIT_SET_MEANS_USED */

    /* Firmware */
    uint64_t efi_system_table; /* 0 on BIOS */
    uint64_t efi_memmap_addr;  /* raw final GetMemoryMap() buffer, 0 on BIOS */
    uint64_t efi_memmap_size;  /* bytes */
    uint32_t efi_desc_size;    /* firmware descriptor size (not sizeof) */
    uint32_t efi_desc_version;
    uint64_t acpi_rsdp;          /* physical address of the RSDP, 0 if not found */
    uint32_t bios_memory_detect; /* MOS_BIOS_DETECT_* */
    uint32_t reserved0;

    /* Kernel */
    uint64_t cmdline_addr;     /* NUL-terminated string */
    uint32_t cmdline_size;     /* bytes including the NUL */
    uint32_t memmap_crc32;     /* mos_crc32_skip() of the memmap_count * memmap_entry_size
                                  bytes at memmap_addr, nothing skipped */
    uint64_t kernel_phys_base; /* lowest physical byte of the loaded image */
    uint64_t kernel_virt_base; /* lowest virtual address of the loaded image */
    uint64_t kernel_size;      /* bytes from base to the end of the last segment */
    uint64_t kernel_entry;     /* virtual entry point */
    uint64_t stack_phys_base;  /* initial stack [base, base + size) */
    uint64_t stack_size;
    uint64_t stack_virt_top; /* RSP at entry (16-byte aligned, minus the return slot) */

    /* Paging at entry */
    uint64_t cr3;               /* physical address of the PML4 */
    uint64_t hhdm_offset;       /* virt = phys + hhdm_offset for all RAM */
    uint64_t hhdm_size;         /* bytes mapped by the direct map from phys 0 */
    uint64_t identity_map_size; /* [0, identity_map_size) is also identity-mapped */

    /* Timing (TSC ticks) */
    uint64_t tsc_loader_entry; /* first instruction of the loader's C code */
    uint64_t tsc_memmap_done;  /* final memory map taken */
    uint64_t tsc_kernel_jump;  /* just before the jump to the kernel */
    uint64_t tsc_frequency_hz; /* 0 when not calibrated */

    /* What the sanitizer fixed in the firmware map */
    uint32_t sanitize_overlaps; /* overlaps resolved */
    uint32_t sanitize_merged;   /* entries merged */
    uint64_t sanitize_trimmed;  /* usable bytes trimmed by alignment/slivers */
    uint64_t memtest_bad_bytes; /* bytes marked bad by the memory test (0 if not run) */

    /* ---- Revision 2: read only when `size` covers a field. ---- */

    /* Linear framebuffer; fb_addr = 0 when there is none. */
    uint64_t fb_addr;          /* physical base, inside a MOS_MEM_FRAMEBUFFER entry */
    uint64_t fb_size;          /* bytes of that entry: pitch * height rounded up to 4 KiB */
    uint32_t fb_width;         /* pixels */
    uint32_t fb_height;        /* pixels */
    uint32_t fb_pitch;         /* bytes from one scanline to the next */
    uint16_t fb_bpp;           /* bits per pixel: 16, 24 or 32 */
    uint8_t fb_memory_model;   /* MOS_FB_MODEL_* */
    uint8_t fb_source;         /* MOS_FB_SOURCE_* */
    uint8_t fb_red_mask_size;  /* bits */
    uint8_t fb_red_mask_shift; /* bit position of the lowest red bit in a pixel */
    uint8_t fb_green_mask_size;
    uint8_t fb_green_mask_shift;
    uint8_t fb_blue_mask_size;
    uint8_t fb_blue_mask_shift;
    uint16_t fb_flags; /* reserved, 0 */

    /* Modules (`module=` lines of boot.cfg, in file order). */
    uint64_t modules_addr;      /* array of struct mos_module, 8-aligned; 0 when none */
    uint32_t module_count;      /* entries */
    uint32_t module_entry_size; /* stride: sizeof(struct mos_module) of this revision */

    /* CPUs (from the ACPI MADT; count 0 = the loader did not enumerate). */
    uint64_t cpus_addr;      /* array of struct mos_cpu, 8-aligned; the BSP included */
    uint32_t cpu_count;      /* entries */
    uint32_t cpu_entry_size; /* stride: sizeof(struct mos_cpu) of this revision */
    uint32_t bsp_apic_id;    /* APIC id of the CPU that runs the kernel's entry */
    uint32_t smp_flags;      /* MOS_SMP_* */
    uint64_t lapic_addr;     /* physical local APIC MMIO base, 0 when unknown */
};

_Static_assert(offsetof(struct mos_handoff, magic) == 0, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, revision) == 8, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, size) == 12, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, checksum) == 16, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, temp_heap_base) == 64, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, temp_heap_size) == 72, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, memmap_addr) == 104, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, bitmap_addr) == 120, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, efi_system_table) == 160, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, cmdline_addr) == 208, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, cr3) == 280, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, tsc_loader_entry) == 312, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, fb_addr) == MOS_HANDOFF_SIZE_REV1, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, fb_width) == 384, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, fb_bpp) == 396, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, fb_red_mask_size) == 400, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, fb_flags) == 406, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, modules_addr) == 408, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, cpus_addr) == 424, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, bsp_apic_id) == 440, "handoff layout");
_Static_assert(offsetof(struct mos_handoff, lapic_addr) == 448, "handoff layout");
_Static_assert(sizeof(struct mos_handoff) == 456, "handoff layout");

/* Framebuffer pixel layout (`fb_memory_model`): direct colour, each
 * channel `mask_size` bits at `mask_shift` of a little-endian pixel. */
#define MOS_FB_MODEL_RGB 1u

/* Where the framebuffer came from (`fb_source`). */
#define MOS_FB_SOURCE_GOP 1u /* UEFI Graphics Output Protocol */
#define MOS_FB_SOURCE_VBE 2u /* VESA BIOS Extensions 2.0+ linear framebuffer */

/* One loaded module. The file is at [addr, addr + size) inside a
 * MOS_MEM_MODULE entry that starts at `addr` (4 KiB aligned); its command
 * line (the rest of the `module=` line after the path, possibly empty) is a
 * NUL-terminated string of cmdline_size bytes in MOS_MEM_HANDOFF memory. */
struct mos_module {
    uint64_t addr;
    uint64_t size; /* bytes of the file (the map entry is rounded up to 4 KiB) */
    uint64_t cmdline_addr;
    uint32_t cmdline_size; /* bytes including the NUL */
    uint32_t flags;        /* reserved, 0 */
    char path[32];         /* path from boot.cfg, NUL-terminated, cut to fit */
};
_Static_assert(sizeof(struct mos_module) == 64, "mos_module layout");
_Static_assert(offsetof(struct mos_module, cmdline_addr) == 16, "mos_module layout");
_Static_assert(offsetof(struct mos_module, path) == 32, "mos_module layout");

/* `mos_cpu.flags` */
#define MOS_CPU_BSP     1u /* the CPU running the kernel; record_addr is 0 */
#define MOS_CPU_STARTED 2u /* an AP now parked on its record */
#define MOS_CPU_FAILED  4u /* an AP that did not answer within the timeout: never touch it */

/* `smp_flags` */
#define MOS_SMP_X2APIC  1u /* the local APICs are in x2APIC mode */
#define MOS_SMP_NO_MADT 2u /* no MADT found: the list holds the BSP alone */

/* One CPU of the MADT (enabled or online-capable). */
struct mos_cpu {
    uint32_t apic_id;     /* local APIC or x2APIC id */
    uint32_t acpi_uid;    /* ACPI processor UID from the MADT entry */
    uint32_t flags;       /* MOS_CPU_* */
    uint32_t reserved;    /* 0 */
    uint64_t record_addr; /* physical address of its struct mos_cpu_record; 0 unless STARTED */
};
_Static_assert(sizeof(struct mos_cpu) == 24, "mos_cpu layout");
_Static_assert(offsetof(struct mos_cpu, record_addr) == 16, "mos_cpu layout");

/* The record a started AP polls, in MOS_MEM_AP_STACKS memory, 64-byte
 * aligned (one cache line each). The AP runs in long mode on the kernel's
 * CR3 with interrupts disabled and RSP = stack_top, reading goto_address
 * until it is non-zero. To start it, the kernel stores `argument` first,
 * then `goto_address` with one aligned 64-bit store (release order); the
 * AP then jumps to goto_address with RDI = the record's VIRTUAL address
 * (hhdm_offset + physical) and RSP = stack_top minus the return slot. */
struct mos_cpu_record {
    uint64_t goto_address; /* 0 = keep polling; kernel virtual address to jump to */
    uint64_t argument;     /* for the kernel: read it through RDI */
    uint32_t apic_id;      /* this CPU */
    uint32_t reserved0;
    uint64_t stack_top; /* virtual top of this AP's stack (16-byte aligned) */
    uint64_t reserved[4];
};
_Static_assert(sizeof(struct mos_cpu_record) == 64, "mos_cpu_record layout");
_Static_assert(offsetof(struct mos_cpu_record, argument) == 8, "mos_cpu_record layout");
_Static_assert(offsetof(struct mos_cpu_record, stack_top) == 24, "mos_cpu_record layout");

/* CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) of `len` bytes at `p`
 * with the 4 bytes at `skip_off` read as zero. Bitwise so that loader and
 * kernel need no table. */
static inline uint32_t mos_crc32_skip(const void *p, size_t len, size_t skip_off)
{
    const unsigned char *b = (const unsigned char *)p;
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        unsigned char byte = (i >= skip_off && i < skip_off + 4) ? 0 : b[i];
        crc ^= byte;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* Checksum of a handoff of `h->size` bytes (checksum field read as 0). */
static inline uint32_t mos_handoff_checksum(const struct mos_handoff *h)
{
    return mos_crc32_skip(h, h->size, offsetof(struct mos_handoff, checksum));
}

#endif
