/* Realistic firmware maps end to end: raw bytes -> import -> sanitize ->
 * validate, with the reference model checking every byte range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "memmap_test.h"
#include "memmap_ovmf_q35.h"

/* E820 as SeaBIOS 1.16.2 returns it on QEMU 7.2 `-machine pc`, captured
 * with a boot sector calling INT 15h/E820h (SeaBIOS answers with 20-byte
 * entries): for `-m 128`
 *   [0x00000000, 0x0009fc00) usable
 *   [0x0009fc00, 0x000a0000) reserved   EBDA, 1 KiB below 640K
 *   [0x000f0000, 0x00100000) reserved   BIOS ROM
 *   [0x00100000, 0x07fe0000) usable
 *   [0x07fe0000, 0x08000000) reserved   ACPI tables area
 *   [0xfffc0000, 1 << 32)    reserved   BIOS flash
 *   [0xfd00000000, +12 GiB)  reserved   hole below 1 TiB
 * and for `-m 4096` the low RAM ends at 0xbffe0000 and 1 GiB sits above
 * 4 GiB. Sanitized at 4 KiB, the first usable entry loses the 3 KiB tail
 * that shares a page with the EBDA; everything else is unchanged. */
typedef struct e820_row {
    uint64_t base, len;
    uint32_t type;
} e820_row;

static const e820_row seabios_128m[] = {
    {0x0, 0x9fc00, 1},
    {0x9fc00, 0x400, 2},
    {0xf0000, 0x10000, 2},
    {0x100000, 0x7ee0000, 1},
    {0x7fe0000, 0x20000, 2},
    {0xfffc0000, 0x40000, 2},
    {0xfd00000000, 0x300000000, 2},
};

static const e820_row seabios_4g[] = {
    {0x0, 0x9fc00, 1},
    {0x9fc00, 0x400, 2},
    {0xf0000, 0x10000, 2},
    {0x100000, 0xbfee0000, 1},
    {0xbffe0000, 0x20000, 2},
    {0xfffc0000, 0x40000, 2},
    {0x100000000, 0x40000000, 1},
    {0xfd00000000, 0x300000000, 2},
};

/* Imports rows as 20-byte entries, sanitizes, and checks that only the
 * first entry changed (its end rounded down to 0x9f000). */
static void check_seabios(const e820_row *rows, uint32_t n, uint64_t usable_bytes)
{
    uint8_t *buf = malloc(n * 20);
    for (uint32_t i = 0; i < n; i++)
        e820_put(buf + 20 * i, 20, rows[i].base, rows[i].len, rows[i].type, 0);
    mm_map m = map_new(16);
    assert_int_equal(mm_map_import_e820(&m, buf, n, 20), MM_OK);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(m.count, n);
    expect_entry(&m, 0, 0, 0x9f000, MM_TYPE_USABLE);
    for (uint32_t i = 1; i < n; i++)
        expect_entry(&m, i, rows[i].base, rows[i].base + rows[i].len,
                     rows[i].type == 1 ? MM_TYPE_USABLE : MM_TYPE_RESERVED);
    assert_int_equal(r.bytes_trimmed, 0xc00);
    assert_int_equal(r.overlaps_resolved + r.merged, 0);
    struct mm_map_stats s;
    mm_map_stats(&m, &s);
    assert_int_equal(s.usable_bytes, usable_bytes);
    free(buf);
    map_free(&m);
}

static void seabios_qemu_128m(void **state)
{
    (void)state;
    check_seabios(seabios_128m, MM_ARRAY_SIZE(seabios_128m), 0x9f000 + 0x7ee0000);
}

static void seabios_qemu_4g(void **state)
{
    (void)state;
    check_seabios(seabios_4g, MM_ARRAY_SIZE(seabios_4g), 0x9f000 + 0xbfee0000 + 0x40000000);
}

/* A laptop-style map with firmware bugs seen in the wild, 24-byte entries:
 *   - usable RAM listed across an ACPI NVS window (overlap),
 *   - the same reserved entry twice,
 *   - a disabled entry (ignore bit) claiming all low memory is bad,
 *   - unsorted order, a zero-length entry, usable ending mid-page,
 *   - E820 type 12 (legacy PRAM) kept as reserved with its code. */
static void laptop_e820_with_quirks(void **state)
{
    (void)state;
    static const struct {
        uint64_t base, len;
        uint32_t type, ext;
    } e820[] = {
        {0x100000, 0x9ef00000, 1, 1},    {0x0, 0x9d800, 1, 1},
        {0x9d800, 0x2800, 2, 1},         {0xe0000, 0x20000, 2, 1},
        {0x0, 0x100000, 5, 0},           {0x9a000000, 0x200000, 4, 1},
        {0x9ef00000, 0x100000, 3, 1},    {0xe0000, 0x20000, 2, 1},
        {0x9f000000, 0x0, 1, 1},         {0x100000000, 0x15f000000, 1, 1},
        {0x260000000, 0x1000000, 12, 1}, {0xfec00000, 0x1000, 2, 1},
    };
    enum { N = MM_ARRAY_SIZE(e820) };
    uint8_t buf[N * 24];
    for (size_t i = 0; i < N; i++)
        e820_put(buf + 24 * i, 24, e820[i].base, e820[i].len, e820[i].type, e820[i].ext);
    mm_map m = map_new(32);
    assert_int_equal(mm_map_import_e820(&m, buf, N, 24), MM_OK);
    assert_int_equal(m.count, N - 1); /* the disabled entry is gone */
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.empty_dropped, 1);
    assert_true(r.overlaps_resolved >= 2);
    assert_int_equal(mm_map_type_at(&m, 0x1000), MM_TYPE_USABLE);
    assert_int_equal(mm_map_type_at(&m, 0x9a100000), MM_TYPE_ACPI_NVS);
    assert_int_equal(mm_map_type_at(&m, 0x99fff000), MM_TYPE_USABLE);
    assert_int_equal(mm_map_type_at(&m, 0x9a200000), MM_TYPE_USABLE);
    assert_int_equal(mm_map_type_at(&m, 0x260000000), MM_TYPE_RESERVED);
    for (uint32_t i = 0; i < m.count; i++)
        if (m.entries[i].base == 0x260000000)
            assert_int_equal(m.entries[i].raw_type, 12);
    map_free(&m);
}

/* OVMF-like UEFI map: a fixed skeleton of the areas OVMF reports (low RAM,
 * legacy hole, ACPI NVS windows, runtime code/data, ACPI tables, PCI
 * MMCONFIG, flash MMIO with the runtime attribute) plus 96 boot-time
 * fragments (boot-services code/data, loader code/data, conventional,
 * runtime data) inside [0x6000000, 0x7000000) - 123 descriptors, 48-byte
 * stride. */
#define EFI_WB_ETC  0xFull
#define EFI_RUNTIME 0x8000000000000000ull

typedef struct efi_desc {
    uint32_t type;
    uint64_t phys, pages, attrs;
} efi_desc;

static const efi_desc ovmf_skeleton[] = {
    {3, 0x0, 0x1, EFI_WB_ETC},
    {7, 0x1000, 0x9f, EFI_WB_ETC},
    {7, 0x100000, 0x700, EFI_WB_ETC},
    {10, 0x800000, 0x8, EFI_WB_ETC},
    {7, 0x808000, 0x3, EFI_WB_ETC},
    {10, 0x80b000, 0x1, EFI_WB_ETC},
    {7, 0x80c000, 0x4, EFI_WB_ETC},
    {10, 0x810000, 0xf0, EFI_WB_ETC},
    {4, 0x900000, 0x500, EFI_WB_ETC},
    {7, 0xe00000, 0x5200, EFI_WB_ETC},
    {9, 0x7000000, 0x10, EFI_WB_ETC},
    {6, 0x7010000, 0x20, EFI_WB_ETC | EFI_RUNTIME},
    {5, 0x7030000, 0x10, EFI_WB_ETC | EFI_RUNTIME},
    {6, 0x7040000, 0x40, EFI_WB_ETC | EFI_RUNTIME},
    {4, 0x7080000, 0xd00, EFI_WB_ETC},
    {10, 0x7d80000, 0x80, EFI_WB_ETC},
    {6, 0x7e00000, 0x1f0, EFI_WB_ETC | EFI_RUNTIME},
    {10, 0x7ff0000, 0x10, EFI_WB_ETC},
    {0, 0xb0000000, 0x10000, 0x1},
    {11, 0xffc00000, 0x400, 0x1 | EFI_RUNTIME},
    {8, 0x3000000000, 0x10, EFI_WB_ETC},
    {12, 0xfee00000, 0x1, 0x1},
    {0x70000000u, 0xfd00000000, 0x300000, 0},
    {15, 0x100000000, 0x0, EFI_WB_ETC},
    {14, 0x2000000000, 0x40000, EFI_WB_ETC},
    {13, 0xfed00000, 0x1, 0x1},
    {15, 0x4000000000, 0x100000, EFI_WB_ETC},
};

/* Fragment i of the boot-time area: 0x40000 bytes each at 0x6000000. */
static efi_desc ovmf_fragment(uint32_t i)
{
    static const uint32_t cycle[] = {4, 3, 7, 2, 1, 4, 6, 7};
    uint32_t type = cycle[i % MM_ARRAY_SIZE(cycle)];
    uint64_t attrs = type == 6 ? EFI_WB_ETC | EFI_RUNTIME : EFI_WB_ETC;
    return (efi_desc){type, 0x6000000 + (uint64_t)i * 0x28000, 0x28, attrs};
}

/* The skeleton's conventional [0xe00000, 0x6000000) ends where fragments
 * begin; fragments end at 0x6000000 + 96 * 0x28000 = 0x6f00000, the rest
 * up to 0x7000000 is conventional. */
static void ovmf_like_efi_map(void **state)
{
    (void)state;
    enum { FRAGS = 96, SK = MM_ARRAY_SIZE(ovmf_skeleton), N = SK + FRAGS + 1, STRIDE = 48 };
    uint8_t *buf = malloc(N * STRIDE);
    uint64_t usable_in = 0;
    for (uint32_t i = 0; i < N; i++) {
        efi_desc d = i < SK           ? ovmf_skeleton[i]
                     : i < SK + FRAGS ? ovmf_fragment(i - SK)
                                      : (efi_desc){7, 0x6f00000, 0x100, EFI_WB_ETC};
        efi_put(buf + STRIDE * i, STRIDE, d.type, d.phys, d.pages, d.attrs);
        if (mm_efi_type(d.type) == MM_TYPE_USABLE)
            usable_in += d.pages * PAGE;
    }
    mm_map m = map_new(N);
    assert_int_equal(mm_map_import_efi(&m, buf, N * STRIDE, STRIDE, 1), MM_OK);
    assert_int_equal(m.count, N - 1); /* the 0-page unaccepted descriptor */
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    /* Merges: skeleton 2 (page 0 + low conventional; boot data at 0x900000 +
     * conventional); fragments: the skeleton's conventional + fragment 0, in
     * each 8-cycle boot code+data+conventional (2) and the cycle's last
     * conventional + the next cycle's boot data (11), the last one + the
     * trailing conventional. Loader code/data differ in raw code: apart. */
    assert_int_equal(r.merged, 2 + 1 + 12 * 2 + 11 + 1);
    assert_int_equal(r.entries_out, r.entries_in - r.merged);
    assert_int_equal(r.overlaps_resolved, 0);
    assert_int_equal(r.bytes_trimmed, 0);
    struct mm_map_stats s;
    mm_map_stats(&m, &s);
    /* Every boot-services and conventional page is RAM after exit. */
    assert_int_equal(s.usable_bytes, usable_in);
    assert_int_equal(mm_map_type_at(&m, 0x0), MM_TYPE_USABLE);
    assert_int_equal(mm_map_type_at(&m, 0x7030000), MM_TYPE_FW_RUNTIME_CODE);
    assert_int_equal(mm_map_type_at(&m, 0xffc00000), MM_TYPE_MMIO);
    assert_int_equal(mm_map_type_at(&m, 0x3000000000), MM_TYPE_BAD);
    assert_int_equal(mm_map_type_at(&m, 0xfd00000000), MM_TYPE_RESERVED);
    assert_int_equal(mm_map_type_at(&m, 0x4000000000), MM_TYPE_UNACCEPTED);
    assert_int_equal(mm_map_type_at(&m, 0x6000000 + 3 * 0x28000), MM_TYPE_BOOTLOADER_RECLAIMABLE);
    /* The loader finds its 16 MiB boot heap above 1 MiB, 2 MiB aligned:
     * [1M, 8M) is too small; RAM from 0x900000 on is one stretch. */
    uint64_t heap;
    assert_int_equal(mm_map_find(&m, 16 * MIB, 2 * MIB, MIB, UINT64_MAX, MM_FIND_BOTTOM_UP, &heap),
                     MM_OK);
    assert_int_equal(heap, 0xa00000);
    assert_int_equal(mm_map_carve(&m, heap, 16 * MIB, MM_TYPE_BOOT_HEAP, MM_CARVE_DEFAULT), MM_OK);
    mm_validate_error err;
    assert_int_equal(mm_map_validate(&m, PAGE, &err), MM_OK);
    free(buf);
    map_free(&m);
}

/* The real OVMF map (123 descriptors, 48-byte stride, see
 * memmap_ovmf_q35.h): page-aligned, no overlaps, so sanitize only merges;
 * every boot-services and conventional page stays RAM, every runtime, ACPI,
 * MMIO and reserved descriptor stays exactly as it was (the reference model
 * checks each byte range). */
static void ovmf_q35_real_map(void **state)
{
    (void)state;
    enum { N = MM_ARRAY_SIZE(ovmf_q35_512m), STRIDE = 48 };
    uint8_t *buf = malloc(N * STRIDE);
    uint64_t usable_in = 0, runtime_in = 0;
    for (uint32_t i = 0; i < N; i++) {
        efi_put(buf + STRIDE * i, STRIDE, ovmf_q35_512m[i].type, ovmf_q35_512m[i].phys,
                ovmf_q35_512m[i].pages, ovmf_q35_512m[i].attrs);
        mm_type t = mm_efi_type(ovmf_q35_512m[i].type);
        if (t == MM_TYPE_USABLE)
            usable_in += ovmf_q35_512m[i].pages * PAGE;
        if (t == MM_TYPE_FW_RUNTIME_CODE || t == MM_TYPE_FW_RUNTIME_DATA)
            runtime_in += ovmf_q35_512m[i].pages * PAGE;
    }
    mm_map m = map_new(N);
    assert_int_equal(mm_map_import_efi(&m, buf, N * STRIDE, STRIDE, 1), MM_OK);
    assert_int_equal(m.count, N);
    mm_sanitize_report r;
    sanitize_checked(&m, PAGE, &r);
    assert_int_equal(r.overlaps_resolved + r.empty_dropped + r.slivers_dropped, 0);
    assert_int_equal(r.bytes_trimmed, 0);
    assert_int_equal(r.entries_out, N - r.merged);
    /* 102 boot-services fragments fold into RAM: 21 entries, listed in
     * tests/tools/data/expected/ovmf-q35-real.report. */
    assert_int_equal(r.entries_out, 21);
    struct mm_map_stats s;
    mm_map_stats(&m, &s);
    assert_int_equal(s.usable_bytes, usable_in);
    assert_int_equal(s.bytes[MM_TYPE_FW_RUNTIME_CODE] + s.bytes[MM_TYPE_FW_RUNTIME_DATA],
                     runtime_in);
    assert_int_equal(mm_map_type_at(&m, 0xb0000000), MM_TYPE_RESERVED);
    assert_int_equal(mm_map_type_at(&m, 0xffc00000), MM_TYPE_MMIO);
    assert_int_equal(mm_map_type_at(&m, 0x806000), MM_TYPE_ACPI_NVS);
    assert_true(s.highest_usable_end <= 512 * MIB);
    free(buf);
    map_free(&m);
}

/* A large server map: 320 E820 entries, alternating usable and reserved
 * 1 MiB windows (more than any fixed 256-entry table holds), given in
 * reverse order; every entry survives, sorted. */
static void server_map_320_entries(void **state)
{
    (void)state;
    enum { N = 320 };
    uint8_t *buf = malloc(N * 20);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t k = N - 1 - i;
        e820_put(buf + 20 * i, 20, 4 * GIB + (uint64_t)k * MIB, MIB, k % 2 ? 2 : 1, 0);
    }
    mm_map m = map_new(N);
    assert_int_equal(mm_map_import_e820(&m, buf, N, 20), MM_OK);
    sanitize_checked(&m, PAGE, NULL);
    assert_int_equal(m.count, N);
    for (uint32_t k = 0; k < N; k++)
        expect_entry(&m, k, 4 * GIB + (uint64_t)k * MIB, 4 * GIB + (uint64_t)(k + 1) * MIB,
                     k % 2 ? MM_TYPE_RESERVED : MM_TYPE_USABLE);
    free(buf);
    map_free(&m);
}

/* 1,000 random overlapping entries of every type and a few attributes, at
 * 4 KiB and 2 MiB frames, checked against the reference model. */
static void random_maps_match_reference(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int round = 0; round < 8; round++) {
        enum { N = 1000 };
        mm_map m = map_new(2 * N);
        for (int i = 0; i < N; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t base = (x % (1ull << 32)) & ~0x3FFull, len = (x >> 32) % (64 * MIB) + 1;
            mm_type t = (mm_type)(1 + (x >> 20) % (MM_TYPE_COUNT - 1));
            if ((x >> 40) % 3 == 0)
                t = MM_TYPE_USABLE;
            assert_int_equal(mm_map_add(&m, base, len, t, (uint32_t)(x >> 60), (x >> 58) & 1),
                             MM_OK);
        }
        sanitize_checked(&m, round % 2 ? 2 * MIB : PAGE, NULL);
        map_free(&m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seabios_qemu_128m),           cmocka_unit_test(seabios_qemu_4g),
        cmocka_unit_test(laptop_e820_with_quirks),     cmocka_unit_test(ovmf_like_efi_map),
        cmocka_unit_test(ovmf_q35_real_map),           cmocka_unit_test(server_map_320_entries),
        cmocka_unit_test(random_maps_match_reference),
    };
    return cmocka_run_group_tests_name("memmap-real", tests, NULL, NULL);
}
