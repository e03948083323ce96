/* The demo kernel's checks (kernel/proof.c) run against synthetic handoffs
 * built the way a loader builds them: a host buffer plays physical memory
 * (hhdm_offset = its address), the map is carved with lib/mm, the bitmap
 * built with mm_bitmap_init and the handoff with boot/common's builder.
 *
 * Synthetic physical memory (8 MiB), as the loader leaves it:
 *   [0x000000, 0x001000)  hole (real-mode IVT page, not in the map)
 *   [0x001000, 0x09f000)  usable
 *   [0x09f000, 0x100000)  reserved (EBDA, VGA, ROMs)
 *   [0x100000, 0x200000)  usable: the fallback heap
 *   [0x200000, 0x210000)  kernel         [0x210000, 0x220000) kernel stack
 *   [0x220000, 0x224000)  page tables    [0x224000, 0x228000) handoff
 *   [0x228000, 0x22a000)  frame bitmap   [0x22a000, 0x23a000) boot heap
 *   [0x23a000, 0x242000)  bootloader-reclaimable (loader code and data)
 *   [0x242000, 0x300000)  usable
 *   [0x300000, 0x400000)  temporary heap (when the loader got one)
 *   [0x400000, 0x800000)  usable */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../support/acpi_build.h"
#include "common/entry.h"
#include "common/handoff.h"
#include "common/mapview.h"
#include "kalloc.h"
#include "proof.h"

#define RAM_BYTES    (8 * MM_MIB)
#define KERNEL_PHYS  0x200000u
#define KERNEL_SIZE  0x10000u
#define KERNEL_VIRT  0xffffffff80000000ull
#define STACK_PHYS   0x210000u
#define STACK_SIZE   0x10000u
#define PT_PHYS      0x220000u
#define PT_SIZE      0x4000u
#define HANDOFF_PHYS 0x224000u
#define HANDOFF_SIZE 0x4000u
#define BITMAP_PHYS  0x228000u
#define BITMAP_SIZE  0x2000u
#define BOOTH_PHYS   0x22a000u
#define BOOTH_SIZE   0x10000u
#define BOOTH_USED   0x3000u /* the loader's own allocations, e.g. the kernel file */
#define RECL_PHYS    0x23a000u
#define RECL_SIZE    0x8000u
#define LOADER_END   (RECL_PHYS + RECL_SIZE) /* first byte after the loader's ranges */
/* What the kernel may take back once it runs on its own GDT and IDT. */
#define RECLAIM_FRAMES ((BOOTH_SIZE + RECL_SIZE) / GRAN)
#define TEMP_PHYS      0x300000u
#define TEMP_SIZE      0x100000u
#define GRAN           4096u
#define CMDLINE        "console=ttyS0 mos.test=1"
#define TSC_ENTRY      1000u
#define TSC_MEMMAP     2000u
#define TSC_JUMP       3001000u /* 3 ms after entry at 1 GHz */
#define TSC_HZ         1000000000u
#define MAP_CAP        64u
#define EFI_DESC_SIZE  48u      /* OVMF's descriptor stride */
#define EFI_SYSTAB     0x9f018u /* somewhere in firmware memory */
/* ACPI tables in the reserved range below 1 MiB, as BIOS firmware puts
 * them (the kernel reads them through the direct map either way). */
#define RSDP_PHYS 0xe0010u
#define XSDT_PHYS 0xe0100u
#define RSDT_PHYS 0xe0180u
#define MADT_PHYS 0xe0200u

struct fx {
    unsigned char *ram;
    uint64_t hhdm;
    mm_entry entries[MAP_CAP];
    mm_map map;
    mm_bitmap bm;
    bool temp_heap;                           /* the loader got a temporary heap */
    uint8_t acpi_revision;                    /* RSDP revision; acpi_rsdp 0 when 0xff */
    uint32_t boot_mode;                       /* MOS_BOOT_MODE_* */
    unsigned char efi_map[2 * EFI_DESC_SIZE]; /* raw descriptors, copied into the handoff */
    bc_handoff_input in;
    struct mos_handoff *h;
    mm_entry kmap[MAP_CAP];
    struct kp_env env;
    struct kp kp;
    char out[1 << 16];
    size_t out_len;
};

static void capture(void *ctx, const char *s, size_t len)
{
    struct fx *fx = ctx;
    assert_true(fx->out_len + len < sizeof(fx->out));
    memcpy(fx->out + fx->out_len, s, len);
    fx->out_len += len;
    fx->out[fx->out_len] = '\0';
}

/* Firmware's view: the map before the loader carves anything. */
static int fx_setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->ram = aligned_alloc(4096, RAM_BYTES);
    assert_non_null(fx->ram);
    memset(fx->ram, 0xcc, RAM_BYTES);
    fx->hhdm = (uint64_t)(uintptr_t)fx->ram;
    assert_int_equal(mm_map_init(&fx->map, fx->entries, MAP_CAP), MM_OK);
    assert_int_equal(mm_map_add(&fx->map, 0x1000, 0x9e000, MM_TYPE_USABLE, 1, 0), MM_OK);
    assert_int_equal(mm_map_add(&fx->map, 0x9f000, 0x61000, MM_TYPE_RESERVED, 2, 0), MM_OK);
    assert_int_equal(mm_map_add(&fx->map, 0x100000, RAM_BYTES - 0x100000, MM_TYPE_USABLE, 1, 0),
                     MM_OK);
    fx->temp_heap = true;
    fx->acpi_revision = 0xff;
    fx->boot_mode = MOS_BOOT_MODE_UEFI;
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *fx = *state;
    free(fx->ram);
    free(fx);
    return 0;
}

static void carve(struct fx *fx, uint64_t base, uint64_t len, mm_type type)
{
    assert_int_equal(mm_map_carve(&fx->map, base, len, type, MM_CARVE_DEFAULT), MM_OK);
}

/* Firmware tables the handoff points at: the EFI system table's
 * signature (UEFI), and with fx->acpi_revision set an RSDP naming an XSDT
 * (revision >= 2) and an RSDT, both listing an MADT of three CPUs:
 *   LAPIC id 0 enabled, LAPIC id 1 enabled, x2APIC id 0x100 online-capable. */
static void fx_firmware_tables(struct fx *fx)
{
    if (fx->boot_mode == MOS_BOOT_MODE_UEFI)
        memcpy(fx->ram + EFI_SYSTAB, "IBI SYST", 8);
    if (fx->acpi_revision == 0xff)
        return;
    uint8_t *madt = fx->ram + MADT_PHYS;
    acpi_put32(madt + 36, 0xfee00000);
    acpi_put32(madt + 40, 1);
    acpi_madt_lapic(madt + 44, 0, 0, BC_MADT_ENABLED);
    acpi_madt_lapic(madt + 52, 1, 1, BC_MADT_ENABLED);
    acpi_madt_x2apic(madt + 60, 2, 0x100, BC_MADT_ONLINE_CAPABLE);
    acpi_build_table(madt, "APIC", 76);
    acpi_put64(fx->ram + XSDT_PHYS + 36, MADT_PHYS);
    acpi_build_table(fx->ram + XSDT_PHYS, "XSDT", 44);
    acpi_put32(fx->ram + RSDT_PHYS + 36, MADT_PHYS);
    acpi_build_table(fx->ram + RSDT_PHYS, "RSDT", 40);
    acpi_build_rsdp(fx->ram + RSDP_PHYS, fx->acpi_revision, RSDT_PHYS, XSDT_PHYS);
}

/* The loader's phases B and C: carve every range it used, build the bitmap
 * from the final map, build and seal the handoff. */
static void fx_build(struct fx *fx)
{
    carve(fx, KERNEL_PHYS, KERNEL_SIZE, MM_TYPE_KERNEL);
    carve(fx, STACK_PHYS, STACK_SIZE, MM_TYPE_KERNEL_STACK);
    carve(fx, PT_PHYS, PT_SIZE, MM_TYPE_PAGE_TABLES);
    carve(fx, HANDOFF_PHYS, HANDOFF_SIZE, MM_TYPE_HANDOFF);
    carve(fx, BITMAP_PHYS, BITMAP_SIZE, MM_TYPE_FRAME_BITMAP);
    carve(fx, BOOTH_PHYS, BOOTH_SIZE, MM_TYPE_BOOT_HEAP);
    carve(fx, RECL_PHYS, RECL_SIZE, MM_TYPE_BOOTLOADER_RECLAIMABLE);
    if (fx->temp_heap)
        carve(fx, TEMP_PHYS, TEMP_SIZE, MM_TYPE_TEMP_HEAP);
    assert_int_equal(mm_map_validate(&fx->map, GRAN, NULL), MM_OK);

    uint64_t bm_bytes;
    assert_int_equal(mm_bitmap_storage_size(&fx->map, GRAN, &bm_bytes), MM_OK);
    assert_true(bm_bytes <= BITMAP_SIZE);
    assert_int_equal(mm_bitmap_init(&fx->bm, &fx->map, GRAN, fx->ram + BITMAP_PHYS, bm_bytes),
                     MM_OK);

    fx_firmware_tables(fx);
    bc_handoff_layout l;
    bool uefi = fx->boot_mode == MOS_BOOT_MODE_UEFI;
    uint64_t efi_bytes = uefi ? sizeof(fx->efi_map) : 0;
    assert_int_equal(bc_handoff_layout_init(&l, MAP_CAP, sizeof(CMDLINE), efi_bytes), MM_OK);
    assert_true(l.bytes <= HANDOFF_SIZE);
    fx->in = (bc_handoff_input){
        .fields =
            {
                .boot_mode = fx->boot_mode,
                .bios_memory_detect = uefi ? MOS_BIOS_DETECT_NONE : MOS_BIOS_DETECT_E820,
                .efi_system_table = uefi ? EFI_SYSTAB : 0,
                .efi_desc_size = uefi ? EFI_DESC_SIZE : 0,
                .efi_desc_version = uefi ? 1 : 0,
                .temp_heap_base = fx->temp_heap ? TEMP_PHYS : 0,
                .temp_heap_size = fx->temp_heap ? TEMP_SIZE : 0,
                .boot_heap_base = BOOTH_PHYS,
                .boot_heap_size = BOOTH_SIZE,
                .boot_heap_used = BOOTH_USED,
                .bitmap_addr = BITMAP_PHYS,
                .bitmap_size = bm_bytes,
                .bitmap_first_frame = fx->bm.first_frame,
                .bitmap_frame_count = fx->bm.frame_count,
                .bitmap_granularity = GRAN,
                .kernel_phys_base = KERNEL_PHYS,
                .kernel_virt_base = KERNEL_VIRT,
                .kernel_size = KERNEL_SIZE,
                .kernel_entry = KERNEL_VIRT,
                .stack_phys_base = STACK_PHYS,
                .stack_size = STACK_SIZE,
                .stack_virt_top = bc_entry_rsp(fx->hhdm, STACK_PHYS, STACK_SIZE),
                .cr3 = PT_PHYS,
                .hhdm_offset = fx->hhdm,
                .hhdm_size = RAM_BYTES,
                .tsc_loader_entry = TSC_ENTRY,
                .tsc_memmap_done = TSC_MEMMAP,
                .tsc_frequency_hz = TSC_HZ,
                .acpi_rsdp = fx->acpi_revision == 0xff ? 0 : RSDP_PHYS,
            },
        .efi_map = uefi ? fx->efi_map : NULL,
        .efi_map_size = efi_bytes,
        .map = &fx->map,
        .cmdline = CMDLINE,
    };
    assert_int_equal(bc_handoff_build(&fx->in, &l, fx->ram + HANDOFF_PHYS, HANDOFF_PHYS, &fx->h),
                     MM_OK);
    bc_handoff_seal(fx->h, TSC_JUMP);
    fx->env = (struct kp_env){
        .handoff_virt = fx->hhdm + HANDOFF_PHYS,
        .out = capture,
        .out_ctx = fx,
        .map_storage = fx->kmap,
        .map_capacity = MAP_CAP,
    };
}

static bool fx_run(struct fx *fx)
{
    fx->out_len = 0;
    fx->out[0] = '\0';
    return kp_run(&fx->kp, &fx->env);
}

/* The end of the output, for failure messages (cmocka cuts long ones). */
static const char *output_tail(const struct fx *fx)
{
    return fx->out_len > 1500 ? fx->out + fx->out_len - 1500 : fx->out;
}

/* Asserts that the output has the line "MOS <key>=<value>". */
static void assert_mos(const struct fx *fx, const char *key, const char *value)
{
    char line[160];
    snprintf(line, sizeof(line), "\nMOS %s=%s\n", key, value);
    if (!strstr(fx->out, line)) {
        print_error("missing%s-- output:\n%s\n", line, output_tail(fx));
        fail();
    }
}

static void assert_mos_u64(const struct fx *fx, const char *key, uint64_t v, const char *fmt)
{
    char value[40];
    snprintf(value, sizeof(value), fmt, (unsigned long long)v);
    assert_mos(fx, key, value);
}

/* The last line is the result, and a FAIL names `token` first. */
static void assert_result(const struct fx *fx, const char *token)
{
    const char *last = fx->out + fx->out_len;
    assert_true(fx->out_len > 0 && last[-1] == '\n');
    do
        last--;
    while (last > fx->out && last[-1] != '\n');
    char want[120];
    if (token)
        snprintf(want, sizeof(want), "MOS-RESULT: FAIL %s:", token);
    else
        snprintf(want, sizeof(want), "MOS-RESULT: PASS\n");
    if (strncmp(last, want, strlen(want)) != 0) {
        print_error("last line \"%s\", want \"%s...\"\n-- output:\n%s\n", last, want,
                    output_tail(fx));
        fail();
    }
}

/* Runs the checks and expects PASS as the last line. */
static void expect_pass(struct fx *fx)
{
    assert_true(fx_run(fx));
    assert_result(fx, NULL);
}

/* Runs the checks and expects a FAIL whose reason starts with `token`. */
static void expect_fail(struct fx *fx, const char *token)
{
    assert_false(fx_run(fx));
    assert_result(fx, token);
}

/* Marks frame `phys` used (set) or free (clear) in the loader's bitmap
 * storage, as a loader with a bug or an unrecorded allocation would. */
static void bitmap_set(struct fx *fx, uint64_t phys, bool used)
{
    uint64_t bit = (phys / GRAN) - fx->bm.first_frame;
    uint64_t *words = (uint64_t *)(fx->ram + BITMAP_PHYS);
    if (used)
        words[bit / 64] |= 1ull << (bit % 64);
    else
        words[bit / 64] &= ~(1ull << (bit % 64));
}

/* ---- a good handoff ---- */

/* [0, 0x1000) made usable, as a UEFI loader that forgot to carve page 0
 * would hand it over: the kernel refuses a map that can give out frame 0. */
static void usable_page_zero_fails(void **state)
{
    struct fx *fx = *state;
    assert_int_equal(mm_map_carve(&fx->map, 0, 0x1000, MM_TYPE_USABLE, MM_CARVE_ANY_TYPE), MM_OK);
    fx_build(fx);
    expect_fail(fx, "page-zero-usable");
}

/* Everything holds: PASS, with the values the loader put in. */
static void valid_handoff_passes(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    struct mm_map_stats ms;
    mm_map_stats(&fx->map, &ms);
    uint64_t free_frames = fx->bm.free_frames;
    expect_pass(fx);
    assert_mos(fx, "boot_mode", "uefi");
    assert_mos_u64(fx, "map_entries", fx->map.count, "%llu");
    assert_mos_u64(fx, "usable_bytes", ms.usable_bytes, "%llu");
    assert_mos_u64(fx, "temp_heap_base", TEMP_PHYS, "0x%llx");
    assert_mos_u64(fx, "temp_heap_size", TEMP_SIZE, "%llu");
    assert_mos(fx, "temp_heap_source", "handoff");
    assert_mos(fx, "temp_heap_fallback", "none");
    assert_mos_u64(fx, "boot_heap_size", BOOTH_SIZE, "%llu");
    assert_mos_u64(fx, "boot_heap_used", BOOTH_USED, "%llu");
    /* every frame the tests took was given back, and the loader's own
     * memory was reclaimed */
    assert_mos_u64(fx, "frames_free", free_frames + RECLAIM_FRAMES, "%llu");
    assert_mos_u64(fx, "reclaimed_bytes", BOOTH_SIZE + RECL_SIZE, "%llu");
    /* the highest usable frame, 0x7ff000, was free: tested and given back */
    assert_mos_u64(fx, "frame_top", RAM_BYTES - GRAN, "0x%llx");
    assert_mos(fx, "kasprintf_ok", "1");
    assert_mos(fx, "vector_ok", "1");
    assert_mos_u64(fx, "hhdm_offset", fx->hhdm, "0x%llx");
    assert_mos(fx, "loader_ms", "3.000");
    assert_mos(fx, "memmap_ms", "0.001");
    assert_true(strstr(fx->out, "command line: \"" CMDLINE "\""));
}

/* A BIOS handoff is checked the same way; only boot_mode differs. */
static void bios_handoff_passes(void **state)
{
    struct fx *fx = *state;
    fx->boot_mode = MOS_BOOT_MODE_BIOS;
    fx_build(fx);
    expect_pass(fx);
    assert_mos(fx, "boot_mode", "bios");
    assert_mos(fx, "bios_memory_detect", "e820");
    assert_mos(fx, "efi_system_table", "0x0");
}

/* Firmware fields contradicting the boot mode. */
static void bios_handoff_with_efi_table_fails(void **state)
{
    struct fx *fx = *state;
    fx->boot_mode = MOS_BOOT_MODE_BIOS;
    fx_build(fx);
    fx->h->efi_system_table = EFI_SYSTAB;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "firmware-mismatch");
}

static void uefi_handoff_without_system_table_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->efi_system_table = 0;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "firmware-mismatch");
}

/* Asserts one row of the human map table: base, end (exclusive), size
 * right-aligned in 10 columns, type name; columns two spaces apart. */
static void assert_map_row(const struct fx *fx, uint64_t base, uint64_t end, const char *size,
                           const char *type)
{
    char row[128];
    snprintf(row, sizeof(row), "\n  0x%016llx  0x%016llx  %10s  %s\n", (unsigned long long)base,
             (unsigned long long)end, size, type);
    if (!strstr(fx->out, row)) {
        print_error("missing row%s-- output:\n%s\n", row, output_tail(fx));
        fail();
    }
}

/* The human section shows the map as a table, one row per entry. */
static void report_has_map_table(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    assert_true(fx_run(fx));
    assert_map_row(fx, 0x1000, 0x9f000, "632 KiB", "usable");
    assert_map_row(fx, TEMP_PHYS, TEMP_PHYS + TEMP_SIZE, "1 MiB", "temp-heap");
    assert_map_row(fx, STACK_PHYS, STACK_PHYS + STACK_SIZE, "64 KiB", "kernel-stack");
    assert_map_row(fx, 0x400000, RAM_BYTES, "4 MiB", "usable");
}

/* ---- a damaged handoff ---- */

static void no_handoff_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->env.handoff_virt = 0;
    expect_fail(fx, "no-handoff");
}

static void bad_magic_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->magic ^= 1;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "bad-header");
    assert_non_null(strstr(fx->kp.reason, "magic"));
}

/* One field changed after sealing: the checksum no longer matches. */
static void bad_checksum_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->acpi_rsdp = 0xe0000;
    expect_fail(fx, "bad-header");
    assert_non_null(strstr(fx->kp.reason, "checksum"));
}

/* The map array changed after the loader sealed it: its CRC no longer
 * matches. */
static void damaged_map_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    struct mos_memmap_entry *e = (void *)(fx->ram + fx->h->memmap_addr);
    e[3].type = MOS_MEM_USABLE;
    expect_fail(fx, "handoff-invalid");
    assert_non_null(strstr(fx->kp.reason, "memory map checksum"));
}

/* What a loader that changed its map before sealing would store: the map
 * CRC and the header checksum over the current contents. */
static void reseal_with_map(struct fx *fx)
{
    const void *map = fx->ram + fx->h->memmap_addr;
    size_t bytes = (size_t)fx->h->memmap_count * fx->h->memmap_entry_size;
    fx->h->memmap_crc32 = mos_crc32_skip(map, bytes, bytes);
    bc_handoff_seal(fx->h, TSC_JUMP);
}

/* Map entries 1 and 2 swapped by a buggy loader, CRC and checksum made to
 * match: the map itself is not sorted by base. */
static void unsorted_map_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    struct mos_memmap_entry *e = (void *)(fx->ram + fx->h->memmap_addr);
    struct mos_memmap_entry t = e[1];
    e[1] = e[2];
    e[2] = t;
    reseal_with_map(fx);
    expect_fail(fx, "handoff-invalid");
    assert_non_null(strstr(fx->kp.reason, "sorted"));
}

/* A map entry with a type this revision does not define. */
static void unknown_map_type_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    struct mos_memmap_entry *e = (void *)(fx->ram + fx->h->memmap_addr);
    e[1].type = 0x999;
    reseal_with_map(fx);
    expect_fail(fx, "map-bad-type");
}

/* The direct map stops at 4 MiB but RAM goes on to 8 MiB. */
static void direct_map_short_of_ram_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->hhdm_size = 4 * MM_MIB;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "hhdm-too-small");
}

/* A bitmap whose set bits would mean "free" is not the ABI's bitmap. */
static void bitmap_flags_other_than_set_means_used_fail(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->bitmap_flags = 0;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "bitmap-flags");
}

/* temp_heap_base points at usable RAM instead of its TEMP_HEAP entry. */
static void temp_heap_outside_its_entry_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->temp_heap_base = 0x400000;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "handoff-invalid");
    assert_non_null(strstr(fx->kp.reason, "temp"));
}

/* Base set, size 0: neither a heap nor the "both 0" fallback signal. */
static void temp_heap_half_set_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->temp_heap_size = 0;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "handoff-invalid");
    assert_non_null(strstr(fx->kp.reason, "temp heap"));
}

/* An unknown boot mode is not a handoff this kernel understands. */
static void unknown_boot_mode_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->boot_mode = 7;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "bad-boot-mode");
}

/* More entries than the kernel's table: a clear refusal, no overrun. */
static void map_larger_than_kernel_table_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->env.map_capacity = fx->map.count - 1;
    expect_fail(fx, "map-too-large");
}

/* The loader's bitmap offers a frame of the kernel image: adopting it
 * would hand the kernel's own code out as free memory. */
static void bitmap_offering_loader_frame_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    bitmap_set(fx, KERNEL_PHYS, false);
    expect_fail(fx, "bitmap-adopt");
}

/* The boot heap field names memory the map calls usable. */
static void boot_heap_outside_its_entry_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->boot_heap_base = 0x400000;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "misplaced");
    assert_non_null(strstr(fx->kp.reason, "boot heap"));
}

/* The live CPU state must match the handoff: RSP on the announced stack,
 * _start at kernel_entry. */
static void rsp_off_the_stack_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->env.rsp = fx->h->stack_virt_top + 64;
    expect_fail(fx, "stack-mismatch");
}

static void entry_elsewhere_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->env.rsp = fx->h->stack_virt_top - 256;
    fx->env.entry = KERNEL_VIRT + 0x40;
    expect_fail(fx, "entry-mismatch");
}

/* The loader holds the last usable frame: the top-of-RAM test takes the
 * one below it, and gives it back. */
static void top_frame_skips_held_frames(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    bitmap_set(fx, RAM_BYTES - GRAN, true);
    uint64_t free_frames = fx->bm.free_frames - 1;
    expect_pass(fx);
    assert_mos_u64(fx, "frame_top", RAM_BYTES - 2 * GRAN, "0x%llx");
    assert_mos_u64(fx, "frames_free", free_frames + RECLAIM_FRAMES, "%llu");
}

/* The linked image does not start where the handoff says it was loaded. */
static void image_elsewhere_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->env.image_start = KERNEL_VIRT + 0x200000;
    fx->env.image_end = fx->env.image_start + KERNEL_SIZE;
    expect_fail(fx, "image-mismatch");
}

/* ---- the kernel's own mappings (probed by the machine layer) ---- */

/* What a loader that keeps every promise leaves: CR3 as announced, W^X,
 * NX enabled on a CPU that has it. */
static void probe_good(struct fx *fx)
{
    fx->env.probe = (struct kp_probe){
        .done = true,
        .cr0_wp = true,
        .nx_cpu = true,
        .nx_enabled = true,
        .cr3 = PT_PHYS,
    };
}

static void mappings_as_promised_pass(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    probe_good(fx);
    expect_pass(fx);
    assert_mos(fx, "nx", "on");
}

/* A CPU without NX may run data: not a broken promise. */
static void mappings_without_nx_pass(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    probe_good(fx);
    fx->env.probe.nx_cpu = fx->env.probe.nx_enabled = false;
    fx->env.probe.data_executable = true;
    expect_pass(fx);
    assert_mos(fx, "nx", "off");
}

static void writable_text_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    probe_good(fx);
    fx->env.probe.text_writable = true;
    expect_fail(fx, "wx-writable");
}

static void executable_data_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    probe_good(fx);
    fx->env.probe.data_executable = true;
    expect_fail(fx, "wx-executable");
}

/* The CPU has NX but the loader left EFER.NXE clear. */
static void nx_left_off_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    probe_good(fx);
    fx->env.probe.nx_enabled = false;
    expect_fail(fx, "nx-mismatch");
}

static void cr0_wp_clear_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    probe_good(fx);
    fx->env.probe.cr0_wp = false;
    expect_fail(fx, "cr0-wp-clear");
}

/* The kernel runs on other page tables than the handoff names. */
static void other_cr3_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    probe_good(fx);
    fx->env.probe.cr3 = PT_PHYS + 0x1000;
    expect_fail(fx, "cr3-mismatch");
}

/* With its own GDT and IDT the kernel takes back the boot heap and the
 * loader's code and data: usable in its map, free in the bitmap. */
static void loader_memory_is_reclaimed(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    expect_pass(fx);
    assert_int_equal(mm_map_type_at(&fx->kp.map, RECL_PHYS), MM_TYPE_USABLE);
    assert_int_equal(mm_map_type_at(&fx->kp.map, BOOTH_PHYS), MM_TYPE_USABLE);
    for (uint64_t a = BOOTH_PHYS; a < RECL_PHYS + RECL_SIZE; a += GRAN)
        assert_true(mm_bitmap_is_free(&fx->kp.bm, a));
    /* the neighbours stay the loader's */
    assert_int_equal(mm_map_type_at(&fx->kp.map, BOOTH_PHYS - 1), MM_TYPE_FRAME_BITMAP);
    assert_false(mm_bitmap_is_free(&fx->kp.bm, BOOTH_PHYS - GRAN));
}

/* ---- the fallback (temp_heap_base = temp_heap_size = 0) ---- */

/* 0x100000 is usable and free: the fallback goes exactly there and the
 * frames are reserved in the adopted bitmap. */
static void fallback_uses_1mib_when_free(void **state)
{
    struct fx *fx = *state;
    fx->temp_heap = false;
    fx_build(fx);
    uint64_t free_frames = fx->bm.free_frames;
    expect_pass(fx);
    assert_mos(fx, "temp_heap_source", "fallback");
    assert_mos(fx, "temp_heap_fallback", "fixed");
    assert_mos_u64(fx, "temp_heap_base", KP_FALLBACK_BASE, "0x%llx");
    assert_mos_u64(fx, "temp_heap_size", KP_FALLBACK_SIZE, "%llu");
    assert_mos_u64(fx, "frames_free", free_frames - KP_FALLBACK_SIZE / GRAN + RECLAIM_FRAMES,
                   "%llu");
    assert_false(mm_bitmap_is_free(&fx->kp.bm, KP_FALLBACK_BASE));
    assert_false(mm_bitmap_is_free(&fx->kp.bm, KP_FALLBACK_BASE + KP_FALLBACK_SIZE - GRAN));
}

/* [0x100000, 0x200000) reserved by firmware: the first usable 1 MiB above
 * it starts right after the loader's ranges.
 *   0x100000 reserved | 0x200000 loader ranges | LOADER_END usable ... */
static void fallback_moves_when_1mib_not_usable(void **state)
{
    struct fx *fx = *state;
    fx->temp_heap = false;
    carve(fx, 0x100000, 0x100000, MM_TYPE_RESERVED);
    fx_build(fx);
    expect_pass(fx);
    assert_mos(fx, "temp_heap_source", "fallback");
    assert_mos(fx, "temp_heap_fallback", "moved");
    assert_mos_u64(fx, "temp_heap_base", LOADER_END, "0x%llx");
}

/* The map says 0x100000 is usable but the loader's bitmap holds frame
 * 0x180000: the fallback must not use the range, and the next candidate
 * (0x181000) runs into the kernel, so it lands after the loader's ranges. */
static void fallback_skips_frames_the_bitmap_holds(void **state)
{
    struct fx *fx = *state;
    fx->temp_heap = false;
    fx_build(fx);
    bitmap_set(fx, 0x180000, true);
    expect_pass(fx);
    assert_mos(fx, "temp_heap_source", "fallback");
    assert_mos(fx, "temp_heap_fallback", "moved");
    assert_mos_u64(fx, "temp_heap_base", LOADER_END, "0x%llx");
}

/* No usable 1 MiB anywhere at or above 1 MiB: FAIL, not a heap in the
 * wrong place.
 *   0x100000 reserved | loader | LOADER_END..0x248000 usable | reserved */
static void fallback_without_room_fails(void **state)
{
    struct fx *fx = *state;
    fx->temp_heap = false;
    carve(fx, 0x100000, 0x100000, MM_TYPE_RESERVED);
    carve(fx, 0x248000, RAM_BYTES - 0x248000, MM_TYPE_RESERVED);
    fx_build(fx);
    expect_fail(fx, "no-fallback-heap");
}

/* ---- timing ---- */

static void loader_time_unknown_without_frequency(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->tsc_frequency_hz = 0;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_pass(fx);
    assert_mos(fx, "loader_ms", "unknown");
}

/* The jump cannot come before the memory map was taken. */
static void timestamps_out_of_order_fail(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    bc_handoff_seal(fx->h, TSC_MEMMAP - 1);
    expect_fail(fx, "timestamps-out-of-order");
}

/* ---- kasprintf and the vector on their own ---- */

static void kasprintf_formats_into_the_heap(void **state)
{
    (void)state;
    static unsigned char mem[256];
    mm_heap h;
    assert_int_equal(mm_heap_init(&h, mem, sizeof(mem)), MM_OK);
    char *s = kasprintf(&h, "%s=%llu", "frames", 12345ULL);
    assert_non_null(s);
    assert_string_equal(s, "frames=12345");
    assert_true((unsigned char *)s >= mem && (unsigned char *)s + 13 <= mem + sizeof(mem));
    struct mm_heap_stats st;
    mm_heap_stats(&h, &st);
    assert_int_equal(st.used, 13); /* exactly the text and its NUL */
}

/* A string that does not fit: NULL, and the heap gave nothing away. */
static void kasprintf_too_long_returns_null(void **state)
{
    (void)state;
    static unsigned char mem[32];
    mm_heap h;
    assert_int_equal(mm_heap_init(&h, mem, sizeof(mem)), MM_OK);
    assert_null(kasprintf(&h, "%040d", 1));
    struct mm_heap_stats st;
    mm_heap_stats(&h, &st);
    assert_int_equal(st.used, 0);
    assert_int_equal(st.failures, 1);
}

/* Capacity doubles 4, 8, 16 ... and every element survives each copy. */
static void vector_doubles_and_keeps_contents(void **state)
{
    (void)state;
    static uint64_t mem[512];
    mm_heap h;
    assert_int_equal(mm_heap_init(&h, mem, sizeof(mem)), MM_OK);
    kvec v;
    kvec_init(&v, &h);
    size_t expect_cap = 4;
    for (uint64_t i = 0; i < 100; i++) {
        assert_int_equal(kvec_push(&v, i * 3 + 1), MM_OK);
        if (i + 1 > expect_cap)
            expect_cap *= 2;
        assert_int_equal(v.cap, expect_cap);
    }
    for (uint64_t i = 0; i < 100; i++)
        assert_int_equal(v.items[i], i * 3 + 1);
}

/* A failed growth leaves the vector as it was. */
static void vector_push_failure_keeps_vector(void **state)
{
    (void)state;
    static uint64_t mem[8]; /* room for the 4-element block only */
    mm_heap h;
    assert_int_equal(mm_heap_init(&h, mem, sizeof(mem)), MM_OK);
    kvec v;
    kvec_init(&v, &h);
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(kvec_push(&v, i), MM_OK);
    assert_int_equal(kvec_push(&v, 99), MM_ERR_OUT_OF_MEMORY);
    assert_int_equal(v.len, 4);
    assert_int_equal(v.cap, 4);
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(v.items[i], i);
}

/* ---- allocation profile (DEBUG=1) ---- */

#if MM_DEBUG
static const mm_track_slot *site(const struct kp *kp, const char *tag)
{
    for (uint32_t i = 0; i < kp->track.used; i++)
        if (strcmp(kp->track.slots[i].tag, tag) == 0)
            return &kp->track.slots[i];
    print_error("no profile site \"%s\"\n", tag);
    fail();
    return NULL;
}

static void assert_site(const struct kp *kp, const char *tag, uint64_t allocs, uint64_t frees,
                        uint64_t total)
{
    const mm_track_slot *s = site(kp, tag);
    assert_int_equal(s->allocs, allocs);
    assert_int_equal(s->frees, frees);
    assert_int_equal(s->total_bytes, total);
    assert_int_equal(s->live_bytes, frees ? 0 : total);
}
#endif

/* DEBUG=1 (suite unit-kernel-debug): every allocation of a passing run is
 * in the profile under its site, frames and pool blocks all given back,
 * and the table comes before the MOS lines with track_entries = sites.
 * The normal build (unit-kernel) prints no profile at all. */
static void profile_only_in_debug_builds(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    expect_pass(fx);
    const char *table = strstr(fx->out, "allocation profile: ");
    const char *first_mos = strstr(fx->out, "\nMOS ");
#if MM_DEBUG
    const struct kp *kp = &fx->kp;
    assert_non_null(table);
    assert_true(table < first_mos);
    assert_mos_u64(fx, "track_entries", kp->track.used, "%llu");
    /* a 44-character string and a 300-character one, with their NULs */
    assert_site(kp, "kasprintf", 2, 0,
                strlen("kasprintf -42 0xbeef 1099511627776 temp-heap") + 1 + 301);
    /* 1000 pushes: capacities 4, 8, ..., 1024, 8 bytes each */
    assert_site(kp, "kvec (vector growth)", 9, 0,
                8 * (4 + 8 + 16 + 32 + 64 + 128 + 256 + 512 + 1024));
    assert_site(kp, "frames: single", 8, 8, 8 * GRAN);
    assert_site(kp, "frames: contiguous run", 1, 1, 16 * GRAN);
    assert_site(kp, "frames: below 4 GiB", 1, 1, GRAN);
    assert_site(kp, "frames: highest free", 1, 1, GRAN);
    assert_site(kp, "pool: 48-byte blocks", 200, 200, 200 * 48);
    const struct mm_pool_stats *ps = &kp->pool_stats;
    assert_site(kp, "pool: slab frames", 1, 1, (ps->frames + ps->dir_frames) * GRAN);
    /* the heap's own count agrees with the profile's */
    mm_track_slot heap;
    mm_track_totals(&kp->track, MM_ALLOC_HEAP, &heap);
    assert_int_equal(heap.allocs, kp->heap_stats.allocations);
    assert_int_equal(kp->track.overflow_ops, 0);
    assert_int_equal(kp->track.unmatched_frees, 0);
#else
    assert_null(table);
    assert_non_null(first_mos);
    assert_null(strstr(fx->out, "MOS track_entries="));
#endif
}

/* ---- firmware tables ---- */

/* No RSDP handed over: reported as absent, not failed. */
static void acpi_absent_is_reported(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    expect_pass(fx);
    assert_mos(fx, "acpi_rsdp_valid", "absent");
    assert_mos(fx, "efi_systab_signature", "ok");
}

/* ACPI 2.0: the XSDT is walked and the MADT's CPUs counted. */
static void acpi_xsdt_is_checked(void **state)
{
    struct fx *fx = *state;
    fx->acpi_revision = 2;
    fx_build(fx);
    expect_pass(fx);
    assert_mos(fx, "acpi_rsdp_valid", "1");
    assert_mos(fx, "acpi_revision", "2");
    assert_mos(fx, "acpi_root", "xsdt");
    assert_mos(fx, "acpi_tables", "1");
    assert_mos(fx, "acpi_madt_cpus", "3");
}

/* ACPI 1.0 on BIOS: the RSDT; no EFI line. */
static void acpi_rsdt_on_bios(void **state)
{
    struct fx *fx = *state;
    fx->acpi_revision = 0;
    fx->boot_mode = MOS_BOOT_MODE_BIOS;
    fx_build(fx);
    expect_pass(fx);
    assert_mos(fx, "acpi_revision", "0");
    assert_mos(fx, "acpi_root", "rsdt");
    assert_null(strstr(fx->out, "efi_systab_signature"));
}

static void acpi_bad_rsdp_checksum_fails(void **state)
{
    struct fx *fx = *state;
    fx->acpi_revision = 2;
    fx_build(fx);
    fx->ram[RSDP_PHYS + 9] ^= 1; /* OEM id byte, inside the first 20 */
    expect_fail(fx, "acpi-invalid");
    assert_non_null(strstr(fx->kp.reason, "checksum of the first 20 bytes"));
}

static void acpi_bad_xsdt_fails(void **state)
{
    struct fx *fx = *state;
    fx->acpi_revision = 2;
    fx_build(fx);
    fx->ram[XSDT_PHYS + 36] ^= 0x40; /* the MADT pointer, under the checksum */
    expect_fail(fx, "acpi-invalid");
    assert_non_null(strstr(fx->kp.reason, "XSDT: checksum is not 0"));
}

/* An RSDP address past the direct map is refused, not read. */
static void acpi_rsdp_outside_direct_map_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->h->acpi_rsdp = RAM_BYTES - 8;
    bc_handoff_seal(fx->h, TSC_JUMP);
    expect_fail(fx, "acpi-invalid");
    assert_non_null(strstr(fx->kp.reason, "not reachable"));
}

static void efi_systab_bad_signature_fails(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    fx->ram[EFI_SYSTAB + 4] = 'X';
    expect_fail(fx, "efi-systab-invalid");
}

/* ---- memory map picture ---- */

#define FB_PHYS 0x500000u /* usable RAM of the fixture, standing in for the framebuffer */

/* A framebuffer of w x h at 32 bpp (x8r8g8b8) in the handoff's fields. */
static void set_fb(struct fx *fx, uint32_t w, uint32_t h)
{
    fx->h->fb_addr = FB_PHYS;
    fx->h->fb_size = (uint64_t)w * 4 * h;
    fx->h->fb_width = w;
    fx->h->fb_height = h;
    fx->h->fb_pitch = w * 4;
    fx->h->fb_bpp = 32;
    fx->h->fb_memory_model = MOS_FB_MODEL_RGB;
    fx->h->fb_red_mask_size = fx->h->fb_green_mask_size = fx->h->fb_blue_mask_size = 8;
    fx->h->fb_red_mask_shift = 16;
    fx->h->fb_green_mask_shift = 8;
    fx->h->fb_blue_mask_shift = 0;
}

/* After a passing run, the picture lands where fb_addr says (through the
 * direct map): row i's bar in the colour of the kernel map's entry i, and
 * the report says so. */
static void map_picture_drawn(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    expect_pass(fx);
    set_fb(fx, 800, 600);
    bc_fb fb;
    assert_true(kp_handoff_fb(&fx->kp, &fb));
    assert_ptr_equal(fb.base, fx->ram + FB_PHYS);
    kp_draw_map(&fx->kp, &fb);
    assert_int_equal(fx->kp.fb_map, KP_FB_DRAWN);
    bc_mapview_geom g;
    assert_int_equal(bc_mapview_layout(800, 600, fx->kp.map.count, &g), MM_OK);
    for (uint32_t i = 0; i < g.rows; i++)
        assert_int_equal(bc_fb_read(&fb, g.bar_x, bc_mapview_row_y(i) + 8),
                         bc_mapview_colour(fx->kp.map.entries[i].type));
    /* Each probe line names a pixel of that colour, for every row drawn
     * and every legend swatch. */
    char key[40], value[80];
    uint32_t types[MM_TYPE_COUNT],
        k = bc_mapview_legend(fx->kp.map.entries, fx->kp.map.count, types);
    assert_mos_u64(fx, "mapview_rows", g.rows, "%llu");
    assert_mos_u64(fx, "mapview_legend", k, "%llu");
    for (uint32_t i = 0; i < g.rows + k; i++) {
        bool row = i < g.rows;
        uint32_t j = row ? i : i - g.rows, type = row ? fx->kp.map.entries[j].type : types[j], x, y;
        if (row)
            bc_mapview_bar_probe(&g, j, fx->kp.map.entries[j].length, &x, &y);
        else
            bc_mapview_swatch_probe(&g, j, &x, &y);
        assert_int_equal(bc_fb_read(&fb, x, y), bc_mapview_colour(type));
        snprintf(key, sizeof key, "mapview_%s%u", row ? "row" : "legend", j);
        snprintf(value, sizeof value, "%u,%u,%06x,%s", x, y, bc_mapview_colour(type),
                 mm_type_name((mm_type)type));
        assert_mos(fx, key, value);
    }
    fx->out_len = 0;
    kp_report(&fx->kp);
    assert_mos(fx, "fb_map", "drawn");
}

/* No framebuffer (fb_addr 0, as every loader hands over today): nothing
 * drawn, "none"; one too small for the picture: "refused", nothing
 * written. */
static void map_picture_none_or_refused(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    expect_pass(fx);
    bc_fb fb;
    assert_false(kp_handoff_fb(&fx->kp, &fb));
    kp_draw_map(&fx->kp, NULL);
    assert_int_equal(fx->kp.fb_map, KP_FB_NONE);
    set_fb(fx, 320, 200);
    memset(fx->ram + FB_PHYS, 0x5a, 320 * 4 * 200);
    assert_true(kp_handoff_fb(&fx->kp, &fb));
    kp_draw_map(&fx->kp, &fb);
    assert_int_equal(fx->kp.fb_map, KP_FB_REFUSED);
    assert_int_equal(fx->ram[FB_PHYS], 0x5a);
    fx->out_len = 0;
    kp_report(&fx->kp);
    assert_mos(fx, "fb_map", "refused");
}

/* The revision-2 lines: as built today (nothing reported), then with a
 * framebuffer, modules and CPUs in the fields (read after the checks, as
 * the report reads them):
 *   cpus: BSP 0, started 1, failed 2, listed-only 3 */
static void revision2_report_lines(void **state)
{
    struct fx *fx = *state;
    fx_build(fx);
    expect_pass(fx);
    assert_mos(fx, "fb", "none");
    assert_mos(fx, "modules", "0");
    assert_mos(fx, "cpus", "0");
    assert_mos(fx, "cpus_started", "0");
    assert_mos(fx, "aps_started", "0");
    /* BSP, an AP the loader started (it never answers here: reported),
     * one that failed, one it did not try. */
    struct mos_cpu *cpus = (struct mos_cpu *)(fx->ram + RECL_PHYS);
    cpus[0] = (struct mos_cpu){0, 0, MOS_CPU_BSP, 0, 0};
    cpus[1] = (struct mos_cpu){1, 1, MOS_CPU_STARTED, 0, RECL_PHYS + 0x1000};
    cpus[2] = (struct mos_cpu){2, 2, MOS_CPU_FAILED, 0, 0};
    cpus[3] = (struct mos_cpu){3, 3, 0, 0, 0};
    fx->h->cpus_addr = RECL_PHYS;
    fx->h->cpu_count = 4;
    fx->h->cpu_entry_size = sizeof(struct mos_cpu);
    set_fb(fx, 1024, 768);
    fx->out_len = 0;
    kp_report(&fx->kp);
    assert_mos(fx, "fb", "1024x768x32");
    assert_mos(fx, "fb_width", "1024");
    assert_mos(fx, "cpus", "4");
    assert_mos(fx, "cpus_started", "1");
    assert_mos(fx, "cpus_failed", "1");
    assert_mos(fx, "bsp_apic_id", "0");
    assert_mos(fx, "aps_started", "0");
    assert_non_null(strstr(fx->out, "ap: APIC id 1 reported 0x0"));
}

#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(valid_handoff_passes),
        FX_TEST(usable_page_zero_fails),
        FX_TEST(profile_only_in_debug_builds),
        FX_TEST(bios_handoff_passes),
        FX_TEST(bios_handoff_with_efi_table_fails),
        FX_TEST(uefi_handoff_without_system_table_fails),
        FX_TEST(report_has_map_table),
        FX_TEST(no_handoff_fails),
        FX_TEST(bad_magic_fails),
        FX_TEST(bad_checksum_fails),
        FX_TEST(damaged_map_fails),
        FX_TEST(unsorted_map_fails),
        FX_TEST(unknown_map_type_fails),
        FX_TEST(direct_map_short_of_ram_fails),
        FX_TEST(bitmap_flags_other_than_set_means_used_fail),
        FX_TEST(temp_heap_outside_its_entry_fails),
        FX_TEST(temp_heap_half_set_fails),
        FX_TEST(unknown_boot_mode_fails),
        FX_TEST(map_larger_than_kernel_table_fails),
        FX_TEST(bitmap_offering_loader_frame_fails),
        FX_TEST(boot_heap_outside_its_entry_fails),
        FX_TEST(rsp_off_the_stack_fails),
        FX_TEST(entry_elsewhere_fails),
        FX_TEST(image_elsewhere_fails),
        FX_TEST(top_frame_skips_held_frames),
        FX_TEST(loader_memory_is_reclaimed),
        FX_TEST(mappings_as_promised_pass),
        FX_TEST(mappings_without_nx_pass),
        FX_TEST(writable_text_fails),
        FX_TEST(executable_data_fails),
        FX_TEST(nx_left_off_fails),
        FX_TEST(cr0_wp_clear_fails),
        FX_TEST(other_cr3_fails),
        FX_TEST(fallback_uses_1mib_when_free),
        FX_TEST(fallback_moves_when_1mib_not_usable),
        FX_TEST(fallback_skips_frames_the_bitmap_holds),
        FX_TEST(fallback_without_room_fails),
        FX_TEST(loader_time_unknown_without_frequency),
        FX_TEST(timestamps_out_of_order_fail),
        FX_TEST(acpi_absent_is_reported),
        FX_TEST(acpi_xsdt_is_checked),
        FX_TEST(acpi_rsdt_on_bios),
        FX_TEST(acpi_bad_rsdp_checksum_fails),
        FX_TEST(acpi_bad_xsdt_fails),
        FX_TEST(acpi_rsdp_outside_direct_map_fails),
        FX_TEST(efi_systab_bad_signature_fails),
        FX_TEST(map_picture_drawn),
        FX_TEST(map_picture_none_or_refused),
        FX_TEST(revision2_report_lines),
        cmocka_unit_test(kasprintf_formats_into_the_heap),
        cmocka_unit_test(kasprintf_too_long_returns_null),
        cmocka_unit_test(vector_doubles_and_keeps_contents),
        cmocka_unit_test(vector_push_failure_keeps_vector),
    };
    return cmocka_run_group_tests_name(MM_DEBUG ? "kernel (DEBUG=1)" : "kernel", tests, NULL, NULL);
}
