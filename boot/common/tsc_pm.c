#include "tsc_pm.h"

#include "x86io.h"

static uint32_t pm_read(void *ctx)
{
    return x86_inl(((bc_tsc_pm *)ctx)->port);
}

static uint64_t tsc_read(void *ctx)
{
    (void)ctx;
    return x86_rdtsc();
}

void bc_tsc_pm_start(bc_tsc_pm *p, uint64_t rsdp, bc_acpi_map_fn map)
{
    uint32_t mask, ref;
    uint64_t t;
    if (bc_pm_timer_find(rsdp, map, NULL, &p->port, &mask) &&
        bc_tsc_ref_pair(pm_read, tsc_read, p, mask, &ref, &t))
        bc_tsc_span_start(&p->span, mask, ref, t);
}

uint64_t bc_tsc_pm_stamp(bc_tsc_pm *p)
{
    uint64_t t = x86_rdtsc();
    if (p->span.mask)
        bc_tsc_span_sample(&p->span, x86_inl(p->port), t);
    return t;
}

uint64_t bc_tsc_pm_finish(bc_tsc_pm *p, uint32_t min_ticks)
{
    if (!bc_tsc_span_close(&p->span, pm_read, tsc_read, p, min_ticks))
        return 0;
    return bc_tsc_span_hz(&p->span, BC_PM_TIMER_HZ, min_ticks);
}

uint64_t bc_tsc_cpuid_hz_now(void)
{
    uint32_t l0[4], l15[4] = {0}, l16[4] = {0};
    x86_cpuid(0, l0);
    if (l0[0] >= 0x15u)
        x86_cpuid(0x15u, l15);
    if (l0[0] >= 0x16u)
        x86_cpuid(0x16u, l16);
    return bc_tsc_hz_cpuid(l0[0], l15, l16);
}
