/* TSC calibration arithmetic (boot/common/tscal.h): CPUID leaves, the
 * ratio, the FADT's PM timer, tight reading pairs and a span followed past
 * counter wraps. The span cases run against a simulated machine: a clock
 * in ns, a PM timer at 3.579545 MHz and a TSC at TRUE_HZ derived from it.
 *
 *   t (ns) ──────────────────────────────────────────────────▶
 *   PM     floor(t * 3579545 / 1e9) & mask     (wraps every 4.69 s at 24 bits)
 *   TSC    t * TRUE_HZ / 1e9
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../support/acpi_build.h"
#include "common/tscal.h"

#define TRUE_HZ  2994000000ull
#define NS       1000000000ull
#define MASK24   0xffffffu
#define MASK32   0xffffffffu
#define WIN      0xe0000ull
#define WIN_SIZE 0x2000u
#define RSDP_AT  (WIN + 0x10)
#define XSDT_AT  (WIN + 0x100)
#define FACP_AT  (WIN + 0x400)

/* ---- CPUID ---------------------------------------------------------- */

static void cpuid_crystal_given(void **state)
{
    (void)state;
    /* 24 MHz crystal, TSC = crystal * 250 / 2 = 3 GHz */
    const uint32_t l15[4] = {2, 250, 24000000, 0}, l16[4] = {0};
    assert_true(bc_tsc_hz_cpuid(0x16, l15, l16) == 3000000000ull);
}

static void cpuid_base_frequency_without_crystal(void **state)
{
    (void)state;
    const uint32_t l15[4] = {2, 200, 0, 0}, l16[4] = {2400, 3800, 100, 0};
    assert_true(bc_tsc_hz_cpuid(0x16, l15, l16) == 2400000000ull);
}

static void cpuid_leaves_beyond_max_ignored(void **state)
{
    (void)state;
    const uint32_t l15[4] = {2, 250, 24000000, 0}, l16[4] = {2400, 0, 0, 0};
    assert_true(bc_tsc_hz_cpuid(0x14, l15, l16) == 0);
    const uint32_t no_crystal[4] = {2, 250, 0, 0};
    assert_true(bc_tsc_hz_cpuid(0x15, no_crystal, l16) == 0); /* leaf 0x16 not there */
}

static void cpuid_no_ratio(void **state)
{
    (void)state;
    const uint32_t zero_den[4] = {0, 250, 24000000, 0}, zero_num[4] = {2, 0, 24000000, 0};
    const uint32_t l16[4] = {2400, 0, 0, 0};
    assert_true(bc_tsc_hz_cpuid(0x16, zero_den, l16) == 0);
    assert_true(bc_tsc_hz_cpuid(0x16, zero_num, l16) == 0);
}

/* ---- the ratio ------------------------------------------------------ */

static void ratio_exact(void **state)
{
    (void)state;
    /* 10 ms: 35795 PM ticks against 29.94 M TSC ticks */
    assert_true(bc_tsc_ratio_hz(29940000, 35795, BC_PM_TIMER_HZ) == 29940000ull * 3579545 / 35795);
}

static void ratio_zero_reference(void **state)
{
    (void)state;
    assert_true(bc_tsc_ratio_hz(1000, 0, BC_PM_TIMER_HZ) == 0);
}

static void ratio_overflow(void **state)
{
    (void)state;
    assert_true(bc_tsc_ratio_hz(UINT64_MAX / 1000, 5, BC_PM_TIMER_HZ) == 0);
    assert_true(bc_tsc_ratio_hz(UINT64_MAX / BC_PM_TIMER_HZ, 1, BC_PM_TIMER_HZ) ==
                (UINT64_MAX / BC_PM_TIMER_HZ) * BC_PM_TIMER_HZ);
}

/* ---- the FADT ------------------------------------------------------- */

static void fadt_pm_tmr_blk_24_bit(void **state)
{
    (void)state;
    uint8_t f[116] = {0};
    uint16_t port = 0;
    uint32_t mask = 0;
    acpi_put32(f + 76, 0x608);
    assert_true(bc_fadt_pm_timer(f, sizeof f, &port, &mask));
    assert_int_equal(port, 0x608);
    assert_int_equal(mask, MASK24);
}

static void fadt_tmr_val_ext_32_bit(void **state)
{
    (void)state;
    uint8_t f[116] = {0};
    uint16_t port;
    uint32_t mask;
    acpi_put32(f + 76, 0xb008);
    acpi_put32(f + 112, 1u << 8);
    assert_true(bc_fadt_pm_timer(f, sizeof f, &port, &mask));
    assert_int_equal(port, 0xb008);
    assert_int_equal(mask, MASK32);
}

static void fadt_x_pm_tmr_blk_wins_in_io_space(void **state)
{
    (void)state;
    uint8_t f[244] = {0};
    uint16_t port;
    uint32_t mask;
    acpi_put32(f + 76, 0x608);
    f[208] = 1; /* system I/O */
    acpi_put64(f + 212, 0x1808);
    assert_true(bc_fadt_pm_timer(f, sizeof f, &port, &mask));
    assert_int_equal(port, 0x1808);
    f[208] = 0; /* system memory: not a port, PM_TMR_BLK stands */
    assert_true(bc_fadt_pm_timer(f, sizeof f, &port, &mask));
    assert_int_equal(port, 0x608);
}

static void fadt_without_timer(void **state)
{
    (void)state;
    uint8_t f[244] = {0};
    uint16_t port;
    uint32_t mask;
    assert_false(bc_fadt_pm_timer(f, sizeof f, &port, &mask)); /* no block */
    acpi_put32(f + 76, 0x608);
    assert_false(bc_fadt_pm_timer(f, 79, &port, &mask)); /* table too short to hold it */
    f[208] = 1;
    acpi_put64(f + 212, 0x10000); /* not a port */
    assert_false(bc_fadt_pm_timer(f, sizeof f, &port, &mask));
}

/* RSDP -> XSDT -> FACP in a window standing for physical memory. */
static const void *map_window(void *ctx, uint64_t phys, uint64_t len)
{
    uint8_t *mem = ctx;
    if (phys < WIN || len > WIN_SIZE || phys - WIN > WIN_SIZE - len)
        return NULL;
    return mem + (phys - WIN);
}

static uint8_t *tables(void)
{
    uint8_t *mem = calloc(1, WIN_SIZE);
    uint8_t *f = mem + (FACP_AT - WIN), *x = mem + (XSDT_AT - WIN);
    acpi_put32(f + 76, 0x608);
    acpi_build_table(f, "FACP", 116);
    acpi_put64(x + 36, FACP_AT);
    acpi_build_table(x, "XSDT", 44);
    acpi_build_rsdp(mem + (RSDP_AT - WIN), 2, 0, XSDT_AT);
    return mem;
}

static void pm_timer_found_through_the_tables(void **state)
{
    (void)state;
    uint8_t *mem = tables();
    uint16_t port = 0;
    uint32_t mask = 0;
    assert_true(bc_pm_timer_find(RSDP_AT, map_window, mem, &port, &mask));
    assert_int_equal(port, 0x608);
    assert_int_equal(mask, MASK24);
    free(mem);
}

static void pm_timer_not_found(void **state)
{
    (void)state;
    uint8_t *mem = tables();
    uint16_t port;
    uint32_t mask;
    assert_false(bc_pm_timer_find(0, map_window, mem, &port, &mask)); /* no RSDP */
    mem[FACP_AT - WIN + 9] ^= 1;                                      /* FADT checksum */
    assert_false(bc_pm_timer_find(RSDP_AT, map_window, mem, &port, &mask));
    free(mem);
}

/* ---- the simulated machine ------------------------------------------ */

typedef struct sim {
    uint64_t ns;       /* now */
    uint64_t step_ns;  /* time each counter read takes */
    uint64_t stall_ns; /* extra delay inside the next `stalls` pairs (between reads) */
    uint32_t stalls;
    uint32_t mask;
    uint32_t reads; /* reference reads */
    bool frozen;    /* the reference stopped: reads return frozen_ref */
    uint32_t frozen_ref;
    uint32_t in_pair; /* reads since the TSC was read */
} sim;

static uint32_t sim_ref(void *ctx)
{
    sim *s = ctx;
    s->ns += s->step_ns;
    s->reads++;
    if (s->in_pair && s->stalls) {
        s->ns += s->stall_ns; /* descheduled between the TSC and the second read */
        s->stalls--;
    }
    s->in_pair = 0;
    if (s->frozen)
        return s->frozen_ref;
    return (uint32_t)(s->ns * BC_PM_TIMER_HZ / NS) & s->mask;
}

static uint64_t sim_tsc_now(const sim *s)
{
    return s->ns * (TRUE_HZ / 1000000u) / 1000u;
}

static uint64_t sim_tsc(void *ctx)
{
    sim *s = ctx;
    s->ns += s->step_ns;
    s->in_pair = 1;
    return sim_tsc_now(s);
}

static void pair_tight_at_once(void **state)
{
    (void)state;
    sim s = {.ns = 5 * NS, .step_ns = 100, .mask = MASK24};
    uint32_t ref;
    uint64_t t;
    assert_true(bc_tsc_ref_pair(sim_ref, sim_tsc, &s, s.mask, &ref, &t));
    assert_int_equal(s.reads, 2);
    assert_int_equal(ref, (uint32_t)((5 * NS + 100) * BC_PM_TIMER_HZ / NS) & MASK24);
    assert_true(t == (5 * NS + 200) * 2994 / 1000);
}

static void pair_retried_after_a_stall(void **state)
{
    (void)state;
    sim s = {.ns = NS, .step_ns = 100, .mask = MASK24, .stall_ns = 50000, .stalls = 2};
    uint32_t ref;
    uint64_t t;
    assert_true(bc_tsc_ref_pair(sim_ref, sim_tsc, &s, s.mask, &ref, &t));
    assert_int_equal(s.reads, 6); /* two wide pairs, then a tight one */
}

static void pair_never_tight(void **state)
{
    (void)state;
    sim s = {.ns = NS, .step_ns = 100, .mask = MASK24, .stall_ns = 50000, .stalls = 1000};
    uint32_t ref;
    uint64_t t;
    assert_false(bc_tsc_ref_pair(sim_ref, sim_tsc, &s, s.mask, &ref, &t));
    assert_int_equal(s.reads, 2 * BC_TSC_PAIR_TRIES);
}

/* Starts a span at the simulated now, advances by each of `gaps_ns` in
 * turn with a plain sample after each, closes with a pair: the result. */
static uint64_t span_over(sim *s, const uint64_t *gaps_ns, size_t n)
{
    bc_tsc_span span;
    uint32_t ref;
    uint64_t t;
    assert_true(bc_tsc_ref_pair(sim_ref, sim_tsc, s, s->mask, &ref, &t));
    bc_tsc_span_start(&span, s->mask, ref, t);
    for (size_t i = 0; i < n; i++) {
        s->ns += gaps_ns[i];
        uint32_t r = sim_ref(s);
        bc_tsc_span_sample(&span, r, sim_tsc_now(s));
    }
    assert_true(bc_tsc_ref_pair(sim_ref, sim_tsc, s, s->mask, &ref, &t));
    bc_tsc_span_sample(&span, ref, t);
    return bc_tsc_span_hz(&span, BC_PM_TIMER_HZ, BC_TSC_SPAN_MIN_TICKS);
}

/* Within `ppm` millionths of TRUE_HZ. */
static void assert_near(uint64_t hz, uint64_t ppm)
{
    uint64_t d = hz > TRUE_HZ ? hz - TRUE_HZ : TRUE_HZ - hz;
    if (d * 1000000u > TRUE_HZ * ppm)
        fail_msg("%llu Hz is more than %llu ppm from %llu", (unsigned long long)hz,
                 (unsigned long long)ppm, (unsigned long long)TRUE_HZ);
}

static void span_of_a_boot(void **state)
{
    (void)state;
    /* phases of 0.2 .. 6 ms, 10 ms in all: within 0.05% */
    const uint64_t gaps[] = {200000, 300000, 1500000, 100000, 1900000, 6000000};
    sim s = {.ns = 3 * NS, .step_ns = 100, .mask = MASK24};
    assert_near(span_over(&s, gaps, 6), 500);
}

static void span_across_wraps_of_a_24_bit_counter(void **state)
{
    (void)state;
    /* 24 bits at 3.58 MHz wrap every 4.69 s: a 12 s span (menu wait)
     * sampled every 0.5 s crosses two wraps */
    uint64_t gaps[24];
    for (size_t i = 0; i < 24; i++)
        gaps[i] = NS / 2;
    sim s = {.ns = 4 * NS, .step_ns = 100, .mask = MASK24};
    assert_near(span_over(&s, gaps, 24), 10);
}

static void span_across_the_wrap_of_a_32_bit_counter(void **state)
{
    (void)state;
    /* start 3.2 ms before the 32-bit counter wraps (at 1199.8652 s) */
    const uint64_t gaps[] = {4000000, 4000000};
    sim s = {.ns = 1199862000000ull, .step_ns = 100, .mask = MASK32};
    assert_near(span_over(&s, gaps, 2), 500);
}

/* Samples 2 s apart: at 2.994 GHz that is more TSC ticks than a 24-bit
 * period (4.69 s) at 500 MHz, so a wrap could have been missed between
 * them: refused, though none was (a slower TSC could have wrapped). */
static void span_with_a_gap_a_wrap_could_hide_in(void **state)
{
    (void)state;
    const uint64_t gaps[] = {NS / 2, 2 * NS, NS / 2};
    sim s = {.ns = NS, .step_ns = 100, .mask = MASK24};
    assert_true(span_over(&s, gaps, 3) == 0);
    /* the same span sampled every 0.5 s */
    const uint64_t fine[] = {NS / 2, NS / 2, NS / 2, NS / 2, NS / 2, NS / 2};
    s = (sim){.ns = NS, .step_ns = 100, .mask = MASK24};
    assert_near(span_over(&s, fine, 6), 10);
}

static void span_too_short(void **state)
{
    (void)state;
    const uint64_t gaps[] = {1500000}; /* 1.5 ms < 2 ms */
    sim s = {.ns = NS, .step_ns = 100, .mask = MASK24};
    assert_true(span_over(&s, gaps, 1) == 0);
}

/* A span started, `gap_ns` of work, then closed with bc_tsc_span_close
 * (min 2 ms): the result, 0 when it cannot be closed. */
static uint64_t span_closed_after(sim *s, uint64_t gap_ns, bc_tsc_span *span)
{
    uint32_t ref;
    uint64_t t;
    assert_true(bc_tsc_ref_pair(sim_ref, sim_tsc, s, s->mask, &ref, &t));
    bc_tsc_span_start(span, s->mask, ref, t);
    s->ns += gap_ns;
    s->reads = 0;
    if (!bc_tsc_span_close(span, sim_ref, sim_tsc, s, BC_TSC_SPAN_MIN_TICKS))
        return 0;
    return bc_tsc_span_hz(span, BC_PM_TIMER_HZ, BC_TSC_SPAN_MIN_TICKS);
}

/* 1.5 ms of work, 2 ms needed: closing waits out the 0.5 ms left (reads
 * of 100 ns each), no more, and the result is as exact.
 *
 *   start |---- 1.5 ms work ----|-- 0.5 ms pairs --| >= 2 ms: closed */
static void span_short_waits_out_the_rest(void **state)
{
    (void)state;
    sim s = {.ns = NS, .step_ns = 100, .mask = MASK24};
    bc_tsc_span span;
    uint64_t start = s.ns;
    assert_near(span_closed_after(&s, 1500000, &span), 500);
    assert_true(span.ref_ticks >= BC_TSC_SPAN_MIN_TICKS);
    assert_true(s.ns - start >= 2000000 && s.ns - start < 2000000 + 1000);
}

/* 10 ms of work: one closing pair (two reference reads), no wait. */
static void span_long_enough_no_wait(void **state)
{
    (void)state;
    sim s = {.ns = NS, .step_ns = 100, .mask = MASK24};
    bc_tsc_span span;
    assert_near(span_closed_after(&s, 10000000, &span), 500);
    assert_int_equal(s.reads, 2);
}

/* The reference stops after the span started: closing gives up after
 * BC_TSC_STILL_PAIRS pairs without a tick instead of waiting forever. */
static void span_close_gives_up_on_a_stopped_reference(void **state)
{
    (void)state;
    sim s = {.ns = NS, .step_ns = 100, .mask = MASK24};
    bc_tsc_span span;
    uint32_t ref;
    uint64_t t;
    assert_true(bc_tsc_ref_pair(sim_ref, sim_tsc, &s, s.mask, &ref, &t));
    bc_tsc_span_start(&span, s.mask, ref, t);
    s.frozen = true;
    s.frozen_ref = ref;
    s.reads = 0;
    assert_false(bc_tsc_span_close(&span, sim_ref, sim_tsc, &s, BC_TSC_SPAN_MIN_TICKS));
    assert_int_equal(s.reads, 2 * BC_TSC_STILL_PAIRS);
}

static void span_not_started(void **state)
{
    (void)state;
    bc_tsc_span span = {0};
    bc_tsc_span_sample(&span, 123456, 1000000000);
    assert_true(bc_tsc_span_hz(&span, BC_PM_TIMER_HZ, 0) == 0);
    sim s = {.ns = NS, .step_ns = 100, .mask = MASK24};
    assert_false(bc_tsc_span_close(&span, sim_ref, sim_tsc, &s, 0));
    assert_int_equal(s.reads, 0);
}

static void span_stuck_tsc_refused(void **state)
{
    (void)state;
    /* the reference moved 10 ms, the TSC not at all */
    bc_tsc_span span;
    bc_tsc_span_start(&span, MASK24, 1000, 77);
    bc_tsc_span_sample(&span, 1000 + 35795, 77);
    assert_true(bc_tsc_span_hz(&span, BC_PM_TIMER_HZ, BC_TSC_SPAN_MIN_TICKS) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpuid_crystal_given),
        cmocka_unit_test(cpuid_base_frequency_without_crystal),
        cmocka_unit_test(cpuid_leaves_beyond_max_ignored),
        cmocka_unit_test(cpuid_no_ratio),
        cmocka_unit_test(ratio_exact),
        cmocka_unit_test(ratio_zero_reference),
        cmocka_unit_test(ratio_overflow),
        cmocka_unit_test(fadt_pm_tmr_blk_24_bit),
        cmocka_unit_test(fadt_tmr_val_ext_32_bit),
        cmocka_unit_test(fadt_x_pm_tmr_blk_wins_in_io_space),
        cmocka_unit_test(fadt_without_timer),
        cmocka_unit_test(pm_timer_found_through_the_tables),
        cmocka_unit_test(pm_timer_not_found),
        cmocka_unit_test(pair_tight_at_once),
        cmocka_unit_test(pair_retried_after_a_stall),
        cmocka_unit_test(pair_never_tight),
        cmocka_unit_test(span_of_a_boot),
        cmocka_unit_test(span_across_wraps_of_a_24_bit_counter),
        cmocka_unit_test(span_across_the_wrap_of_a_32_bit_counter),
        cmocka_unit_test(span_with_a_gap_a_wrap_could_hide_in),
        cmocka_unit_test(span_too_short),
        cmocka_unit_test(span_short_waits_out_the_rest),
        cmocka_unit_test(span_long_enough_no_wait),
        cmocka_unit_test(span_close_gives_up_on_a_stopped_reference),
        cmocka_unit_test(span_not_started),
        cmocka_unit_test(span_stuck_tsc_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
