/* bc_pm_jump_fill (boot/common/entry.c): what both front ends' 32-bit
 * entry (BC_ENTER32_TAIL) loads, from a bc_entry of mode
 * BC_ENTRY_PROTECTED.
 *
 *   e->gdt == 0 (Multiboot)        e->gdt != 0 (Linux's 32-bit entry)
 *   own GDT at own_gdt, limit 47   e's GDT, e's limit
 *   CS 0x18 (BC_SEL_CODE32)        CS e->cs   (0x10)
 *   DS 0x10 (BC_SEL_DATA)          DS e->ds   (0x18)
 *
 * Refused, with *out untouched: an entry point or a GDT byte at or past
 * 4 GiB, a selector that is null, has TI or RPL bits, or whose
 * descriptor passes the table's limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/driver.h"
#include "common/entry.h"

#define OWN_GDT 0x9040u
#define RESUME  0x8535u
#define FOUR_G  0x100000000ull

/* Multiboot 2's entry: magic, information, no stack promised. */
static bc_entry multiboot(void)
{
    return (bc_entry){.mode = BC_ENTRY_PROTECTED,
                      .entry = 0x10000c,
                      .eax = 0x36d76289u,
                      .ebx = 0x12345000u,
                      .esp = 0};
}

/* Linux's 32-bit entry: boot_params in ESI, boot.rst's GDT (null, unused,
 * code 0x10, data 0x18). */
static bc_entry linux32(void)
{
    return (bc_entry){.mode = BC_ENTRY_PROTECTED,
                      .entry = 0x1000000,
                      .esi = 0x7f000,
                      .esp = 0x82000,
                      .gdt = 0x80000,
                      .gdt_limit = 31,
                      .cs = 0x10,
                      .ds = 0x18};
}

/* Fills from `e` into a 0xAA-filled jump; NULL when refused, and then
 * the jump must still be all 0xAA. */
static const char *fill(const bc_entry *e, bc_pm_jump *j)
{
    memset(j, 0xaa, sizeof *j);
    const char *why = bc_pm_jump_fill(e, OWN_GDT, RESUME, j);
    if (why) {
        for (size_t i = 0; i < sizeof *j; i++)
            assert_int_equal(((const uint8_t *)j)[i], 0xaa);
    }
    return why;
}

static void own_gdt_for_multiboot(void **state)
{
    (void)state;
    bc_entry e = multiboot();
    bc_pm_jump j;
    assert_null(fill(&e, &j));
    assert_int_equal(j.entry, 0x10000c);
    assert_int_equal(j.eax, 0x36d76289u);
    assert_int_equal(j.ebx, 0x12345000u);
    assert_int_equal(j.esi, 0);
    assert_int_equal(j.esp, 0); /* kept by the tail */
    assert_int_equal(j.resume, RESUME);
    assert_int_equal(j.gdt, OWN_GDT);
    assert_int_equal(j.gdt_limit, BC_GDT_ENTRIES * 8 - 1);
    assert_int_equal(j.cs, BC_SEL_CODE32);
    assert_int_equal(j.ds, BC_SEL_DATA);
}

static void callers_gdt_for_linux(void **state)
{
    (void)state;
    bc_entry e = linux32();
    bc_pm_jump j;
    assert_null(fill(&e, &j));
    assert_int_equal(j.entry, 0x1000000);
    assert_int_equal(j.esi, 0x7f000);
    assert_int_equal(j.eax, 0);
    assert_int_equal(j.ebx, 0);
    assert_int_equal(j.esp, 0x82000);
    assert_int_equal(j.resume, RESUME);
    assert_int_equal(j.gdt, 0x80000);
    assert_int_equal(j.gdt_limit, 31);
    assert_int_equal(j.cs, 0x10);
    assert_int_equal(j.ds, 0x18);
}

/* The tail reads the jump at fixed offsets: lgdt's operand is 6 bytes
 * (limit, base) at 26, the far pointer (offset, selector) at 20. */
static void layout_matches_the_tail(void **state)
{
    (void)state;
    bc_entry e = linux32();
    bc_pm_jump j;
    assert_null(fill(&e, &j));
    const uint8_t *p = (const uint8_t *)&j;
    const uint8_t far[6] = {0x35, 0x85, 0, 0, 0x10, 0};
    const uint8_t gdtr[6] = {31, 0, 0, 0, 0x08, 0};
    assert_memory_equal(p + 20, far, 6);
    assert_memory_equal(p + 26, gdtr, 6);
    assert_int_equal(p[32], 0x18);
    assert_int_equal(sizeof j, 36);
}

/*   entry 0xffffffff: ok (last byte below 4 GiB); 0x100000000: refused */
static void entry_above_4g(void **state)
{
    (void)state;
    bc_entry e = multiboot();
    bc_pm_jump j;
    e.entry = FOUR_G - 1;
    assert_null(fill(&e, &j));
    e.entry = FOUR_G;
    assert_non_null(fill(&e, &j));
    e = linux32();
    e.entry = FOUR_G + 0x1000000;
    assert_non_null(fill(&e, &j));
}

/*   GDT [0xffffffe0, 0x100000000): ok;  [0xffffffe1, ..+32): its last
 *   byte at 4 GiB, refused;  at 4 GiB or near 2^64: refused (no wrap) */
static void gdt_above_4g(void **state)
{
    (void)state;
    bc_entry e = linux32();
    bc_pm_jump j;
    e.gdt = FOUR_G - 32;
    assert_null(fill(&e, &j));
    assert_int_equal(j.gdt, 0xffffffe0u);
    e.gdt = FOUR_G - 31;
    assert_non_null(fill(&e, &j));
    e.gdt = FOUR_G;
    assert_non_null(fill(&e, &j));
    e.gdt = UINT64_MAX - 15;
    assert_non_null(fill(&e, &j));
}

/* limit 31: descriptors 0x00 .. 0x18; 0x20 lies past it. */
static void selector_past_limit(void **state)
{
    (void)state;
    bc_entry e = linux32();
    bc_pm_jump j;
    e.cs = 0x20;
    assert_non_null(fill(&e, &j));
    e = linux32();
    e.ds = 0x20;
    assert_non_null(fill(&e, &j));
    e = linux32();
    e.gdt_limit = 0x1e; /* descriptor 0x18 one byte short */
    assert_non_null(fill(&e, &j));
}

static void selector_not_ring0_gdt(void **state)
{
    (void)state;
    const uint16_t bad[] = {0x00, 0x13, 0x1b, 0x14, 0x0c};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bc_entry e = linux32();
        bc_pm_jump j;
        e.cs = bad[i];
        assert_non_null(fill(&e, &j));
        e = linux32();
        e.ds = bad[i];
        assert_non_null(fill(&e, &j));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(own_gdt_for_multiboot),
        cmocka_unit_test(callers_gdt_for_linux),
        cmocka_unit_test(layout_matches_the_tail),
        cmocka_unit_test(entry_above_4g),
        cmocka_unit_test(gdt_above_4g),
        cmocka_unit_test(selector_past_limit),
        cmocka_unit_test(selector_not_ring0_gdt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
