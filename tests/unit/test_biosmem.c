/* BIOS memory detection against a fake BIOS: the E820 walk's end
 * conditions and limits, 20- vs 24-byte replies, lists that must be
 * refused (no usable RAM, signature lost mid-list), the WARN lines, and
 * each fallback of the chain (E801, AH=88h, INT 12h, the fixed layout). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/biosmem.h"
#include "mos/handoff.h"

struct e820_entry {
    uint64_t base, length;
    uint32_t type, attr;
};

/* What the fake BIOS does. */
struct fake {
    const struct e820_entry *e820;
    uint32_t e820_count;
    uint32_t reply_len;   /* bytes per E820 reply: 20 or 24 (0 = 20) */
    bool e820_absent;     /* CF on the first E820 call */
    bool end_with_carry;  /* CF instead of EBX = 0 after the last entry */
    bool bad_signature;   /* EAX != SMAP */
    uint32_t sig_lost_at; /* EAX != SMAP from this E820 call on (1-based; 0 = never) */
    bool endless;         /* EBX never becomes 0 */
    bool e801_absent, e801_cxdx, h88_absent, int12_absent;
    uint16_t e801_ax, e801_bx, h88_ax, int12_ax;
    uint32_t e820_calls, e801_calls, h88_calls;
};

static void fake_e820(struct fake *f, bm_regs *r, uint8_t *buf)
{
    f->e820_calls++;
    assert_int_equal(r->edx, BM_SMAP);
    assert_true(r->ecx >= 20);
    if (f->e820_absent || (f->end_with_carry && r->ebx >= f->e820_count)) {
        r->carry = true;
        return;
    }
    uint32_t i = f->endless ? r->ebx % f->e820_count : r->ebx;
    memcpy(buf, &f->e820[i].base, 8);
    memcpy(buf + 8, &f->e820[i].length, 8);
    memcpy(buf + 16, &f->e820[i].type, 4);
    uint32_t len = f->reply_len ? f->reply_len : 20;
    if (len == 24)
        memcpy(buf + 20, &f->e820[i].attr, 4);
    bool lost = f->sig_lost_at && f->e820_calls >= f->sig_lost_at;
    r->eax = f->bad_signature || lost ? 0 : BM_SMAP;
    r->ecx = len;
    r->ebx = f->endless || i + 1 < f->e820_count || f->end_with_carry ? i + 1 : 0;
    r->carry = false;
}

static void fake_call(void *ctx, uint8_t intno, bm_regs *r, uint8_t *buf)
{
    struct fake *f = ctx;
    if (intno == 0x12) {
        r->carry = f->int12_absent;
        r->eax = f->int12_ax;
    } else if (r->eax == 0xe820) {
        fake_e820(f, r, buf);
    } else if (r->eax == 0xe801) {
        f->e801_calls++;
        r->carry = f->e801_absent;
        r->eax = f->e801_cxdx ? 0 : f->e801_ax;
        r->ebx = f->e801_cxdx ? 0 : f->e801_bx;
        r->ecx = f->e801_ax;
        r->edx = f->e801_bx;
    } else if ((r->eax >> 8) == 0x88) {
        f->h88_calls++;
        r->carry = f->h88_absent;
        r->eax = f->h88_ax;
    } else {
        fail_msg("unexpected BIOS call %u eax %x", intno, r->eax);
    }
}

/* QEMU/SeaBIOS with 256 MiB. */
static const struct e820_entry qemu[] = {
    {0, 0x9fc00, 1, 1},          {0x9fc00, 0x400, 2, 1},     {0xf0000, 0x10000, 2, 1},
    {0x100000, 0xfee0000, 1, 1}, {0xffe0000, 0x20000, 2, 1}, {0xfffc0000, 0x40000, 2, 1},
};
#define QEMU_N 6u

static mm_entry storage[BM_MAP_MIN_CAPACITY];
static mm_map map;
static bm_e820 e820;

/* WARN lines the detector logged during the last detect(). */
static struct {
    int warns;
    char last[MM_LOG_LINE_MAX];
    char all[4096];
} logged;

static void warn_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    (void)ctx;
    assert_int_equal(level, MM_LOG_WARN); /* the detector logs nothing else */
    logged.warns++;
    memcpy(logged.last, line, len + 1);
    strncat(logged.all, line, sizeof logged.all - strlen(logged.all) - 2);
    strcat(logged.all, "\n");
}

static mm_status detect(struct fake *f, uint32_t first, bm_report *rep)
{
    static const mm_logger lg = {warn_sink, NULL, MM_LOG_TRACE};
    memset(&logged, 0, sizeof logged);
    mm_map_init(&map, storage, BM_MAP_MIN_CAPACITY);
    bm_bios b = {fake_call, f, &lg};
    return bm_detect(&b, first, &map, &e820, rep);
}

static uint64_t usable_bytes(void)
{
    struct mm_map_stats s;
    mm_map_stats(&map, &s);
    return s.usable_bytes;
}

/* 20-byte replies ending with EBX = 0: all six entries, 20-byte records,
 * attributes 0 in the map. */
static void e820_plain(void **state)
{
    (void)state;
    struct fake f = {.e820 = qemu, .e820_count = QEMU_N};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_E820);
    assert_int_equal(e820.count, QEMU_N);
    assert_int_equal(e820.entry_size, 20);
    assert_int_equal(e820.calls, QEMU_N);
    assert_false(e820.truncated);
    assert_int_equal(map.count, QEMU_N);
    assert_int_equal(map.entries[3].base, 0x100000);
    assert_int_equal(map.entries[3].type, MM_TYPE_USABLE);
    assert_int_equal(map.entries[3].attributes, 0);
    assert_int_equal(usable_bytes(), 0x9fc00 + 0xfee0000);
    assert_int_equal(f.e801_calls, 0);
    assert_int_equal(logged.warns, 0); /* a clean walk is quiet */
}

/* 24-byte ACPI 3.0 replies: an entry whose "enabled" bit is clear is
 * ignored; attributes are kept. */
static void e820_acpi3_disabled_entry(void **state)
{
    (void)state;
    struct e820_entry e[QEMU_N];
    memcpy(e, qemu, sizeof e);
    e[3].attr = 0; /* the big usable range must be ignored */
    struct fake f = {.e820 = e, .e820_count = QEMU_N, .reply_len = 24};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(e820.entry_size, 24);
    assert_int_equal(map.count, QEMU_N - 1);
    assert_int_equal(usable_bytes(), 0x9fc00);
    assert_int_equal(map.entries[0].attributes, 1);
}

/* CF after the last entry ends the list like EBX = 0 does. */
static void e820_carry_ends_list(void **state)
{
    (void)state;
    struct fake f = {.e820 = qemu, .e820_count = QEMU_N, .end_with_carry = true};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(e820.count, QEMU_N);
    assert_int_equal(e820.calls, QEMU_N + 1);
}

/* A BIOS whose continuation never reaches 0 is stopped at the limit; the
 * entries read are kept and the cut is logged as a WARN. */
static void e820_endless_is_bounded(void **state)
{
    (void)state;
    struct fake f = {.e820 = qemu, .e820_count = QEMU_N, .endless = true};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_E820);
    assert_true(e820.truncated);
    assert_int_equal(e820.count, BM_E820_MAX_ENTRIES);
    assert_true(f.e820_calls <= BM_E820_MAX_CALLS);
    assert_int_equal(logged.warns, 1);
    assert_non_null(strstr(logged.last, "[WARN ] E820: list cut after 512 entries"));
}

/* A 300-entry map (large servers report that many, issue 2): every entry
 * is kept, nothing is cut, nothing is logged. Alternating 1 MiB usable and
 * 4 KiB reserved ranges from 1 MiB up. */
static void e820_large_map_is_kept(void **state)
{
    (void)state;
    enum { N = 300 };
    static struct e820_entry big[N];
    for (uint32_t i = 0; i < N; i++)
        big[i] = (struct e820_entry){0x100000ull + (uint64_t)i * 0x200000,
                                     i % 2 ? 0x1000 : 0x100000, i % 2 ? 2u : 1u, 1};
    struct fake f = {.e820 = big, .e820_count = N};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_E820);
    assert_int_equal(e820.count, N);
    assert_false(e820.truncated);
    assert_int_equal(map.count, N);
    assert_int_equal(usable_bytes(), (N / 2) * 0x100000ull);
    assert_int_equal(logged.warns, 0);
}

/* E820 answers, but every entry is reserved: not a map to boot on (the
 * boot heap would fail later). E820 counts as failed, E801 takes over, and
 * both the reason and the fall-through are logged. */
static void e820_without_usable_ram_falls_through(void **state)
{
    (void)state;
    static const struct e820_entry reserved_only[] = {
        {0xf0000, 0x10000, 2, 1}, {0xfec00000, 0x1000, 2, 1}, {0xfffc0000, 0x40000, 2, 1}};
    struct fake f = {.e820 = reserved_only, .e820_count = 3, .e801_ax = 1024, .int12_ax = 639};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_E801);
    assert_int_equal(rep.tried, (1u << MOS_BIOS_DETECT_E820) | (1u << MOS_BIOS_DETECT_E801));
    assert_int_equal(usable_bytes(), 639 * 1024 + 1024 * 1024);
    assert_int_equal(logged.warns, 2);
    assert_non_null(strstr(logged.all, "[WARN ] E820: 3 entries but no usable RAM among them\n"));
    assert_non_null(strstr(logged.all, "[WARN ] memory detection: e820 failed, trying e801\n"));
}

/* The same when the only usable entries are disabled (ACPI 3.0 attribute
 * bit 0 clear): the map imports reserved entries only. */
static void e820_all_usable_disabled_falls_through(void **state)
{
    (void)state;
    struct e820_entry e[QEMU_N];
    memcpy(e, qemu, sizeof e);
    e[0].attr = 0;
    e[3].attr = 0;
    struct fake f = {.e820 = e, .e820_count = QEMU_N, .reply_len = 24, .e801_ax = 2048};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_E801);
}

/* The SMAP signature disappears on the 4th reply: the three entries read
 * may be a partial map (hiding RAM or holes), so the list is discarded,
 * E820 counts as failed and E801 is used; WARN names the reply. */
static void e820_signature_lost_mid_list_discards(void **state)
{
    (void)state;
    struct fake f = {
        .e820 = qemu, .e820_count = QEMU_N, .sig_lost_at = 4, .e801_ax = 4096, .int12_ax = 639};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_true(e820.bad_signature);
    assert_int_equal(e820.count, 0);
    assert_int_equal(f.e820_calls, 4); /* no call after the bad reply */
    assert_int_equal(rep.method, MOS_BIOS_DETECT_E801);
    assert_int_equal(usable_bytes(), 639 * 1024 + 4096 * 1024);
    assert_non_null(strstr(
        logged.all,
        "[WARN ] E820: reply 4 lost the SMAP signature; discarding the 3 entries read so far\n"));
    /* Without a logger the outcome is the same, silently. */
    bm_bios quiet = {fake_call, &f, NULL};
    f.e820_calls = 0;
    mm_map_init(&map, storage, BM_MAP_MIN_CAPACITY);
    assert_int_equal(bm_detect(&quiet, MOS_BIOS_DETECT_E820, &map, &e820, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_E801);
}

/* Zero-length entries and short replies are dropped, not stored. */
static void e820_drops_empty_entries(void **state)
{
    (void)state;
    struct e820_entry e[3] = {{0, 0x9fc00, 1, 1}, {0x500000, 0, 1, 1}, {0x100000, 0x100000, 1, 1}};
    struct fake f = {.e820 = e, .e820_count = 3};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(e820.count, 2);
    assert_int_equal(e820.dropped, 1);
}

/* No E820 (CF at once, or a bad signature): E801 takes over, with INT 12h
 * for the memory below 1 MiB. 64 KiB blocks above 16 MiB count. */
static void e801_fallback(void **state)
{
    (void)state;
    struct fake f = {.e820_absent = true, .e801_ax = 15 * 1024, .e801_bx = 240, .int12_ax = 639};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_E801);
    assert_int_equal(rep.tried, (1u << MOS_BIOS_DETECT_E820) | (1u << MOS_BIOS_DETECT_E801));
    assert_int_equal(usable_bytes(), 639 * 1024 + 15 * 1024 * 1024 + 240 * 65536);
    assert_int_equal(rep.low_kib, 639);
    struct fake g = {.e820 = qemu, .e820_count = QEMU_N, .bad_signature = true, .e801_ax = 1024};
    assert_int_equal(detect(&g, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_E801);
    /* INT 12h absent: 0x9F000 of conventional memory. */
    assert_int_equal(usable_bytes(), 0x9f000 + 1024 * 1024);
}

/* Some BIOSes answer E801 in CX/DX with AX = BX = 0. */
static void e801_cx_dx(void **state)
{
    (void)state;
    struct fake f = {.e801_cxdx = true, .e801_ax = 2048, .e801_bx = 16, .int12_ax = 640};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E801, &rep), MM_OK);
    assert_int_equal(usable_bytes(), 640 * 1024 + 2048 * 1024 + 16 * 65536);
    assert_int_equal(f.e820_calls, 0); /* forced start skips E820 */
}

/* E801 absent: AH=88h gives the KiB above 1 MiB. */
static void h88_fallback(void **state)
{
    (void)state;
    struct fake f = {.e801_absent = true, .h88_ax = 0xfc00, .int12_ax = 639};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E801, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_88H);
    assert_int_equal(usable_bytes(), 639 * 1024 + 0xfc00 * 1024ull);
    assert_int_equal(map.entries[1].type, MM_TYPE_RESERVED); /* 639 KiB .. 1 MiB */
}

/* Nothing works: the conservative layout. Forcing "none" gives it
 * without asking the BIOS at all. */
static void everything_fails_gives_fallback(void **state)
{
    (void)state;
    struct fake f = {.e820_absent = true, .e801_absent = true, .h88_absent = true};
    bm_report rep;
    assert_int_equal(detect(&f, MOS_BIOS_DETECT_E820, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_FALLBACK);
    assert_int_equal(usable_bytes(), 0x9f000 + MM_FALLBACK_DEFAULT_RAM - 0x100000);
    struct fake g = {.e820 = qemu, .e820_count = QEMU_N};
    assert_int_equal(detect(&g, MOS_BIOS_DETECT_FALLBACK, &rep), MM_OK);
    assert_int_equal(rep.method, MOS_BIOS_DETECT_FALLBACK);
    assert_int_equal(g.e820_calls + g.e801_calls + g.h88_calls, 0);
}

static void bad_arguments(void **state)
{
    (void)state;
    struct fake f = {0};
    bm_report rep;
    assert_int_equal(detect(&f, 0, &rep), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(detect(&f, 9, &rep), MM_ERR_INVALID_ARGUMENT);
    mm_map small;
    mm_map_init(&small, storage, 4);
    bm_bios b = {fake_call, &f, NULL};
    assert_int_equal(bm_detect(&b, MOS_BIOS_DETECT_E820, &small, &e820, &rep), MM_ERR_MAP_FULL);
    assert_string_equal(bm_method_name(MOS_BIOS_DETECT_88H), "88h");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(e820_plain),
        cmocka_unit_test(e820_acpi3_disabled_entry),
        cmocka_unit_test(e820_carry_ends_list),
        cmocka_unit_test(e820_endless_is_bounded),
        cmocka_unit_test(e820_large_map_is_kept),
        cmocka_unit_test(e820_without_usable_ram_falls_through),
        cmocka_unit_test(e820_all_usable_disabled_falls_through),
        cmocka_unit_test(e820_signature_lost_mid_list_discards),
        cmocka_unit_test(e820_drops_empty_entries),
        cmocka_unit_test(e801_fallback),
        cmocka_unit_test(e801_cx_dx),
        cmocka_unit_test(h88_fallback),
        cmocka_unit_test(everything_fails_gives_fallback),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
