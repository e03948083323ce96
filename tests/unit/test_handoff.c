/* Handoff builder and checker. A fixture builds the handoff a loader
 * would: a final map with every loader-owned range under its own type, the
 * handoff region itself at REGION_PHYS (a host buffer stands in for it),
 * then build + seal. Check failures are provoked one at a time, each
 * followed by a re-seal so that only the intended rule is broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/handoff.h"

#define REGION_PHYS 0x200000ULL
#define MiB         (1024ULL * 1024)

typedef struct fixture {
    mm_entry entries[32];
    mm_map map;
    bc_handoff_layout l;
    unsigned char *region;
    struct mos_handoff *h;
    bc_handoff_input in;
    unsigned char efi[96];
    char why[128];
} fixture;

/* The final map (R = region bytes, rounded to 4 KiB):
 *   [0, 0x9f000)                 usable
 *   [0x9f000, 0x100000)          reserved (EBDA, VGA, BIOS)
 *   [0x100000, 0x106000)         kernel
 *   [0x106000, 0x116000)         kernel stack
 *   [0x116000, 0x200000)         usable
 *   [0x200000, +R)               handoff
 *   [+R, +1 MiB)                 temp heap
 *   [.., +16 MiB)                boot heap
 *   [.., +4 KiB)                 frame bitmap
 *   [.., +56 KiB)                page tables
 *   [.., 0x1400000)              bootloader reclaimable
 *   [0x1400000, 0x7fe0000)       usable
 *   [0x7fe0000, 0x8000000)       ACPI reclaimable
 *   [0xfee00000, +4 KiB)         MMIO */
static void make_map(fixture *f)
{
    uint64_t at = REGION_PHYS + f->l.bytes;
    const mm_entry fixed[] = {
        {0, 0x9f000, MM_TYPE_USABLE, 1, 0},
        {0x9f000, 0x61000, MM_TYPE_RESERVED, 2, 0},
        {0x100000, 0x6000, MM_TYPE_KERNEL, 0, 0},
        {0x106000, 0x10000, MM_TYPE_KERNEL_STACK, 0, 0},
        {0x116000, 0xea000, MM_TYPE_USABLE, 1, 0},
        {REGION_PHYS, f->l.bytes, MM_TYPE_HANDOFF, 0, 0},
        {at, MiB, MM_TYPE_TEMP_HEAP, 0, 0},
        {at + MiB, 16 * MiB, MM_TYPE_BOOT_HEAP, 0, 0},
        {at + 17 * MiB, 0x1000, MM_TYPE_FRAME_BITMAP, 0, 0},
        {at + 17 * MiB + 0x1000, 0xe000, MM_TYPE_PAGE_TABLES, 0, 0},
        {at + 17 * MiB + 0xf000, 0x1400000 - (at + 17 * MiB + 0xf000),
         MM_TYPE_BOOTLOADER_RECLAIMABLE, 0, 0},
        {0x1400000, 0x7fe0000 - 0x1400000, MM_TYPE_USABLE, 1, 0xf},
        {0x7fe0000, 0x20000, MM_TYPE_ACPI_RECLAIMABLE, 3, 0},
        {0xfee00000, 0x1000, MM_TYPE_MMIO, 11, 0},
    };
    memcpy(f->entries, fixed, sizeof fixed);
    f->map =
        (mm_map){.entries = f->entries, .count = sizeof fixed / sizeof fixed[0], .capacity = 32};
}

static void make_input(fixture *f)
{
    uint64_t at = REGION_PHYS + f->l.bytes;
    for (size_t i = 0; i < sizeof f->efi; i++)
        f->efi[i] = (unsigned char)(0x40 + i);
    f->in = (bc_handoff_input){
        .fields =
            {
                .boot_mode = MOS_BOOT_MODE_UEFI,
                .temp_heap_base = at,
                .temp_heap_size = MiB,
                .boot_heap_base = at + MiB,
                .boot_heap_size = 16 * MiB,
                .boot_heap_used = 12345,
                .bitmap_addr = at + 17 * MiB,
                .bitmap_size = 0x1000,
                .bitmap_first_frame = 0,
                .bitmap_frame_count = 0x8000,
                .bitmap_granularity = 4096,
                .efi_system_table = 0x7f00018,
                .efi_desc_size = 48,
                .efi_desc_version = 1,
                .acpi_rsdp = 0x7fe0014,
                .kernel_phys_base = 0x100000,
                .kernel_virt_base = 0xffffffff80000000ULL,
                .kernel_size = 0x6000,
                .kernel_entry = 0xffffffff80000010ULL,
                .stack_phys_base = 0x106000,
                .stack_size = 0x10000,
                .stack_virt_top = 0xffff800000000000ULL + 0x116000 - 8,
                .cr3 = at + 17 * MiB + 0x1000,
                .hhdm_offset = 0xffff800000000000ULL,
                .hhdm_size = 4096 * MiB,
                .identity_map_size = 4096 * MiB,
                .tsc_loader_entry = 1000,
                .tsc_memmap_done = 2000,
                .tsc_frequency_hz = 3000000000ULL,
                .sanitize_overlaps = 2,
                .sanitize_merged = 3,
                .sanitize_trimmed = 4096,
                .memtest_bad_bytes = 0,
            },
        .map = &f->map,
        .efi_map = f->efi,
        .efi_map_size = sizeof f->efi,
        .cmdline = "console=ttyS0 quiet",
    };
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_int_equal(bc_handoff_layout_init(&f->l, 32, 64, sizeof f->efi), MM_OK);
    f->region = aligned_alloc(4096, f->l.bytes);
    make_map(f);
    make_input(f);
    assert_int_equal(bc_handoff_build(&f->in, &f->l, f->region, REGION_PHYS, &f->h), MM_OK);
    bc_handoff_seal(f->h, 3000);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    free(f->region);
    free(f);
    return 0;
}

static uint64_t offset_of_region(const fixture *f)
{
    return (uint64_t)(uintptr_t)f->region - REGION_PHYS;
}

static struct mos_memmap_entry *hmap(fixture *f)
{
    return (struct mos_memmap_entry *)(f->region + f->l.map_off);
}

/* Re-seals after a change: the struct checksum, and the map checksum the
 * builder computed. */
static void reseal(fixture *f)
{
    size_t n = (size_t)f->h->memmap_count * f->h->memmap_entry_size;
    f->h->memmap_crc32 = mos_crc32_skip(hmap(f), n, n);
    bc_handoff_seal(f->h, f->h->tsc_kernel_jump);
}

static void expect_verdict(fixture *f, mm_status want, const char *msg)
{
    mm_status got = bc_handoff_check(f->h, offset_of_region(f), f->why, sizeof f->why);
    if (got != want)
        fail_msg("got %s (%s), want %s", mm_status_name(got), f->why, mm_status_name(want));
    if (!strstr(f->why, msg))
        fail_msg("reason \"%s\" lacks \"%s\"", f->why, msg);
}

/* Every internal type has its own handoff type, and back. */
static void type_translation(void **state)
{
    (void)state;
    const struct {
        uint32_t mm, mos;
        const char *name;
    } pairs[] = {
        {MM_TYPE_USABLE, MOS_MEM_USABLE, "usable"},
        {MM_TYPE_RESERVED, MOS_MEM_RESERVED, "reserved"},
        {MM_TYPE_ACPI_RECLAIMABLE, MOS_MEM_ACPI_RECLAIMABLE, "acpi-reclaimable"},
        {MM_TYPE_ACPI_NVS, MOS_MEM_ACPI_NVS, "acpi-nvs"},
        {MM_TYPE_BAD, MOS_MEM_BAD, "bad"},
        {MM_TYPE_PERSISTENT, MOS_MEM_PERSISTENT, "persistent"},
        {MM_TYPE_FW_RUNTIME_CODE, MOS_MEM_RUNTIME_CODE, "runtime-code"},
        {MM_TYPE_FW_RUNTIME_DATA, MOS_MEM_RUNTIME_DATA, "runtime-data"},
        {MM_TYPE_MMIO, MOS_MEM_MMIO, "mmio"},
        {MM_TYPE_UNACCEPTED, MOS_MEM_UNACCEPTED, "unaccepted"},
        {MM_TYPE_BOOTLOADER_RECLAIMABLE, MOS_MEM_BOOTLOADER_RECLAIMABLE, "bootloader-reclaimable"},
        {MM_TYPE_KERNEL, MOS_MEM_KERNEL, "kernel"},
        {MM_TYPE_KERNEL_STACK, MOS_MEM_KERNEL_STACK, "kernel-stack"},
        {MM_TYPE_TEMP_HEAP, MOS_MEM_TEMP_HEAP, "temp-heap"},
        {MM_TYPE_BOOT_HEAP, MOS_MEM_BOOT_HEAP, "boot-heap"},
        {MM_TYPE_PAGE_TABLES, MOS_MEM_PAGE_TABLES, "page-tables"},
        {MM_TYPE_FRAME_BITMAP, MOS_MEM_FRAME_BITMAP, "frame-bitmap"},
        {MM_TYPE_HANDOFF, MOS_MEM_HANDOFF, "handoff"},
        {MM_TYPE_FRAMEBUFFER, MOS_MEM_FRAMEBUFFER, "framebuffer"},
        {MM_TYPE_MODULE, MOS_MEM_MODULE, "module"},
        {MM_TYPE_AP_TRAMPOLINE, MOS_MEM_AP_TRAMPOLINE, "ap-trampoline"},
        {MM_TYPE_AP_STACKS, MOS_MEM_AP_STACKS, "ap-stacks"},
    };
    size_t n = sizeof pairs / sizeof pairs[0];
    assert_int_equal(n, MM_TYPE_COUNT - 1); /* every type but NONE is listed */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(bc_mos_type_from_mm(pairs[i].mm), pairs[i].mos);
        assert_int_equal(bc_mm_type_from_mos(pairs[i].mos), pairs[i].mm);
        assert_string_equal(bc_mos_type_name(pairs[i].mos), pairs[i].name);
    }
    assert_int_equal(bc_mos_type_from_mm(MM_TYPE_NONE), 0);
    assert_int_equal(bc_mos_type_from_mm(MM_TYPE_COUNT), 0);
    assert_int_equal(bc_mm_type_from_mos(0), MM_TYPE_NONE);
    assert_int_equal(bc_mm_type_from_mos(0x1ff), MM_TYPE_NONE);
    assert_string_equal(bc_mos_type_name(0x1ff), "unknown");
}

/* The standard CRC-32 check value: "123456789" -> 0xCBF43926; skipping
 * four bytes is the same as zeroing them. */
static void crc32_known_values(void **state)
{
    (void)state;
    assert_int_equal(mos_crc32_skip("123456789", 9, 9), 0xcbf43926u);
    unsigned char a[12] = "abcdefghijk", b[12] = "abcd\0\0\0\0ijk";
    assert_int_equal(mos_crc32_skip(a, 12, 4), mos_crc32_skip(b, 12, 12));
}

/* Region layout: aligned areas in order, total a page multiple. */
static void layout_offsets(void **state)
{
    (void)state;
    bc_handoff_layout l;
    assert_int_equal(bc_handoff_layout_init(&l, 100, 300, 5000), MM_OK);
    assert_int_equal(l.map_off % 16, 0);
    assert_true(l.map_off >= sizeof(struct mos_handoff));
    assert_int_equal(l.cmdline_off, l.map_off + 100 * 32);
    assert_true(l.efi_off >= l.cmdline_off + 300 && l.efi_off % 16 == 0);
    assert_true(l.bytes >= l.efi_off + 5000 && l.bytes % 4096 == 0 &&
                l.bytes - 4096 < l.efi_off + 5000);
    assert_int_equal(bc_handoff_layout_init(&l, 0, 1, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_handoff_layout_init(&l, 1, 0, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_handoff_layout_init(&l, 1, 1, 1ULL << 40), MM_ERR_OVERFLOW);
    assert_int_equal(bc_handoff_map_capacity(10), 2 * 10 + 1 + 2 * BC_HANDOFF_MAX_CARVES);
    assert_int_equal(bc_handoff_map_capacity(UINT32_MAX), 0);
}

/* The fixture's handoff passes every check. */
static void built_handoff_passes(void **state)
{
    fixture *f = *state;
    expect_verdict(f, MM_OK, "ok");
}

/* Header and fields as given; map translated; cmdline and EFI map copied
 * into the region at the physical addresses the struct names. */
static void fields_copied(void **state)
{
    fixture *f = *state;
    struct mos_handoff *h = f->h;
    assert_true(h->magic == MOS_HANDOFF_MAGIC);
    assert_int_equal(h->revision, MOS_HANDOFF_REVISION);
    assert_int_equal(h->size, sizeof *h);
    assert_string_equal(h->loader_name, BC_LOADER_NAME);
    assert_int_equal(h->loader_version, BC_LOADER_VERSION);
    assert_int_equal(h->boot_mode, MOS_BOOT_MODE_UEFI);
    assert_int_equal(h->temp_heap_size, MiB);
    assert_int_equal(h->boot_heap_used, 12345);
    assert_int_equal(h->bitmap_flags, MOS_BITMAP_BIT_SET_MEANS_USED);
    assert_int_equal(h->efi_desc_size, 48);
    assert_int_equal(h->sanitize_merged, 3);
    assert_int_equal(h->tsc_kernel_jump, 3000);
    assert_int_equal(h->tsc_frequency_hz, 3000000000ULL);
    assert_true(h->memmap_addr == REGION_PHYS + f->l.map_off);
    assert_int_equal(h->memmap_count, f->map.count);
    assert_int_equal(h->memmap_entry_size, 32);
    for (uint32_t i = 0; i < f->map.count; i++) {
        const struct mos_memmap_entry *e = &hmap(f)[i];
        assert_true(e->base == f->entries[i].base && e->length == f->entries[i].length);
        assert_int_equal(e->type, bc_mos_type_from_mm(f->entries[i].type));
        assert_int_equal(e->raw_type, f->entries[i].raw_type);
        assert_int_equal(e->attributes, f->entries[i].attributes);
    }
    assert_string_equal((char *)f->region + (h->cmdline_addr - REGION_PHYS), "console=ttyS0 quiet");
    assert_int_equal(h->cmdline_size, strlen("console=ttyS0 quiet") + 1);
    assert_memory_equal(f->region + (h->efi_memmap_addr - REGION_PHYS), f->efi, sizeof f->efi);
    assert_int_equal(h->efi_memmap_size, sizeof f->efi);
    assert_int_equal(h->checksum, mos_handoff_checksum(h));
}

/* A BIOS handoff: no EFI map, empty cmdline from NULL. */
static void bios_without_efi_map(void **state)
{
    fixture *f = *state;
    f->in.efi_map = NULL;
    f->in.efi_map_size = 0;
    f->in.cmdline = NULL;
    f->in.fields.boot_mode = MOS_BOOT_MODE_BIOS;
    assert_int_equal(bc_handoff_build(&f->in, &f->l, f->region, REGION_PHYS, &f->h), MM_OK);
    bc_handoff_seal(f->h, 1);
    assert_int_equal(f->h->efi_memmap_addr, 0);
    assert_int_equal(f->h->cmdline_size, 1);
    expect_verdict(f, MM_OK, "ok");
}

/* Build refuses what does not fit, and entries without a handoff type. */
static void build_errors(void **state)
{
    fixture *f = *state;
    struct mos_handoff *h;
    bc_handoff_layout tiny;
    assert_int_equal(bc_handoff_layout_init(&tiny, 4, 8, 0), MM_OK);
    assert_int_equal(bc_handoff_build(&f->in, &tiny, f->region, REGION_PHYS, &h),
                     MM_ERR_BUFFER_TOO_SMALL); /* map and EFI map */
    f->in.cmdline = "a command line longer than sixty-four bytes, which the layout holds";
    assert_int_equal(bc_handoff_build(&f->in, &f->l, f->region, REGION_PHYS, &h),
                     MM_ERR_BUFFER_TOO_SMALL);
    f->in.cmdline = "x";
    f->entries[3].type = MM_TYPE_NONE;
    assert_int_equal(bc_handoff_build(&f->in, &f->l, f->region, REGION_PHYS, &h),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_handoff_build(NULL, &f->l, f->region, REGION_PHYS, &h),
                     MM_ERR_INVALID_ARGUMENT);
}

/* Header rules. */
static void check_header_failures(void **state)
{
    fixture *f = *state;
    f->h->magic ^= 1;
    expect_verdict(f, MM_ERR_INVALID_ARGUMENT, "bad magic");
    f->h->magic ^= 1;
    f->h->revision = 0;
    reseal(f);
    expect_verdict(f, MM_ERR_INVALID_ARGUMENT, "revision 0");
    f->h->revision = 1;
    f->h->size = 360;
    reseal(f);
    expect_verdict(f, MM_ERR_INVALID_ARGUMENT, "size 360 outside");
    f->h->size = 8192;
    expect_verdict(f, MM_ERR_INVALID_ARGUMENT, "size 8192 outside");
    f->h->size = sizeof *f->h;
    reseal(f);
    f->h->boot_heap_used++; /* damage after sealing */
    expect_verdict(f, MM_ERR_INVALID_ARGUMENT, "checksum");
    assert_int_equal(bc_handoff_check(NULL, 0, f->why, sizeof f->why), MM_ERR_INVALID_ARGUMENT);
}

/* A later revision that appended fields is accepted. */
static void newer_revision_accepted(void **state)
{
    fixture *f = *state;
    f->h->revision = 2;
    f->h->size = sizeof *f->h + 16;
    reseal(f);
    expect_verdict(f, MM_OK, "ok");
}

/* Map shape rules, each with its own reason. */
static void check_map_failures(void **state)
{
    fixture *f = *state;
    struct mos_memmap_entry *m = hmap(f);
    m[4].length ^= 0x10; /* damage without resealing */
    expect_verdict(f, MM_ERR_MAP_INVALID, "memory map checksum");
    m[4].length ^= 0x10;
    f->h->memmap_count = 0;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "memory map is empty");
    f->h->memmap_count = f->map.count;
    f->h->memmap_entry_size = 24;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "memmap_entry_size");
    f->h->memmap_entry_size = 32;
    f->h->memmap_addr += 4;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "not 8-byte aligned");
    f->h->memmap_addr -= 4;
    struct mos_memmap_entry saved = m[4];
    m[4].length = 0;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "map entry 4: empty");
    m[4].length = UINT64_MAX;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "map entry 4: passes 2^64");
    m[4] = saved;
    m[4].base -= 0x1000; /* overlaps the kernel stack entry */
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "map entry 4: not sorted or overlapping");
    m[4] = saved;
    m[4].base += 0x800;
    m[4].length -= 0x800;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "map entry 4: usable range not aligned");
}

/* Temp heap: half-set fields, outside its entry; 0/0 is fine. */
static void check_temp_heap(void **state)
{
    fixture *f = *state;
    f->h->temp_heap_size = 0;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "both be 0 or both set");
    f->h->temp_heap_base = 0;
    reseal(f);
    expect_verdict(f, MM_OK, "ok");
    f->h->temp_heap_base = f->in.fields.boot_heap_base;
    f->h->temp_heap_size = MiB;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "temp heap at 0x");
    f->h->temp_heap_base = f->in.fields.temp_heap_base + 0x1000; /* runs past its entry */
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "not inside a temp-heap entry");
}

/* Bitmap: granularity, placement, size for its frame count. */
static void check_bitmap(void **state)
{
    fixture *f = *state;
    f->h->bitmap_granularity = 6144;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "granularity");
    f->h->bitmap_granularity = 4096;
    f->h->bitmap_addr = f->in.fields.boot_heap_base;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "frame bitmap at 0x");
    f->h->bitmap_addr = f->in.fields.bitmap_addr;
    f->h->bitmap_frame_count = 0x8001;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "smaller than frame_count");
}

/* The handoff, its map and its cmdline must sit in handoff memory. */
static void check_self(void **state)
{
    fixture *f = *state;
    struct mos_memmap_entry *m = hmap(f);
    m[5].type = MOS_MEM_BOOTLOADER_RECLAIMABLE;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "handoff structure at 0x200000 is not inside a handoff");
    m[5].type = MOS_MEM_HANDOFF;
    f->h->cmdline_addr = 0x1000;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "cmdline at 0x1000");
    f->h->cmdline_addr = REGION_PHYS + f->l.cmdline_off;
    f->h->cmdline_size = 5; /* "cons" without its NUL */
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "not NUL-terminated");
}

/* Stack, kernel image and CR3 each in their own type. */
static void check_other_ranges(void **state)
{
    fixture *f = *state;
    f->h->stack_size = 0x20000;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "stack at 0x106000 is not inside a kernel-stack");
    f->h->stack_size = 0x10000;
    f->h->kernel_size = 0x7000;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "kernel image at 0x100000");
    f->h->kernel_size = 0x6000;
    f->h->cr3 = 0x100000;
    reseal(f);
    expect_verdict(f, MM_ERR_MAP_INVALID, "cr3 at 0x100000 is not inside a page-tables");
}

/* A range carved across two adjacent entries of the same type (different
 * firmware attributes) still counts as inside. */
static void range_across_two_entries(void **state)
{
    fixture *f = *state;
    f->entries[2].length = 0x3000;
    memmove(&f->entries[4], &f->entries[3], (f->map.count - 3) * sizeof(mm_entry));
    f->entries[3] = (mm_entry){0x103000, 0x3000, MM_TYPE_KERNEL, 0, 0x8};
    f->map.count++;
    assert_int_equal(bc_handoff_build(&f->in, &f->l, f->region, REGION_PHYS, &f->h), MM_OK);
    bc_handoff_seal(f->h, 1);
    expect_verdict(f, MM_OK, "ok");
}

static void cmdline_bytes_count_nul(void **state)
{
    (void)state;
    assert_int_equal(bc_cmdline_bytes(NULL), 1);
    assert_int_equal(bc_cmdline_bytes(""), 1);
    assert_int_equal(bc_cmdline_bytes("quiet ro"), 9);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type_translation),
        cmocka_unit_test(crc32_known_values),
        cmocka_unit_test(layout_offsets),
        T(built_handoff_passes),
        T(fields_copied),
        T(bios_without_efi_map),
        T(build_errors),
        T(check_header_failures),
        T(newer_revision_accepted),
        T(check_map_failures),
        T(check_temp_heap),
        T(check_bitmap),
        T(check_self),
        T(check_other_ranges),
        T(range_across_two_entries),
        cmocka_unit_test(cmdline_bytes_count_nul),
    };
    return cmocka_run_group_tests_name("handoff", tests, NULL, NULL);
}
