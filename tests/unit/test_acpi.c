/* RSDP validation, root walk and MADT parsing over synthetic tables in a
 * host buffer standing for physical memory [WIN, WIN + WIN_BYTES). Tables
 * are built field by field with their checksums fixed up, then one rule
 * is broken at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../support/acpi_build.h"

#define WIN       0xe0000ULL
#define WIN_BYTES 0x10000u
#define RSDP_AT   (WIN + 0x10)
#define RSDT_AT   (WIN + 0x100)
#define XSDT_AT   (WIN + 0x200)
#define MADT_AT   (WIN + 0x403) /* odd on purpose: nothing needs alignment */
#define FACP_AT   (WIN + 0x800)
#define SSDT1_AT  (WIN + 0x900)
#define SSDT2_AT  (WIN + 0xa00)

typedef struct world {
    uint8_t *mem;
    uint32_t maps; /* calls of the map function */
    char why[128];
} world;

static const void *map_window(void *ctx, uint64_t phys, uint64_t len)
{
    world *w = ctx;
    w->maps++;
    if (phys < WIN || len > WIN_BYTES || phys - WIN > WIN_BYTES - len)
        return NULL;
    return w->mem + (phys - WIN);
}

static uint8_t *at(world *w, uint64_t phys)
{
    return w->mem + (phys - WIN);
}

static void rsdp(world *w, uint8_t rev, uint64_t rsdt, uint64_t xsdt)
{
    acpi_build_rsdp(at(w, RSDP_AT), rev, rsdt, xsdt);
}

static void table(world *w, uint64_t phys, const char *sig, uint32_t len)
{
    acpi_build_table(at(w, phys), sig, len);
}

static void rsdt(world *w, const uint64_t *ptrs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        acpi_put32(at(w, RSDT_AT) + 36 + 4 * i, (uint32_t)ptrs[i]);
    table(w, RSDT_AT, "RSDT", 36 + 4 * n);
}

static void xsdt(world *w, const uint64_t *ptrs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        acpi_put64(at(w, XSDT_AT) + 36 + 8 * i, ptrs[i]);
    table(w, XSDT_AT, "XSDT", 36 + 8 * n);
}

/* MADT entries, appended at *off (starting at 44). */
static void lapic(uint8_t *m, uint32_t *off, uint8_t uid, uint8_t id, uint32_t flags)
{
    acpi_madt_lapic(m + *off, uid, id, flags);
    *off += 8;
}

static void x2apic(uint8_t *m, uint32_t *off, uint32_t uid, uint32_t id, uint32_t flags)
{
    acpi_madt_x2apic(m + *off, uid, id, flags);
    *off += 16;
}

static void entry_raw(uint8_t *m, uint32_t *off, uint8_t type, uint8_t len)
{
    memset(m + *off, 0xee, len);
    m[*off] = type;
    m[*off + 1] = len;
    *off += len;
}

/* The standard world: ACPI 2.0 RSDP, XSDT and RSDT both listing FACP,
 * APIC, SSDT, SSDT; the MADT lists
 *   LAPIC  uid 0 id 0 enabled
 *   IOAPIC (type 1, skipped)
 *   LAPIC  uid 1 id 2 enabled
 *   LAPIC  uid 2 id 4 disabled, not online-capable  -> left out
 *   LAPIC  uid 3 id 6 online-capable
 *   x2APIC uid 4 id 300 enabled
 *   x2APIC uid 9 id 2 enabled                       -> already listed */
static uint32_t build_madt(world *w)
{
    uint8_t *m = at(w, MADT_AT);
    uint32_t off = 44;
    acpi_put32(m + 36, 0xfee00000);
    acpi_put32(m + 40, 1);
    lapic(m, &off, 0, 0, 1);
    entry_raw(m, &off, 1, 12);
    lapic(m, &off, 1, 2, 1);
    lapic(m, &off, 2, 4, 0);
    lapic(m, &off, 3, 6, 2);
    x2apic(m, &off, 4, 300, 1);
    x2apic(m, &off, 9, 2, 1);
    table(w, MADT_AT, "APIC", off);
    return off;
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    w->mem = calloc(1, WIN_BYTES);
    const uint64_t ptrs[] = {FACP_AT, MADT_AT, SSDT1_AT, SSDT2_AT};
    table(w, FACP_AT, "FACP", 116);
    build_madt(w);
    at(w, SSDT1_AT)[36] = 1;
    table(w, SSDT1_AT, "SSDT", 40);
    at(w, SSDT2_AT)[36] = 2;
    table(w, SSDT2_AT, "SSDT", 40);
    rsdt(w, ptrs, 4);
    xsdt(w, ptrs, 4);
    rsdp(w, 2, RSDT_AT, XSDT_AT);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    free(w->mem);
    free(w);
    return 0;
}

static mm_status init(world *w, bc_acpi *a)
{
    return bc_acpi_init(a, RSDP_AT, map_window, w, w->why, sizeof w->why);
}

static void expect_init_fails(world *w, const char *msg)
{
    bc_acpi a;
    assert_int_equal(init(w, &a), MM_ERR_INVALID_ARGUMENT);
    if (!strstr(w->why, msg))
        fail_msg("reason \"%s\" lacks \"%s\"", w->why, msg);
    assert_int_equal(a.root, 0);
}

/* ---- RSDP ---- */

static void rev2_walks_the_xsdt(void **state)
{
    world *w = *state;
    bc_acpi a;
    assert_int_equal(init(w, &a), MM_OK);
    assert_int_equal(a.revision, 2);
    assert_true(a.root == XSDT_AT && a.xsdt == XSDT_AT && a.rsdt == RSDT_AT);
    assert_int_equal(a.entry_size, 8);
    assert_int_equal(a.entries, 4);
    assert_string_equal(a.oem_id, "MOSOEM");
}

static void rev0_walks_the_rsdt(void **state)
{
    world *w = *state;
    memset(at(w, RSDP_AT), 0, 36);
    rsdp(w, 0, RSDT_AT, 0);
    bc_acpi a;
    assert_int_equal(init(w, &a), MM_OK);
    assert_int_equal(a.revision, 0);
    assert_true(a.root == RSDT_AT && a.xsdt == 0);
    assert_int_equal(a.entry_size, 4);
    assert_int_equal(a.entries, 4);
}

/* Revision 2 without an XSDT address falls back to the RSDT. */
static void rev2_without_xsdt_uses_rsdt(void **state)
{
    world *w = *state;
    rsdp(w, 2, RSDT_AT, 0);
    bc_acpi a;
    assert_int_equal(init(w, &a), MM_OK);
    assert_true(a.root == RSDT_AT);
}

static void rsdp_bad_signature(void **state)
{
    world *w = *state;
    at(w, RSDP_AT)[3] = 'X';
    expect_init_fails(w, "signature is not \"RSD PTR \"");
}

static void rsdp_bad_checksum(void **state)
{
    world *w = *state;
    at(w, RSDP_AT)[10] ^= 1;
    expect_init_fails(w, "checksum of the first 20 bytes");
}

/* Byte 30 lies outside the first 20: only the extended checksum sees it. */
static void rsdp_bad_extended_checksum(void **state)
{
    world *w = *state;
    at(w, RSDP_AT)[30] ^= 1;
    expect_init_fails(w, "extended checksum");
}

static void rsdp_revision_1(void **state)
{
    world *w = *state;
    rsdp(w, 1, RSDT_AT, 0);
    expect_init_fails(w, "revision 1 is not defined");
}

static void rsdp_short_length(void **state)
{
    world *w = *state;
    uint8_t *p = at(w, RSDP_AT);
    acpi_put32(p + 20, 20);
    acpi_fix_sum(p, 36, 32);
    expect_init_fails(w, "length below 36");
}

static void rsdp_validate_direct(void **state)
{
    world *w = *state;
    bc_acpi a = {0};
    char why[64];
    assert_int_equal(bc_rsdp_validate(at(w, RSDP_AT), 36, &a, why, sizeof why), MM_OK);
    /* A v2 RSDP with only 20 readable bytes cannot be checked fully. */
    assert_int_equal(bc_rsdp_validate(at(w, RSDP_AT), 20, &a, why, sizeof why),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_rsdp_validate(at(w, RSDP_AT), 19, &a, NULL, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_rsdp_validate(NULL, 36, &a, NULL, 0), MM_ERR_INVALID_ARGUMENT);
}

static void rsdp_unreachable(void **state)
{
    world *w = *state;
    bc_acpi a;
    assert_int_equal(bc_acpi_init(&a, 0x1000, map_window, w, w->why, sizeof w->why),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_acpi_init(&a, 0, map_window, w, NULL, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_acpi_init(&a, RSDP_AT, NULL, w, NULL, 0), MM_ERR_INVALID_ARGUMENT);
}

/* ---- the BIOS-area scan ----
 *
 *   area (4 KiB of 'R's: every paragraph starts like an RSDP)
 *   0x000 ....  0x040 damaged  0x080 revision 1  0x0c0 valid  ...  0xfd0 cut off
 */
#define SCAN_AREA 0x1000u

static uint8_t *scan_area(void)
{
    uint8_t *a = malloc(SCAN_AREA);
    memset(a, 'R', SCAN_AREA);
    return a;
}

static void scan_finds_the_first_valid(void **state)
{
    (void)state;
    uint8_t *a = scan_area();
    size_t off = 0;
    acpi_build_rsdp(a + 0x40, 2, RSDT_AT, XSDT_AT);
    a[0x40 + 30] ^= 1; /* extended checksum broken */
    acpi_build_rsdp(a + 0x80, 1, RSDT_AT, 0);
    acpi_build_rsdp(a + 0xc0, 2, RSDT_AT, XSDT_AT);
    acpi_build_rsdp(a + 0x100, 0, RSDT_AT, 0);
    assert_int_equal(bc_rsdp_scan(a, SCAN_AREA, &off), MM_OK);
    assert_int_equal(off, 0xc0);
    free(a);
}

/* Only 16-byte steps are looked at. */
static void scan_ignores_unaligned(void **state)
{
    (void)state;
    uint8_t *a = scan_area();
    size_t off = 0;
    acpi_build_rsdp(a + 0x48, 0, RSDT_AT, 0);
    assert_int_equal(bc_rsdp_scan(a, SCAN_AREA, &off), MM_ERR_NOT_FOUND);
    acpi_build_rsdp(a + 0x50, 0, RSDT_AT, 0);
    assert_int_equal(bc_rsdp_scan(a, SCAN_AREA, &off), MM_OK);
    assert_int_equal(off, 0x50);
    free(a);
}

/* A revision 2 RSDP whose 36 bytes pass the end is not read past it; a
 * revision 0 one needs its 20. */
static void scan_stops_at_end(void **state)
{
    (void)state;
    uint8_t *a = scan_area();
    size_t off = 0;
    acpi_build_rsdp(a + SCAN_AREA - 48, 2, RSDT_AT, XSDT_AT);
    assert_int_equal(bc_rsdp_scan(a, SCAN_AREA - 48 + 35, &off), MM_ERR_NOT_FOUND);
    assert_int_equal(bc_rsdp_scan(a, SCAN_AREA - 48 + 36, &off), MM_OK);
    assert_int_equal(off, SCAN_AREA - 48);
    acpi_build_rsdp(a, 0, RSDT_AT, 0);
    assert_int_equal(bc_rsdp_scan(a, 19, &off), MM_ERR_NOT_FOUND);
    assert_int_equal(bc_rsdp_scan(a, 20, &off), MM_OK);
    assert_int_equal(off, 0);
    assert_int_equal(bc_rsdp_scan(NULL, SCAN_AREA, &off), MM_ERR_NOT_FOUND);
    free(a);
}

/* ---- root tables ---- */

static void xsdt_bad_checksum(void **state)
{
    world *w = *state;
    at(w, XSDT_AT)[40] ^= 0x10;
    expect_init_fails(w, "XSDT: checksum is not 0");
}

static void xsdt_wrong_signature(void **state)
{
    world *w = *state;
    memcpy(at(w, XSDT_AT), "RSDT", 4);
    expect_init_fails(w, "XSDT: signature does not match");
}

static void xsdt_outside_memory(void **state)
{
    world *w = *state;
    rsdp(w, 2, RSDT_AT, WIN + WIN_BYTES - 8);
    expect_init_fails(w, "not reachable");
}

/* A length that runs past what can be mapped. */
static void xsdt_length_too_large(void **state)
{
    world *w = *state;
    acpi_put32(at(w, XSDT_AT) + 4, 2u << 20);
    expect_init_fails(w, "XSDT: length below 36 or above 1 MiB");
}

static void table_validate_direct(void **state)
{
    world *w = *state;
    char why[64];
    assert_int_equal(bc_acpi_table_validate(at(w, FACP_AT), 116, "FACP", why, sizeof why), MM_OK);
    assert_int_equal(bc_acpi_table_validate(at(w, FACP_AT), 115, "FACP", why, sizeof why),
                     MM_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(why, "past the readable bytes"));
    assert_int_equal(bc_acpi_table_validate(at(w, FACP_AT), 116, "APIC", why, sizeof why),
                     MM_ERR_INVALID_ARGUMENT);
}

/* ---- lookup ---- */

static void find_tables(void **state)
{
    world *w = *state;
    bc_acpi a;
    uint64_t phys = 0;
    assert_int_equal(init(w, &a), MM_OK);
    assert_int_equal(bc_acpi_find(&a, "APIC", 0, &phys), MM_OK);
    assert_true(phys == MADT_AT);
    assert_int_equal(bc_acpi_find(&a, "SSDT", 1, &phys), MM_OK);
    assert_true(phys == SSDT2_AT);
    assert_int_equal(bc_acpi_find(&a, "SSDT", 2, &phys), MM_ERR_NOT_FOUND);
    assert_int_equal(bc_acpi_find(&a, "HPET", 0, &phys), MM_ERR_NOT_FOUND);
    assert_int_equal(bc_acpi_find(&a, NULL, 0, &phys), MM_ERR_INVALID_ARGUMENT);
    uint32_t len = 0;
    const uint8_t *t = bc_acpi_table(&a, MADT_AT, "APIC", &len);
    assert_ptr_equal(t, at(w, MADT_AT));
    assert_int_equal(len, mm_load_le32(at(w, MADT_AT) + 4));
}

/* A damaged table is skipped: the first SSDT's checksum breaks, so index 0
 * is now the second one. The same lookups through the RSDT. */
static void find_skips_damaged_tables(void **state)
{
    world *w = *state;
    at(w, SSDT1_AT)[37] = 5;
    memset(at(w, RSDP_AT), 0, 36);
    rsdp(w, 0, RSDT_AT, 0);
    bc_acpi a;
    uint64_t phys = 0;
    assert_int_equal(init(w, &a), MM_OK);
    assert_int_equal(bc_acpi_find(&a, "SSDT", 0, &phys), MM_OK);
    assert_true(phys == SSDT2_AT);
    assert_int_equal(bc_acpi_find(&a, "SSDT", 1, &phys), MM_ERR_NOT_FOUND);
    assert_int_equal(bc_acpi_find(&a, "FACP", 0, &phys), MM_OK);
    assert_true(phys == FACP_AT);
}

/* Root entries pointing nowhere (0, outside memory) are skipped. */
static void find_skips_unreachable_entries(void **state)
{
    world *w = *state;
    const uint64_t ptrs[] = {0, 0x7fff0000ULL, MADT_AT};
    xsdt(w, ptrs, 3);
    bc_acpi a;
    uint64_t phys = 0;
    assert_int_equal(init(w, &a), MM_OK);
    assert_int_equal(a.entries, 3);
    assert_int_equal(bc_acpi_find(&a, "APIC", 0, &phys), MM_OK);
    assert_true(phys == MADT_AT);
}

/* ---- MADT ---- */

static void madt_lists_enabled_cpus(void **state)
{
    world *w = *state;
    uint32_t len = build_madt(w);
    bc_madt m;
    bc_madt_cpu cpus[8];
    assert_int_equal(bc_madt_parse(at(w, MADT_AT), len, &m, cpus, 8), MM_OK);
    assert_true(m.lapic_addr == 0xfee00000);
    assert_int_equal(m.madt_flags, 1);
    assert_int_equal(m.count, 4);
    assert_int_equal(m.stored, 4);
    const bc_madt_cpu want[] = {
        {0, 0, BC_MADT_ENABLED, BC_MADT_LAPIC},
        {2, 1, BC_MADT_ENABLED, BC_MADT_LAPIC},
        {6, 3, BC_MADT_ONLINE_CAPABLE, BC_MADT_LAPIC},
        {300, 4, BC_MADT_ENABLED, BC_MADT_X2APIC},
    };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(cpus[i].apic_id, want[i].apic_id);
        assert_int_equal(cpus[i].acpi_uid, want[i].acpi_uid);
        assert_int_equal(cpus[i].flags, want[i].flags);
        assert_int_equal(cpus[i].type, want[i].type);
    }
}

/* Two slots for four CPUs: the first two stored, all four counted. */
static void madt_capacity_exceeded(void **state)
{
    world *w = *state;
    uint32_t len = build_madt(w);
    bc_madt m;
    bc_madt_cpu cpus[2];
    assert_int_equal(bc_madt_parse(at(w, MADT_AT), len, &m, cpus, 2), MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(m.stored, 2);
    assert_int_equal(m.count, 4);
    assert_int_equal(cpus[1].apic_id, 2);
    assert_int_equal(bc_madt_parse(at(w, MADT_AT), len, &m, NULL, 0), MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(m.count, 4);
}

static void madt_address_override(void **state)
{
    world *w = *state;
    uint8_t *m = at(w, MADT_AT);
    uint32_t off = 44;
    acpi_put32(m + 36, 0xfee00000);
    lapic(m, &off, 0, 0, 1);
    uint8_t *e = m + off;
    e[0] = 5;
    e[1] = 12;
    acpi_put64(e + 4, 0x1234567000ULL);
    off += 12;
    bc_madt out;
    bc_madt_cpu cpus[1];
    assert_int_equal(bc_madt_parse(m, off, &out, cpus, 1), MM_OK);
    assert_true(out.lapic_addr == 0x1234567000ULL);
}

/* Entries that break the walk: zero length (would loop), running past
 * the table, too short for their type. CPUs before the damage stay. */
static void madt_malformed_entries(void **state)
{
    world *w = *state;
    uint8_t *m = at(w, MADT_AT);
    bc_madt out;
    bc_madt_cpu cpus[4];
    uint32_t off = 44;
    lapic(m, &off, 0, 0, 1);
    m[off] = 1;
    m[off + 1] = 0;
    assert_int_equal(bc_madt_parse(m, off + 2, &out, cpus, 4), MM_ERR_MAP_INVALID);
    assert_int_equal(out.stored, 1);
    m[off + 1] = 12; /* 12 bytes announced, 6 left */
    assert_int_equal(bc_madt_parse(m, off + 6, &out, cpus, 4), MM_ERR_MAP_INVALID);
    m[off] = 9; /* x2APIC needs 16 */
    m[off + 1] = 12;
    assert_int_equal(bc_madt_parse(m, off + 12, &out, cpus, 4), MM_ERR_MAP_INVALID);
    m[off] = 0; /* LAPIC needs 8 */
    m[off + 1] = 4;
    assert_int_equal(bc_madt_parse(m, off + 4, &out, cpus, 4), MM_ERR_MAP_INVALID);
    assert_int_equal(bc_madt_parse(m, off + 1, &out, cpus, 4), MM_ERR_MAP_INVALID);
    assert_int_equal(bc_madt_parse(m, 43, &out, cpus, 4), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_madt_parse(m, 44, &out, NULL, 4), MM_ERR_INVALID_ARGUMENT);
}

/* An MADT with no processor entries: nothing listed, not an error. */
static void madt_without_cpus(void **state)
{
    world *w = *state;
    uint8_t *m = at(w, MADT_AT);
    uint32_t off = 44;
    entry_raw(m, &off, 1, 12);
    entry_raw(m, &off, 2, 10);
    bc_madt out;
    assert_int_equal(bc_madt_parse(m, off, &out, NULL, 0), MM_OK);
    assert_int_equal(out.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(rev2_walks_the_xsdt),
        T(rev0_walks_the_rsdt),
        T(rev2_without_xsdt_uses_rsdt),
        T(rsdp_bad_signature),
        T(rsdp_bad_checksum),
        T(rsdp_bad_extended_checksum),
        T(rsdp_revision_1),
        T(rsdp_short_length),
        T(rsdp_validate_direct),
        T(rsdp_unreachable),
        T(scan_finds_the_first_valid),
        T(scan_ignores_unaligned),
        T(scan_stops_at_end),
        T(xsdt_bad_checksum),
        T(xsdt_wrong_signature),
        T(xsdt_outside_memory),
        T(xsdt_length_too_large),
        T(table_validate_direct),
        T(find_tables),
        T(find_skips_damaged_tables),
        T(find_skips_unreachable_entries),
        T(madt_lists_enabled_cpus),
        T(madt_capacity_exceeded),
        T(madt_address_override),
        T(madt_malformed_entries),
        T(madt_without_cpus),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
