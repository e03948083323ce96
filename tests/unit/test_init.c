/* mm_init: complete initialization from a BIOS (E820) map, a UEFI map and
 * an unknown boot mode (the seed's test_complete_memory_initialization: the
 * map validates, the heap allocates, the bitmap allocates and never hands
 * out the heap or itself); fallbacks for empty/malformed/useless input;
 * each failure (no room for the heap, min_heap_addr above RAM, bad config,
 * storage too small) with its status and logged reason; mm_carve_reserve;
 * the memory test inside init. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/host_window.h"
#include "helpers/log_lines.h"
#include "mm/init.h"

#define KIB ((uint64_t)1024)
#define MIB (1024 * KIB)

/* E820 entries as the BIOS returns them (20 bytes each). */
typedef struct __attribute__((packed)) e820 {
    uint64_t base, length;
    uint32_t type;
} e820;

/* QEMU's E820 map for 64 MiB of RAM. */
static const e820 qemu_e820[] = {
    {0x0, 0x9fc00, 1},        {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},
    {0x100000, 0x3ee0000, 1}, {0x3fe0000, 0x20000, 2}, {0xfeffc000, 0x4000, 2},
    {0xfffc0000, 0x40000, 2},
};

/* EFI_MEMORY_DESCRIPTOR with the 8 bytes of padding OVMF reports
 * (descriptor size 48). */
typedef struct efi_desc {
    uint32_t type, pad;
    uint64_t phys, virt, pages, attr;
    uint64_t extra;
} efi_desc;

#define WB 0xfull
/* An OVMF-like map for 64 MiB: the first 16 MiB above 1 MiB are broken up
 * (ACPI NVS at 8 MiB), so first fit puts a 16 MiB heap at 9 MiB. */
static const efi_desc ovmf_efi[] = {
    {7, 0, 0x0, 0, 0xa0, WB, 0},        {7, 0, 0x100000, 0, 0x700, WB, 0},
    {10, 0, 0x800000, 0, 0x8, WB, 0},   {7, 0, 0x808000, 0, 0x8, WB, 0},
    {10, 0, 0x810000, 0, 0xf0, WB, 0},  {4, 0, 0x900000, 0, 0x2700, WB, 0},
    {1, 0, 0x3000000, 0, 0x100, WB, 0}, {3, 0, 0x3100000, 0, 0xd00, WB, 0},
    {6, 0, 0x3e00000, 0, 0x100, WB, 0}, {9, 0, 0x3f00000, 0, 0xe0, WB, 0},
    {0, 0, 0x3fe0000, 0, 0x20, WB, 0},  {11, 0, 0xffc00000, 0, 0x400, 1, 0},
};

/* Everything one init needs on the host: RAM window [1 MiB, 64 MiB). */
typedef struct fixture {
    host_window hw;
    mm_entry entries[64];
    void *scratch;
    mm_init_storage storage;
    mm_config cfg;
    mm_ctx ctx;
    log_lines log;
    mm_logger lg;
} fixture;

static int fx_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    host_window_init(&fx->hw, MIB, 63 * MIB);
    size_t scratch = mm_map_sanitize_scratch_size(64);
    fx->scratch = malloc(scratch);
    fx->storage = (mm_init_storage){fx->entries, 64, fx->scratch, scratch, fx->hw.w, NULL, NULL};
    mm_config_defaults(&fx->cfg);
    fx->lg = (mm_logger){log_lines_sink, &fx->log, MM_LOG_TRACE};
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    fixture *fx = *state;
    host_window_fini(&fx->hw);
    free(fx->scratch);
    free(fx);
    return 0;
}

static mm_raw_map bios_raw(const e820 *e, size_t n)
{
    return (mm_raw_map){e, n * sizeof *e, sizeof *e, 0, 0};
}

static mm_raw_map uefi_raw(const efi_desc *d, size_t n)
{
    return (mm_raw_map){d, n * sizeof *d, sizeof *d, 1, 0};
}

static bool inside(uint64_t a, uint64_t base, uint64_t len)
{
    return a >= base && a - base < len;
}

/* The seed's checks after a successful init. */
static void check_complete(fixture *fx)
{
    mm_ctx *c = &fx->ctx;
    uint64_t gran = fx->cfg.bitmap_granularity;
    assert_int_equal(mm_map_validate(&c->map, gran, NULL), MM_OK);
    assert_true(mm_map_range_is(&c->map, c->heap_base, c->heap_size, MM_TYPE_BOOT_HEAP));
    assert_true(mm_map_range_is(&c->map, c->bitmap_base, c->bitmap_bytes, MM_TYPE_FRAME_BITMAP));
    assert_int_equal(c->heap_base & (gran - 1), 0);
    assert_true(c->heap_base >= fx->cfg.min_heap_addr);

    /* The heap allocates, and its memory is the window's. */
    void *p;
    assert_int_equal(mm_heap_alloc(&c->heap, 4096, 64, &p), MM_OK);
    assert_ptr_equal(p, host_window_ptr(&fx->hw, c->heap_base));
    memset(p, 0xee, 4096);

    /* The bitmap allocates only usable frames, never the heap or itself. */
    uint64_t phys, n = 0;
    while (mm_bitmap_alloc(&c->bitmap, &phys) == MM_OK) {
        assert_int_equal(mm_map_type_at(&c->map, phys), MM_TYPE_USABLE);
        assert_false(inside(phys, c->heap_base, c->heap_size));
        assert_false(inside(phys, c->bitmap_base, c->bitmap_bytes));
        n++;
    }
    struct mm_map_stats st;
    mm_map_stats(&c->map, &st);
    assert_int_equal(n, st.usable_bytes / gran);
}

/* BIOS: QEMU's E820 map; heap at the first 16 MiB above 1 MiB. */
static void bios_complete(void **state)
{
    fixture *fx = *state;
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_BIOS, &raw, &fx->cfg, &fx->storage, &fx->lg), MM_OK);
    assert_false(fx->ctx.used_fallback);
    assert_int_equal(fx->ctx.heap_base, MIB);
    assert_int_equal(fx->ctx.heap_size, 16 * MIB);
    assert_int_equal(fx->ctx.bitmap_base, 17 * MIB); /* next fit above the heap */
    assert_int_equal(mm_map_type_at(&fx->ctx.map, 0xfeffc000), MM_TYPE_RESERVED);
    check_complete(fx);
    assert_non_null(strstr(fx->log.text, "imported 7 E820 entries"));
    assert_non_null(strstr(fx->log.text, "boot heap 16 MiB at 0x100000"));
}

/* UEFI: the first range above 1 MiB holding 16 MiB is at 9 MiB. Loader
 * code became bootloader-reclaimable, runtime data stays apart. */
static void uefi_complete(void **state)
{
    fixture *fx = *state;
    mm_raw_map raw = uefi_raw(ovmf_efi, MM_ARRAY_SIZE(ovmf_efi));
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_UEFI, &raw, &fx->cfg, &fx->storage, &fx->lg), MM_OK);
    assert_false(fx->ctx.used_fallback);
    assert_int_equal(fx->ctx.heap_base, 0x900000);
    assert_int_equal(mm_map_type_at(&fx->ctx.map, 0x3000000), MM_TYPE_BOOTLOADER_RECLAIMABLE);
    assert_int_equal(mm_map_type_at(&fx->ctx.map, 0x3e00000), MM_TYPE_FW_RUNTIME_DATA);
    assert_int_equal(mm_map_type_at(&fx->ctx.map, 0x800000), MM_TYPE_ACPI_NVS);
    check_complete(fx);
}

/* Unknown boot mode: the fallback layout with the RAM hint (48 MiB). */
static void unknown_uses_fallback(void **state)
{
    fixture *fx = *state;
    mm_raw_map raw = {NULL, 0, 0, 0, 48 * MIB};
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_UNKNOWN, &raw, NULL, &fx->storage, &fx->lg), MM_OK);
    assert_true(fx->ctx.used_fallback);
    struct mm_map_stats st;
    mm_map_stats(&fx->ctx.map, &st);
    assert_int_equal(st.highest_end, 48 * MIB);
    assert_int_equal(mm_map_type_at(&fx->ctx.map, 0xa0000), MM_TYPE_RESERVED);
    check_complete(fx);
    assert_non_null(
        strstr(fx->log.text, "[WARN ] mm init: boot mode unknown: using the conservative"));
}

/* BIOS with nothing, a broken entry size, or no usable RAM: fallback, and
 * the log says which. */
static void bad_firmware_maps_fall_back(void **state)
{
    fixture *fx = *state;
    static const e820 none_usable[] = {{0xf0000, 0x10000, 2}, {0xfffc0000, 0x40000, 2}};
    struct {
        mm_raw_map raw;
        const char *why;
    } cases[] = {
        {{qemu_e820, 0, 20, 0, 0}, "firmware map is empty"},
        {{qemu_e820, 7 * 20, 13, 0, 0}, "firmware map is malformed"},
        {{qemu_e820, 7 * 20 - 1, 20, 0, 0}, "firmware map is malformed"},
        {bios_raw(none_usable, 2), "firmware map has no usable RAM"},
    };
    for (size_t i = 0; i < MM_ARRAY_SIZE(cases); i++) {
        log_lines_clear(&fx->log);
        assert_int_equal(
            mm_init(&fx->ctx, MM_BOOT_BIOS, &cases[i].raw, &fx->cfg, &fx->storage, &fx->lg), MM_OK);
        assert_true(fx->ctx.used_fallback);
        assert_non_null(strstr(fx->log.text, cases[i].why));
        check_complete(fx);
    }
    /* a UEFI buffer with a descriptor size below the structure's */
    mm_raw_map efi_bad = {ovmf_efi, sizeof ovmf_efi, 16, 1, 0};
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_UEFI, &efi_bad, &fx->cfg, &fx->storage, &fx->lg),
                     MM_OK);
    assert_true(fx->ctx.used_fallback);
}

/* 8 KiB frames: map sanitized at 8 KiB, heap and bitmap frame-aligned. */
static void granularity_8k(void **state)
{
    fixture *fx = *state;
    fx->cfg.bitmap_granularity = 8 * KIB;
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_BIOS, &raw, &fx->cfg, &fx->storage, &fx->lg), MM_OK);
    assert_int_equal(fx->ctx.map.frame_size, 8 * KIB);
    assert_int_equal(fx->ctx.bitmap.granularity, 8 * KIB);
    check_complete(fx);
}

/* heap_alignment 4 MiB moves the heap from 1 MiB to 4 MiB. */
static void heap_alignment_respected(void **state)
{
    fixture *fx = *state;
    fx->cfg.heap_alignment = 4 * MIB;
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_BIOS, &raw, &fx->cfg, &fx->storage, &fx->lg), MM_OK);
    assert_int_equal(fx->ctx.heap_base, 4 * MIB);
    check_complete(fx);
}

static void expect_failure(fixture *fx, mm_boot_mode mode, const mm_raw_map *raw, mm_status want,
                           const char *reason)
{
    log_lines_clear(&fx->log);
    assert_int_equal(mm_init(&fx->ctx, mode, raw, &fx->cfg, &fx->storage, &fx->lg), want);
    if (!strstr(fx->log.text, reason)) {
        print_error("log lacks \"%s\":\n%s", reason, fx->log.text);
        fail();
    }
    assert_non_null(strstr(fx->log.text, "[ERROR]"));
}

/* 64 MiB heap in 63 MiB of RAM. */
static void no_room_for_heap(void **state)
{
    fixture *fx = *state;
    fx->cfg.heap_size = 64 * MIB;
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    expect_failure(fx, MM_BOOT_BIOS, &raw, MM_ERR_HEAP_INIT, "no usable range of 64 MiB");
}

static void min_heap_addr_above_ram(void **state)
{
    fixture *fx = *state;
    fx->cfg.min_heap_addr = 0x10000000; /* 256 MiB, RAM ends at 64 MiB */
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    expect_failure(fx, MM_BOOT_BIOS, &raw, MM_ERR_HEAP_INIT,
                   "at or above min_heap_addr 0x10000000");
}

/* RAM [1 MiB, 17 MiB) only: the heap fits exactly, the bitmap does not
 * (low memory is outside the window). */
static void no_room_for_bitmap(void **state)
{
    fixture *fx = *state;
    static const e820 tight[] = {{0x0, 0x9fc00, 1}, {0x100000, 0x1000000, 1}};
    mm_raw_map raw = bios_raw(tight, 2);
    expect_failure(fx, MM_BOOT_BIOS, &raw, MM_ERR_BITMAP_INIT, "left for the frame bitmap");
}

static void bad_config(void **state)
{
    fixture *fx = *state;
    fx->cfg.bitmap_granularity = 3000;
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    expect_failure(fx, MM_BOOT_BIOS, &raw, MM_ERR_CONFIG,
                   "config bitmap_granularity must be a power of two");
}

static void storage_too_small(void **state)
{
    fixture *fx = *state;
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    fx->storage.entry_capacity = 4; /* 7 raw entries */
    expect_failure(fx, MM_BOOT_BIOS, &raw, MM_ERR_BUFFER_TOO_SMALL, "too small for the raw map");
    fx->storage.entry_capacity = 64;
    fx->storage.scratch_size = 16;
    expect_failure(fx, MM_BOOT_BIOS, &raw, MM_ERR_BUFFER_TOO_SMALL, "scratch too small");
    /* exactly the raw entries: no room for the heap/bitmap splits */
    fx->storage.scratch_size = mm_map_sanitize_scratch_size(64);
    fx->storage.entry_capacity = 7;
    expect_failure(fx, MM_BOOT_BIOS, &raw, MM_ERR_MAP_FULL, "cannot carve");
}

static void null_arguments(void **state)
{
    fixture *fx = *state;
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    assert_int_equal(mm_init(NULL, MM_BOOT_BIOS, &raw, NULL, &fx->storage, NULL),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_BIOS, NULL, NULL, &fx->storage, NULL),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_BIOS, &raw, NULL, NULL, NULL),
                     MM_ERR_INVALID_ARGUMENT);
    fx->storage.scratch = NULL;
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_BIOS, &raw, NULL, &fx->storage, NULL),
                     MM_ERR_INVALID_ARGUMENT);
}

/* After init, a loader records the kernel: map says kernel, the frames are
 * used in the bitmap; ranges that are not usable RAM are refused. */
static void carve_reserve_after_init(void **state)
{
    fixture *fx = *state;
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_BIOS, &raw, &fx->cfg, &fx->storage, &fx->lg), MM_OK);
    mm_ctx *c = &fx->ctx;
    uint64_t k = 32 * MIB;
    assert_true(mm_bitmap_is_free(&c->bitmap, k));
    assert_int_equal(mm_carve_reserve(c, k, 0x3000, MM_TYPE_KERNEL), MM_OK);
    assert_int_equal(mm_map_type_at(&c->map, k), MM_TYPE_KERNEL);
    assert_false(mm_bitmap_is_free(&c->bitmap, k));
    assert_false(mm_bitmap_is_free(&c->bitmap, k + 0x2000));
    assert_true(mm_bitmap_is_free(&c->bitmap, k + 0x3000));
    assert_int_equal(mm_bitmap_free(&c->bitmap, k, 1), MM_ERR_NOT_USABLE);
    /* a frame already taken from the bitmap can be recorded too */
    uint64_t phys;
    assert_int_equal(mm_bitmap_alloc_below_4g(&c->bitmap, 4, 0, &phys), MM_OK);
    assert_int_equal(mm_carve_reserve(c, phys, 4 * 4096, MM_TYPE_PAGE_TABLES), MM_OK);
    assert_int_equal(mm_carve_reserve(c, c->heap_base, 4096, MM_TYPE_KERNEL), MM_ERR_NOT_USABLE);
    assert_int_equal(mm_carve_reserve(c, k, 4096, MM_TYPE_USABLE), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_carve_reserve(NULL, k, 4096, MM_TYPE_KERNEL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_validate(&c->map, 4096, NULL), MM_OK);
}

/* Memory test inside init: RAM [1 MiB, 20 MiB) with a 1 MiB heap; one
 * injected fault. The bad frame is in the map and never allocated; init
 * still succeeds. */
static uint32_t stuck_bit(void *ctx, uint64_t phys, uint32_t v)
{
    return phys == *(uint64_t *)ctx ? v | 0x10 : v;
}

static void memtest_in_init(void **state)
{
    fixture *fx = *state;
    static const e820 small[] = {{0x0, 0x9fc00, 1}, {0x100000, 0x1300000, 1}};
    mm_raw_map raw = bios_raw(small, 2);
    uint64_t bad = 10 * MIB + 0x44;
    fx->storage.memtest_filter = stuck_bit;
    fx->storage.memtest_filter_ctx = &bad;
    fx->cfg.enable_memory_test = true;
    fx->cfg.heap_size = MIB;
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_BIOS, &raw, &fx->cfg, &fx->storage, &fx->lg), MM_OK);
    mm_ctx *c = &fx->ctx;
    assert_int_equal(c->memtest.bad_frames, 1);
    assert_int_equal(c->memtest.first_bad, 10 * MIB);
    /* everything usable in the window but heap and bitmap was tested */
    assert_int_equal(c->memtest.bytes_tested, 19 * MIB - MIB - 4096);
    assert_int_equal(mm_map_type_at(&c->map, 10 * MIB), MM_TYPE_BAD);
    assert_non_null(strstr(fx->log.text, "memtest: bad frame at 0xa00000"));
    check_complete(fx);
}

/* The report prints the map, per-type totals, bitmap and heap lines. */
static void report_mentions_everything(void **state)
{
    fixture *fx = *state;
    mm_raw_map raw = bios_raw(qemu_e820, MM_ARRAY_SIZE(qemu_e820));
    assert_int_equal(mm_init(&fx->ctx, MM_BOOT_BIOS, &raw, &fx->cfg, &fx->storage, NULL), MM_OK);
    log_lines_clear(&fx->log);
    mm_init_report(&fx->ctx, &fx->lg);
    assert_non_null(strstr(fx->log.text, "boot mode bios"));
    assert_non_null(
        strstr(fx->log.text, "[0x000000100000 - 0x000001100000)      16 MiB  boot-heap"));
    assert_non_null(strstr(fx->log.text, "frame bitmap:"));
    assert_non_null(strstr(fx->log.text, "boot heap: 16 MiB at 0x100000"));
    assert_non_null(strstr(fx->log.text, "highest usable address: 0x3fe0000"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(bios_complete),
        T(uefi_complete),
        T(unknown_uses_fallback),
        T(bad_firmware_maps_fall_back),
        T(granularity_8k),
        T(heap_alignment_respected),
        T(no_room_for_heap),
        T(min_heap_addr_above_ram),
        T(no_room_for_bitmap),
        T(bad_config),
        T(storage_too_small),
        T(null_arguments),
        T(carve_reserve_after_init),
        T(memtest_in_init),
        T(report_mentions_everything),
    };
    return cmocka_run_group_tests_name("init", tests, NULL, NULL);
}
