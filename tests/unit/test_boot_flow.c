/* The real boot driver (boot/common/driver.c) on the host, against a
 * pretend firmware (helpers/fake_fw.h): normal boots on both kinds of
 * firmware, a stale ExitBootServices map key, every placement failing in
 * turn, small and fragmented machines, and the boot heap running out.
 * A boot that reaches the kernel is checked the way a kernel would check
 * it: bc_handoff_check, ranges typed and disjoint, bitmap bits against the
 * map, the page walker on the built tables, the kernel's bytes in place.
 *
 *   firmware map (64 MiB, SeaBIOS-like)
 *   0      640K      1M                                   64M-128K   64M
 *   |usable|reserved |usable .......................... | ACPI    |
 *                     ^ boot heap, kernel, stack, bitmap, page tables,
 *                       handoff, protocol data, temp heap: placed
 *                       bottom-up, each carved to its own type in the
 *                       final map */
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
#include "helpers/elf_image.h"
#include "helpers/fake_fw.h"
#include "helpers/page_walk.h"

#define MiB       (1024ULL * 1024)
#define KBASE     0xffffffff80000000ULL
#define CMD       "console=ttyS0 flow"
#define KFILE_MAX (9 * MiB)

typedef struct world {
    fake_fw *fw;
    unsigned char *kernel;
    uint64_t kernel_size;
    char cfg[512];
    unsigned char efi[96];
} world;

/* Text RX, rodata R, data RW with bss; `pad` file bytes after the data
 * (a big kernel file without a bigger image); installed as the
 * firmware's /boot/kernel.elf. */
static void kernel_file(world *w, uint64_t pad)
{
    const test_seg s[3] = {
        {1, 5, 0x1000, KBASE, 0x800, 0x800, 0x1000},
        {1, 4, 0x2000, KBASE + 0x1000, 0x100, 0x100, 0x1000},
        {1, 6, 0x2100, KBASE + 0x2100, 0x80, 0x5000, 0x1000},
    };
    w->kernel_size = 0x2180 + pad;
    for (uint64_t i = 0; i < w->kernel_size; i++)
        w->kernel[i] = (unsigned char)(i * 13 + 5);
    test_elf_write(w->kernel, s, 3, KBASE + 0x40);
    w->fw->files[1] = (fake_file){"/boot/kernel.elf", w->kernel, w->kernel_size};
}

static void config(world *w, const char *extra)
{
    snprintf(w->cfg, sizeof w->cfg, "kernel=/boot/kernel.elf\ncmdline=" CMD "\n%s", extra);
    w->fw->files[0] = (fake_file){"/boot.cfg", w->cfg, strlen(w->cfg)};
}

/* A SeaBIOS-like map: low RAM, the legacy hole, RAM from 1 MiB with the
 * last 128 KiB ACPI, a firmware range above RAM (never written). */
static void bios_map(fake_fw *fw, uint64_t ram)
{
    fake_fw_add(fw, 0, 0x9fc00, MM_TYPE_USABLE);
    fake_fw_add(fw, 0x9fc00, 0x400, MM_TYPE_RESERVED);
    fake_fw_add(fw, 0xf0000, 0x10000, MM_TYPE_RESERVED);
    fake_fw_add(fw, MiB, ram - MiB - 0x20000, MM_TYPE_USABLE);
    fake_fw_add(fw, ram - 0x20000, 0x20000, MM_TYPE_ACPI_RECLAIMABLE);
    fake_fw_add(fw, 0xfffc0000, 0x40000, MM_TYPE_RESERVED);
}

/* An OVMF-like map: runtime code and data, ACPI NVS and firmware
 * reserved ranges scattered through RAM. */
static void uefi_map(fake_fw *fw, uint64_t ram)
{
    fake_fw_add(fw, 0, 0xa0000, MM_TYPE_USABLE);
    fake_fw_add(fw, MiB, 7 * MiB, MM_TYPE_USABLE);
    fake_fw_add(fw, 8 * MiB, 0x8000, MM_TYPE_ACPI_NVS);
    fake_fw_add(fw, 8 * MiB + 0x8000, ram - 12 * MiB - 0x8000, MM_TYPE_USABLE);
    fake_fw_add(fw, ram - 4 * MiB, MiB, MM_TYPE_FW_RUNTIME_CODE);
    fake_fw_add(fw, ram - 3 * MiB, MiB, MM_TYPE_FW_RUNTIME_DATA);
    fake_fw_add(fw, ram - 2 * MiB, 0x40000, MM_TYPE_ACPI_RECLAIMABLE);
    fake_fw_add(fw, ram - 2 * MiB + 0x40000, 2 * MiB - 0x40000, MM_TYPE_USABLE);
    fake_fw_add(fw, 0xffc00000, 0x400000, MM_TYPE_MMIO);
}

static world *world_new(fake_kind kind, uint64_t ram, uint32_t entries)
{
    world *w = calloc(1, sizeof *w);
    w->kernel = calloc(1, KFILE_MAX);
    w->fw = fake_fw_new(kind, ram, entries);
    kernel_file(w, 0);
    config(w, "");
    if (kind == FAKE_UEFI) {
        for (size_t i = 0; i < sizeof w->efi; i++)
            w->efi[i] = (unsigned char)(0x40 + i);
        w->fw->efi = (bc_efi_map){w->efi, sizeof w->efi, 48, 1};
        uefi_map(w->fw, ram);
    } else {
        bios_map(w->fw, ram);
    }
    return w;
}

static void world_free(world *w)
{
    fake_fw_free(w->fw);
    free(w->kernel);
    free(w);
}

static void expect_log(const world *w, const char *text)
{
    if (!strstr(w->fw->log.text, text))
        fail_msg("log lacks \"%s\":\n%s", text, w->fw->log.text);
}

static const struct mos_handoff *handoff_of(const world *w)
{
    return fake_fw_ptr(w->fw, w->fw->entered.rdi - w->fw->boot.pg.layout.hhdm_offset);
}

static const bc_placed *range(const world *w, bc_range_id id)
{
    return &w->fw->boot.range[id];
}

static bc_paging_region tables(const world *w)
{
    const bc_placed *t = range(w, BC_RANGE_PAGE_TABLES);
    return (bc_paging_region){t->base, t->size, NULL, NULL};
}

static void *table_ptr(void *ctx, uint64_t phys)
{
    return fake_fw_ptr(ctx, phys);
}

/* What a kernel checks first passes, and the fields it relies on are
 * the driver's. */
static void check_handoff(const world *w)
{
    const struct mos_handoff *h = handoff_of(w);
    char why[160];
    uint64_t offset = (uint64_t)(uintptr_t)w->fw->ram;
    assert_int_equal(bc_handoff_check(h, offset, why, sizeof why), MM_OK);
    assert_string_equal((const char *)(w->fw->ram + h->cmdline_addr), CMD);
    assert_int_equal(h->boot_heap_base, range(w, BC_RANGE_BOOT_HEAP)->base);
    assert_int_equal(h->boot_heap_size, range(w, BC_RANGE_BOOT_HEAP)->size);
    if (w->kernel_size <= 4 * MiB) /* above, read by segments, not into the heap */
        assert_true(h->boot_heap_used >= w->kernel_size);
    assert_int_equal(h->acpi_rsdp, 0xf0000);
    assert_int_equal(h->tsc_frequency_hz, 2000000000ULL);
    assert_int_equal(h->cr3, w->fw->entered.cr3);
    assert_int_equal(h->stack_virt_top, w->fw->entered.rsp);
}

/* Every placed range is its own entry type in the final map, and no two
 * ranges overlap. */
static void check_ranges(const world *w)
{
    const mm_map *m = w->fw->boot.map;
    for (int i = 0; i < BC_RANGE_COUNT; i++) {
        const bc_placed *a = range(w, (bc_range_id)i);
        if (a->size == 0)
            continue;
        assert_true(mm_map_range_is(m, a->base, a->size, bc_range_info_of((bc_range_id)i)->type));
        for (int j = i + 1; j < BC_RANGE_COUNT; j++) {
            const bc_placed *b = range(w, (bc_range_id)j);
            assert_true(b->size == 0 || a->base + a->size <= b->base ||
                        b->base + b->size <= a->base);
        }
    }
}

/* Bitmap bits agree with the final map frame by frame. */
static void check_bitmap(const world *w)
{
    const mm_bitmap *bm = &w->fw->boot.bitmap;
    uint64_t g = bm->granularity, first = bm->first_frame * g, end = first + bm->frame_count * g;
    for (uint64_t a = first; a < end && a < w->fw->ram_size; a += g)
        assert_int_equal(mm_bitmap_is_free(bm, a),
                         mm_map_type_at(w->fw->boot.map, a) == MM_TYPE_USABLE);
}

/* The kernel is where the tables say: entry executable and read-only,
 * data writable and NX, file bytes in place, bss zero. */
static void check_kernel(const world *w)
{
    bc_paging_region pr = tables(w);
    pr.to_ptr = table_ptr;
    pr.ctx = w->fw;
    uint64_t kphys = range(w, BC_RANGE_KERNEL)->base;
    page_walk pw = page_walk_translate(&pr, w->fw->entered.cr3, w->fw->entered.entry);
    assert_true(pw.present && pw.phys == kphys + 0x40 && !pw.nx && !pw.writable);
    pw = page_walk_translate(&pr, w->fw->entered.cr3, KBASE + 0x2100);
    assert_true(pw.present && pw.phys == kphys + 0x2100 && pw.nx && pw.writable);
    assert_memory_equal(w->fw->ram + kphys, w->kernel + 0x1000, 0x800);
    for (uint64_t i = 0x2180; i < 0x7100; i++)
        assert_int_equal(w->fw->ram[kphys + i], 0);
}

static void check_entered(const world *w)
{
    assert_int_equal(w->fw->end, FAKE_ENTERED);
    check_handoff(w);
    check_ranges(w);
    check_bitmap(w);
    check_kernel(w);
}

static void check_boot(const world *w)
{
    check_entered(w);
    expect_log(w, "memory map for the kernel");
}

/* ---- normal boots ---- */

static void bios_boot(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    const struct mos_handoff *h = handoff_of(w);
    assert_int_equal(h->boot_mode, MOS_BOOT_MODE_BIOS);
    assert_int_equal(h->bios_memory_detect, MOS_BIOS_DETECT_E820);
    assert_int_equal(h->boot_heap_size, 16 * MiB); /* the default fits */
    assert_int_equal(h->temp_heap_size, MiB);
    assert_int_equal(h->efi_memmap_size, 0);
    assert_int_equal(w->fw->exit_calls, 1);
    world_free(w);
}

/* The driver carves its ranges into the final map itself: the firmware
 * only ever calls them loader data (bootloader-reclaimable). */
static void uefi_boot(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 64 * MiB, 12);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    const struct mos_handoff *h = handoff_of(w);
    assert_int_equal(h->boot_mode, MOS_BOOT_MODE_UEFI);
    assert_int_equal(h->efi_system_table, 0x7000);
    assert_int_equal(h->efi_memmap_size, sizeof w->efi);
    assert_int_equal(h->efi_desc_size, 48);
    assert_memory_equal(w->fw->ram + h->efi_memmap_addr, w->efi, sizeof w->efi);
    assert_true(mm_map_range_is(&w->fw->fw_map, range(w, BC_RANGE_KERNEL)->base, 4096,
                                MM_TYPE_BOOTLOADER_RECLAIMABLE));
    world_free(w);
}

/* The first range of kind `id` the driver placed: range[id], or for kinds
 * with many ranges the first record of that kind. */
static const bc_placed *placed_of(const world *w, bc_range_id id)
{
    if (bc_range_info_of(id)->count == BC_RANGE_ONE)
        return range(w, id);
    for (const bc_range_rec *r = w->fw->boot.records; r; r = r->next)
        if (r->id == id)
            return &r->r;
    fail_msg("no %s range placed", bc_range_info_of(id)->name);
    return NULL;
}

/* What the loader writes lies in one run right after the boot heap; the
 * temp heap, which only the kernel writes, comes last:
 *   | boot heap | kernel | stack | bitmap | tables | handoff | data | temp heap |
 *   ^ 1 MiB       no gaps .............................................^ */
static void written_ranges_before_temp_heap(void **state)
{
    (void)state;
    static const bc_range_id order[] = {
        BC_RANGE_BOOT_HEAP,   BC_RANGE_KERNEL,  BC_RANGE_STACK,         BC_RANGE_BITMAP,
        BC_RANGE_PAGE_TABLES, BC_RANGE_HANDOFF, BC_RANGE_PROTOCOL_DATA, BC_RANGE_TEMP_HEAP,
    };
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    const bc_placed *prev = placed_of(w, order[0]);
    assert_int_equal(prev->base, MiB);
    for (size_t i = 1; i < sizeof order / sizeof order[0]; i++) {
        const bc_placed *r = placed_of(w, order[i]);
        assert_true(r->size > 0);
        assert_int_equal(r->base, prev->base + prev->size);
        prev = r;
    }
    world_free(w);
}

/* ---- timing ---- */

/* The profile: one stamp per phase, in order, logged once as one line.
 *   entry ─ front end ─▶ config ─▶ map ─▶ ... ─▶ build ─▶ (jump) */
static void profile_logged(void **state)
{
    (void)state;
    static const char *const names[] = {" front end ",  ", config ",    ", map ",
                                        ", boot heap ", ", platform ",  ", prepare ",
                                        ", exit ",      ", final map ", ", build "};
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    const char *at = strstr(w->fw->log.text, "profile:");
    assert_non_null(at);
    assert_null(strstr(at + 1, "profile:"));
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        at = strstr(at, names[i]);
        if (!at)
            fail_msg("profile lacks \"%s\" in its place:\n%s", names[i], w->fw->log.text);
    }
    uint64_t prev = w->fw->boot.tsc_entry;
    for (int i = 0; i < BC_PHASE_COUNT; i++) {
        assert_true(w->fw->boot.tsc_phase[i] > prev);
        prev = w->fw->boot.tsc_phase[i];
    }
    world_free(w);
}

static uint64_t measured_hz;
static uint32_t finish_calls;

static uint64_t tsc_finish(void *ctx)
{
    fake_fw *f = ctx;
    assert_null(strstr(f->log.text, "leaving the firmware")); /* before exit */
    finish_calls++;
    return measured_hz;
}

/* What tsc_finish measures after prepare is what the kernel gets; 0 keeps
 * the platform's figure. */
static void tsc_measured_after_prepare(uint64_t hz, uint64_t want)
{
    world *w = world_new(FAKE_UEFI, 64 * MiB, 12);
    w->fw->ops.tsc_finish = tsc_finish;
    measured_hz = hz;
    finish_calls = 0;
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    assert_int_equal(finish_calls, 1);
    assert_true(handoff_of(w)->tsc_frequency_hz == want);
    char line[48];
    snprintf(line, sizeof line, "TSC %llu Hz", (unsigned long long)want);
    expect_log(w, line);
    world_free(w);
}

static void tsc_finish_replaces_platform(void **state)
{
    (void)state;
    tsc_measured_after_prepare(2994000000ULL, 2994000000ULL);
}

static void tsc_finish_zero_keeps_platform(void **state)
{
    (void)state;
    tsc_measured_after_prepare(0, 2000000000ULL); /* fake_fw's platform figure */
}

/* ---- ExitBootServices and a stale map key ---- */

static void exit_retried(uint32_t stale)
{
    world *w = world_new(FAKE_UEFI, 64 * MiB, 12);
    w->fw->stale_exits = stale;
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    assert_int_equal(w->fw->exit_calls, stale + 1);
    expect_log(w, stale == 1 ? "firmware left (attempt 2)" : "firmware left (attempt 3)");
    check_boot(w);
    world_free(w);
}

static void exit_stale_once(void **state)
{
    (void)state;
    exit_retried(1);
}

static void exit_stale_twice(void **state)
{
    (void)state;
    exit_retried(2);
}

static void exit_stale_forever(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 64 * MiB, 12);
    w->fw->stale_exits = 1000;
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    assert_int_equal(w->fw->exit_calls, BC_EXIT_MAX_ATTEMPTS);
    expect_log(w, "kept changing; gave up after 4 exit attempts");
    world_free(w);
}

/* ---- every placement failing in turn ----
 * place calls in order: 1 boot heap, 2 kernel, 3 stack, 4 temp heap,
 * 5 bitmap, 6 page tables, 7 handoff. */

static world *boot_failing(uint32_t from, uint32_t count, const char *cfg)
{
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    config(w, cfg);
    w->fw->fail_place_from = from;
    w->fw->fail_place_count = count;
    fake_fw_boot(w->fw);
    return w;
}

static void place_fails_explicit_boot_heap(void **state)
{
    (void)state;
    world *w = boot_failing(1, 1, "heap_size=16M\n");
    assert_int_equal(w->fw->end, FAKE_HALTED);
    expect_log(w, "boot heap: heap_size=16777216 bytes (align 4096) does not fit at or above "
                  "0x100000");
    world_free(w);
}

/* Without heap_size the default halves until it fits. */
static void place_fails_default_boot_heap(void **state)
{
    (void)state;
    world *w = boot_failing(1, 1, "");
    check_boot(w);
    assert_int_equal(handoff_of(w)->boot_heap_size, 8 * MiB);
    expect_log(w, "default 16384 KiB does not fit: using 8192 KiB");
    world_free(w);
}

static void place_fails_halts(uint32_t call, const char *message)
{
    world *w = boot_failing(call, 1000, "heap_size=16M\n");
    assert_int_equal(w->fw->end, FAKE_HALTED);
    expect_log(w, message);
    world_free(w);
}

static void place_fails_kernel(void **state)
{
    (void)state;
    place_fails_halts(2, "kernel: cannot place 32768 bytes: not found");
}

static void place_fails_stack(void **state)
{
    (void)state;
    place_fails_halts(3, "kernel stack: cannot place 65536 bytes");
}

static void place_fails_bitmap(void **state)
{
    (void)state;
    place_fails_halts(4, "frame bitmap: cannot place");
}

static void place_fails_page_tables(void **state)
{
    (void)state;
    place_fails_halts(5, "page tables: cannot place");
}

static void place_fails_handoff(void **state)
{
    (void)state;
    place_fails_halts(6, "handoff: cannot place");
}

/* The temporary heap is optional: base 0, size 0 and a warning. */
static void place_fails_temp_heap(void **state)
{
    (void)state;
    world *w = boot_failing(8, 1, "heap_size=16M\n");
    check_boot(w);
    assert_int_equal(handoff_of(w)->temp_heap_base, 0);
    assert_int_equal(handoff_of(w)->temp_heap_size, 0);
    expect_log(w, "temp heap: cannot place 1048576 bytes (not found); handing over base 0");
    world_free(w);
}

/* A default-sized heap gives back its free half until the kernel fits. */
static void place_fails_kernel_default_heap(void **state)
{
    (void)state;
    world *w = boot_failing(2, 1, "");
    check_boot(w);
    /* 12 KiB used (the kernel file): keep those and half of the rest */
    assert_int_equal(handoff_of(w)->boot_heap_size, 8 * MiB + 0x2000);
    expect_log(w, "heap_size not set: shrunk from 16384 KiB to 8200 KiB to make room");
    world_free(w);
}

/* ---- small and fragmented machines ---- */

/*   16 MiB:  |low|hole|1M ........ 16M-128K|ACPI|
 *   the default 16 MiB heap cannot fit: it takes 8 MiB, then gives back
 *   what the kernel's ranges need. */
static void machine_16m(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 16 * MiB, 8);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    assert_true(handoff_of(w)->boot_heap_size < 16 * MiB);
    expect_log(w, "boot heap: heap_size not set and the default 16384 KiB does not fit");
    world_free(w);
}

static void machine_48m_uefi(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 48 * MiB, 12);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    world_free(w);
}

/* 1,000 entries: 4 KiB reserved every 64 KiB from 2 MiB to about 64 MiB;
 * the loader's ranges fit in the 32 MiB above. */
static void map_1000_entries(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 96 * MiB, 1000);
    config(w, "log_level=warn\ndetailed_logging=off\n"); /* 2,000 map lines would not fit */
    for (uint64_t i = 0; i < 994; i++)
        fake_fw_add(w->fw, 2 * MiB + i * 0x10000, 0x1000, MM_TYPE_RESERVED);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_entered(w);
    assert_true(handoff_of(w)->memmap_count > 1900);
    world_free(w);
}

/* ---- large kernel files ---- */

/* The kernel range holds what bc_elf_load makes of the file: each
 * segment's bytes, zeros everywhere else in the span. */
static void check_kernel_image(const world *w)
{
    bc_elf_image img;
    assert_int_equal(bc_elf_parse(w->kernel, (size_t)w->kernel_size, &img), BC_ELF_OK);
    unsigned char *want = malloc((size_t)img.span);
    assert_int_equal(bc_elf_load(&img, w->kernel, (size_t)w->kernel_size, want, (size_t)img.span),
                     BC_ELF_OK);
    assert_memory_equal(fake_fw_ptr(w->fw, range(w, BC_RANGE_KERNEL)->base), want,
                        (size_t)img.span);
    free(want);
}

/* A kernel file above 4 MiB (8 MiB that no segment loads, as a debug
 * build's DWARF) is read segment by segment straight into the kernel
 * range, on both kinds of firmware; only its first 64 KiB pass through
 * the boot heap. The fake front end writes 0xa5 after each read up to
 * its room; the range must still be exactly the image:
 *   file   |hdr|text|  |rodata|data|<------ 8 MiB not loaded ------>|
 *   range  |text|000|rodata|000000|data|00 bss and slack 00|        */
static void large_kernel_read_by_segments(fake_kind kind)
{
    world *w = world_new(kind, 64 * MiB, 12);
    kernel_file(w, 8 * MiB);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    check_kernel_image(w);
    assert_int_equal(w->fw->boot.extensions, 0);
    assert_true(handoff_of(w)->boot_heap_used < MiB);
    world_free(w);
}

static void large_kernel_bios(void **state)
{
    (void)state;
    large_kernel_read_by_segments(FAKE_BIOS);
}

static void large_kernel_uefi(void **state)
{
    (void)state;
    large_kernel_read_by_segments(FAKE_UEFI);
}

/* A file of up to 4 MiB is read whole and its segments copied: the
 * same image, the file in the boot heap. */
static void kernel_read_whole(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    kernel_file(w, 2 * MiB);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_kernel_image(w);
    assert_true(handoff_of(w)->boot_heap_used > 2 * MiB);
    world_free(w);
}

/* ---- the boot heap running out ---- */

/* A 2 MiB kernel file in a 1 MiB heap: the heap refills from the
 * firmware and the refill is handed over as bootloader-reclaimable. */
static void heap_exhausted_refills(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    kernel_file(w, 2 * MiB);
    config(w, "heap_size=1M\n");
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    const bc_boot *b = &w->fw->boot;
    assert_true(b->extensions >= 1); /* the kernel file, then revision-2 state */
    /* the one multi-instance range: the revision-2 region (CPU list) */
    assert_non_null(b->records);
    assert_int_equal(b->records->id, BC_RANGE_PROTOCOL_DATA);
    assert_null(b->records->next);
    assert_true(b->extension[0].size >= w->kernel_size);
    assert_true(mm_map_range_is(b->map, b->extension[0].base, b->extension[0].size,
                                MM_TYPE_BOOTLOADER_RECLAIMABLE));
    assert_true(handoff_of(w)->boot_heap_used > 2 * MiB);
    expect_log(w, "boot heap: exhausted, extended by");
    world_free(w);
}

/* ... and when the firmware has nothing left either, a clear failure. The
 * buffer asked for is the file (0x202180 bytes) rounded up to
 * BC_FILE_ROOM, room the front end may overwrite. */
static void heap_exhausted_fails(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    kernel_file(w, 2 * MiB);
    config(w, "heap_size=1M\n");
    w->fw->fail_place_from = 2;
    w->fw->fail_place_count = 1;
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "boot heap: no 2109440 bytes for the kernel: out of memory");
    world_free(w);
}

/* No free MiB left for a refill: 4 KiB reserved at the end of every
 * 512 KiB from 1 MiB up (below 1 MiB less than a MiB is usable). The
 * refill then asks for just what the allocation needs.
 *   0      1M     1.5M    2M          64M
 *   |  <1M |     x|      x| ...      x|   x = 4 KiB reserved             */
static void heap_refill_smaller_without_a_free_mib(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 200);
    kernel_file(w, 300 * 1024);
    config(w, "heap_size=256K\n");
    for (uint64_t at = MiB + 508 * 1024; at < 64 * MiB; at += 512 * 1024)
        fake_fw_add(w->fw, at, 0x1000, MM_TYPE_RESERVED);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    const bc_boot *b = &w->fw->boot;
    assert_true(b->extensions >= 1);
    assert_true(b->extension[0].size < MiB);
    assert_true(b->extension[0].size >= w->kernel_size);
    expect_log(w, "boot heap: exhausted, extended by");
    world_free(w);
}

/* ---- bad input ---- */

static void missing_kernel(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    w->fw->files[1].path = NULL;
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "kernel /boot/kernel.elf: no such file on the boot volume");
    world_free(w);
}

/* ---- modules ---- */

static const char mod_a[] = "module A bytes";

/* One entry with two modules, the second an empty file:
 *
 *   handoff modules[0]  addr -> MODULE range holding "module A bytes", cmdline "x  y"
 *   handoff modules[1]  addr -> MODULE range of one page, size 0, cmdline ""
 */
static void entry_with_modules(world *w, const char *second)
{
    snprintf(w->cfg, sizeof w->cfg,
             "timeout=0\n[M]\nkernel=/boot/kernel.elf\ncmdline=" CMD
             "\nmodule=/m/a.bin x  y\nmodule=%s\n",
             second);
    w->fw->files[0] = (fake_file){"/boot.cfg", w->cfg, strlen(w->cfg)};
    w->fw->files[2] = (fake_file){"/m/a.bin", mod_a, sizeof mod_a - 1};
    w->fw->files[3] = (fake_file){"/m/empty.bin", "", 0};
}

static void modules_loaded(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 64 * MiB, 16);
    entry_with_modules(w, "/m/empty.bin");
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_entered(w); /* bc_handoff_check covers the module entries */
    const struct mos_handoff *h = handoff_of(w);
    assert_int_equal(h->module_count, 2);
    const struct mos_module *m = (const void *)(w->fw->ram + h->modules_addr);
    const mm_map *map = w->fw->boot.map;
    assert_int_equal(m[0].size, sizeof mod_a - 1);
    assert_memory_equal(w->fw->ram + m[0].addr, mod_a, sizeof mod_a - 1);
    assert_string_equal(m[0].path, "/m/a.bin");
    assert_string_equal((const char *)w->fw->ram + m[0].cmdline_addr, "x  y");
    assert_true(mm_map_range_is(map, m[0].addr, 4096, MM_TYPE_MODULE));
    assert_int_equal(m[1].size, 0);
    assert_true(m[1].addr != 0 && m[1].addr != m[0].addr);
    assert_true(mm_map_range_is(map, m[1].addr, 4096, MM_TYPE_MODULE));
    assert_string_equal((const char *)w->fw->ram + m[1].cmdline_addr, "");
    world_free(w);
}

/* The most modules an entry may have (BC_CFG_MAX_MODULES), each of its
 * own size, 1000 to 8755 bytes: every one in its MODULE range, byte for
 * byte, the rest of the range zero, and the range records intact.
 *   | m0 | m1 | ... | m15 |   one range each, in file order
 */
static void sixteen_modules(void **state)
{
    (void)state;
    enum { N = BC_CFG_MAX_MODULES };
    static unsigned char data[N][9000];
    static char names[N][16];
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    size_t at =
        (size_t)snprintf(w->cfg, sizeof w->cfg, "[M]\nkernel=/boot/kernel.elf\ncmdline=" CMD "\n");
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "/m/%02d.bin", i);
        at += (size_t)snprintf(w->cfg + at, sizeof w->cfg - at, "module=%s\n", names[i]);
        for (size_t j = 0; j < sizeof data[i]; j++)
            data[i][j] = (unsigned char)(j * 31 + i * 7 + 1);
        w->fw->files[2 + i] = (fake_file){names[i], data[i], 1000 + (uint64_t)i * 517};
    }
    w->fw->files[0] = (fake_file){"/boot.cfg", w->cfg, strlen(w->cfg)};
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_entered(w);
    const struct mos_handoff *h = handoff_of(w);
    assert_int_equal(h->module_count, N);
    const struct mos_module *m = (const void *)(w->fw->ram + h->modules_addr);
    for (int i = 0; i < N; i++) {
        uint64_t size = 1000 + (uint64_t)i * 517, end = mm_align_down(size + 4095, 4096);
        assert_int_equal(m[i].size, size);
        assert_string_equal(m[i].path, names[i]);
        assert_memory_equal(w->fw->ram + m[i].addr, data[i], size);
        for (uint64_t j = size; j < end; j++)
            assert_int_equal(w->fw->ram[m[i].addr + j], 0);
        assert_true(mm_map_range_is(w->fw->boot.map, m[i].addr, end, MM_TYPE_MODULE));
    }
    world_free(w);
}

/* ---- framebuffer ---- */

/* An 800 x 600 x 32 framebuffer above RAM (as a PCI BAR is):
 *
 *   RAM [0, 64 MiB) ... hole ... [0xfd000000, +1.83 MiB) FRAMEBUFFER
 *   direct map [0, >= 0xfd200000)       handoff fb_* as the firmware said
 */
static void framebuffer_handed_over(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    config(w, "resolution=800x600\n");
    w->fw->fb = (bc_rev2_fb){0xfd000000, 800, 600, 3200, 32, 8, 16, 8, 8, 8, 0, MOS_FB_SOURCE_VBE};
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_entered(w); /* bc_handoff_check: fb inside FRAMEBUFFER and the direct map */
    assert_int_equal(w->fw->video_calls, 1);
    assert_int_equal(w->fw->video_w, 800);
    assert_int_equal(w->fw->video_h, 600);
    const struct mos_handoff *h = handoff_of(w);
    assert_int_equal(h->fb_addr, 0xfd000000);
    assert_int_equal(h->fb_size, 0x1d5000); /* pitch * height rounded up to 4 KiB */
    assert_int_equal(h->fb_pitch, 3200);
    assert_int_equal(h->fb_bpp, 32);
    assert_int_equal(h->fb_red_mask_shift, 16);
    assert_true(mm_map_range_is(w->fw->boot.map, 0xfd000000, 1920000, MM_TYPE_FRAMEBUFFER));
    assert_true(h->hhdm_size >= 0xfd000000 + 1920000);
    world_free(w);
}

/* No framebuffer: every fb_* field 0, still one video call. */
static void framebuffer_absent(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 64 * MiB, 16);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_entered(w);
    assert_int_equal(w->fw->video_calls, 1);
    assert_int_equal(w->fw->video_w, 0);
    assert_int_equal(handoff_of(w)->fb_addr, 0);
    assert_int_equal(handoff_of(w)->fb_size, 0);
    world_free(w);
}

/* ---- CPUs ---- */

/* Without APs to start (no trampoline from the front end) the list holds
 * this CPU alone. */
static void cpus_bsp_only(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_entered(w);
    const struct mos_handoff *h = handoff_of(w);
    assert_int_equal(h->cpu_count, 1);
    assert_int_equal(h->smp_flags, 0);
    const struct mos_cpu *c = (const void *)(w->fw->ram + h->cpus_addr);
    assert_int_equal(c[0].flags, MOS_CPU_BSP);
    assert_int_equal(c[0].apic_id, h->bsp_apic_id);
    world_free(w);
}

/* A trampoline to copy but no valid RSDP (nothing at the address the
 * platform names): no MADT, one CPU, MOS_SMP_NO_MADT and a WARN; nothing
 * placed below 1 MiB. */
static void cpus_without_madt(void **state)
{
    (void)state;
    static const unsigned char blob[64];
    world *w = world_new(FAKE_UEFI, 64 * MiB, 16);
    w->fw->ap_blob = blob;
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_entered(w);
    const struct mos_handoff *h = handoff_of(w);
    assert_int_equal(h->cpu_count, 1);
    assert_int_equal(h->smp_flags, MOS_SMP_NO_MADT);
    assert_int_equal(w->fw->boot.range[BC_RANGE_AP_TRAMPOLINE].size, 0);
    expect_log(w, "[WARN ] CPUs: RSDP: signature is not \"RSD PTR \": starting none but this one");
    world_free(w);
}

static void module_missing(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    entry_with_modules(w, "/m/absent.bin");
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "module 2 (boot.cfg line 6) /m/absent.bin: no such file on the boot volume");
    world_free(w);
}

static void corrupt_kernel(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    w->fw->files[1].size = 100;
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "kernel /boot/kernel.elf: not a valid kernel");
    world_free(w);
}

static void bad_config(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    config(w, "temp_heap_size=12x\n");
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "boot.cfg has errors");
    assert_int_equal(w->fw->place_calls, 0);
    world_free(w);
}

/* ---- the boot menu ----
 *   boot.cfg:  [First]   its own kernel= line (or protocol=)
 *              [MultiOS] the good kernel, cmdline CMD
 * Keys are typed into the fake's menu one per poll ("1\r": entry 1, Enter). */

static void config_menu(world *w, const char *globals, const char *first)
{
    snprintf(w->cfg, sizeof w->cfg,
             "%s[First]\n%s\n[MultiOS]\nkernel=/boot/kernel.elf\ncmdline=" CMD "\n", globals,
             first);
    w->fw->files[0] = (fake_file){"/boot.cfg", w->cfg, strlen(w->cfg)};
}

static void expect_entry(const world *w, const char *name)
{
    const bc_boot *b = &w->fw->boot;
    assert_string_equal(bc_bootcfg_str(&b->cfg, b->entry->name), name);
}

/* No key: the countdown runs out and the default entry boots. */
static void menu_countdown_boots_default(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    config_menu(w, "timeout=2\ndefault=2\n", "kernel=/boot/missing.elf");
    w->fw->menu_keys = "";
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    expect_entry(w, "MultiOS");
    expect_log(w, "Booting MultiOS in 2 s");
    assert_int_equal(w->fw->menu_frames, 1);
    assert_int_equal(w->fw->release_calls, 0);
    world_free(w);
}

/* Entry 1 fails after its kernel range was placed (place calls: 1 boot
 * heap, 2 kernel, 3 stack fails): the kernel range goes back to the
 * firmware, the boot heap is rewound, the menu shows the message, and
 * entry 2 boots in the same memory.
 *   attempt 1:  |boot heap|kernel|  stack: no room  -> given back
 *   attempt 2:  |boot heap|kernel|stack|temp heap|bitmap|tables|handoff| */
static void menu_failed_entry_gives_back(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    config_menu(w, "timeout=2\nheap_size=4M\n", "kernel=/boot/kernel.elf");
    w->fw->menu_keys = "1\r2\r";
    w->fw->fail_place_from = 3;
    w->fw->fail_place_count = 1;
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    expect_entry(w, "MultiOS");
    expect_log(w, "Error: kernel stack: cannot place");
    assert_int_equal(w->fw->menu_frames >= 2, 1);
    assert_int_equal(w->fw->release_calls, 1);
    assert_int_equal(w->fw->released_bytes, range(w, BC_RANGE_KERNEL)->size);
    /* The heap was rewound: it holds what a boot of entry 2 alone holds. */
    world *once = world_new(FAKE_BIOS, 64 * MiB, 8);
    config_menu(once, "timeout=2\nheap_size=4M\n", "kernel=/boot/kernel.elf");
    once->fw->menu_keys = "2\r";
    assert_int_equal(fake_fw_boot(once->fw), FAKE_ENTERED);
    assert_int_equal(handoff_of(w)->boot_heap_used, handoff_of(once)->boot_heap_used);
    world_free(once);
    world_free(w);
}

/* A protocol this firmware cannot run goes back to the menu too. */
static void menu_refused_entry(void **state)
{
    (void)state;
    world *w = world_new(FAKE_UEFI, 64 * MiB, 12);
    config_menu(w, "timeout=1\n", "protocol=bios-chainload");
    w->fw->menu_keys = "\r2\r";
    assert_int_equal(fake_fw_boot(w->fw), FAKE_ENTERED);
    check_boot(w);
    expect_entry(w, "MultiOS");
    expect_log(w, "Error: entry First: protocol=bios-chainload needs BIOS firmware");
    world_free(w);
}

/* timeout=0: no menu, so a failing default entry halts as without one. */
static void no_menu_failure_halts(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    config_menu(w, "timeout=0\n", "kernel=/boot/missing.elf");
    w->fw->menu_keys = "";
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "kernel /boot/missing.elf: no such file on the boot volume");
    assert_int_equal(w->fw->menu_frames, 0);
    world_free(w);
}

/* One entry: nothing else to choose, the failure halts. */
static void single_entry_failure_halts(void **state)
{
    (void)state;
    world *w = world_new(FAKE_BIOS, 64 * MiB, 8);
    w->fw->files[1].path = NULL;
    w->fw->menu_keys = "";
    assert_int_equal(fake_fw_boot(w->fw), FAKE_HALTED);
    expect_log(w, "kernel /boot/kernel.elf: no such file on the boot volume");
    assert_int_equal(w->fw->menu_frames, 0);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bios_boot),
        cmocka_unit_test(uefi_boot),
        cmocka_unit_test(written_ranges_before_temp_heap),
        cmocka_unit_test(profile_logged),
        cmocka_unit_test(tsc_finish_replaces_platform),
        cmocka_unit_test(tsc_finish_zero_keeps_platform),
        cmocka_unit_test(exit_stale_once),
        cmocka_unit_test(exit_stale_twice),
        cmocka_unit_test(exit_stale_forever),
        cmocka_unit_test(place_fails_explicit_boot_heap),
        cmocka_unit_test(place_fails_default_boot_heap),
        cmocka_unit_test(place_fails_kernel),
        cmocka_unit_test(place_fails_stack),
        cmocka_unit_test(place_fails_temp_heap),
        cmocka_unit_test(place_fails_bitmap),
        cmocka_unit_test(place_fails_page_tables),
        cmocka_unit_test(place_fails_handoff),
        cmocka_unit_test(place_fails_kernel_default_heap),
        cmocka_unit_test(machine_16m),
        cmocka_unit_test(machine_48m_uefi),
        cmocka_unit_test(map_1000_entries),
        cmocka_unit_test(large_kernel_bios),
        cmocka_unit_test(large_kernel_uefi),
        cmocka_unit_test(kernel_read_whole),
        cmocka_unit_test(heap_exhausted_refills),
        cmocka_unit_test(heap_exhausted_fails),
        cmocka_unit_test(heap_refill_smaller_without_a_free_mib),
        cmocka_unit_test(missing_kernel),
        cmocka_unit_test(corrupt_kernel),
        cmocka_unit_test(modules_loaded),
        cmocka_unit_test(sixteen_modules),
        cmocka_unit_test(module_missing),
        cmocka_unit_test(framebuffer_handed_over),
        cmocka_unit_test(framebuffer_absent),
        cmocka_unit_test(cpus_bsp_only),
        cmocka_unit_test(cpus_without_madt),
        cmocka_unit_test(bad_config),
        cmocka_unit_test(menu_countdown_boots_default),
        cmocka_unit_test(menu_failed_entry_gives_back),
        cmocka_unit_test(menu_refused_entry),
        cmocka_unit_test(no_menu_failure_halts),
        cmocka_unit_test(single_entry_failure_halts),
    };
    return cmocka_run_group_tests_name("boot_flow", tests, NULL, NULL);
}
