/* The Linux back end (boot/common/proto_linux.c) run by the real boot
 * driver against the pretend firmware (helpers/fake_fw.h), with a
 * synthetic bzImage and two modules. A boot that reaches the kernel is
 * checked as Linux would read it: boot_params' setup header, command
 * line, initrd and e820, the GDT and the entry registers.
 *
 *   fake RAM (128 MiB)
 *   0    1M   16M             48M                              128M
 *   |U|R |heap| kernel (pref, init_size 32M) |  ...  initrd (highest) |
 *        boot_params + GDT/stack page, page tables: low, from 1 MiB */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/driver.h"
#include "common/entry.h"
#include "common/linux.h"
#include "helpers/fake_fw.h"

#define MiB      (1024ULL * 1024)
#define RAM      (128 * MiB)
#define SETUP    4u
#define KOFF     ((SETUP + 1) * 512u)
#define KSIZE    0x3000u
#define FILE_LEN (KOFF + KSIZE)
#define CMD      "console=ttyS0 mos.test=\"a b\""
#define MOD1_LEN 1001u /* not a multiple of 4: padding follows */
#define MOD2_LEN 300u

/* boot_params offsets (zero-page.rst) */
#define BP_EFI_INFO     0x1c0
#define BP_E820_ENTRIES 0x1e8
#define BP_RAMDISK      0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE   0x2d0

typedef struct world {
    fake_fw *fw;
    uint8_t kernel[FILE_LEN];
    uint8_t mod1[MOD1_LEN], mod2[MOD2_LEN];
    char cfg[512];
    unsigned char efi[96];
} world;

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* A relocatable 64-bit bzImage, Debian-like header, `xlf` xloadflags. */
static void bzimage(uint8_t *f, uint16_t xlf)
{
    for (uint32_t i = 0; i < FILE_LEN; i++)
        f[i] = (uint8_t)(i * 7 + 3);
    f[0x1f1] = SETUP;
    put_le(f + 0x1f4, KSIZE / 16, 4);
    put_le(f + 0x1fe, 0xaa55, 2);
    f[0x200] = 0xeb;
    f[0x201] = 0x6a;
    memcpy(f + 0x202, "HdrS", 4);
    put_le(f + 0x206, 0x020f, 2);
    f[0x211] = 0x01;
    put_le(f + 0x218, 0, 8);
    put_le(f + 0x228, 0, 4);
    put_le(f + 0x22c, 0x7fffffff, 4);
    put_le(f + 0x230, 0x200000, 4);
    f[0x234] = 1;
    put_le(f + 0x236, xlf, 2);
    put_le(f + 0x238, 2047, 4);
    put_le(f + 0x248, 0x300, 4);
    put_le(f + 0x24c, 0x2000, 4);
    put_le(f + 0x250, 0, 8);
    put_le(f + 0x258, 0x1000000, 8);
    put_le(f + 0x260, 0x2000000, 4);
}

static world *world_new(fake_kind kind, const char *module2_path)
{
    world *w = calloc(1, sizeof *w);
    w->fw = fake_fw_new(kind, RAM, 32);
    bzimage(w->kernel, BC_LINUX_XLF_KERNEL_64 | BC_LINUX_XLF_CAN_LOAD_HIGH);
    for (uint32_t i = 0; i < MOD1_LEN; i++)
        w->mod1[i] = (uint8_t)(i * 5 + 1);
    for (uint32_t i = 0; i < MOD2_LEN; i++)
        w->mod2[i] = (uint8_t)(i * 11 + 2);
    snprintf(w->cfg, sizeof w->cfg,
             "[Linux]\nprotocol=linux\nkernel=/vmlinuz\ncmdline=" CMD "\n"
             "module=/initrd.gz\nmodule=%s\n",
             module2_path);
    w->fw->files[0] = (fake_file){"/boot.cfg", w->cfg, strlen(w->cfg)};
    w->fw->files[1] = (fake_file){"/vmlinuz", w->kernel, FILE_LEN};
    w->fw->files[2] = (fake_file){"/initrd.gz", w->mod1, MOD1_LEN};
    w->fw->files[3] = (fake_file){"/extra.cpio", w->mod2, MOD2_LEN};
    fake_fw_add(w->fw, 0, 0x9fc00, MM_TYPE_USABLE);
    fake_fw_add(w->fw, 0xf0000, 0x10000, MM_TYPE_RESERVED);
    fake_fw_add(w->fw, MiB, RAM - MiB - 0x20000, MM_TYPE_USABLE);
    fake_fw_add(w->fw, RAM - 0x20000, 0x20000, MM_TYPE_ACPI_RECLAIMABLE);
    if (kind == FAKE_UEFI) {
        w->fw->efi = (bc_efi_map){w->efi, sizeof w->efi, 48, 1};
    }
    return w;
}

static void world_free(world *w)
{
    fake_fw_free(w->fw);
    free(w);
}

static void expect_log(const world *w, const char *text)
{
    if (!strstr(w->fw->log.text, text))
        fail_msg("log lacks \"%s\":\n%s", text, w->fw->log.text);
}

static void boots(world *w)
{
    if (fake_fw_boot(w->fw) != FAKE_ENTERED)
        fail_msg("did not enter:\n%s", w->fw->log.text);
}

/* What Linux reads: header copied, command line, initrd = module 1, zero
 * padding to 4 bytes, module 2; kernel bytes at the load address. */
static const uint8_t *check_params(const world *w, uint64_t *kernel_addr)
{
    const bc_entry *e = &w->fw->entered;
    const uint8_t *bp = fake_fw_ptr(w->fw, e->mode == BC_ENTRY_LONG ? e->rsi : e->esi);
    assert_memory_equal(bp + 0x1f1, w->kernel + 0x1f1, 0x210 - 0x1f1);
    assert_int_equal(bp[0x210], 0xff); /* type_of_loader: undefined */
    assert_string_equal((const char *)fake_fw_ptr(w->fw, get_le(bp + BP_CMD_LINE_PTR, 4)), CMD);
    const uint8_t *rd = fake_fw_ptr(w->fw, get_le(bp + BP_RAMDISK, 4));
    uint32_t pad = (4 - MOD1_LEN % 4) % 4;
    assert_int_equal(get_le(bp + BP_RAMDISK_SIZE, 4), MOD1_LEN + pad + MOD2_LEN);
    assert_memory_equal(rd, w->mod1, MOD1_LEN);
    for (uint32_t i = 0; i < pad; i++)
        assert_int_equal(rd[MOD1_LEN + i], 0);
    assert_memory_equal(rd + MOD1_LEN + pad, w->mod2, MOD2_LEN);
    assert_true(get_le(bp + BP_RAMDISK, 4) + get_le(bp + BP_RAMDISK_SIZE, 4) <= 0x80000000u);
    *kernel_addr = w->fw->boot.range[BC_RANGE_KERNEL].base;
    assert_memory_equal(fake_fw_ptr(w->fw, *kernel_addr), w->kernel + KOFF, KSIZE);
    return bp;
}

/* e820 usable bytes equal the final map's usable plus loader-owned bytes. */
static void check_e820(const world *w, const uint8_t *bp)
{
    uint64_t e820 = 0, map = 0;
    for (uint32_t i = 0; i < bp[BP_E820_ENTRIES]; i++) {
        const uint8_t *p = bp + BP_E820_TABLE + 20 * i;
        if (get_le(p + 16, 4) == 1)
            e820 += get_le(p + 8, 8);
    }
    const mm_map *m = w->fw->boot.map;
    for (uint32_t i = 0; i < m->count; i++)
        if (bc_linux_e820_type((mm_type)m->entries[i].type) == 1)
            map += m->entries[i].length;
    assert_true(e820 > 0);
    assert_int_equal(e820, map);
}

static void check_gdt(const world *w, uint64_t code)
{
    const bc_entry *e = &w->fw->entered;
    const uint8_t *gdt = fake_fw_ptr(w->fw, e->gdt);
    assert_true(e->gdt != 0 && e->gdt < 0x100000000ull);
    assert_int_equal(e->cs, 0x10);
    assert_int_equal(e->ds, 0x18);
    assert_int_equal(e->gdt_limit, 31);
    assert_int_equal(get_le(gdt + 0x10, 8), code);
    assert_int_equal(get_le(gdt + 0x18, 8), 0x00cf92000000ffffull);
}

static void bios_64bit_entry(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, "/extra.cpio");
    boots(w);
    const bc_entry *e = &w->fw->entered;
    uint64_t kaddr;
    const uint8_t *bp = check_params(w, &kaddr);
    assert_int_equal(e->mode, BC_ENTRY_LONG);
    assert_int_equal(e->entry, kaddr + 0x200);
    assert_true(kaddr >= 0x1000000 && kaddr % 0x200000 == 0);
    assert_true(e->cr3 != 0);
    check_gdt(w, 0x00af9a000000ffffull);
    check_e820(w, bp);
    /* No MultiOS-only ranges for Linux. */
    assert_int_equal(w->fw->boot.range[BC_RANGE_BITMAP].size, 0);
    assert_int_equal(w->fw->boot.range[BC_RANGE_HANDOFF].size, 0);
    assert_int_equal(w->fw->boot.range[BC_RANGE_TEMP_HEAP].size, 0);
    assert_int_equal(get_le(bp + BP_EFI_INFO, 4), 0);
    world_free(w);
}

static void uefi_efi_info(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, "/extra.cpio");
    boots(w);
    uint64_t kaddr;
    const uint8_t *bp = check_params(w, &kaddr);
    assert_memory_equal(bp + BP_EFI_INFO, "EL64", 4);
    assert_int_equal(get_le(bp + BP_EFI_INFO + 4, 4), 0x7000); /* efi_systab */
    check_e820(w, bp);
    world_free(w);
}

/* The driver asks for a linear framebuffer (no size: resolution= is not
 * set) and screen_info describes the GOP mode the firmware reported:
 *   isVGA 0x70, 1280 x 800 x 32, line 5120, base 0x80000000, bytes
 * and no framebuffer range in Linux's map (its e820 stays the firmware's). */
static void uefi_screen_info(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, "/extra.cpio");
    w->fw->fb = (bc_rev2_fb){0x80000000, 1280, 800, 5120, 32, 8, 16, 8, 8, 8, 0, MOS_FB_SOURCE_GOP};
    boots(w);
    uint64_t kaddr;
    const uint8_t *bp = check_params(w, &kaddr);
    assert_int_equal(w->fw->video_calls, 1);
    assert_int_equal(w->fw->video_kind, BC_VIDEO_LINEAR);
    assert_int_equal(w->fw->video_w, 0);
    assert_int_equal(bp[0x0f], 0x70);
    assert_int_equal(get_le(bp + 0x12, 2), 1280);
    assert_int_equal(get_le(bp + 0x14, 2), 800);
    assert_int_equal(get_le(bp + 0x16, 2), 32);
    assert_int_equal(get_le(bp + 0x18, 4), 0x80000000);
    assert_int_equal(get_le(bp + 0x1c, 4), 5120 * 800);
    assert_int_equal(get_le(bp + 0x24, 2), 5120);
    assert_int_equal(w->fw->boot.range[BC_RANGE_FRAMEBUFFER].size, 0);
    expect_log(w, "linux: screen_info: EFI 1280x800, 32 bpp, pitch 5120 at 0x80000000");
    check_e820(w, bp);
    world_free(w);
}

/* No framebuffer: screen_info stays zero. */
static void no_framebuffer_no_screen_info(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, "/extra.cpio");
    w->fw->vga_text = 1;
    boots(w);
    uint64_t kaddr;
    const uint8_t *bp = check_params(w, &kaddr);
    for (uint32_t i = 0; i < 0x40; i++)
        assert_int_equal(bp[i], 0);
    world_free(w);
}

static void kernel_without_64bit_entry(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, "/extra.cpio");
    bzimage(w->kernel, 0);
    boots(w);
    const bc_entry *e = &w->fw->entered;
    uint64_t kaddr;
    check_params(w, &kaddr);
    assert_int_equal(e->mode, BC_ENTRY_PROTECTED);
    assert_int_equal(e->entry, kaddr);
    assert_true(e->esp != 0);
    assert_int_equal(e->eax, 0);
    assert_int_equal(e->ebx, 0);
    check_gdt(w, 0x00cf9a000000ffffull);
    /* Both front ends take it as it is: its GDT and selectors. */
    bc_pm_jump j;
    assert_null(bc_pm_jump_fill(e, 0x9000, 0x8000, &j));
    assert_int_equal(j.gdt, e->gdt);
    assert_int_equal(j.cs, 0x10);
    assert_int_equal(j.ds, 0x18);
    assert_int_equal(j.esi, e->esi);
    assert_int_equal(w->fw->boot.range[BC_RANGE_PAGE_TABLES].size, 0);
    world_free(w);
}

/* Where the initrd's reads may write, what Linux gets and what is zeroed
 * (the fake front end fills each file's room with 0xa5):
 *
 *   0        1001 1004       1304                  1004 + 4096
 *   | module 1 |000| module 2 |000000000000000000000|
 *                             ^ ramdisk_size         ^ module 2's room ends
 */
static void initrd_room_zeroed(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, "/extra.cpio");
    boots(w);
    uint64_t kaddr;
    const uint8_t *bp = check_params(w, &kaddr);
    const uint8_t *rd = fake_fw_ptr(w->fw, get_le(bp + BP_RAMDISK, 4));
    for (uint32_t i = 1004 + MOD2_LEN; i < 1004 + 4096; i++)
        assert_int_equal(rd[i], 0);
    world_free(w);
}

/* An empty last module adds nothing but module 1's padding; the room
 * module 1's read may fill is zeroed all the same:
 *
 *   0        1001 1004                 4096
 *   | module 1 |000|0000000000000000000|
 *                  ^ ramdisk_size 1004
 */
static void empty_last_module(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, "/extra.cpio");
    w->fw->files[3].size = 0;
    boots(w);
    const uint8_t *bp = fake_fw_ptr(w->fw, w->fw->entered.rsi);
    const uint8_t *rd = fake_fw_ptr(w->fw, get_le(bp + BP_RAMDISK, 4));
    assert_int_equal(get_le(bp + BP_RAMDISK_SIZE, 4), 1004);
    assert_memory_equal(rd, w->mod1, MOD1_LEN);
    for (uint32_t i = MOD1_LEN; i < 4096; i++)
        assert_int_equal(rd[i], 0);
    world_free(w);
}

/* A 24 MiB initrd, more than the 16 MiB boot heap, is read straight to
 * its place: no heap extension, the heap keeps its few KiB. */
static void large_initrd_bypasses_boot_heap(void **state)
{
    (void)state;
    const size_t len = 24 * MiB + 3;
    uint8_t *big = malloc(len);
    for (size_t i = 0; i < len; i++)
        big[i] = (uint8_t)(i * 13 + 7);
    world *w = world_new(FAKE_BIOS, "/extra.cpio");
    w->fw->files[2] = (fake_file){"/initrd.gz", big, len};
    boots(w);
    const uint8_t *bp = fake_fw_ptr(w->fw, w->fw->entered.rsi);
    const uint8_t *rd = fake_fw_ptr(w->fw, get_le(bp + BP_RAMDISK, 4));
    assert_int_equal(get_le(bp + BP_RAMDISK_SIZE, 4), len + 1 + MOD2_LEN);
    assert_memory_equal(rd, big, len);
    assert_int_equal(rd[len], 0);
    assert_memory_equal(rd + len + 1, w->mod2, MOD2_LEN);
    assert_int_equal(w->fw->boot.extensions, 0);
    assert_true(fake_fw_heap_used(w->fw) < MiB);
    world_free(w);
    free(big);
}

static void halts(world *w, const char *why)
{
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, why);
}

static void elf_given_as_linux(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, "/extra.cpio");
    memcpy(w->kernel,
           "\x7f"
           "ELF",
           4);
    halts(w, "kernel /vmlinuz: not a Linux kernel this loader can boot: an ELF");
    world_free(w);
}

static void truncated_bzimage(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, "/extra.cpio");
    w->fw->files[1].size = KOFF + 0x100;
    halts(w, "truncated");
    world_free(w);
}

static void missing_module(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, "/missing.cpio");
    halts(w, "initrd module (boot.cfg line 6) /missing.cpio: no such file");
    world_free(w);
}

static void cmdline_too_long(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, "/extra.cpio");
    char why[96];
    put_le(w->kernel + 0x238, 8, 4); /* cmdline_size: 8 characters */
    snprintf(why, sizeof why,
             "boot_params: command line of %zu characters exceeds the kernel's cmdline_size 8",
             sizeof CMD - 1);
    halts(w, why);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bios_64bit_entry),
        cmocka_unit_test(uefi_efi_info),
        cmocka_unit_test(kernel_without_64bit_entry),
        cmocka_unit_test(elf_given_as_linux),
        cmocka_unit_test(truncated_bzimage),
        cmocka_unit_test(missing_module),
        cmocka_unit_test(cmdline_too_long),
        cmocka_unit_test(uefi_screen_info),
        cmocka_unit_test(no_framebuffer_no_screen_info),
        cmocka_unit_test(initrd_room_zeroed),
        cmocka_unit_test(empty_last_module),
        cmocka_unit_test(large_initrd_bypasses_boot_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
