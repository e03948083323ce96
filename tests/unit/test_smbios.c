/* SMBIOS entry points (boot/common/smbios.c): one valid structure of each
 * kind, then one rule broken at a time; the BIOS-area scan over a host
 * buffer standing for [0xF0000, 0x100000).
 *
 *   scan area (64 KiB, 16-byte steps)
 *   0x0000        0x0100      0x0208      0x4000       0xffe0
 *   | noise ...   | "_SM_"    | "_SM3_"   | "_SM3_"    | tail
 *                   valid       off-step    valid        (cut off)  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../support/smbios_build.h"
#include "common/smbios.h"

#define AREA (BC_SMBIOS_SCAN_END - BC_SMBIOS_SCAN_BASE)

static void sm3_valid(void **state)
{
    (void)state;
    uint8_t e[32];
    bc_smbios_ep ep;
    smbios_build_3(e, 3, 4);
    assert_int_equal(bc_smbios_validate(e, sizeof e, &ep), MM_OK);
    assert_int_equal(ep.length, 24);
    assert_int_equal(ep.major, 3);
    assert_int_equal(ep.minor, 4);
    assert_int_equal(ep.is64, 1);
    assert_int_equal(bc_smbios_validate(e, 24, NULL), MM_OK);
}

static void sm2_valid(void **state)
{
    (void)state;
    uint8_t e[32];
    bc_smbios_ep ep;
    smbios_build_2(e, 2, 8);
    assert_int_equal(bc_smbios_validate(e, sizeof e, &ep), MM_OK);
    assert_int_equal(ep.length, 31);
    assert_int_equal(ep.major, 2);
    assert_int_equal(ep.minor, 8);
    assert_int_equal(ep.is64, 0);
}

/* SMBIOS 2.1's own typo: a length byte of 30 for the 31-byte structure
 * (the checksum then covers 30 bytes). */
static void sm2_length_30(void **state)
{
    (void)state;
    uint8_t e[32];
    smbios_build_2(e, 2, 1);
    e[5] = 30;
    acpi_fix_sum(e, 30, 4);
    assert_int_equal(bc_smbios_validate(e, sizeof e, NULL), MM_OK);
}

static void bad_checksum(void **state)
{
    (void)state;
    uint8_t e[32];
    smbios_build_3(e, 3, 0);
    e[12] ^= 0x40;
    assert_int_equal(bc_smbios_validate(e, sizeof e, NULL), MM_ERR_INVALID_ARGUMENT);
    smbios_build_2(e, 2, 8);
    e[9] ^= 1;
    assert_int_equal(bc_smbios_validate(e, sizeof e, NULL), MM_ERR_INVALID_ARGUMENT);
}

/* "_SM_": the "_DMI_" part has its own anchor and checksum. */
static void bad_dmi_part(void **state)
{
    (void)state;
    uint8_t e[32];
    smbios_build_2(e, 2, 8);
    e[17] = 'X';
    acpi_fix_sum(e, 31, 4);
    assert_int_equal(bc_smbios_validate(e, sizeof e, NULL), MM_ERR_INVALID_ARGUMENT);
    smbios_build_2(e, 2, 8);
    e[22] ^= 1;             /* inside the "_DMI_" part: its sum breaks ... */
    acpi_fix_sum(e, 31, 4); /* ... while the whole structure's holds */
    assert_int_equal(bc_smbios_validate(e, sizeof e, NULL), MM_ERR_INVALID_ARGUMENT);
}

/* Length bytes outside the structure's sizes, or past what may be read. */
static void bad_length(void **state)
{
    (void)state;
    uint8_t e[64];
    smbios_build_3(e, 3, 0);
    e[6] = 23;
    acpi_fix_sum(e, 23, 5);
    assert_int_equal(bc_smbios_validate(e, sizeof e, NULL), MM_ERR_INVALID_ARGUMENT);
    smbios_build_3(e, 3, 0);
    memset(e + 32, 0, 32);
    e[6] = 40;
    acpi_fix_sum(e, 40, 5);
    assert_int_equal(bc_smbios_validate(e, sizeof e, NULL), MM_ERR_INVALID_ARGUMENT);
    smbios_build_3(e, 3, 0);
    assert_int_equal(bc_smbios_validate(e, 23, NULL), MM_ERR_INVALID_ARGUMENT);
    smbios_build_2(e, 2, 8);
    assert_int_equal(bc_smbios_validate(e, 30, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_smbios_validate(e, 4, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_smbios_validate(NULL, 32, NULL), MM_ERR_INVALID_ARGUMENT);
}

static void bad_anchor(void **state)
{
    (void)state;
    uint8_t e[32];
    smbios_build_3(e, 3, 0);
    memcpy(e, "_SM4_", 5);
    acpi_fix_sum(e, 24, 5);
    assert_int_equal(bc_smbios_validate(e, sizeof e, NULL), MM_ERR_INVALID_ARGUMENT);
}

static uint8_t *area_new(void)
{
    uint8_t *a = malloc(AREA);
    for (uint32_t i = 0; i < AREA; i++)
        a[i] = (uint8_t)(i * 7 + 3);
    return a;
}

/* "_SM3_" wins over an earlier "_SM_"; one off the 16-byte steps is not
 * seen. */
static void scan_prefers_sm3(void **state)
{
    (void)state;
    uint8_t *a = area_new();
    size_t off = 0;
    smbios_build_2(a + 0x100, 2, 8);
    smbios_build_3(a + 0x208, 3, 0);
    assert_int_equal(bc_smbios_scan(a, AREA, &off), MM_OK);
    assert_int_equal(off, 0x100);
    smbios_build_3(a + 0x4000, 3, 0);
    assert_int_equal(bc_smbios_scan(a, AREA, &off), MM_OK);
    assert_int_equal(off, 0x4000);
    free(a);
}

/* Without an "_SM3_" the first "_SM_" is taken, not a later one. */
static void scan_takes_first_sm2(void **state)
{
    (void)state;
    uint8_t *a = area_new();
    size_t off = 0;
    smbios_build_2(a + 0x300, 2, 8);
    smbios_build_2(a + 0x900, 2, 7);
    assert_int_equal(bc_smbios_scan(a, AREA, &off), MM_OK);
    assert_int_equal(off, 0x300);
    free(a);
}

/* An invalid "_SM3_" does not hide a valid "_SM_". */
static void scan_skips_invalid(void **state)
{
    (void)state;
    uint8_t *a = area_new();
    size_t off = 0;
    smbios_build_3(a + 0x40, 3, 0);
    a[0x40 + 20] ^= 1;
    smbios_build_2(a + 0x800, 2, 7);
    assert_int_equal(bc_smbios_scan(a, AREA, &off), MM_OK);
    assert_int_equal(off, 0x800);
    free(a);
}

/* An entry point cut off by the end of the area is not read past it. */
static void scan_stops_at_end(void **state)
{
    (void)state;
    uint8_t *a = area_new();
    size_t off = 0;
    uint8_t e[32];
    smbios_build_3(e, 3, 0);
    memcpy(a + AREA - 16, e, 16);
    assert_int_equal(bc_smbios_scan(a, AREA, &off), MM_ERR_NOT_FOUND);
    assert_int_equal(bc_smbios_scan(NULL, AREA, &off), MM_ERR_NOT_FOUND);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sm3_valid),
        cmocka_unit_test(sm2_valid),
        cmocka_unit_test(sm2_length_30),
        cmocka_unit_test(bad_checksum),
        cmocka_unit_test(bad_dmi_part),
        cmocka_unit_test(bad_length),
        cmocka_unit_test(bad_anchor),
        cmocka_unit_test(scan_prefers_sm3),
        cmocka_unit_test(scan_takes_first_sm2),
        cmocka_unit_test(scan_skips_invalid),
        cmocka_unit_test(scan_stops_at_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
