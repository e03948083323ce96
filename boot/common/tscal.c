/* TSC calibration arithmetic (tscal.h). */
#include "tscal.h"

uint64_t bc_tsc_hz_cpuid(uint32_t max_leaf, const uint32_t l15[4], const uint32_t l16[4])
{
    if (max_leaf < 0x15u || l15[0] == 0 || l15[1] == 0)
        return 0;
    if (l15[2] != 0)
        return bc_tsc_ratio_hz(l15[2], l15[0], l15[1]);
    if (max_leaf < 0x16u || (l16[0] & 0xffffu) == 0)
        return 0;
    return (uint64_t)(l16[0] & 0xffffu) * 1000000u;
}

static uint64_t div64(uint64_t n, uint64_t d)
{
    return mm_div_u64(n, d, NULL);
}

uint64_t bc_tsc_ratio_hz(uint64_t tsc_ticks, uint64_t ref_ticks, uint32_t ref_hz)
{
    if (ref_ticks == 0 || (ref_hz && tsc_ticks > UINT64_MAX / ref_hz))
        return 0;
    return div64(tsc_ticks * ref_hz, ref_ticks);
}

bool bc_fadt_pm_timer(const uint8_t *fadt, uint32_t len, uint16_t *port, uint32_t *mask)
{
    uint64_t p = len >= 80 ? mm_load_le32(fadt + 76) : 0; /* PM_TMR_BLK */
    if (len >= 220 && fadt[208] == 1 && mm_load_le64(fadt + 212) != 0)
        p = mm_load_le64(fadt + 212); /* X_PM_TMR_BLK, system I/O space */
    if (p == 0 || p > 0xffffu)
        return false;
    *port = (uint16_t)p;
    bool ext = len >= 116 && (mm_load_le32(fadt + 112) & (1u << 8)); /* TMR_VAL_EXT */
    *mask = ext ? 0xffffffffu : 0xffffffu;
    return true;
}

bool bc_pm_timer_find(uint64_t rsdp, bc_acpi_map_fn map, void *ctx, uint16_t *port, uint32_t *mask)
{
    bc_acpi a;
    uint64_t phys;
    uint32_t len;
    if (rsdp == 0 || bc_acpi_init(&a, rsdp, map, ctx, NULL, 0) != MM_OK ||
        bc_acpi_find(&a, "FACP", 0, &phys) != MM_OK)
        return false;
    const uint8_t *fadt = bc_acpi_table(&a, phys, "FACP", &len);
    return fadt && bc_fadt_pm_timer(fadt, len, port, mask);
}

bool bc_tsc_ref_pair(uint32_t (*read)(void *ctx), uint64_t (*tsc)(void *ctx), void *ctx,
                     uint32_t mask, uint32_t *ref, uint64_t *t)
{
    for (uint32_t i = 0; i < BC_TSC_PAIR_TRIES; i++) {
        uint32_t a = read(ctx) & mask;
        uint64_t now = tsc(ctx);
        uint32_t b = read(ctx) & mask;
        if (((b - a) & mask) <= BC_TSC_PAIR_MAX_TICKS) {
            *ref = a;
            *t = now;
            return true;
        }
    }
    return false;
}

void bc_tsc_span_start(bc_tsc_span *s, uint32_t mask, uint32_t ref, uint64_t tsc)
{
    *s = (bc_tsc_span){.tsc0 = tsc, .tsc = tsc, .ref_last = ref & mask, .mask = mask};
}

void bc_tsc_span_sample(bc_tsc_span *s, uint32_t ref, uint64_t tsc)
{
    if (s->mask == 0)
        return;
    ref &= s->mask;
    if (tsc - s->tsc > s->max_gap)
        s->max_gap = tsc - s->tsc;
    s->ref_ticks += (ref - s->ref_last) & s->mask;
    s->ref_last = ref;
    s->tsc = tsc;
}

bool bc_tsc_span_close(bc_tsc_span *s, uint32_t (*read)(void *ctx), uint64_t (*tsc)(void *ctx),
                       void *ctx, uint64_t min_ref_ticks)
{
    if (s->mask == 0)
        return false;
    for (uint32_t still = 0; still < BC_TSC_STILL_PAIRS;) {
        uint32_t ref;
        uint64_t t, before = s->ref_ticks;
        if (!bc_tsc_ref_pair(read, tsc, ctx, s->mask, &ref, &t))
            return false;
        bc_tsc_span_sample(s, ref, t);
        if (s->ref_ticks >= min_ref_ticks)
            return true;
        still = s->ref_ticks == before ? still + 1 : 0;
    }
    return false;
}

uint64_t bc_tsc_span_hz(const bc_tsc_span *s, uint32_t ref_hz, uint64_t min_ref_ticks)
{
    if (s->mask == 0 || s->ref_ticks < min_ref_ticks || s->ref_ticks == 0 || ref_hz == 0)
        return 0;
    uint64_t period_ticks = div64(((uint64_t)s->mask + 1) * BC_TSC_HZ_FLOOR, ref_hz);
    if (s->max_gap >= period_ticks)
        return 0; /* a wrap may have gone unseen */
    uint64_t hz = bc_tsc_ratio_hz(s->tsc - s->tsc0, s->ref_ticks, ref_hz);
    return hz >= BC_TSC_HZ_MIN && hz <= BC_TSC_HZ_MAX ? hz : 0;
}
