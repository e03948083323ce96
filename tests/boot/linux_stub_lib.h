/* What the two linux-stub mini-loaders (BIOS: linux_stub.c, UEFI:
 * linux_stub_efi.c) share: COM1 output, fw_cfg file access, and the
 * firmware-neutral part of a Linux boot in the order docs/linux.md gives
 * the driver. Test code: any error prints "MOSSTUB FAIL: why" and halts. */
#ifndef TESTS_BOOT_LINUX_STUB_LIB_H
#define TESTS_BOOT_LINUX_STUB_LIB_H

#include "common/linux.h"
#include "common/text.h"

/* Writes `s` and a newline to COM1. */
void stub_puts(const char *s);

/* Prints "MOSSTUB FAIL: what: detail" (detail may be NULL) and halts. */
__attribute__((noreturn)) void stub_fail(const char *what, const char *detail);

/* stub_fail(what, detail or mm_strerror(st)) unless st is MM_OK. */
void stub_check(mm_status st, const char *what, const char *detail);

/* A fw_cfg file: `select` is 0 when the file is absent. */
typedef struct stub_file {
    uint32_t size; /* bytes */
    uint16_t select;
} stub_file;

/* Looks `name` up in fw_cfg's file directory. */
stub_file stub_fw_find(const char *name);

/* Copies the whole file to the physical address `dst` (DMA interface:
 * `dst` must be identity mapped and below 4 GiB). */
void stub_fw_load(stub_file f, void *dst);

/* Takes [base, base + len) of `type` for Linux: carve it out of `m` (and,
 * on UEFI, allocate it from the firmware first). */
typedef void (*stub_reserve_fn)(void *ctx, mm_map *m, uint64_t base, uint64_t len, mm_type type);

/* Everything before the firmware facts and the e820 table: parses the
 * `len`-byte kernel `file`, plans and reserves the kernel, the initrd
 * (fw_cfg `initrd`, may be absent) and the boot_params region in `m`,
 * loads the kernel and initrd and fills the zero page with the setup
 * header and `cmdline`. `entry32` drops XLF_KERNEL_64 to use the 32-bit
 * entry. Prints the plan. Returns the zero page. */
uint8_t *stub_prepare_linux(mm_map *m, stub_reserve_fn reserve, void *ctx, const uint8_t *file,
                            uint32_t len, stub_file initrd, const char *cmdline, bool entry32,
                            bc_linux_image *img, bc_linux_plan *plan);

/* Writes the e820 table of `m` (after the last change to the map) into the
 * zero page at plan->params_addr, prints `m` in the loaders' "[0xA, 0xB)
 * type" form for tests/boot/linux-check.sh, and fills *entry. */
void stub_finish_linux(const mm_map *m, const bc_linux_image *img, const bc_linux_plan *plan,
                       bc_linux_entry *entry);

#define STUB_IDENTITY_PAGES 6u

/* Fills `tables` (STUB_IDENTITY_PAGES 4 KiB-aligned pages below 4 GiB)
 * with a 4-level identity map of [0, 4 GiB) in 2 MiB pages, which covers
 * every range bc_linux_identity_ranges() names for a kernel below 4 GiB;
 * returns the CR3 value. */
uint32_t stub_identity_4g(uint64_t (*tables)[512]);

/* The GDT boot.rst asks for: flat code at 0x10 (64-bit code for `mode`
 * BC_LINUX_ENTRY_64, else 32-bit) and flat data at 0x18, in `gdt`, and the
 * lgdt operand in `gdtr` (limit, then the base: lgdt reads 6 bytes in
 * 32-bit mode, 10 in 64-bit mode). */
void stub_gdt(uint64_t gdt[4], uint8_t gdtr[10], bc_linux_mode mode);

/* Prints where the kernel is entered. */
void stub_print_entry(const bc_linux_entry *e);

#endif
