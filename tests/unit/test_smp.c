/* AP start logic against a simulated machine, and the real trampoline
 * blob as installed. The simulated local APIC logs every IPI with the
 * time it was sent; each simulated AP answers (stores the alive flag, as
 * the trampoline does once it has read its parameters) after its first or
 * second STARTUP, or never. Time passes only through delay_us. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/smp.h"

extern const uint8_t bc_ap_trampoline_start[], bc_ap_trampoline_end[];

#define TRAMP_PHYS  0x8000ULL
#define STACKS_PHYS 0x1000000ULL
#define HHDM        0xffff800000000000ULL
#define KERNEL_CR3  0x123456000ULL /* above 4 GiB on purpose */
#define PARK_TICKS  1000000u

typedef struct sim_cpu {
    uint32_t apic_id;
    int answer_after; /* STARTUPs it needs; 0 = never answers */
    int sipis;
    int inited;
    uint64_t got_stack, got_record; /* parameters it found when it woke */
} sim_cpu;

typedef struct ipi {
    uint32_t apic_id, icr;
    uint64_t at_us;
} ipi;

typedef struct machine {
    uint8_t *tramp;
    uint8_t *stacks;
    uint64_t stacks_bytes;
    sim_cpu cpus[80];
    uint32_t ncpus;
    ipi log[256];
    uint32_t nlog;
    uint64_t now_us;
    int stuck_pending; /* ipi_pending always true */
    bc_lapic_ops ops;
    bc_smp_start start;
} machine;

static size_t blob_size(void)
{
    return (size_t)(bc_ap_trampoline_end - bc_ap_trampoline_start);
}

static uint64_t load64(const uint8_t *p)
{
    return mm_load_le64(p);
}

static sim_cpu *cpu_of(machine *m, uint32_t apic_id)
{
    for (uint32_t i = 0; i < m->ncpus; i++)
        if (m->cpus[i].apic_id == apic_id)
            return &m->cpus[i];
    return NULL;
}

/* The slot the trampoline's code would find for `apic_id`, or NULL. */
static uint8_t *find_slot(machine *m, uint32_t apic_id)
{
    for (uint32_t i = 0; i < BC_TRAMP_SLOTS; i++) {
        uint8_t *sl = m->tramp + BC_TRAMP_SLOTS_OFF + i * BC_TRAMP_SLOT_SIZE;
        if (mm_load_le32(sl + BC_TRAMP_SLOT_APIC_OFF) == apic_id)
            return sl;
    }
    return NULL;
}

static void sim_send(void *ctx, uint32_t apic_id, uint32_t icr)
{
    machine *m = ctx;
    assert_true(m->nlog < 256);
    m->log[m->nlog++] = (ipi){apic_id, icr, m->now_us};
    sim_cpu *c = cpu_of(m, apic_id);
    if (!c)
        return;
    if (icr == BC_ICR_INIT) {
        c->inited = 1;
        c->sipis = 0;
    } else if ((icr & 0xff00) == BC_ICR_STARTUP && c->inited && ++c->sipis == c->answer_after) {
        uint8_t *sl = find_slot(m, c->apic_id);
        if (!sl)
            return; /* the trampoline halts an AP without a slot */
        c->got_stack = load64(sl + BC_TRAMP_SLOT_STACK_OFF);
        c->got_record = load64(sl + BC_TRAMP_SLOT_RECORD_OFF);
        *(volatile uint32_t *)(sl + BC_TRAMP_SLOT_ALIVE_OFF) = 1;
    }
}

static bool sim_pending(void *ctx)
{
    return ((machine *)ctx)->stuck_pending;
}

static void sim_delay(void *ctx, uint32_t us)
{
    ((machine *)ctx)->now_us += us;
}

/* BSP 0; AP 1 answers the first STARTUP, AP 2 the second, AP 3 never. */
static int setup(void **state)
{
    machine *m = calloc(1, sizeof *m);
    m->tramp = aligned_alloc(4096, BC_TRAMP_BYTES);
    m->stacks_bytes = bc_smp_stacks_bytes(3);
    m->stacks = aligned_alloc(4096, m->stacks_bytes);
    memset(m->stacks, 0xcc, m->stacks_bytes);
    assert_int_equal(bc_smp_trampoline_install(m->tramp, TRAMP_PHYS, bc_ap_trampoline_start,
                                               blob_size(), KERNEL_CR3, BC_TRAMP_FLAG_NXE,
                                               PARK_TICKS),
                     MM_OK);
    m->cpus[0] = (sim_cpu){.apic_id = 0};
    m->cpus[1] = (sim_cpu){.apic_id = 1, .answer_after = 1};
    m->cpus[2] = (sim_cpu){.apic_id = 2, .answer_after = 2};
    m->cpus[3] = (sim_cpu){.apic_id = 3, .answer_after = 0};
    m->ncpus = 4;
    m->ops = (bc_lapic_ops){sim_send, sim_pending, sim_delay, m};
    m->start = (bc_smp_start){
        .ops = &m->ops,
        .timing = bc_smp_timing_default(),
        .tramp = m->tramp,
        .tramp_phys = TRAMP_PHYS,
        .stacks = m->stacks,
        .stacks_phys = STACKS_PHYS,
        .stacks_bytes = m->stacks_bytes,
        .hhdm_offset = HHDM,
        .bsp_apic_id = 0,
    };
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    machine *m = *state;
    free(m->tramp);
    free(m->stacks);
    free(m);
    return 0;
}

/* The MADT of the standard machine, plus APIC id 4 online-capable only. */
static const bc_madt_cpu madt5[] = {
    {0, 0, BC_MADT_ENABLED, BC_MADT_LAPIC},        {1, 1, BC_MADT_ENABLED, BC_MADT_LAPIC},
    {2, 2, BC_MADT_ENABLED, BC_MADT_LAPIC},        {3, 3, BC_MADT_ENABLED, BC_MADT_X2APIC},
    {4, 4, BC_MADT_ONLINE_CAPABLE, BC_MADT_LAPIC},
};

/* ---- sizes ---- */

static void stacks_region_size(void **state)
{
    (void)state;
    assert_int_equal(bc_smp_stacks_bytes(0), 0);
    assert_int_equal(bc_smp_stacks_bytes(1), 4096 + BC_SMP_AP_STACK_SIZE);
    assert_int_equal(bc_smp_stacks_bytes(64), 4096 + 64 * BC_SMP_AP_STACK_SIZE);
    assert_int_equal(bc_smp_stacks_bytes(65), 8192 + 65 * BC_SMP_AP_STACK_SIZE);
    assert_true(bc_smp_stacks_bytes(UINT32_MAX) == (((uint64_t)UINT32_MAX * 64 + 4095) & ~4095ULL) +
                                                       (uint64_t)UINT32_MAX * BC_SMP_AP_STACK_SIZE);
}

static void ap_count_and_bsp_only(void **state)
{
    (void)state;
    assert_int_equal(bc_smp_ap_count(madt5, 5, 0), 3);
    assert_int_equal(bc_smp_ap_count(madt5, 5, 7), 4);
    assert_int_equal(bc_smp_ap_count(NULL, 5, 0), 0);
    struct mos_cpu c;
    memset(&c, 0xff, sizeof c);
    bc_smp_bsp_only(&c, 9);
    assert_int_equal(c.apic_id, 9);
    assert_int_equal(c.flags, MOS_CPU_BSP);
    assert_true(c.record_addr == 0 && c.acpi_uid == 0);
}

/* ---- trampoline ---- */

/* The blob fits its page, starts with a short jump past the parameters,
 * and its stored offsets land on the code they name once installed:
 *   pm32: 66 b8 10 00   mov $0x10, %ax   (32-bit code)
 *   lm64: 89 dd         mov %ebx, %ebp   (64-bit code) */
/* Every slot free: APIC id BC_TRAMP_NO_APIC, the rest zero. */
static void assert_all_slots_free(const uint8_t *t)
{
    for (uint32_t i = 0; i < BC_TRAMP_SLOTS; i++) {
        const uint8_t *sl = t + BC_TRAMP_SLOTS_OFF + i * BC_TRAMP_SLOT_SIZE;
        assert_int_equal(mm_load_le32(sl + BC_TRAMP_SLOT_APIC_OFF), BC_TRAMP_NO_APIC);
        for (uint32_t k = 4; k < BC_TRAMP_SLOT_SIZE; k++)
            assert_int_equal(sl[k], 0);
    }
}

static void trampoline_installed(void **state)
{
    machine *m = *state;
    const uint8_t *b = bc_ap_trampoline_start, *t = m->tramp;
    assert_true(blob_size() > BC_TRAMP_GDT_OFF + 32 && blob_size() <= BC_TRAMP_CODE_MAX);
    assert_int_equal(t[0], 0xeb);
    assert_true(t[1] + 2 >= BC_TRAMP_GDT_OFF + 32);
    assert_int_equal(mm_load_le32(t + BC_TRAMP_GDTR_OFF + 2), TRAMP_PHYS + BC_TRAMP_GDT_OFF);
    assert_int_equal(t[BC_TRAMP_GDTR_OFF] | t[BC_TRAMP_GDTR_OFF + 1] << 8, 31);
    uint32_t pm = mm_load_le32(t + BC_TRAMP_PMJMP_OFF), lm = mm_load_le32(t + BC_TRAMP_LMJMP_OFF);
    assert_int_equal(pm, TRAMP_PHYS + mm_load_le32(b + BC_TRAMP_PMJMP_OFF));
    assert_int_equal(lm, TRAMP_PHYS + mm_load_le32(b + BC_TRAMP_LMJMP_OFF));
    assert_memory_equal(t + (pm - TRAMP_PHYS), "\x66\xb8\x10\x00", 4);
    assert_memory_equal(t + (lm - TRAMP_PHYS), "\x89\xdd", 2);
    assert_int_equal(t[BC_TRAMP_PMJMP_OFF + 4], BC_TRAMP_SEL_CODE32);
    assert_int_equal(t[BC_TRAMP_LMJMP_OFF + 4], BC_TRAMP_SEL_CODE64);
    assert_int_equal(mm_load_le32(t + BC_TRAMP_TCR3_OFF), TRAMP_PHYS + BC_TRAMP_PML4_OFF);
    assert_int_equal(mm_load_le32(t + BC_TRAMP_FLAGS_OFF), BC_TRAMP_FLAG_NXE);
    assert_true(load64(t + BC_TRAMP_CR3_OFF) == KERNEL_CR3);
    assert_int_equal(mm_load_le32(t + BC_TRAMP_PARK_OFF), PARK_TICKS);
    for (size_t i = blob_size(); i < BC_TRAMP_CODE_MAX; i++)
        assert_int_equal(t[i], 0);
    assert_all_slots_free(t);
}

/* The trampoline's own tables map [0, 1 GiB) one to one:
 *   PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB | P RW PS. */
static void trampoline_tables(void **state)
{
    machine *m = *state;
    const uint8_t *t = m->tramp;
    assert_true(load64(t + BC_TRAMP_PML4_OFF) == (TRAMP_PHYS + BC_TRAMP_PDPT_OFF | 3));
    assert_true(load64(t + BC_TRAMP_PML4_OFF + 8) == 0);
    assert_true(load64(t + BC_TRAMP_PDPT_OFF) == (TRAMP_PHYS + BC_TRAMP_PD_OFF | 3));
    assert_true(load64(t + BC_TRAMP_PDPT_OFF + 8) == 0);
    for (uint32_t i = 0; i < 512; i++)
        assert_true(load64(t + BC_TRAMP_PD_OFF + 8 * i) == ((uint64_t)i << 21 | 0x83));
}

/* Where gate `v` of the parked APs' IDT leads, as an offset in the
 * trampoline; the gate itself must be a present DPL-0 interrupt gate on
 * the 64-bit code selector with the upper half of its address 0. */
static uint32_t gate_target(const uint8_t *t, uint32_t v)
{
    const uint8_t *g = t + BC_TRAMP_IDT_OFF + 16 * v;
    assert_int_equal(g[2] | g[3] << 8, BC_TRAMP_SEL_CODE64);
    assert_int_equal(g[4], 0);
    assert_int_equal(g[5], 0x8e);
    assert_int_equal(mm_load_le32(g + 8), 0);
    assert_int_equal(mm_load_le32(g + 12), 0);
    uint32_t target = (uint32_t)(g[0] | g[1] << 8 | g[6] << 16 | g[7] << 24);
    assert_true(target >= TRAMP_PHYS && target < TRAMP_PHYS + blob_size());
    return target - (uint32_t)TRAMP_PHYS;
}

/* The parked APs' IDT, 64 gates at BC_TRAMP_IDT_OFF:
 *   0..31 but 2 -> stray (cli; hlt)     2, 0x3f -> iretq
 *   32..62      -> the timer handler (push %rax first: EOI, then iretq)
 * and the IDTR in the parameters points at it. */
static void trampoline_idt(void **state)
{
    machine *m = *state;
    const uint8_t *t = m->tramp;
    assert_int_equal(t[BC_TRAMP_IDTR_OFF] | t[BC_TRAMP_IDTR_OFF + 1] << 8,
                     BC_TRAMP_IDT_VECTORS * 16 - 1);
    assert_true(load64(t + BC_TRAMP_IDTR_OFF + 2) == TRAMP_PHYS + BC_TRAMP_IDT_OFF);
    for (uint32_t v = 0; v < BC_TRAMP_IDT_VECTORS; v++) {
        const uint8_t *h = t + gate_target(t, v);
        if (v == 2 || v == BC_TRAMP_VEC_SPURIOUS)
            assert_memory_equal(h, "\x48\xcf", 2);
        else if (v < 32)
            assert_memory_equal(h, "\xfa\xf4", 2);
        else
            assert_int_equal(h[0], 0x50);
    }
    assert_int_equal(gate_target(t, BC_TRAMP_VEC_TIMER), gate_target(t, 32));
    for (uint32_t i = BC_TRAMP_IDT_OFF + BC_TRAMP_IDT_VECTORS * 16; i < BC_TRAMP_PML4_OFF; i++)
        assert_int_equal(t[i], 0);
}

static void trampoline_refusals(void **state)
{
    machine *m = *state;
    uint8_t copy[BC_TRAMP_CODE_MAX + 1];
    memcpy(copy, bc_ap_trampoline_start, blob_size());
    memset(m->tramp, 0x77, 16);
    const void *b = bc_ap_trampoline_start;
    size_t n = blob_size();
    assert_int_equal(bc_smp_trampoline_install(m->tramp, TRAMP_PHYS + 0x10, b, n, 0, 0, 0),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_smp_trampoline_install(m->tramp, 0x100000 - 0x3000, b, n, 0, 0, 0),
                     MM_ERR_INVALID_ARGUMENT); /* the tables would cross 1 MiB */
    assert_int_equal(bc_smp_trampoline_install(m->tramp, TRAMP_PHYS, b, n, 0, 2, 0),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(
        bc_smp_trampoline_install(m->tramp, TRAMP_PHYS, b, BC_TRAMP_CODE_MAX + 1, 0, 0, 0),
        MM_ERR_INVALID_ARGUMENT);
    uint8_t saved = copy[BC_TRAMP_ISR_OFF + 9];
    copy[BC_TRAMP_ISR_OFF + 9] = 0x10; /* the timer handler at 4 KiB: outside */
    assert_int_equal(bc_smp_trampoline_install(m->tramp, TRAMP_PHYS, copy, n, 0, 0, 0),
                     MM_ERR_INVALID_ARGUMENT);
    copy[BC_TRAMP_ISR_OFF + 9] = saved;
    copy[BC_TRAMP_MAGIC_OFF + 7] = '2';
    assert_int_equal(bc_smp_trampoline_install(m->tramp, TRAMP_PHYS, copy, n, 0, 0, 0),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_smp_trampoline_install(NULL, TRAMP_PHYS, b, n, 0, 0, 0),
                     MM_ERR_INVALID_ARGUMENT);
    for (int i = 0; i < 16; i++)
        assert_int_equal(m->tramp[i], 0x77); /* nothing written */
}

/* ---- starting ---- */

static void expect_ipis(const machine *m, const ipi *want, uint32_t n)
{
    assert_int_equal(m->nlog, n);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(m->log[i].apic_id, want[i].apic_id);
        assert_int_equal(m->log[i].icr, want[i].icr);
    }
}

/* IPIs in order (SIPI vector = 0x8000 >> 12 = 8): INIT to every AP,
 * one INIT delay, a STARTUP to every AP, a wait, a second STARTUP to those
 * not alive yet:
 *   1, 2, 3: INIT
 *   1, 2, 3: SIPI 08          (1 answers)
 *   2, 3:    SIPI 08          (2 answers; 3 never: FAILED after the timeout)
 *   0 is the BSP, 4 only online-capable: no IPI. */
static void starts_enabled_aps(void **state)
{
    machine *m = *state;
    struct mos_cpu out[5];
    uint32_t started = 99;
    assert_int_equal(bc_smp_start_all(&m->start, madt5, 5, out, &started), MM_OK);
    assert_int_equal(started, 2);
    const uint32_t sipi = BC_ICR_STARTUP | 0x08;
    const ipi want[] = {
        {1, BC_ICR_INIT, 0}, {2, BC_ICR_INIT, 0}, {3, BC_ICR_INIT, 0}, {1, sipi, 0},
        {2, sipi, 0},        {3, sipi, 0},        {2, sipi, 0},        {3, sipi, 0},
    };
    expect_ipis(m, want, 8);
    /* One INIT delay for all three. */
    assert_int_equal(m->log[3].at_us - m->log[2].at_us, m->start.timing.init_us);
    const uint32_t flags[] = {MOS_CPU_BSP, MOS_CPU_STARTED, MOS_CPU_STARTED, MOS_CPU_FAILED, 0};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(out[i].apic_id, madt5[i].apic_id);
        assert_int_equal(out[i].acpi_uid, madt5[i].acpi_uid);
        assert_int_equal(out[i].flags, flags[i]);
    }
    assert_true(out[1].record_addr == STACKS_PHYS && out[2].record_addr == STACKS_PHYS + 64);
    assert_true(out[0].record_addr == 0 && out[3].record_addr == 0 && out[4].record_addr == 0);
    /* AP 3 waking up now would find no slot and halt. */
    assert_all_slots_free(m->tramp);
}

/* Records hold their CPU and stack; the parameters each AP woke up to name
 * its own record (virtual) and stack; stacks are 16 KiB apart, above the
 * record page, 16-byte aligned:
 *   STACKS_PHYS: rec0 rec1 rec2 .. | stack0 | stack1 | stack2 |         */
static void records_and_stacks(void **state)
{
    machine *m = *state;
    struct mos_cpu out[5];
    uint32_t started;
    assert_int_equal(bc_smp_start_all(&m->start, madt5, 5, out, &started), MM_OK);
    for (uint32_t k = 0; k < 2; k++) {
        const struct mos_cpu_record *r = (const void *)(m->stacks + 64 * k);
        uint64_t top = HHDM + STACKS_PHYS + 4096 + (k + 1) * (uint64_t)BC_SMP_AP_STACK_SIZE;
        assert_int_equal(r->apic_id, k + 1);
        assert_true(r->goto_address == 0 && r->argument == 0);
        assert_true(r->stack_top == top && top % 16 == 0);
        assert_true(m->cpus[k + 1].got_stack == top);
        assert_true(m->cpus[k + 1].got_record == HHDM + STACKS_PHYS + 64 * k);
    }
    assert_true(STACKS_PHYS + 4096 + 3 * (uint64_t)BC_SMP_AP_STACK_SIZE ==
                STACKS_PHYS + m->stacks_bytes);
}

/* The silent AP costs INIT delay + first wait + the timeout, and no more
 * than one poll step beyond; the SIPIs follow the INIT delay. */
static void silent_ap_times_out(void **state)
{
    machine *m = *state;
    const bc_madt_cpu two[] = {madt5[0], madt5[3]};
    struct mos_cpu out[2];
    uint32_t started;
    bc_smp_timing t = m->start.timing;
    assert_int_equal(bc_smp_start_all(&m->start, two, 2, out, &started), MM_OK);
    assert_int_equal(started, 0);
    assert_int_equal(out[1].flags, MOS_CPU_FAILED);
    assert_int_equal(m->log[1].at_us - m->log[0].at_us, t.init_us);
    assert_true(m->log[2].at_us - m->log[1].at_us >= t.sipi_us);
    assert_true(m->now_us >= t.init_us + t.sipi_us + t.timeout_us);
    assert_true(m->now_us <= t.init_us + t.sipi_us + t.timeout_us + 2 * t.poll_us);
}

/* An IPI that never leaves the APIC: the AP is FAILED after the timeout,
 * no STARTUP is sent, and the next AP is still tried. */
static void stuck_ipi_fails_the_ap(void **state)
{
    machine *m = *state;
    m->stuck_pending = 1;
    const bc_madt_cpu three[] = {madt5[0], madt5[1], madt5[2]};
    struct mos_cpu out[3];
    uint32_t started;
    assert_int_equal(bc_smp_start_all(&m->start, three, 3, out, &started), MM_OK);
    assert_int_equal(started, 0);
    assert_int_equal(out[1].flags, MOS_CPU_FAILED);
    assert_int_equal(out[2].flags, MOS_CPU_FAILED);
    const ipi want[] = {{1, BC_ICR_INIT, 0}, {2, BC_ICR_INIT, 0}};
    expect_ipis(m, want, 2);
}

/* 70 APs, more than the trampoline's 64 slots: two batches, each AP
 * answering its first STARTUP and finding its own record and stack.
 *   INIT x70 | SIPI x64 (slots 0..63) | SIPI x6 (slots 0..5) */
static void batches_of_slots(void **state)
{
    machine *m = *state;
    enum { N = 71 };
    bc_madt_cpu madt[N];
    for (uint32_t i = 0; i < N; i++) {
        madt[i] = (bc_madt_cpu){.apic_id = i, .acpi_uid = i, .flags = BC_MADT_ENABLED};
        m->cpus[i] = (sim_cpu){.apic_id = i, .answer_after = i ? 1 : 0};
    }
    m->ncpus = N;
    free(m->stacks);
    m->stacks_bytes = bc_smp_stacks_bytes(N - 1);
    m->stacks = aligned_alloc(4096, m->stacks_bytes);
    m->start.stacks = m->stacks;
    m->start.stacks_bytes = m->stacks_bytes;
    struct mos_cpu out[N];
    uint32_t started;
    assert_int_equal(bc_smp_start_all(&m->start, madt, N, out, &started), MM_OK);
    assert_int_equal(started, N - 1);
    assert_int_equal(m->nlog, 2 * (N - 1));
    for (uint32_t k = 1; k < N; k++) {
        assert_int_equal(out[k].flags, MOS_CPU_STARTED);
        assert_true(m->cpus[k].got_record == HHDM + STACKS_PHYS + 64 * (uint64_t)(k - 1));
        assert_true(out[k].record_addr == STACKS_PHYS + 64 * (uint64_t)(k - 1));
    }
    assert_all_slots_free(m->tramp);
}

/* init_us 0 (a CPU that needs no INIT wait): the STARTUPs follow the
 * INITs at once. */
static void no_init_wait(void **state)
{
    machine *m = *state;
    m->start.timing.init_us = 0;
    const bc_madt_cpu two[] = {madt5[0], madt5[1]};
    struct mos_cpu out[2];
    uint32_t started;
    assert_int_equal(bc_smp_start_all(&m->start, two, 2, out, &started), MM_OK);
    assert_int_equal(started, 1);
    assert_int_equal(m->log[1].at_us, m->log[0].at_us);
}

/* Which CPUs skip the INIT wait (vendor string as CPUID leaf 0 gives it:
 * EBX, EDX, ECX). */
static void init_wait_by_vendor(void **state)
{
    (void)state;
    const uint32_t intel[3] = {0x756e6547, 0x49656e69, 0x6c65746e};
    const uint32_t amd[3] = {0x68747541, 0x69746e65, 0x444d4163};
    const uint32_t other[3] = {0x61626364, 0x65666768, 0x696a6b6c};
    assert_false(bc_smp_init_wait_needed(intel, 6));
    assert_true(bc_smp_init_wait_needed(intel, 15)); /* Pentium 4 */
    assert_false(bc_smp_init_wait_needed(amd, 0x17));
    assert_true(bc_smp_init_wait_needed(amd, 0x6));
    assert_true(bc_smp_init_wait_needed(other, 6));
    char v[13];
    memcpy(v, intel, 12);
    v[12] = 0;
    assert_string_equal(v, "GenuineIntel");
    memcpy(v, amd, 12);
    assert_string_equal(v, "AuthenticAMD");
}

static void bsp_missing_starts_nothing(void **state)
{
    machine *m = *state;
    m->start.bsp_apic_id = 7;
    struct mos_cpu out[5];
    uint32_t started = 5;
    assert_int_equal(bc_smp_start_all(&m->start, madt5, 5, out, &started), MM_ERR_NOT_FOUND);
    assert_int_equal(started, 0);
    assert_int_equal(m->nlog, 0);
}

static void stacks_too_small_starts_nothing(void **state)
{
    machine *m = *state;
    m->start.stacks_bytes = bc_smp_stacks_bytes(2);
    struct mos_cpu out[5];
    uint32_t started;
    assert_int_equal(bc_smp_start_all(&m->start, madt5, 5, out, &started), MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(m->nlog, 0);
    m->start.ops = NULL;
    assert_int_equal(bc_smp_start_all(&m->start, madt5, 5, out, &started), MM_ERR_INVALID_ARGUMENT);
}

/* xAPIC MMIO: destination in ICR high (0x310) bits 24..31, then the
 * command in ICR low (0x300); pending is bit 12 of ICR low. */
static void xapic_mmio_registers(void **state)
{
    (void)state;
    uint32_t *page = aligned_alloc(4096, 4096);
    memset(page, 0, 4096);
    bc_xapic_mmio_send_ipi(page, 0x12, BC_ICR_STARTUP | 0x08);
    assert_int_equal(page[0x310 / 4], 0x12000000u);
    assert_int_equal(page[0x300 / 4], 0x4608u);
    assert_false(bc_xapic_mmio_ipi_pending(page));
    page[0x300 / 4] |= BC_ICR_PENDING;
    assert_true(bc_xapic_mmio_ipi_pending(page));
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        cmocka_unit_test(stacks_region_size),
        cmocka_unit_test(ap_count_and_bsp_only),
        T(trampoline_installed),
        T(trampoline_tables),
        T(trampoline_idt),
        T(trampoline_refusals),
        T(starts_enabled_aps),
        T(records_and_stacks),
        T(silent_ap_times_out),
        T(stuck_ipi_fails_the_ap),
        T(no_init_wait),
        T(batches_of_slots),
        cmocka_unit_test(init_wait_by_vendor),
        T(bsp_missing_starts_nothing),
        T(stacks_too_small_starts_nothing),
        cmocka_unit_test(xapic_mmio_registers),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
