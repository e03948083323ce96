/* The MultiOS back end's CPUs (mos_smp.h). */
#include "mos_smp.h"

#include "x86io.h"

#define LOW_END        0xa0000u /* the trampoline stays below the legacy hole */
#define APIC_BASE_MSR  0x1bu
#define APIC_BASE_X2   (1u << 10)
#define X2APIC_ICR_MSR 0x830u

/* The loaders reach tables below 4 GiB directly (bc_acpi_map_fn). */
static const void *acpi_map(void *ctx, uint64_t phys, uint64_t len)
{
    if (phys + len < phys || phys + len > ((uint64_t)4 << 30))
        return NULL;
    return bc_boot_ptr(ctx, phys);
}

/* The MADT's CPUs into the boot heap; false (with the reason logged) when
 * there is no usable MADT. */
static bool read_madt(bc_boot *b, bc_mos_smp *s)
{
    char why[96] = "";
    const char *reason = "no ACPI RSDP";
    bc_acpi a;
    bc_madt m;
    uint64_t phys;
    uint32_t len;
    const uint8_t *t = NULL;
    if (b->platform.acpi_rsdp) {
        reason = why;
        if (bc_acpi_init(&a, b->platform.acpi_rsdp, acpi_map, b, why, sizeof why) == MM_OK) {
            reason = "no MADT in the ACPI tables";
            if (bc_acpi_find(&a, "APIC", 0, &phys) == MM_OK)
                t = bc_acpi_table(&a, phys, "APIC", &len);
        }
    }
    if (!t || bc_madt_parse(t, len, &m, NULL, 0) == MM_ERR_MAP_INVALID || m.count == 0) {
        mm_log(bc_boot_log(b), MM_LOG_WARN, "CPUs: %s: starting none but this one",
               t ? "the MADT lists no usable CPU" : reason);
        return false;
    }
    s->madt = bc_boot_alloc_aligned(b, (uint64_t)m.count * sizeof *s->madt, 8, "MADT CPU list");
    bc_madt_parse(t, len, &m, s->madt, m.count);
    s->madt_count = m.stored;
    s->lapic_addr = m.lapic_addr;
    return true;
}

/* The first 4 KiB-aligned free spot below LOW_END for the trampoline. */
static bool place_trampoline(bc_boot *b, bc_mos_smp *s)
{
    uint64_t g = b->mem.bitmap_granularity, size;
    if (!mm_align_up(BC_TRAMP_BYTES, g, &size))
        return false;
    for (uint64_t a = g > 0x1000 ? g : 0x1000; a + size <= LOW_END; a += g) {
        if (bc_boot_place_at(b, BC_RANGE_AP_TRAMPOLINE, a, BC_TRAMP_BYTES) == MM_OK) {
            s->tramp = b->range[BC_RANGE_AP_TRAMPOLINE];
            return true;
        }
    }
    return false;
}

static uint32_t this_apic_id(void)
{
    uint32_t r[4];
    x86_cpuid(1, r);
    return r[1] >> 24;
}

/* The MADT's CPUs, and room for starting the APs among them. */
static void find_aps(bc_boot *b, bc_mos_smp *s)
{
    if (!read_madt(b, s)) {
        s->smp_flags = MOS_SMP_NO_MADT;
        return;
    }
    if (x86_rdmsr(APIC_BASE_MSR) & APIC_BASE_X2)
        s->smp_flags |= MOS_SMP_X2APIC;
    s->cpu_capacity = s->madt_count;
    s->ap_count = bc_smp_ap_count(s->madt, s->madt_count, s->bsp_apic_id);
    if (s->ap_count && !place_trampoline(b, s)) {
        mm_log(bc_boot_log(b), MM_LOG_WARN,
               "CPUs: no %u bytes free below 0x%x for the AP "
               "trampoline: starting none but this one",
               BC_TRAMP_BYTES, LOW_END);
        s->ap_count = 0;
    }
    if (s->ap_count)
        bc_boot_place_required(b, BC_RANGE_AP_STACKS, bc_smp_stacks_bytes(s->ap_count), 0,
                               &s->stacks);
}

void bc_mos_smp_prepare(bc_boot *b, bc_mos_smp *s)
{
    mm_memset(s, 0, sizeof *s);
    s->bsp_apic_id = this_apic_id();
    s->cpu_capacity = 1;
    if (b->platform.ap_blob)
        find_aps(b, s);
    s->cpus =
        s->cpu_capacity == 1
            ? s->one
            : bc_boot_alloc_aligned(b, (uint64_t)s->cpu_capacity * sizeof *s->cpus, 8, "CPU list");
}

/* ---- starting ---- */

typedef struct tsc_delay {
    const bc_boot *b;
    uint64_t ticks_per_us; /* at least the real rate: delays are never short */
} tsc_delay;

/* TSC ticks per microsecond, rounded up (so delays are never short).
 * Unknown frequency: 8192, enough for any CPU below 8 GHz. */
static uint64_t ticks_per_us(uint64_t hz)
{
    uint64_t r, q = mm_div_u64(hz, 1000000u, &r);
    return hz ? q + (r != 0) : 8192;
}

/* This CPU's vendor and family decide the INIT wait (smp.h). */
static bool init_wait_needed(void)
{
    uint32_t r[4], vendor[3];
    x86_cpuid(0, r);
    vendor[0] = r[1];
    vendor[1] = r[3];
    vendor[2] = r[2];
    x86_cpuid(1, r);
    uint32_t family = (r[0] >> 8) & 0xf;
    if (family == 0xf)
        family += (r[0] >> 20) & 0xff;
    return bc_smp_init_wait_needed(vendor, family);
}

static void delay_us(void *ctx, uint32_t us)
{
    const tsc_delay *d = ctx;
    uint64_t start = d->b->fw->timestamp(d->b->fw->ctx), want = d->ticks_per_us * us;
    while (d->b->fw->timestamp(d->b->fw->ctx) - start < want)
        __builtin_ia32_pause();
}

static void x2apic_send_ipi(void *ctx, uint32_t apic_id, uint32_t icr_low)
{
    (void)ctx;
    __asm__ volatile("mfence" ::: "memory");
    x86_wrmsr(X2APIC_ICR_MSR, (uint64_t)apic_id << 32 | icr_low);
}

static bool x2apic_pending(void *ctx)
{
    (void)ctx;
    return false;
}

typedef struct ipi_ctx {
    tsc_delay delay;
    void *lapic;
} ipi_ctx;

static void ipi_send(void *ctx, uint32_t id, uint32_t icr)
{
    ipi_ctx *c = ctx;
    if (c->lapic)
        bc_xapic_mmio_send_ipi(c->lapic, id, icr);
    else
        x2apic_send_ipi(NULL, id, icr);
}

static bool ipi_pending(void *ctx)
{
    ipi_ctx *c = ctx;
    return c->lapic ? bc_xapic_mmio_ipi_pending(c->lapic) : x2apic_pending(NULL);
}

static void ipi_delay(void *ctx, uint32_t us)
{
    delay_us(&((ipi_ctx *)ctx)->delay, us);
}

/* What the last AP start left: how many answered, a WARN per failure, and
 * how the parked APs wait (`ticks`, park_ticks()). */
static void log_started(bc_boot *b, const bc_mos_smp *s, uint32_t started, uint32_t ticks)
{
    for (uint32_t i = 0; i < s->cpu_count; i++) {
        if (s->cpus[i].flags & MOS_CPU_FAILED)
            mm_log(bc_boot_log(b), MM_LOG_WARN, "CPUs: APIC id %u did not answer; left alone",
                   s->cpus[i].apic_id);
    }
    mm_log(bc_boot_log(b), MM_LOG_INFO, "CPUs: %u listed, %u of %u APs started and parked",
           s->cpu_count, started, s->ap_count);
    if (ticks)
        mm_log(bc_boot_log(b), MM_LOG_DEBUG,
               "CPUs: parked APs halt between polls, woken every %u LAPIC timer ticks", ticks);
    else
        mm_log(bc_boot_log(b), MM_LOG_DEBUG, "CPUs: parked APs poll in a pause loop");
}

/* LAPIC timer ticks between two polls of a parked AP; 0: it spins.
 * Under a hypervisor (CPUID.1:ECX[31]) an AP spinning in its park loop
 * holds a host CPU that the APs still starting, and the BSP, wait for
 * (seen under QEMU: APs answering 4 ms apart, one host time slice each),
 * so there parked APs halt between polls, about 1 ms apart: the crystal's
 * rate from CPUID 0x15 when given, else 10^6 ticks (QEMU's and KVM's
 * APIC timers run at 1 GHz). On bare metal they spin with pause, as
 * Limine's do, and answer at once. An xAPIC outside the kernel's identity
 * map cannot be reached from the park loop: spin then too. */
static uint32_t park_ticks(const bc_boot *b, const bc_mos_smp *s)
{
    uint32_t r[4];
    x86_cpuid(1, r);
    if (!(r[2] & (1u << 31)))
        return 0;
    if (!(s->smp_flags & MOS_SMP_X2APIC) && (s->lapic_addr >= b->pg.layout.identity_size ||
                                             b->pg.layout.identity_size - s->lapic_addr < 0x1000))
        return 0;
    x86_cpuid(0, r);
    uint32_t crystal_hz = 0;
    if (r[0] >= 0x15) {
        x86_cpuid(0x15, r);
        crystal_hz = r[2];
    }
    return crystal_hz >= 1000 ? crystal_hz / 1000 : 1000000;
}

void bc_mos_smp_start(bc_boot *b, bc_mos_smp *s)
{
    uint32_t started = 0, ticks = park_ticks(b, s);
    ipi_ctx c = {{b, ticks_per_us(b->platform.tsc_frequency_hz)}, NULL};
    if (!(s->smp_flags & MOS_SMP_X2APIC))
        c.lapic = bc_boot_ptr(b, s->lapic_addr);
    bc_lapic_ops ops = {ipi_send, ipi_pending, ipi_delay, &c};
    if (!s->ap_count ||
        bc_smp_trampoline_install(bc_boot_ptr(b, s->tramp.base), s->tramp.base, b->platform.ap_blob,
                                  b->platform.ap_blob_size, b->cr3,
                                  b->platform.nx ? BC_TRAMP_FLAG_NXE : 0, ticks) != MM_OK) {
        bc_smp_bsp_only(s->cpus, s->bsp_apic_id);
        s->cpu_count = 1;
        if (s->ap_count)
            mm_log(bc_boot_log(b), MM_LOG_WARN, "CPUs: the AP trampoline does not install");
        return;
    }
    bc_smp_timing timing = bc_smp_timing_default();
    if (!init_wait_needed())
        timing.init_us = 0;
    bc_smp_start st = {&ops,
                       timing,
                       bc_boot_ptr(b, s->tramp.base),
                       s->tramp.base,
                       bc_boot_ptr(b, s->stacks.base),
                       s->stacks.base,
                       s->stacks.size,
                       b->pg.layout.hhdm_offset,
                       s->bsp_apic_id};
    s->cpu_count = s->madt_count;
    if (bc_smp_start_all(&st, s->madt, s->madt_count, s->cpus, &started) != MM_OK) {
        mm_log(bc_boot_log(b), MM_LOG_WARN, "CPUs: this CPU (APIC id %u) is not in the MADT",
               s->bsp_apic_id);
        bc_smp_bsp_only(s->cpus, s->bsp_apic_id);
        s->cpu_count = 1;
        return;
    }
    log_started(b, s, started, ticks);
}
