/* Memory map construction and import: mm_map_init/add, E820 and EFI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "memmap_test.h"

/* ---- init / add ---- */

static void init_rejects_null(void **state)
{
    (void)state;
    mm_map m;
    mm_entry e[1];
    assert_int_equal(mm_map_init(NULL, e, 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_init(&m, NULL, 4), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_init(&m, NULL, 0), MM_OK);
    assert_int_equal(m.count, 0);
    assert_int_equal(m.frame_size, MM_FRAME_SIZE_DEFAULT);
}

/* add appends in call order, keeping raw code and attributes. */
static void add_appends_unsorted(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    assert_int_equal(mm_map_add(&m, 0x5000, 0x1000, MM_TYPE_RESERVED, 9, 0x77), MM_OK);
    assert_int_equal(mm_map_add(&m, 0x1000, 0x1000, MM_TYPE_USABLE, 1, 0), MM_OK);
    expect_entry(&m, 0, 0x5000, 0x6000, MM_TYPE_RESERVED);
    expect_entry(&m, 1, 0x1000, 0x2000, MM_TYPE_USABLE);
    assert_int_equal(m.entries[0].raw_type, 9);
    assert_int_equal(m.entries[0].attributes, 0x77);
    map_free(&m);
}

/* base + length past 2^64 - 1 (an end of exactly 2^64 included) is refused. */
static void add_rejects_overflow(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    assert_int_equal(mm_map_add(&m, UINT64_MAX - 0xFFF, 0x1000, MM_TYPE_USABLE, 0, 0),
                     MM_ERR_OVERFLOW);
    assert_int_equal(mm_map_add(&m, UINT64_MAX - 0xFFF, 0xFFF, MM_TYPE_USABLE, 0, 0), MM_OK);
    assert_int_equal(m.count, 1);
    map_free(&m);
}

static void add_rejects_bad_type(void **state)
{
    (void)state;
    mm_map m = map_new(2);
    assert_int_equal(mm_map_add(&m, 0, 1, MM_TYPE_NONE, 0, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_add(&m, 0, 1, MM_TYPE_COUNT, 0, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_add(NULL, 0, 1, MM_TYPE_USABLE, 0, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(m.count, 0);
    map_free(&m);
}

/* Capacity 1: the second add reports MAP_FULL and changes nothing. */
static void add_reports_full(void **state)
{
    (void)state;
    mm_map m = map_new(1);
    add(&m, 0, PAGE, MM_TYPE_USABLE);
    assert_int_equal(mm_map_add(&m, PAGE, PAGE, MM_TYPE_USABLE, 0, 0), MM_ERR_MAP_FULL);
    assert_int_equal(m.count, 1);
    map_free(&m);
}

/* ---- E820 ---- */

/* Every E820 code: 1-5 and 7 have their own type, anything else is reserved
 * with the code kept in raw_type. */
static void e820_type_codes(void **state)
{
    (void)state;
    static const struct {
        uint32_t code;
        mm_type type;
    } table[] = {
        {1, MM_TYPE_USABLE},
        {2, MM_TYPE_RESERVED},
        {3, MM_TYPE_ACPI_RECLAIMABLE},
        {4, MM_TYPE_ACPI_NVS},
        {5, MM_TYPE_BAD},
        {6, MM_TYPE_RESERVED},
        {7, MM_TYPE_PERSISTENT},
        {12, MM_TYPE_RESERVED},
        {0, MM_TYPE_RESERVED},
        {0xF0000000u, MM_TYPE_RESERVED},
    };
    uint8_t buf[MM_ARRAY_SIZE(table) * 20];
    for (size_t i = 0; i < MM_ARRAY_SIZE(table); i++)
        e820_put(buf + 20 * i, 20, i * MIB, MIB, table[i].code, 0);
    mm_map m = map_new(MM_ARRAY_SIZE(table));
    assert_int_equal(mm_map_import_e820(&m, buf, MM_ARRAY_SIZE(table), 20), MM_OK);
    assert_int_equal(m.count, MM_ARRAY_SIZE(table));
    for (size_t i = 0; i < MM_ARRAY_SIZE(table); i++) {
        expect_entry(&m, i, i * MIB, (i + 1) * MIB, table[i].type);
        assert_int_equal(m.entries[i].raw_type, table[i].code);
    }
    map_free(&m);
}

/* mm_e820_type on its own: the code decides, except that the ACPI 3.0
 * non-volatile bit turns usable RAM into persistent memory (it must not
 * become scratch memory of the OS); on other codes the bit changes nothing,
 * and neither does the enabled bit (the importer drops disabled entries
 * before asking for a type). */
static void e820_type_direct(void **state)
{
    (void)state;
    static const struct {
        uint32_t code;
        uint64_t attr;
        mm_type type;
    } table[] = {
        {1, 0, MM_TYPE_USABLE},
        {1, MM_E820_ATTR_ENABLED, MM_TYPE_USABLE},
        {1, MM_E820_ATTR_NONVOLATILE, MM_TYPE_PERSISTENT},
        {1, MM_E820_ATTR_ENABLED | MM_E820_ATTR_NONVOLATILE, MM_TYPE_PERSISTENT},
        {2, MM_E820_ATTR_NONVOLATILE, MM_TYPE_RESERVED},
        {3, MM_E820_ATTR_NONVOLATILE, MM_TYPE_ACPI_RECLAIMABLE},
        {4, MM_E820_ATTR_ENABLED, MM_TYPE_ACPI_NVS},
        {5, 0, MM_TYPE_BAD},
        {7, 0, MM_TYPE_PERSISTENT},
        {0x1234, MM_E820_ATTR_ENABLED, MM_TYPE_RESERVED},
        {UINT32_MAX, UINT64_MAX, MM_TYPE_RESERVED},
    };
    for (size_t i = 0; i < MM_ARRAY_SIZE(table); i++)
        assert_int_equal(mm_e820_type(table[i].code, table[i].attr), table[i].type);
}

/* 20-byte entries carry no extended attributes: attributes 0. 24-byte
 * entries keep theirs. Same memory, same types otherwise. */
static void e820_20_vs_24_bytes(void **state)
{
    (void)state;
    uint8_t b20[40], b24[48];
    e820_put(b20, 20, 0, 0x9F000, 1, 0);
    e820_put(b20 + 20, 20, 0x100000, 0x7F00000, 1, 0);
    e820_put(b24, 24, 0, 0x9F000, 1, 1);
    e820_put(b24 + 24, 24, 0x100000, 0x7F00000, 1, 1);
    mm_map a = map_new(2), b = map_new(2);
    assert_int_equal(mm_map_import_e820(&a, b20, 2, 20), MM_OK);
    assert_int_equal(mm_map_import_e820(&b, b24, 2, 24), MM_OK);
    for (uint32_t i = 0; i < 2; i++) {
        assert_int_equal(a.entries[i].base, b.entries[i].base);
        assert_int_equal(a.entries[i].length, b.entries[i].length);
        assert_int_equal(a.entries[i].type, MM_TYPE_USABLE);
        assert_int_equal(a.entries[i].attributes, 0);
        assert_int_equal(b.entries[i].attributes, MM_E820_ATTR_ENABLED);
    }
    map_free(&a);
    map_free(&b);
}

/* ACPI 3.0: a 24-byte entry with bit 0 of the extended attributes clear
 * must be ignored entirely.
 *   [0, 640K) usable  enabled   -> kept
 *   [1M, 2M)  reserved disabled -> skipped */
static void e820_ignore_bit(void **state)
{
    (void)state;
    uint8_t buf[48];
    e820_put(buf, 24, 0, 0xA0000, 1, MM_E820_ATTR_ENABLED);
    e820_put(buf + 24, 24, MIB, MIB, 2, 0);
    mm_map m = map_new(2);
    assert_int_equal(mm_map_import_e820(&m, buf, 2, 24), MM_OK);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 0, 0xA0000, MM_TYPE_USABLE);
    map_free(&m);
}

/* Usable RAM flagged non-volatile (bit 1) is persistent memory, not RAM the
 * kernel may scribble on. */
static void e820_nonvolatile_usable_is_persistent(void **state)
{
    (void)state;
    uint8_t buf[24];
    e820_put(buf, 24, 4 * GIB, GIB, 1, MM_E820_ATTR_ENABLED | MM_E820_ATTR_NONVOLATILE);
    mm_map m = map_new(1);
    assert_int_equal(mm_map_import_e820(&m, buf, 1, 24), MM_OK);
    expect_entry(&m, 0, 4 * GIB, 5 * GIB, MM_TYPE_PERSISTENT);
    assert_int_equal(m.entries[0].raw_type, 1);
    map_free(&m);
}

static void e820_rejects_entry_sizes(void **state)
{
    (void)state;
    uint8_t buf[64] = {0};
    mm_map m = map_new(4);
    assert_int_equal(mm_map_import_e820(&m, buf, 1, 16), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_import_e820(&m, buf, 1, 28), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_import_e820(&m, NULL, 1, 20), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_import_e820(&m, NULL, 0, 20), MM_OK);
    assert_int_equal(m.count, 0);
    map_free(&m);
}

/* Three entries into room for two: MAP_FULL and the map as before. */
static void e820_full_restores_map(void **state)
{
    (void)state;
    uint8_t buf[60];
    for (int i = 0; i < 3; i++)
        e820_put(buf + 20 * i, 20, i * MIB, MIB, 1, 0);
    mm_map m = map_new(3);
    add(&m, 64 * MIB, 65 * MIB, MM_TYPE_RESERVED);
    assert_int_equal(mm_map_import_e820(&m, buf, 3, 20), MM_ERR_MAP_FULL);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 64 * MIB, 65 * MIB, MM_TYPE_RESERVED);
    map_free(&m);
}

/* Zero-length and wrapping entries are imported as given; sanitize is the
 * one place that drops/clips them and reports it. */
static void e820_keeps_broken_entries_for_sanitize(void **state)
{
    (void)state;
    uint8_t buf[40];
    e820_put(buf, 20, 0x1000, 0, 1, 0);
    e820_put(buf + 20, 20, UINT64_MAX - 0xFFFF, 0x20000, 2, 0);
    mm_map m = map_new(2);
    assert_int_equal(mm_map_import_e820(&m, buf, 2, 20), MM_OK);
    assert_int_equal(m.count, 2);
    mm_sanitize_report r;
    assert_int_equal(sanitize(&m, PAGE, &r), MM_OK);
    assert_int_equal(r.empty_dropped, 1);
    assert_int_equal(r.wrapped_clipped, 1);
    expect_entry(&m, 0, UINT64_MAX - 0xFFFF, UINT64_MAX, MM_TYPE_RESERVED);
    map_free(&m);
}

/* Entries need no alignment in the buffer (the BIOS buffer may sit anywhere). */
static void e820_unaligned_buffer(void **state)
{
    (void)state;
    uint8_t raw[1 + 24];
    e820_put(raw + 1, 24, 0x100000, 0x300000, 3, 1);
    mm_map m = map_new(1);
    assert_int_equal(mm_map_import_e820(&m, raw + 1, 1, 24), MM_OK);
    expect_entry(&m, 0, 0x100000, 0x400000, MM_TYPE_ACPI_RECLAIMABLE);
    map_free(&m);
}

/* ---- EFI ---- */

/* Every EFI type 0..15, a type past the spec and an OEM code:
 * after ExitBootServices boot-services memory is RAM, loader memory is
 * reclaimable once the loader is done, the rest is kept apart. */
static void efi_type_codes(void **state)
{
    (void)state;
    static const struct {
        uint32_t code;
        mm_type type;
    } table[] = {
        {0, MM_TYPE_RESERVED},
        {1, MM_TYPE_BOOTLOADER_RECLAIMABLE},
        {2, MM_TYPE_BOOTLOADER_RECLAIMABLE},
        {3, MM_TYPE_USABLE},
        {4, MM_TYPE_USABLE},
        {5, MM_TYPE_FW_RUNTIME_CODE},
        {6, MM_TYPE_FW_RUNTIME_DATA},
        {7, MM_TYPE_USABLE},
        {8, MM_TYPE_BAD},
        {9, MM_TYPE_ACPI_RECLAIMABLE},
        {10, MM_TYPE_ACPI_NVS},
        {11, MM_TYPE_MMIO},
        {12, MM_TYPE_MMIO},
        {13, MM_TYPE_RESERVED},
        {14, MM_TYPE_PERSISTENT},
        {15, MM_TYPE_UNACCEPTED},
        {16, MM_TYPE_RESERVED},
        {0x80000001u, MM_TYPE_RESERVED},
    };
    enum { N = MM_ARRAY_SIZE(table) };
    uint8_t buf[N * 40];
    for (size_t i = 0; i < N; i++)
        efi_put(buf + 40 * i, 40, table[i].code, i * MIB, 256, 0xF);
    mm_map m = map_new(N);
    assert_int_equal(mm_map_import_efi(&m, buf, sizeof(buf), 40, 1), MM_OK);
    assert_int_equal(m.count, N);
    for (size_t i = 0; i < N; i++) {
        expect_entry(&m, i, i * MIB, (i + 1) * MIB, table[i].type);
        assert_int_equal(m.entries[i].raw_type, table[i].code);
        assert_int_equal(m.entries[i].attributes, 0xF);
    }
    map_free(&m);
}

/* Firmware strides are often 48 bytes: the importer must step by desc_size
 * and never read the junk in bytes 40..47 as the next descriptor. */
static void efi_desc_size_larger_than_struct(void **state)
{
    (void)state;
    uint8_t buf[3 * 48];
    efi_put(buf, 48, 7, 0, 159, 0xF);
    efi_put(buf + 48, 48, 6, 0x9F000, 1, 0x800000000000000Full);
    efi_put(buf + 96, 48, 4, 0x100000, 0x100, 0xF);
    mm_map m = map_new(3);
    assert_int_equal(mm_map_import_efi(&m, buf, sizeof(buf), 48, 1), MM_OK);
    assert_int_equal(m.count, 3);
    expect_entry(&m, 0, 0, 0x9F000, MM_TYPE_USABLE);
    expect_entry(&m, 1, 0x9F000, 0xA0000, MM_TYPE_FW_RUNTIME_DATA);
    assert_int_equal(m.entries[1].attributes, 0x800000000000000Full);
    expect_entry(&m, 2, 0x100000, 0x200000, MM_TYPE_USABLE);
    map_free(&m);
}

static void efi_rejects_small_desc_size(void **state)
{
    (void)state;
    uint8_t buf[64] = {0};
    mm_map m = map_new(2);
    assert_int_equal(mm_map_import_efi(&m, buf, 64, 32, 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_import_efi(&m, buf, 0, 0, 1), MM_ERR_INVALID_ARGUMENT);
    map_free(&m);
}

/* 100 bytes is not a whole number of 48-byte descriptors. */
static void efi_rejects_partial_descriptor(void **state)
{
    (void)state;
    uint8_t buf[100] = {0};
    mm_map m = map_new(4);
    assert_int_equal(mm_map_import_efi(&m, buf, 100, 48, 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(m.count, 0);
    map_free(&m);
}

static void efi_rejects_bad_arguments(void **state)
{
    (void)state;
    uint8_t buf[40] = {0};
    mm_map m = map_new(1);
    assert_int_equal(mm_map_import_efi(&m, buf, 40, 40, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_import_efi(&m, NULL, 40, 40, 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_import_efi(NULL, buf, 40, 40, 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_map_import_efi(&m, NULL, 0, 40, 1), MM_OK);
    map_free(&m);
}

/* A descriptor of 0 pages says nothing: dropped at import. */
static void efi_zero_pages_dropped(void **state)
{
    (void)state;
    uint8_t buf[2 * 40];
    efi_put(buf, 40, 7, 0x100000, 0, 0xF);
    efi_put(buf + 40, 40, 7, 0x200000, 1, 0xF);
    mm_map m = map_new(2);
    assert_int_equal(mm_map_import_efi(&m, buf, sizeof(buf), 40, 1), MM_OK);
    assert_int_equal(m.count, 1);
    expect_entry(&m, 0, 0x200000, 0x201000, MM_TYPE_USABLE);
    map_free(&m);
}

/* NumberOfPages = 2^60: the byte length would need 72 bits. It saturates
 * and sanitize clips the range at the top of the address space. */
static void efi_page_count_overflow(void **state)
{
    (void)state;
    uint8_t buf[40];
    efi_put(buf, 40, 0, 0x100000000ull, 1ull << 60, 0);
    mm_map m = map_new(1);
    assert_int_equal(mm_map_import_efi(&m, buf, 40, 40, 1), MM_OK);
    assert_int_equal(m.entries[0].length, UINT64_MAX & ~0xFFFull);
    mm_sanitize_report r;
    assert_int_equal(sanitize(&m, PAGE, &r), MM_OK);
    assert_int_equal(r.wrapped_clipped, 1);
    expect_entry(&m, 0, 0x100000000ull, UINT64_MAX, MM_TYPE_RESERVED);
    map_free(&m);
}

static void efi_full_restores_map(void **state)
{
    (void)state;
    uint8_t buf[3 * 40];
    for (int i = 0; i < 3; i++)
        efi_put(buf + 40 * i, 40, 7, i * MIB, 256, 0xF);
    mm_map m = map_new(2);
    assert_int_equal(mm_map_import_efi(&m, buf, sizeof(buf), 40, 1), MM_ERR_MAP_FULL);
    assert_int_equal(m.count, 0);
    map_free(&m);
}

/* Conventional memory flagged EFI_MEMORY_SP (e.g. HBM set aside for a
 * device) is not general RAM: reserved, raw code and attributes kept.
 * Other types with the bit keep their own type. */
static void efi_specific_purpose_is_reserved(void **state)
{
    (void)state;
    uint8_t buf[3 * 40];
    efi_put(buf, 40, 7, 0x100000000ull, 0x40000, 0xF | MM_EFI_MEMORY_SP);
    efi_put(buf + 40, 40, 7, 0x200000000ull, 0x40000, 0xF);
    efi_put(buf + 80, 40, 9, 0x300000000ull, 0x10, 0xF | MM_EFI_MEMORY_SP);
    mm_map m = map_new(3);
    assert_int_equal(mm_map_import_efi(&m, buf, sizeof(buf), 40, 1), MM_OK);
    expect_entry(&m, 0, 0x100000000ull, 0x140000000ull, MM_TYPE_RESERVED);
    assert_int_equal(m.entries[0].raw_type, 7);
    assert_int_equal(m.entries[0].attributes, 0xF | MM_EFI_MEMORY_SP);
    expect_entry(&m, 1, 0x200000000ull, 0x240000000ull, MM_TYPE_USABLE);
    expect_entry(&m, 2, 0x300000000ull, 0x300010000ull, MM_TYPE_ACPI_RECLAIMABLE);
    map_free(&m);
}

/* mm_efi_descriptor_type on its own: EFI_MEMORY_SP only demotes what would
 * be usable (conventional and boot-services memory) to reserved; every
 * other type, and usable memory without the bit, is mm_efi_type's answer. */
static void efi_descriptor_type_direct(void **state)
{
    (void)state;
    static const struct {
        uint32_t code;
        uint64_t attr;
        mm_type type;
    } table[] = {
        {MM_EFI_CONVENTIONAL, 0xF, MM_TYPE_USABLE},
        {MM_EFI_CONVENTIONAL, 0xF | MM_EFI_MEMORY_SP, MM_TYPE_RESERVED},
        {MM_EFI_BOOT_SERVICES_CODE, MM_EFI_MEMORY_SP, MM_TYPE_RESERVED},
        {MM_EFI_BOOT_SERVICES_DATA, MM_EFI_MEMORY_SP, MM_TYPE_RESERVED},
        {MM_EFI_BOOT_SERVICES_DATA, ~MM_EFI_MEMORY_SP, MM_TYPE_USABLE},
        {MM_EFI_LOADER_DATA, MM_EFI_MEMORY_SP, MM_TYPE_BOOTLOADER_RECLAIMABLE},
        {MM_EFI_ACPI_RECLAIM, MM_EFI_MEMORY_SP, MM_TYPE_ACPI_RECLAIMABLE},
        {MM_EFI_RUNTIME_SERVICES_DATA, MM_EFI_MEMORY_SP, MM_TYPE_FW_RUNTIME_DATA},
        {0x80000001u, MM_EFI_MEMORY_SP, MM_TYPE_RESERVED},
    };
    for (size_t i = 0; i < MM_ARRAY_SIZE(table); i++) {
        assert_int_equal(mm_efi_descriptor_type(table[i].code, table[i].attr), table[i].type);
        /* Without the bit the answer is always mm_efi_type's. */
        assert_int_equal(mm_efi_descriptor_type(table[i].code, table[i].attr & ~MM_EFI_MEMORY_SP),
                         mm_efi_type(table[i].code));
    }
}

/* Descriptors at an odd address still import. */
static void efi_unaligned_buffer(void **state)
{
    (void)state;
    uint8_t raw[1 + 40];
    efi_put(raw + 1, 40, 9, 0x7FE0000, 32, 0xF);
    mm_map m = map_new(1);
    assert_int_equal(mm_map_import_efi(&m, raw + 1, 40, 40, 1), MM_OK);
    expect_entry(&m, 0, 0x7FE0000, 0x8000000, MM_TYPE_ACPI_RECLAIMABLE);
    map_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_rejects_null),
        cmocka_unit_test(add_appends_unsorted),
        cmocka_unit_test(add_rejects_overflow),
        cmocka_unit_test(add_rejects_bad_type),
        cmocka_unit_test(add_reports_full),
        cmocka_unit_test(e820_type_codes),
        cmocka_unit_test(e820_type_direct),
        cmocka_unit_test(e820_20_vs_24_bytes),
        cmocka_unit_test(e820_ignore_bit),
        cmocka_unit_test(e820_nonvolatile_usable_is_persistent),
        cmocka_unit_test(e820_rejects_entry_sizes),
        cmocka_unit_test(e820_full_restores_map),
        cmocka_unit_test(e820_keeps_broken_entries_for_sanitize),
        cmocka_unit_test(e820_unaligned_buffer),
        cmocka_unit_test(efi_type_codes),
        cmocka_unit_test(efi_desc_size_larger_than_struct),
        cmocka_unit_test(efi_rejects_small_desc_size),
        cmocka_unit_test(efi_rejects_partial_descriptor),
        cmocka_unit_test(efi_rejects_bad_arguments),
        cmocka_unit_test(efi_zero_pages_dropped),
        cmocka_unit_test(efi_page_count_overflow),
        cmocka_unit_test(efi_full_restores_map),
        cmocka_unit_test(efi_specific_purpose_is_reserved),
        cmocka_unit_test(efi_descriptor_type_direct),
        cmocka_unit_test(efi_unaligned_buffer),
    };
    return cmocka_run_group_tests_name("memmap-import", tests, NULL, NULL);
}
