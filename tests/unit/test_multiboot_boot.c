/* The real boot driver with the Multiboot back ends (proto_multiboot.c)
 * on the host, against the pretend firmware (helpers/fake_fw.h): an
 * ELF32 kernel linked at 2 MiB, a gzip module and a plain one, judged by
 * the test kernels' own checker (tests/multiboot/mbcheck.c) in strict
 * mode, and the refusals.
 *
 *   128 MiB machine (SeaBIOS-like map)
 *   0    640K    1M   2M        64M                         128M
 *   |RAM |reserved|   |kernel|   |boot heap (above 64 MiB: the back end's
 *                                 floor, min_heap_addr not set) ... |
 *   modules and the information structure: placed by the firmware, below
 *   4 GiB, never over the kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/driver.h"
#include "common/multiboot.h"
#include "../support/gzip_build.h"
#include "../support/smbios_build.h"
#include "helpers/elf_image.h"
#include "helpers/fake_fw.h"
#include "helpers/mb_image.h"
#include "helpers/mb_lines.h"
#include "mbcheck.h"
#include "mos/handoff.h"

#define MiB    (1024ULL * 1024)
#define RAM    (128 * MiB)
#define KFILE  0x4000u
#define MODLEN 30000u
#define RSDP   0xf0000u /* where fake_fw's platform puts it */
#define SMBIOS 0xf0020u /* where the tests say it is */
#define FOUR_G (4096 * MiB)

typedef struct world {
    fake_fw *fw;
    uint8_t kernel[KFILE];
    uint8_t mod[MODLEN];
    uint8_t *mod_gz;
    size_t mod_gz_len;
    char cfg[512];
    mb_lines out;
    host_window hw;
} world;

/* ELF32 at `base` (text 0x1000 bytes, data+bss 0x3000) with the header
 * of `version` at 0x200: MB1 flags 0 and 1; MB2 requiring the memory map. */
static void kernel_file(world *w, uint32_t version, uint64_t base)
{
    const mbi_seg segs[2] = {
        {1, 0x1000, base, base, 0x800, 0x1000},
        {1, 0x2000, base + 0x1000, base + 0x1000, 0x100, 0x3000},
    };
    memset(w->kernel, 0, KFILE);
    for (uint32_t i = 0x1000; i < KFILE; i++)
        w->kernel[i] = (uint8_t)(i ^ 0x5a);
    mbi_elf(w->kernel, 32, segs, 2, base + 0x10, 0x3000, 3);
    if (version == 1) {
        mbi_mb1(w->kernel + 0x200, BC_MB1_FLAG_PAGE_ALIGN | BC_MB1_FLAG_MEMINFO);
        return;
    }
    mbi_mb2 b;
    const uint32_t want[2] = {BC_MB2_TAG_BASIC_MEMINFO, BC_MB2_TAG_MMAP};
    mbi_mb2_begin(&b, w->kernel + 0x200, 0);
    mbi_mb2_tag(&b, BC_MB2_HTAG_INFO_REQUEST, 0, want, 2);
    mbi_mb2_end(&b);
}

static void config(world *w, uint32_t version, const char *extra, const char *module1)
{
    snprintf(w->cfg, sizeof w->cfg,
             "%s[mb]\nprotocol=multiboot%u\nkernel=/boot/kernel.elf\ncmdline=unit test\n"
             "module=/boot/mod0.gz first args\nmodule=%s\n",
             extra, version, module1);
    w->fw->files[0] = (fake_file){"/boot.cfg", w->cfg, strlen(w->cfg)};
}

/* An ACPI 1.0 RSDP where the pretend firmware says it is. */
static void write_rsdp(uint8_t *p)
{
    uint8_t sum = 0;
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, "UNITMB", 6);
    p[15] = 0;
    for (int i = 0; i < 20; i++)
        sum = (uint8_t)(sum + p[i]);
    p[8] = (uint8_t)-sum;
}

/* The files and the firmware's tables on a machine of `ram` bytes whose
 * map the caller adds. */
static world *world_alloc(fake_kind kind, uint32_t version, uint64_t base, uint64_t ram)
{
    world *w = calloc(1, sizeof *w);
    w->fw = fake_fw_new(kind, ram, 64);
    for (uint32_t i = 0; i < MODLEN; i++)
        w->mod[i] = (uint8_t)((i * 7) >> 3);
    w->mod_gz = gzip_build(w->mod, MODLEN, &w->mod_gz_len);
    assert_non_null(w->mod_gz);
    kernel_file(w, version, base);
    config(w, version, "", "/boot/mod1.bin");
    w->fw->files[1] = (fake_file){"/boot/kernel.elf", w->kernel, KFILE};
    w->fw->files[2] = (fake_file){"/boot/mod0.gz", w->mod_gz, w->mod_gz_len};
    w->fw->files[3] = (fake_file){"/boot/mod1.bin", w->mod, 100};
    w->hw = (host_window){w->fw->ram, ram, {0, ram, (uintptr_t)w->fw->ram}};
    write_rsdp(w->fw->ram + RSDP);
    smbios_build_3(w->fw->ram + SMBIOS, 3, 2);
    w->fw->smbios = SMBIOS;
    return w;
}

static world *world_new(fake_kind kind, uint32_t version, uint64_t base)
{
    world *w = world_alloc(kind, version, base, RAM);
    fake_fw_add(w->fw, 0, 0x9fc00, MM_TYPE_USABLE);
    fake_fw_add(w->fw, 0x9fc00, 0x400, MM_TYPE_RESERVED);
    fake_fw_add(w->fw, 0xf0000, 0x10000, MM_TYPE_RESERVED);
    fake_fw_add(w->fw, MiB, RAM - MiB - 0x20000, MM_TYPE_USABLE);
    fake_fw_add(w->fw, RAM - 0x20000, 0x20000, MM_TYPE_ACPI_RECLAIMABLE);
    return w;
}

static void world_free(world *w)
{
    fake_fw_free(w->fw);
    free(w->mod_gz);
    free(w);
}

static void expect_log(const world *w, const char *text)
{
    if (!strstr(w->fw->log.text, text))
        fail_msg("log lacks \"%s\":\n%s", text, w->fw->log.text);
}

/* The checker on what the kernel would find at entry. */
static void expect_kernel_pass(world *w, uint32_t version, uint64_t base)
{
    const bc_entry *e = &w->fw->entered;
    char line[64];
    assert_int_equal(w->fw->end, FAKE_ENTERED);
    assert_int_equal(e->mode, BC_ENTRY_PROTECTED);
    assert_int_equal(e->entry, base + 0x10);
    assert_int_equal(e->eax, version == 1 ? BC_MB1_BOOT_MAGIC : BC_MB2_BOOT_MAGIC);
    assert_int_equal(e->gdt, 0);
    assert_memory_equal(fake_fw_ptr(w->fw, base), w->kernel + 0x1000, 0x800);
    mbc_ctx c = {
        .mem = mb_lines_mem, .out = mb_lines_out, .env = &w->out, .kernel = {base, base + 0x4000}};
    mb_lines_reset(&w->out, &w->hw);
    uint32_t failures = mbc_check(&c, version, e->eax, e->ebx);
    snprintf(line, sizeof line, "MB mod0.crc32=0x%x", mos_crc32_skip(w->mod, MODLEN, MODLEN));
    const char *want[] = {line,
                          "MB result=PASS",
                          "MB mods=2",
                          "MB owned_in_available=0",
                          "MB cmdline=/boot/kernel.elf unit test",
                          "MB mod0.cmdline=/boot/mod0.gz first args",
                          "MB mod1.size=100"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (failures || !mb_lines_has(&w->out, want[i]))
            fail_msg("checker (%u failures), want \"%s\":\n%s", failures, want[i], w->out.text);
    }
}

static void expect_out(const world *w, const char *line, bool want)
{
    if (mb_lines_has(&w->out, line) != want)
        fail_msg("checker output %s \"%s\":\n%s", want ? "lacks" : "has", line, w->out.text);
}

/* The machine facts as the checker read them: the SMBIOS tag (MB2 only)
 * and, BIOS-like only, the boot device (drive 0x80, the fake's slot). */
static void expect_platform(world *w, uint32_t version)
{
    char part[64];
    bool bios = w->fw->kind == FAKE_BIOS;
    snprintf(part, sizeof part, "MB boot_device.partition=%u", w->fw->boot_partition);
    expect_out(w, "MB smbios.anchor=_SM3_", version == 2);
    expect_out(w, "MB smbios.version=3.2", version == 2);
    expect_out(w, "MB smbios=ok", version == 2);
    expect_out(w, "MB boot_device.drive=0x80", bios);
    expect_out(w, part, bios);
    expect_out(w, "MB boot_device.sub_partition=none", bios);
}

/* MB2 on a BIOS-like machine: the heap above 64 MiB, the kernel at 2 MiB. */
static void mb2_bios_boots(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 2, 2 * MiB);
    fake_fw_boot(w->fw);
    expect_kernel_pass(w, 2, 2 * MiB);
    expect_platform(w, 2);
    assert_true(w->fw->boot.range[BC_RANGE_BOOT_HEAP].base >= 64 * MiB);
    expect_log(w, "module 0 /boot/mod0.gz: gzip");
    expect_log(w, "multiboot2: SMBIOS 3.2 (_SM3_) at 0xf0020");
    expect_log(w, "multiboot2: boot device 0x80, partition 0");
    world_free(w);
}

/* MB1 on a BIOS-like machine booted from the third partition slot. */
static void mb1_bios_boot_device(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 1, 2 * MiB);
    w->fw->boot_partition = 2;
    fake_fw_boot(w->fw);
    expect_kernel_pass(w, 1, 2 * MiB);
    expect_platform(w, 1);
    world_free(w);
}

/* MB2 on a UEFI-like machine: SMBIOS, no boot device. */
static void mb2_uefi_boots(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 2, 2 * MiB);
    fake_fw_boot(w->fw);
    expect_kernel_pass(w, 2, 2 * MiB);
    expect_platform(w, 2);
    world_free(w);
}

/* A UEFI-like machine with RAM past 4 GiB whose firmware hands out the
 * highest free memory first: the boot heap lands above 4 GiB, the
 * modules and the information below it.
 *
 *   0    640K   1M   2M        2G                4G        4G+64M
 *   |RAM |      |RAM |kernel|..|   (hole, MMIO)  |RAM ... heap|
 *                       modules, info: top of [1M, 2G)             */
static world *world_high(uint32_t version, uint64_t low_end)
{
    world *w = world_alloc(FAKE_UEFI, version, 2 * MiB, FOUR_G + 64 * MiB);
    w->fw->place_top_down = true;
    fake_fw_add(w->fw, 0, 0xa0000, MM_TYPE_USABLE);
    fake_fw_add(w->fw, MiB, low_end - MiB, MM_TYPE_USABLE);
    fake_fw_add(w->fw, 0xffc00000, 0x400000, MM_TYPE_MMIO);
    fake_fw_add(w->fw, FOUR_G, 64 * MiB, MM_TYPE_USABLE);
    return w;
}

static void top_down_firmware_keeps_all_below_4g(void **state)
{
    (void)state;
    for (uint32_t version = 1; version <= 2; version++) {
        world *w = world_high(version, 2048 * MiB);
        fake_fw_boot(w->fw);
        expect_kernel_pass(w, version, 2 * MiB);
        assert_true(w->fw->boot.range[BC_RANGE_BOOT_HEAP].base >= FOUR_G);
        uint32_t below = 0;
        for (const bc_range_rec *r = w->fw->boot.records; r; r = r->next) {
            if (r->id != BC_RANGE_MODULE && r->id != BC_RANGE_PROTOCOL_DATA)
                continue;
            assert_true(r->r.base + r->r.size <= 2048 * MiB);
            below++;
        }
        assert_int_equal(below, 3); /* two modules, the information */
        world_free(w);
    }
}

/* Below 4 GiB only the kernel's pages and the default-sized boot heap:
 * the heap gives back its free half, the modules and the information go
 * there, not to the RAM above 4 GiB the firmware would hand out first.
 *   2M      2M+16K   64M              72M          80M   4G      4G+8M
 *   |kernel|         |boot heap (kept) |given back: |     |RAM    |
 *                                       modules, info              */
static void heap_shrinks_for_room_below_4g(void **state)
{
    (void)state;
    world *w = world_alloc(FAKE_UEFI, 2, 2 * MiB, FOUR_G + 8 * MiB);
    w->fw->place_top_down = true;
    fake_fw_add(w->fw, 2 * MiB, 0x4000, MM_TYPE_USABLE);
    fake_fw_add(w->fw, 64 * MiB, 16 * MiB, MM_TYPE_USABLE);
    fake_fw_add(w->fw, FOUR_G, 8 * MiB, MM_TYPE_USABLE);
    fake_fw_boot(w->fw);
    expect_kernel_pass(w, 2, 2 * MiB);
    expect_log(w, "boot heap: heap_size not set: shrunk from 16384 KiB to ");
    for (const bc_range_rec *r = w->fw->boot.records; r; r = r->next) {
        if (r->id == BC_RANGE_MODULE || r->id == BC_RANGE_PROTOCOL_DATA)
            assert_true(r->r.base >= 72 * MiB && r->r.base + r->r.size <= 80 * MiB);
    }
    world_free(w);
}

/* Each module's range holds its bytes, then zeros to the range's end
 * (the fake front end writes 0xa5 after a file, up to its room); a plain
 * module of 20 MiB, more than the boot heap, is read straight into its
 * range, not through the heap:
 *   mod0.gz   |30000 bytes inflated |0 ... 0|  32 KiB
 *   mod1.bin  |20 MiB + 100 read    |0 ... 0|  20 MiB + 4 KiB */
static void modules_read_into_zeroed_ranges(void **state)
{
    (void)state;
    const size_t big = 20 * MiB + 100;
    uint8_t *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (uint8_t)(i * 13 + 5);
    world *w = world_new(FAKE_BIOS, 2, 2 * MiB);
    w->fw->files[3] = (fake_file){"/boot/mod1.bin", data, big};
    fake_fw_boot(w->fw);
    assert_int_equal(w->fw->end, FAKE_ENTERED);
    uint32_t seen = 0;
    for (const bc_range_rec *r = w->fw->boot.records; r; r = r->next) {
        if (r->id != BC_RANGE_MODULE)
            continue;
        bool gz = r->r.size == 32768;
        const uint8_t *p = fake_fw_ptr(w->fw, r->r.base);
        size_t len = gz ? MODLEN : big;
        assert_int_equal(r->r.size, gz ? 32768 : big - 100 + 4096);
        assert_memory_equal(p, gz ? w->mod : data, len);
        for (size_t i = len; i < r->r.size; i++)
            assert_int_equal(p[i], 0);
        seen++;
    }
    assert_int_equal(seen, 2);
    assert_int_equal(w->fw->boot.extensions, 0);
    assert_true(fake_fw_heap_used(w->fw) < MiB);
    world_free(w);
    free(data);
}

/* Only the kernel's own pages below 4 GiB: the first module has no room
 * there, and the boot stops naming it (not placed above instead).
 *   1M     2M      2M+16K  2M+20K
 *   |      |kernel |free 4K|        RAM above 4 GiB only */
static void no_room_below_4g_refused(void **state)
{
    (void)state;
    world *w = world_alloc(FAKE_UEFI, 2, 2 * MiB, FOUR_G + 64 * MiB);
    w->fw->place_top_down = true;
    fake_fw_add(w->fw, 2 * MiB, 0x5000, MM_TYPE_USABLE);
    fake_fw_add(w->fw, FOUR_G, 64 * MiB, MM_TYPE_USABLE);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "module 0: cannot place 32768 bytes below 4 GiB: "); /* 30000 and its room */
    world_free(w);
}

/* MB1 on a UEFI-like machine (fresh maps from every memory_map call). */
static void mb1_uefi_boots(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 1, 2 * MiB);
    fake_fw_boot(w->fw);
    expect_kernel_pass(w, 1, 2 * MiB);
    world_free(w);
}

/* min_heap_addr set low: the heap takes 1 MiB up, and a kernel linked at
 * 2 MiB is refused with the library's message (the heap is loader
 * memory until the final map types it). */
static void kernel_over_heap_refused(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 1, 2 * MiB);
    config(w, 1, "min_heap_addr=1M\n", "/boot/mod1.bin");
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "kernel /boot/kernel.elf: segment 0 [0x200000, 0x201000) overlaps "
                  "bootloader-reclaimable memory [0x100000, ");
    world_free(w);
}

/* A kernel linked over the BIOS area (0xf0000) is refused. */
static void kernel_over_firmware_refused(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 1, 0xf0000);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "segment 0 [0xf0000, 0xf1000) overlaps reserved memory [0xf0000, 0x100000)");
    world_free(w);
}

static void missing_module_refused(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 2, 2 * MiB);
    config(w, 2, "", "/boot/none.bin");
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "module 1 /boot/none.bin: no such file on the boot volume");
    world_free(w);
}

/* The MB1 header searched for in an MB2 kernel: none. */
static void no_header_refused(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 2, 2 * MiB);
    config(w, 1, "", "/boot/mod1.bin");
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "kernel /boot/kernel.elf: multiboot1: no header in the first 8 KiB");
    world_free(w);
}

/* ---- the screen ---------------------------------------------------------- */

/* MB2 header asking for the memory map and a w x h x d framebuffer
 * (tag 5, optional when `optional`). */
static void mb2_screen_header(world *w, uint32_t wd, uint32_t ht, uint32_t depth, bool optional)
{
    mbi_mb2 b;
    const uint32_t want[2] = {BC_MB2_TAG_BASIC_MEMINFO, BC_MB2_TAG_MMAP};
    const uint32_t fb[3] = {wd, ht, depth};
    memset(w->kernel + 0x200, 0, 0x100);
    mbi_mb2_begin(&b, w->kernel + 0x200, 0);
    mbi_mb2_tag(&b, BC_MB2_HTAG_INFO_REQUEST, 0, want, 2);
    mbi_mb2_tag(&b, BC_MB2_HTAG_FRAMEBUFFER, optional ? BC_MB2_HTAG_OPTIONAL : 0, fb, 3);
    mbi_mb2_end(&b);
}

/* MB1 header with flag 2: mode_type, width, height, depth at +32. */
static void mb1_screen_header(world *w, uint32_t mode, uint32_t wd, uint32_t ht, uint32_t depth)
{
    uint8_t *h = w->kernel + 0x200;
    memset(h, 0, 48);
    mbi_mb1(h, BC_MB1_FLAG_PAGE_ALIGN | BC_MB1_FLAG_MEMINFO | BC_MB1_FLAG_VIDEO);
    const uint32_t v[4] = {mode, wd, ht, depth};
    for (int i = 0; i < 4; i++)
        test_put_le(h + 32 + 4 * i, v[i], 4);
}

/* The firmware's 800 x 600 x 32 mode at a PCI BAR above RAM. */
static const bc_rev2_fb mode_800 = {0xfd000000, 800, 600, 3200, 32, 8,
                                    16,         8,   8,   8,    0,  MOS_FB_SOURCE_VBE};

/* MB2 asking for 800x600x32: the driver is asked for exactly that, the
 * kernel gets it as an RGB framebuffer inside a reserved entry (the
 * final map types it framebuffer). */
static void mb2_framebuffer_requested(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 2, 2 * MiB);
    mb2_screen_header(w, 800, 600, 32, true);
    w->fw->fb = mode_800;
    fake_fw_boot(w->fw);
    expect_kernel_pass(w, 2, 2 * MiB);
    assert_int_equal(w->fw->video_calls, 1);
    assert_int_equal(w->fw->video_kind, BC_VIDEO_LINEAR);
    assert_int_equal(w->fw->video_w, 800);
    assert_int_equal(w->fw->video_h, 600);
    assert_int_equal(w->fw->video_bpp, 32);
    expect_out(w, "MB fb.type=rgb", true);
    expect_out(w, "MB fb.addr=0xfd000000", true);
    expect_out(w, "MB fb.map=reserved", true);
    expect_out(w, "MB fb=ok", true);
    assert_true(mm_map_range_is(w->fw->boot.map, 0xfd000000, 3200 * 600, MM_TYPE_FRAMEBUFFER));
    world_free(w);
}

/* MB1 asking for a linear mode of no particular size: boot.cfg's
 * resolution= is what the firmware is asked for. */
static void mb1_linear_takes_resolution(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 1, 2 * MiB);
    mb1_screen_header(w, 0, 0, 0, 0);
    config(w, 1, "resolution=1024x768\n", "/boot/mod1.bin");
    w->fw->fb = mode_800;
    fake_fw_boot(w->fw);
    expect_kernel_pass(w, 1, 2 * MiB);
    assert_int_equal(w->fw->video_kind, BC_VIDEO_LINEAR);
    assert_int_equal(w->fw->video_w, 1024);
    assert_int_equal(w->fw->video_h, 768);
    assert_int_equal(w->fw->video_bpp, 0);
    expect_out(w, "MB fb.width=800", true);
    world_free(w);
}

/* MB1 asking for EGA text on a BIOS text screen: the screen is left as
 * it is and described as EGA text 80 x 25 at 0xb8000 (inside the
 * reserved legacy area); nothing typed framebuffer. */
static void mb1_text_left_alone(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 1, 2 * MiB);
    fake_fw_add(w->fw, 0xa0000, 0x50000, MM_TYPE_RESERVED);
    mb1_screen_header(w, 1, 80, 25, 0);
    w->fw->vga_text = 1;
    fake_fw_boot(w->fw);
    expect_kernel_pass(w, 1, 2 * MiB);
    assert_int_equal(w->fw->video_kind, BC_VIDEO_AS_IS);
    expect_out(w, "MB fb.type=ega_text", true);
    expect_out(w, "MB fb.addr=0xb8000", true);
    expect_out(w, "MB fb.map=reserved", true);
    assert_int_equal(w->fw->boot.range[BC_RANGE_FRAMEBUFFER].size, 0);
    world_free(w);
}

/* A required framebuffer tag on a machine with no linear mode: refused
 * with the tag named; an optional one boots without a framebuffer. */
static void mb2_required_framebuffer_missing(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 2, 2 * MiB);
    mb2_screen_header(w, 0, 0, 0, false);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "multiboot2: required tag 5 (framebuffer): no linear framebuffer");
    world_free(w);
    w = world_new(FAKE_UEFI, 2, 2 * MiB);
    mb2_screen_header(w, 0, 0, 0, true);
    fake_fw_boot(w->fw);
    expect_kernel_pass(w, 2, 2 * MiB);
    expect_out(w, "MB fb=ok", false);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mb2_bios_boots),
        cmocka_unit_test(mb2_framebuffer_requested),
        cmocka_unit_test(mb1_linear_takes_resolution),
        cmocka_unit_test(mb1_text_left_alone),
        cmocka_unit_test(mb2_required_framebuffer_missing),
        cmocka_unit_test(mb1_uefi_boots),
        cmocka_unit_test(mb1_bios_boot_device),
        cmocka_unit_test(mb2_uefi_boots),
        cmocka_unit_test(top_down_firmware_keeps_all_below_4g),
        cmocka_unit_test(heap_shrinks_for_room_below_4g),
        cmocka_unit_test(modules_read_into_zeroed_ranges),
        cmocka_unit_test(no_room_below_4g_refused),
        cmocka_unit_test(kernel_over_heap_refused),
        cmocka_unit_test(kernel_over_firmware_refused),
        cmocka_unit_test(missing_module_refused),
        cmocka_unit_test(no_header_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
