/* Multiboot information builders, judged by the test kernels' own checker
 * (tests/multiboot/mbcheck.c, compiled here for the host): a BIOS-like
 * machine in an 8 MiB host window, a kernel, two modules and the info
 * region carved the way the boot driver carves them.
 *
 *   phys        what                        mm type           Multiboot type
 *   0x0         RAM                         usable            1 \
 *   0x10000     the loader                  bootloader-recl.  1  } one entry
 *   0x20000     RAM                         usable            1 /
 *   0x9f000     EBDA, ROMs                  reserved          2 \ one entry
 *   0x100000    kernel (0x4000)             kernel            2 /
 *   0x104000    RAM                         usable            1
 *   0x200000    module 0 (0x1800), 1 (0x20) kernel            2
 *   0x203000    RAM                         usable            1
 *   0x300000    info region                 handoff           2
 *   ...         RAM up to 0x7fe0000         usable            1
 *   0x7fe0000   ACPI tables                 acpi-reclaimable  3
 *   0xfffc0000  flash                       reserved          2         */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../support/smbios_build.h"
#include "common/multiboot.h"
#include "helpers/elf_image.h"
#include "helpers/host_window.h"
#include "helpers/mb_image.h"
#include "helpers/mb_lines.h"
#include "mbcheck.h"
#include "mos/handoff.h"

#define WINDOW    0x800000u
#define KERNEL    0x100000u
#define MOD0      0x200000u
#define MOD1      0x202000u
#define INFO      0x300000u
#define INFO_CAP  0x1000u
#define RAM_END   0x7fe0000u
#define EFI_TABLE 0x7f000000ull

typedef struct fixture {
    host_window hw;
    mm_entry storage[32];
    mm_map map;
    uint8_t file[0x4000];
    bc_mb_plan plan;
    bc_mb_module mods[2];
    uint8_t rsdp[36];
    uint8_t smbios[32];
    uint8_t efi_map[3 * 48];
    bc_mb_info_input in;
    mb_lines out;
} fixture;

static void checksum(uint8_t *p, uint32_t n, uint32_t at)
{
    uint8_t s = 0;
    p[at] = 0;
    for (uint32_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    p[at] = (uint8_t)(0 - s);
}

static void make_rsdp(uint8_t *r)
{
    memset(r, 0, 36);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "MOSTST", 6);
    r[15] = 2;
    test_put_le(r + 16, 0x7fe1000, 4);
    test_put_le(r + 20, 36, 4);
    test_put_le(r + 24, 0x7fe2000, 8);
    checksum(r, 20, 8);
    checksum(r, 36, 32);
}

static void make_map(fixture *fx, int carve_info)
{
    mm_map *m = &fx->map;
    mm_map_init(m, fx->storage, 32);
    mm_map_add(m, 0, 0x9f000, MM_TYPE_USABLE, 1, 0);
    mm_map_add(m, 0x9f000, 0x61000, MM_TYPE_RESERVED, 2, 0);
    mm_map_add(m, 0x100000, RAM_END - 0x100000, MM_TYPE_USABLE, 1, 0);
    mm_map_add(m, RAM_END, 0x20000, MM_TYPE_ACPI_RECLAIMABLE, 3, 0);
    mm_map_add(m, 0xfffc0000ull, 0x40000, MM_TYPE_RESERVED, 2, 0);
    assert_int_equal(mm_map_carve(m, 0x10000, 0x10000, MM_TYPE_BOOTLOADER_RECLAIMABLE, 0), MM_OK);
    assert_int_equal(mm_map_carve(m, KERNEL, 0x4000, MM_TYPE_KERNEL, 0), MM_OK);
    assert_int_equal(mm_map_carve(m, MOD0, 0x3000, MM_TYPE_KERNEL, 0), MM_OK);
    if (carve_info)
        assert_int_equal(mm_map_carve(m, INFO, INFO_CAP, MM_TYPE_HANDOFF, 0), MM_OK);
}

static void make_kernel(fixture *fx)
{
    static const mbi_seg segs[2] = {
        {1, 0x1000, KERNEL, KERNEL, 0x800, 0x1000},
        {1, 0x2000, KERNEL + 0x1000, KERNEL + 0x1000, 0x100, 0x3000},
    };
    memset(fx->file, 0, sizeof fx->file);
    mbi_elf(fx->file, 32, segs, 2, KERNEL + 0x10, 0x3000, 5);
    mbi_mb1(fx->file + 0x200, 0x3);
    bc_mb_header h;
    assert_int_equal(bc_mb_find_header(fx->file, sizeof fx->file, 1, 0, &h), BC_MB_OK);
    assert_int_equal(bc_mb_plan_build(fx->file, sizeof fx->file, &h, &fx->plan), BC_MB_OK);
    assert_int_equal(bc_mb_load(&fx->plan, fx->file, sizeof fx->file, &fx->hw.w), BC_MB_OK);
}

static void make_modules(fixture *fx)
{
    uint8_t *m0 = host_window_ptr(&fx->hw, MOD0), *m1 = host_window_ptr(&fx->hw, MOD1);
    for (uint32_t i = 0; i < 0x1800; i++)
        m0[i] = (uint8_t)(i * 31 + 7);
    memcpy(m1, "second module, 32 bytes long...", 32);
    fx->mods[0] = (bc_mb_module){MOD0, 0x1800, "/boot/initrd.img root=/dev/sda"};
    fx->mods[1] = (bc_mb_module){MOD1, 32, NULL};
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    host_window_init(&fx->hw, 0, WINDOW);
    memset(fx->hw.buf, 0x5a, WINDOW);
    make_map(fx, 1);
    make_kernel(fx);
    make_modules(fx);
    make_rsdp(fx->rsdp);
    smbios_build_3(fx->smbios, 3, 2);
    for (uint32_t i = 0; i < sizeof fx->efi_map; i++)
        fx->efi_map[i] = (uint8_t)i;
    fx->in = (bc_mb_info_input){
        .map = &fx->map,
        .cmdline = "console=com1 mb-test",
        .modules = fx->mods,
        .module_count = 2,
        .flags = BC_MB_INFO_BOOTDEV,
        .bios_drive = 0x80,
        .partition = 0,
        .sub_partition = 0xffffffffu,
        .plan = &fx->plan,
        .shdrs = fx->file + 0x3000,
        .rsdp = fx->rsdp,
    };
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    host_window_fini(&fx->hw);
    free(fx);
    return 0;
}

static void with_uefi_tables(fixture *fx)
{
    fx->in.smbios = fx->smbios;
    fx->in.efi_system_table = EFI_TABLE;
    fx->in.efi_map = fx->efi_map;
    fx->in.efi_map_size = sizeof fx->efi_map;
    fx->in.efi_desc_size = 48;
    fx->in.efi_desc_version = 1;
}

/* ---- The checker over the window --------------------------------------------- */

static uint32_t run_checker(fixture *fx, uint32_t version)
{
    mbc_ctx c = {.mem = mb_lines_mem,
                 .out = mb_lines_out,
                 .env = &fx->out,
                 .kernel = {KERNEL, KERNEL + 0x4000}};
    mb_lines_reset(&fx->out, &fx->hw);
    uint32_t magic = version == 1 ? BC_MB1_BOOT_MAGIC : BC_MB2_BOOT_MAGIC;
    return mbc_check(&c, version, magic, INFO);
}

static void expect_line(fixture *fx, const char *line)
{
    if (!mb_lines_has(&fx->out, line))
        fail_msg("no line \"%s\" in:\n%s", line, fx->out.text);
}

static void build(fixture *fx, uint32_t version, uint32_t *used)
{
    uint32_t size = bc_mb_info_size(version, &fx->in, 0);
    assert_true(size > 0 && size <= INFO_CAP);
    uint8_t *buf = host_window_ptr(&fx->hw, INFO);
    bc_mb_status st = version == 1 ? bc_mb1_info_build(&fx->in, buf, size, INFO, used)
                                   : bc_mb2_info_build(&fx->in, buf, size, INFO, used);
    if (st != BC_MB_OK)
        fail_msg("build: %s", bc_mb_status_name(st));
    assert_true(*used <= size);
}

static void expect_module_lines(fixture *fx)
{
    char line[64];
    const uint8_t *m0 = host_window_ptr(&fx->hw, MOD0);
    snprintf(line, sizeof line, "MB mod0.crc32=0x%x", mos_crc32_skip(m0, 0x1800, 0x1800));
    expect_line(fx, line);
    expect_line(fx, "MB mod0.cmdline=/boot/initrd.img root=/dev/sda");
    expect_line(fx, "MB mod0.size=6144");
    expect_line(fx, "MB mod1.cmdline=");
    expect_line(fx, "MB mod1.size=32");
    expect_line(fx, "MB mods=2");
}

/* ---- Multiboot 1 ---------------------------------------------------------------- */

/* The memory map of the diagram above, merged and translated. */
static const uint64_t want_map[9][3] = {
    {0, 0x9f000, 1},
    {0x9f000, 0x65000, 2},
    {0x104000, 0xfc000, 1},
    {0x200000, 0x3000, 2},
    {0x203000, 0xfd000, 1},
    {0x300000, INFO_CAP, 2},
    {0x301000, RAM_END - 0x301000, 1},
    {RAM_END, 0x20000, 3},
    {0xfffc0000ull, 0x40000, 2},
};

static void mb1_checker_passes(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    build(fx, 1, &used);
    if (run_checker(fx, 1))
        fail_msg("checker failed:\n%s", fx->out.text);
    expect_line(fx, "MB result=PASS");
    assert_false(mb_lines_has(&fx->out, "MB result=FAIL"));
    assert_false(mb_lines_has(&fx->out, "MB mem_lower=63")); /* a prefix is not a line */
    expect_line(fx, "MB flags=0x26f");
    expect_line(fx, "MB cmdline=console=com1 mb-test");
    expect_line(fx, "MB loader=MultiOS Boot 0.1.0");
    expect_line(fx, "MB mem_lower=636");
    char line[64];
    snprintf(line, sizeof line, "MB mem_upper=%u", (RAM_END - 0x100000) >> 10);
    expect_line(fx, line);
    expect_line(fx, "MB boot_device.drive=0x80");
    expect_line(fx, "MB boot_device.partition=0");
    expect_line(fx, "MB boot_device.sub_partition=none");
    expect_line(fx, "MB elf.sections=5");
    expect_line(fx, "MB mmap.entries=9");
    expect_line(fx, "MB owned_in_available=0");
    expect_module_lines(fx);
}

static void mb1_memory_map_exact(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    build(fx, 1, &used);
    const uint8_t *info = host_window_ptr(&fx->hw, INFO);
    uint32_t len = (uint32_t)info[44] | (uint32_t)info[45] << 8;
    uint32_t addr = (uint32_t)info[48] | (uint32_t)info[49] << 8 | (uint32_t)info[50] << 16;
    assert_int_equal(len, 9 * 24);
    const uint8_t *e = host_window_ptr(&fx->hw, addr);
    for (int i = 0; i < 9; i++, e += 24) {
        uint64_t base, length;
        uint32_t size, type;
        memcpy(&size, e, 4);
        memcpy(&base, e + 4, 8);
        memcpy(&length, e + 12, 8);
        memcpy(&type, e + 20, 4);
        if (size != 20 || base != want_map[i][0] || length != want_map[i][1] ||
            type != want_map[i][2])
            fail_msg("entry %d: size %u [%#llx +%#llx) type %u", i, size, (unsigned long long)base,
                     (unsigned long long)length, type);
    }
}

/* ---- Multiboot 2 ---------------------------------------------------------------- */

static void mb2_checker_passes(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    with_uefi_tables(fx);
    build(fx, 2, &used);
    if (run_checker(fx, 2))
        fail_msg("checker failed:\n%s", fx->out.text);
    expect_line(fx, "MB result=PASS");
    expect_line(fx, "MB cmdline=console=com1 mb-test");
    expect_line(fx, "MB loader=MultiOS Boot 0.1.0");
    expect_line(fx, "MB mem_lower=636");
    expect_line(fx, "MB boot_device.drive=0x80");
    expect_line(fx, "MB boot_device.partition=0");
    expect_line(fx, "MB boot_device.sub_partition=none");
    expect_line(fx, "MB mmap.entries=9");
    expect_line(fx, "MB elf.sections=5");
    expect_line(fx, "MB efi64=0x7f000000");
    expect_line(fx, "MB smbios.anchor=_SM3_");
    expect_line(fx, "MB smbios.version=3.2");
    expect_line(fx, "MB smbios=ok");
    expect_line(fx, "MB acpi.old=ok");
    expect_line(fx, "MB acpi.new=ok");
    expect_line(fx, "MB efi_mmap.bytes=144");
    expect_line(fx, "MB load_base=0x100000");
    expect_module_lines(fx);
}

/* Tag order and the fixed part: total_size = bytes written. */
static void mb2_tag_sequence(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    with_uefi_tables(fx);
    build(fx, 2, &used);
    const uint8_t *p = host_window_ptr(&fx->hw, INFO);
    uint32_t total;
    memcpy(&total, p, 4);
    assert_int_equal(total, used);
    static const uint32_t want[] = {1, 2, 3, 3, 4, 5, 6, 9, 12, 13, 14, 15, 17, 21, 0};
    uint32_t pos = 8;
    for (size_t i = 0; i < MM_ARRAY_SIZE(want); i++) {
        uint32_t type, size;
        memcpy(&type, p + pos, 4);
        memcpy(&size, p + pos + 4, 4);
        assert_int_equal(type, want[i]);
        pos += (size + 7) & ~7u;
    }
    assert_int_equal(pos, total);
    /* the SMBIOS tag carries the version and the entry point copy */
    const uint8_t *s = p + 8;
    while (s[0] != 13)
        s += ((uint32_t)s[4] + 7) & ~7u;
    assert_int_equal(s[8], 3);
    assert_int_equal(s[9], 2);
    assert_memory_equal(s + 16, fx->smbios, 24);
}

/* A v1 RSDP gives only the old tag. */
static void mb2_rsdp_v1_only(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    fx->rsdp[15] = 0;
    checksum(fx->rsdp, 20, 8);
    build(fx, 2, &used);
    assert_int_equal(run_checker(fx, 2), 0);
    expect_line(fx, "MB acpi.old=ok");
    assert_null(strstr(fx->out.text, "acpi.new"));
}

/* An SMBIOS 2 entry point: its 31 bytes copied, version 2.8. */
static void mb2_smbios_21(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    with_uefi_tables(fx);
    smbios_build_2(fx->smbios, 2, 8);
    build(fx, 2, &used);
    if (run_checker(fx, 2))
        fail_msg("checker failed:\n%s", fx->out.text);
    expect_line(fx, "MB smbios.anchor=_SM_");
    expect_line(fx, "MB smbios.version=2.8");
    expect_line(fx, "MB smbios=ok");
}

/* A partition past MB1's byte: MB1 says none, MB2 keeps the number.
 *   MB1 boot_device: drive 0x80 | part 0xff | 0xff | 0xff   */
static void boot_partition_past_a_byte(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    fx->in.partition = 300;
    build(fx, 1, &used);
    assert_int_equal(run_checker(fx, 1), 0);
    expect_line(fx, "MB boot_device.partition=none");
    build(fx, 2, &used);
    assert_int_equal(run_checker(fx, 2), 0);
    expect_line(fx, "MB boot_device.partition=300");
}

/* ---- Sizes and errors --------------------------------------------------------- */

static void buffer_too_small(void **state)
{
    fixture *fx = *state;
    uint32_t used, used2;
    uint8_t *buf = host_window_ptr(&fx->hw, INFO);
    with_uefi_tables(fx);
    for (uint32_t v = 1; v <= 2; v++) {
        build(fx, v, &used);
        bc_mb_status st = v == 1 ? bc_mb1_info_build(&fx->in, buf, used - 8, INFO, &used2)
                                 : bc_mb2_info_build(&fx->in, buf, used - 8, INFO, &used2);
        assert_int_equal(st, BC_MB_BUFFER_TOO_SMALL);
    }
    assert_int_equal(bc_mb2_info_build(&fx->in, buf, 0x1000, INFO + 4, &used), BC_MB_BAD_ARGUMENT);
    assert_int_equal(bc_mb1_info_build(&fx->in, buf, 0x1000, 0xfffff800ull, &used),
                     BC_MB_BAD_ARGUMENT);
}

/* Sized before the info region is carved, with 2 extra entries for that
 * carve: still enough afterwards. */
static void size_before_carving_info(void **state)
{
    fixture *fx = *state;
    with_uefi_tables(fx);
    make_map(fx, 0);
    uint32_t s1 = bc_mb_info_size(1, &fx->in, 2), s2 = bc_mb_info_size(2, &fx->in, 2);
    make_map(fx, 1);
    uint32_t used;
    uint8_t *buf = host_window_ptr(&fx->hw, INFO);
    assert_int_equal(bc_mb1_info_build(&fx->in, buf, s1, INFO, &used), BC_MB_OK);
    assert_int_equal(bc_mb2_info_build(&fx->in, buf, s2, INFO, &used), BC_MB_OK);
    assert_int_equal(bc_mb_info_size(3, &fx->in, 0), 0);
}

/* ---- The checker can fail ------------------------------------------------------ */

/* Info region left usable: strict mode fails, strict=0 only notes it. */
static void checker_catches_uncarved_info(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    make_map(fx, 0);
    build(fx, 2, &used);
    assert_int_not_equal(run_checker(fx, 2), 0);
    expect_line(fx, "MB fail=kernel, module or info inside an available range");
    expect_line(fx, "MB result=FAIL");
    fx->in.cmdline = "strict=0";
    build(fx, 2, &used);
    assert_int_equal(run_checker(fx, 2), 0);
    expect_line(fx, "MB note=owned ranges reported available (strict=0)");
}

static void checker_catches_bad_rsdp_and_magic(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    fx->rsdp[30] ^= 1; /* breaks the extended checksum only */
    build(fx, 2, &used);
    assert_int_equal(run_checker(fx, 2), 1);
    expect_line(fx, "MB acpi.old=ok");
    expect_line(fx, "MB acpi.new=bad");
    build(fx, 1, &used);
    mbc_ctx c = {.mem = mb_lines_mem, .out = mb_lines_out, .env = &fx->out};
    mb_lines_reset(&fx->out, &fx->hw);
    assert_int_equal(mbc_check(&c, 1, BC_MB2_BOOT_MAGIC, INFO), 1);
    expect_line(fx, "MB fail=wrong magic in EAX");
}

/* The MB2 tag `type` in the info at INFO. */
static uint8_t *find_tag(fixture *fx, uint32_t type)
{
    uint8_t *t = host_window_ptr(&fx->hw, INFO + 8);
    while (t[0] != type && t[0] != 0)
        t += ((uint32_t)t[4] + 7) & ~7u;
    assert_int_equal(t[0], type);
    return t;
}

/* An entry point copy with a broken checksum, and a tag whose version is
 * not the entry point's. */
static void checker_catches_bad_smbios(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    with_uefi_tables(fx);
    fx->smbios[20] ^= 1;
    build(fx, 2, &used);
    assert_int_equal(run_checker(fx, 2), 1);
    expect_line(fx, "MB fail=SMBIOS entry point copy: anchor, length or checksum");
    expect_line(fx, "MB smbios=bad");
    fx->smbios[20] ^= 1;
    build(fx, 2, &used);
    find_tag(fx, BC_MB2_TAG_SMBIOS)[9] = 1;
    assert_int_equal(run_checker(fx, 2), 1);
    expect_line(fx, "MB fail=SMBIOS tag version differs from its entry point's");
}

/* A sub-partition without a partition breaks the nesting. */
static void checker_catches_bad_boot_device(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    fx->in.partition = 0xffffffffu;
    fx->in.sub_partition = 1;
    build(fx, 2, &used);
    assert_int_equal(run_checker(fx, 2), 1);
    expect_line(fx, "MB fail=boot device: drive above 0xff or partitions not nested");
}

/* Modules overlapping each other are reported. */
static void checker_catches_overlapping_modules(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    fx->mods[1].phys = MOD0;
    build(fx, 1, &used);
    assert_int_not_equal(run_checker(fx, 1), 0);
    expect_line(fx, "MB fail=module overlaps the kernel, the info or another module");
}

/* "path args", the path alone without arguments, cut to fit. */
static void command_lines(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(bc_mb_cmdline(buf, sizeof buf, "/boot/xen.gz", "console=com1"), 25);
    assert_string_equal(buf, "/boot/xen.gz console=com1");
    assert_int_equal(bc_mb_cmdline(buf, sizeof buf, "/boot/initrd.img", ""), 16);
    assert_string_equal(buf, "/boot/initrd.img");
    assert_int_equal(bc_mb_cmdline(buf, sizeof buf, "/boot/vmlinuz", NULL), 13);
    assert_int_equal(bc_mb_cmdline(buf, 8, "/boot/vmlinuz", "root=/dev/sda1"), 28);
    assert_string_equal(buf, "/boot/v");
    assert_int_equal(bc_mb_cmdline(NULL, 0, "/k", "a"), 4);
}

static void map_types(void **state)
{
    (void)state;
    assert_int_equal(bc_mb_map_type(MM_TYPE_USABLE), 1);
    assert_int_equal(bc_mb_map_type(MM_TYPE_BOOT_HEAP), 1);
    assert_int_equal(bc_mb_map_type(MM_TYPE_KERNEL), 2);
    assert_int_equal(bc_mb_map_type(MM_TYPE_HANDOFF), 2);
    assert_int_equal(bc_mb_map_type(MM_TYPE_FW_RUNTIME_CODE), 2);
    assert_int_equal(bc_mb_map_type(MM_TYPE_ACPI_RECLAIMABLE), 3);
    assert_int_equal(bc_mb_map_type(MM_TYPE_ACPI_NVS), 4);
    assert_int_equal(bc_mb_map_type(MM_TYPE_BAD), 5);
    assert_int_equal(bc_mb_map_type(MM_TYPE_PERSISTENT), 7);
}

/* ---- The screen ----------------------------------------------------------------- */

#define FB_ADDR 0xfd000000ull /* a PCI BAR above RAM, typed framebuffer */

static const bc_mb_framebuffer fb_rgb = {FB_ADDR, 4096, 1024, 768, 32, BC_MB_FB_RGB, 16, 8,
                                         8,       8,    0,    8,   0};
static const bc_mb_framebuffer fb_text = {0xb8000, 160, 80, 25, 16, BC_MB_FB_EGA_TEXT, 0, 0,
                                          0,       0,   0,  0,  0};

/* The map above plus [0xfd000000, +3 MiB) framebuffer (Multiboot type 2). */
static void with_framebuffer(fixture *fx, const bc_mb_framebuffer *fb)
{
    assert_int_equal(
        mm_map_carve(&fx->map, FB_ADDR, 0x300000, MM_TYPE_FRAMEBUFFER, MM_CARVE_ANY_TYPE), MM_OK);
    fx->in.fb = fb;
}

/* The checker passes the `version` information and prints the screen. */
static void expect_fb_lines(fixture *fx, uint32_t version, const char *type, const char *size)
{
    char line[64];
    if (run_checker(fx, version))
        fail_msg("checker failed:\n%s", fx->out.text);
    snprintf(line, sizeof line, "MB fb.type=%s", type);
    expect_line(fx, line);
    expect_line(fx, size);
    expect_line(fx, "MB fb.map=reserved");
    expect_line(fx, "MB fb=ok");
}

/* MB1 flag 12: the fields at info + 88, colour_info at 112 (GRUB's
 * layout; red 16/8, green 8/8, blue 0/8); MB2 tag 8: 38 bytes, colours
 * at +32. */
static void framebuffer_rgb(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    with_framebuffer(fx, &fb_rgb);
    build(fx, 1, &used);
    const uint8_t *info = host_window_ptr(&fx->hw, INFO);
    assert_true(mm_load_le32(info) & 0x1000);
    assert_int_equal(mm_load_le64(info + 88), FB_ADDR);
    assert_int_equal(mm_load_le32(info + 96), 4096);
    assert_int_equal(mm_load_le32(info + 100), 1024);
    assert_int_equal(mm_load_le32(info + 104), 768);
    const uint8_t rest[8] = {32, 1, 16, 8, 8, 8, 0, 8};
    assert_memory_equal(info + 108, rest, 2);
    assert_memory_equal(info + 112, rest + 2, 6);
    if (run_checker(fx, 1))
        fail_msg("checker failed:\n%s", fx->out.text);
    expect_line(fx, "MB fb.type=rgb");
    expect_line(fx, "MB fb.map=reserved");
    build(fx, 2, &used);
    expect_fb_lines(fx, 2, "rgb", "MB fb.width=1024");
    const uint8_t *t = info + 8;
    while (mm_load_le32(t) != 8 && mm_load_le32(t) != 0)
        t += (mm_load_le32(t + 4) + 7) & ~7u;
    assert_int_equal(mm_load_le32(t), 8);
    assert_int_equal(mm_load_le32(t + 4), 38);
    assert_memory_equal(t + 28, rest, 2);
    assert_memory_equal(t + 32, rest + 2, 6);
}

/* EGA text at 0xb8000, inside the reserved legacy area: type 2, MB2's tag
 * without colour fields (32 bytes). */
static void framebuffer_ega_text(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    fx->in.fb = &fb_text;
    build(fx, 2, &used);
    if (run_checker(fx, 2))
        fail_msg("checker failed:\n%s", fx->out.text);
    expect_line(fx, "MB fb.type=ega_text");
    expect_line(fx, "MB fb.addr=0xb8000");
    expect_line(fx, "MB fb.pitch=160");
    expect_line(fx, "MB fb.map=reserved");
    build(fx, 1, &used);
    expect_fb_lines(fx, 1, "ega_text", "MB fb.width=80");
}

/* The checker fails a framebuffer inside available RAM, one the map does
 * not list (strict mode) and one whose pitch cannot hold a line. */
static void checker_catches_bad_framebuffer(void **state)
{
    fixture *fx = *state;
    uint32_t used;
    bc_mb_framebuffer fb = fb_rgb;
    fb.addr = 0x400000; /* usable RAM */
    fx->in.fb = &fb;
    build(fx, 2, &used);
    assert_true(run_checker(fx, 2) > 0);
    expect_line(fx, "MB fail=framebuffer inside an available range");
    fb.addr = 0xe0000000; /* a hole */
    build(fx, 2, &used);
    assert_true(run_checker(fx, 2) > 0);
    expect_line(fx, "MB fail=framebuffer not inside one map entry that is not available");
    with_framebuffer(fx, &fb);
    fb.addr = FB_ADDR;
    fb.pitch = 1024;
    build(fx, 1, &used);
    assert_true(run_checker(fx, 1) > 0);
    expect_line(fx, "MB fb=bad");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(mb1_checker_passes),
        T(mb1_memory_map_exact),
        T(mb2_checker_passes),
        T(mb2_tag_sequence),
        T(mb2_rsdp_v1_only),
        T(mb2_smbios_21),
        T(boot_partition_past_a_byte),
        T(buffer_too_small),
        T(size_before_carving_info),
        T(checker_catches_uncarved_info),
        T(checker_catches_bad_rsdp_and_magic),
        T(checker_catches_overlapping_modules),
        T(checker_catches_bad_smbios),
        T(checker_catches_bad_boot_device),
        T(framebuffer_rgb),
        T(framebuffer_ega_text),
        T(checker_catches_bad_framebuffer),
        cmocka_unit_test(command_lines),
        cmocka_unit_test(map_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
