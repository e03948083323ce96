/* x86-64 4-level page tables for the kernel's entry, built by both loaders
 * (the BIOS stage 2 runs this in 32-bit protected mode: entries are
 * uint64_t, table memory is reached through a caller translation).
 *
 * What gets mapped (docs/protocol.md, "Paging at entry"):
 *   identity  [0, identity_size)              -> phys [0, identity_size), 2 MiB pages,
 *                                                writable, executable;
 *   HHDM      [hhdm_offset, +hhdm_size)       -> phys [0, hhdm_size), 2 MiB pages,
 *                                                writable, NX when BC_PAGING_NX;
 *   kernel    every bc_page_range             -> its phys, 4 KiB pages, writable only
 *                                                with BC_PAGE_WRITE, NX when
 *                                                BC_PAGING_NX and not BC_PAGE_EXEC.
 * No 1 GiB pages (QEMU's default CPU lacks pdpe1gb). Intermediate entries
 * are present + writable (permissions are decided at the leaves); no user
 * bit anywhere; caching is write-back (PAT/PCD/PWT clear), the firmware's
 * MTRRs still make MMIO uncached. The NX bit is only legal once the loader
 * set EFER.NXE, hence a flag; write protection needs CR0.WP = 1.
 *
 * Usage: bytes = bc_paging_bytes_needed(layout) -> allocate and carve that
 * many bytes, 4 KiB aligned, as MM_TYPE_PAGE_TABLES -> bc_paging_build()
 * -> load the returned CR3. */
#ifndef BC_PAGING_H
#define BC_PAGING_H

#include "elf.h"
#include "mm/memmap.h"

#define BC_HHDM_OFFSET              0xffff800000000000ULL /* direct map base (PML4 slot 256) */
#define BC_PAGE_SIZE                4096u
#define BC_LARGE_PAGE_SIZE          (2ULL * 1024 * 1024)
#define BC_PAGING_MAX_KERNEL_RANGES 64u

/* Permissions of a kernel range. Readable is implied. */
#define BC_PAGE_WRITE 0x1u
#define BC_PAGE_EXEC  0x2u

/* Build options (bc_paging_layout.flags). */
typedef enum bc_paging_flags {
    BC_PAGING_NX = 1u << 0, /* set NX (bit 63) on non-executable leaves; requires EFER.NXE */
} bc_paging_flags;

/* One kernel mapping: virt, phys and size multiples of 4 KiB, size > 0. */
typedef struct bc_page_range {
    uint64_t virt;
    uint64_t phys;
    uint64_t size;
    uint32_t flags; /* BC_PAGE_WRITE | BC_PAGE_EXEC */
    uint32_t reserved;
} bc_page_range;

/* What to map. All virtual ranges must be canonical and pairwise disjoint
 * (a kernel range may not fall in the identity map or the HHDM). */
typedef struct bc_paging_layout {
    uint64_t identity_size;      /* bytes from 0, multiple of 2 MiB, < 2^47; 0 = none */
    uint64_t hhdm_offset;        /* BC_HHDM_OFFSET normally; 2 MiB aligned, upper half */
    uint64_t hhdm_size;          /* bytes, multiple of 2 MiB; 0 = no direct map */
    const bc_page_range *kernel; /* kernel_count ranges (may be NULL when 0) */
    uint32_t kernel_count;       /* <= BC_PAGING_MAX_KERNEL_RANGES */
    uint32_t flags;              /* bc_paging_flags */
} bc_paging_layout;

/* Physical memory the tables are built in: [phys, phys + size), 4 KiB
 * aligned, physically contiguous. `to_ptr(ctx, p)` returns a pointer
 * through which the builder can write the byte at physical address p of
 * the region (identity in the loaders: (void *)(uintptr_t)p). */
typedef struct bc_paging_region {
    uint64_t phys;
    uint64_t size;
    void *(*to_ptr)(void *ctx, uint64_t phys);
    void *ctx;
} bc_paging_region;

/* Checks `layout` and writes into *bytes the exact size (a multiple of
 * 4096) bc_paging_build() will use: one PML4 plus every PDPT, PD and PT
 * the mappings touch, shared tables counted once.
 * Returns MM_OK, or MM_ERR_INVALID_ARGUMENT naming nothing (use
 * bc_paging_check() for a reason) when the layout breaks a rule above. */
mm_status bc_paging_bytes_needed(const bc_paging_layout *layout, uint64_t *bytes);

/* Like bc_paging_bytes_needed() but only validates, with a reason in `why`
 * (`why_len` bytes, NUL-terminated; may be NULL). Returns MM_OK or
 * MM_ERR_INVALID_ARGUMENT / MM_ERR_OVERFLOW. */
mm_status bc_paging_check(const bc_paging_layout *layout, char *why, size_t why_len);

/* Builds the tables for `layout` in `region` (zeroing the bytes it uses
 * first; contents of the region beyond them are left alone) and writes the
 * PML4's physical address (= region->phys) into *cr3.
 * Returns MM_OK, MM_ERR_INVALID_ARGUMENT for a bad layout or region,
 * MM_ERR_BUFFER_TOO_SMALL when region->size < bc_paging_bytes_needed(). */
mm_status bc_paging_build(const bc_paging_layout *layout, const bc_paging_region *region,
                          uint64_t *cr3);

/* The layout both loaders use, with its kernel ranges inside. */
typedef struct bc_boot_paging {
    bc_page_range kernel[BC_ELF_MAX_MAPPINGS];
    bc_paging_layout layout; /* layout.kernel points at this struct's kernel[] */
} bc_boot_paging;

/* Fills `out` with the standard layout of docs/protocol.md: identity map
 * of `identity_size` bytes (the loader keeps running through it after the
 * CR3 switch: at least 4 GiB and past the loader's own top), HHDM at
 * BC_HHDM_OFFSET of `hhdm_size` bytes (see bc_paging_hhdm_size), and the
 * pages of `img` (bc_elf_mappings) placed at
 * physical `kernel_phys` (a multiple of 4 KiB; 0 is fine when only sizing:
 * the byte count does not depend on it), with build `flags`
 * (bc_paging_flags). `out` must not be copied afterwards (layout.kernel
 * points into it). Returns MM_OK, MM_ERR_INVALID_ARGUMENT (NULL, bad image,
 * kernel_phys unaligned or the layout rules of bc_paging_check broken). */
mm_status bc_paging_standard(const bc_elf_image *img, uint64_t kernel_phys, uint64_t identity_size,
                             uint64_t hhdm_size, uint32_t flags, bc_boot_paging *out);

/* Recommended HHDM size for a map of `count` entries (mm_entry, any
 * order): the end of the highest entry that is RAM or firmware data (every
 * type except MM_TYPE_MMIO and MM_TYPE_RESERVED), at least 4 GiB (so the
 * local APIC, IOAPIC and other low MMIO are reachable through the direct
 * map), rounded up to 2 MiB. Returns 0 only on overflow. */
uint64_t bc_paging_hhdm_size(const mm_entry *entries, uint32_t count);

#endif
