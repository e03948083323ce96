/* Checks of the Multiboot information a kernel receives, shared by the
 * test kernels (tests/multiboot: entry stubs + kernel.c, freestanding i386) and the
 * host suite unit-multiboot_info, which feeds it what the builders in
 * boot/common/multiboot_info.c produce.
 *
 * Every value is reported as one `MB key=value` line through `out`; every
 * broken promise as `MB fail=<reason>` (and counted). Memory is read
 * through `mem`, which returns NULL for a range that cannot be read (the
 * host maps physical addresses into a test buffer; the kernel reads them
 * directly, paging off).
 *
 * Promises checked (docs/multiboot.md): magic; the memory map sorted,
 * non-overlapping, non-empty; modules page-aligned, disjoint, outside the
 * kernel; and, in strict mode, the kernel, the modules and every part of
 * the information structure outside the available (type 1) ranges (GRUB
 * and QEMU's built-in loader report them as available: strict=0 on the
 * kernel command line turns those into `MB note=` lines); the ACPI RSDP
 * checksums; the SMBIOS entry point copy (anchor, checksums, the tag's
 * version equal to the entry point's); the boot device's partitions
 * nested; the framebuffer (MB1 flag 12, MB2 tag 8): a pitch that holds
 * a line, RGB masks inside the pixel and disjoint, its memory outside
 * every available range and, in strict mode, inside one map entry that is
 * not available (GRUB and QEMU leave it out of the map); each module's
 * CRC-32, the boot device and the framebuffer's mode and address printed
 * for the runner to compare. */
#ifndef MB_CHECK_H
#define MB_CHECK_H

#include <stddef.h>
#include <stdint.h>

#define MBC_MAX_RANGES 64u

typedef struct mbc_range {
    uint64_t base, end;
} mbc_range;

/* A framebuffer as the information describes it (type 0: none seen). */
typedef struct mbc_fb {
    uint64_t addr;
    uint32_t pitch, width, height, bpp, type;
    uint8_t colours[6]; /* RGB: red position, size, green ..., blue ... */
} mbc_fb;

typedef struct mbc_ctx {
    /* Pointer to physical [addr, addr + len), or NULL when unreadable. */
    const void *(*mem)(void *env, uint64_t addr, uint64_t len);
    /* Prints one line (no newline in `line`). */
    void (*out)(void *env, const char *line);
    void *env;
    mbc_range kernel; /* the kernel's own image, [base, end) */
    /* Filled by the check: */
    uint32_t failures;
    uint32_t strict; /* 1 unless the command line has strict=0 */
    uint32_t avail_count;
    mbc_range avail[MBC_MAX_RANGES]; /* available ranges of the map */
    uint32_t used_count;
    mbc_range used[MBC_MAX_RANGES]; /* kernel, modules, info parts */
    uint32_t other_count;
    mbc_range other[MBC_MAX_RANGES]; /* the map's ranges that are not available */
    mbc_fb fb;
} mbc_ctx;

/* Checks the Multiboot `version` (1 or 2) boot: EAX = magic, EBX = info.
 * Returns the number of failures (0 = PASS); prints `MB result=PASS` or
 * `MB result=FAIL` last. */
uint32_t mbc_check(mbc_ctx *c, uint32_t version, uint32_t magic, uint32_t info);

#endif
