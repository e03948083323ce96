/* AP start: trampoline install, INIT-SIPI-SIPI, per-CPU records. */
#include "smp.h"

#define RECORD_SIZE ((uint32_t)sizeof(struct mos_cpu_record))

_Static_assert(RECORD_SIZE == 64, "records are one cache line each");

bc_smp_timing bc_smp_timing_default(void)
{
    return (bc_smp_timing){.init_us = 10000, .sipi_us = 200, .timeout_us = 100000, .poll_us = 10};
}

bool bc_smp_init_wait_needed(const uint32_t vendor[3], uint32_t family)
{
    /* CPUID leaf 0's vendor string, 4 bytes per register, little endian. */
    static const uint32_t intel[3] = {0x756e6547, 0x49656e69, 0x6c65746e}; /* GenuineIntel */
    static const uint32_t amd[3] = {0x68747541, 0x69746e65, 0x444d4163};   /* AuthenticAMD */
    static const uint32_t hygon[3] = {0x6f677948, 0x656e6975, 0x6e65476e}; /* HygonGenuine */
    bool is_intel = true, is_amd = true, is_hygon = true;
    for (int i = 0; i < 3; i++) {
        is_intel = is_intel && vendor[i] == intel[i];
        is_amd = is_amd && vendor[i] == amd[i];
        is_hygon = is_hygon && vendor[i] == hygon[i];
    }
    if (is_intel)
        return family != 6;
    if (is_amd)
        return family < 0xf;
    if (is_hygon)
        return family < 0x18;
    return true;
}

static uint64_t records_bytes(uint32_t ap_count)
{
    return ((uint64_t)ap_count * RECORD_SIZE + 4095) & ~(uint64_t)4095;
}

uint64_t bc_smp_stacks_bytes(uint32_t ap_count)
{
    if (ap_count == 0)
        return 0;
    /* 2^32 APs of 16 KiB stay far below 2^64: no overflow possible. */
    return records_bytes(ap_count) + (uint64_t)ap_count * BC_SMP_AP_STACK_SIZE;
}

static bool blob_ok(const uint8_t *blob, size_t size)
{
    static const char magic[8] = {'M', 'O', 'S', 'A', 'P', 'T', 'R', '1'};
    if (size < BC_TRAMP_ISR_OFF + 12 || size > BC_TRAMP_CODE_MAX)
        return false;
    for (int i = 0; i < 8; i++)
        if (blob[BC_TRAMP_MAGIC_OFF + i] != (uint8_t)magic[i])
            return false;
    for (int i = 0; i < 3; i++)
        if (mm_load_le32(blob + BC_TRAMP_ISR_OFF + 4 * i) >= size)
            return false;
    return true;
}

static uint8_t *slot(void *tramp, uint32_t i)
{
    return (uint8_t *)tramp + BC_TRAMP_SLOTS_OFF + (size_t)i * BC_TRAMP_SLOT_SIZE;
}

/* Every slot free: an AP that wakes up now halts. */
static void free_slots(void *tramp)
{
    for (uint32_t i = 0; i < BC_TRAMP_SLOTS; i++) {
        mm_memset(slot(tramp, i), 0, BC_TRAMP_SLOT_SIZE);
        mm_store_le32(slot(tramp, i) + BC_TRAMP_SLOT_APIC_OFF, BC_TRAMP_NO_APIC);
    }
}

/* 1 GiB identity with 2 MiB pages: PML4[0] -> PDPT[0] -> PD (zeroed
 * pages). */
static void build_tables(uint8_t *t, uint32_t phys)
{
    mm_store_le64(t + BC_TRAMP_PML4_OFF, (uint64_t)(phys + BC_TRAMP_PDPT_OFF) | 3);
    mm_store_le64(t + BC_TRAMP_PDPT_OFF, (uint64_t)(phys + BC_TRAMP_PD_OFF) | 3);
    for (uint32_t i = 0; i < 512; i++)
        mm_store_le64(t + BC_TRAMP_PD_OFF + 8 * i, ((uint64_t)i << 21) | 0x83); /* P, RW, PS */
}

/* One 64-bit interrupt gate into zeroed bytes: present, DPL 0, the
 * trampoline's code selector, the handler at physical (= identity-mapped)
 * `target`. */
static void store_gate(uint8_t *g, uint32_t target)
{
    g[0] = (uint8_t)target;
    g[1] = (uint8_t)(target >> 8);
    g[2] = BC_TRAMP_SEL_CODE64;
    g[5] = 0x8e;
    g[6] = (uint8_t)(target >> 16);
    g[7] = (uint8_t)(target >> 24);
}

/* The parked APs' IDT: exceptions stop the AP (stray), NMI and the
 * spurious vector return at once, every other vector is acknowledged. */
static void build_idt(uint8_t *t, uint32_t phys, const uint8_t *blob)
{
    uint32_t fault = phys + mm_load_le32(blob + BC_TRAMP_ISR_OFF);
    uint32_t ret = phys + mm_load_le32(blob + BC_TRAMP_ISR_OFF + 4);
    uint32_t timer = phys + mm_load_le32(blob + BC_TRAMP_ISR_OFF + 8);
    for (uint32_t v = 0; v < BC_TRAMP_IDT_VECTORS; v++) {
        uint32_t target = v == 2 || v == BC_TRAMP_VEC_SPURIOUS ? ret : v < 32 ? fault : timer;
        store_gate(t + BC_TRAMP_IDT_OFF + 16 * v, target);
    }
    t[BC_TRAMP_IDTR_OFF] = (uint8_t)(BC_TRAMP_IDT_VECTORS * 16 - 1);
    t[BC_TRAMP_IDTR_OFF + 1] = (uint8_t)((BC_TRAMP_IDT_VECTORS * 16 - 1) >> 8);
    mm_store_le64(t + BC_TRAMP_IDTR_OFF + 2, (uint64_t)phys + BC_TRAMP_IDT_OFF);
}

mm_status bc_smp_trampoline_install(void *dst, uint64_t dst_phys, const void *blob,
                                    size_t blob_size, uint64_t cr3, uint32_t flags,
                                    uint32_t park_ticks)
{
    const uint8_t *b = (const uint8_t *)blob;
    if (!dst || !b || !blob_ok(b, blob_size) || (dst_phys & 0xfff) ||
        dst_phys + BC_TRAMP_BYTES > 0x100000 || (flags & ~(uint32_t)BC_TRAMP_FLAG_NXE))
        return MM_ERR_INVALID_ARGUMENT;
    uint8_t *t = (uint8_t *)dst;
    uint32_t base = (uint32_t)dst_phys;
    mm_memset(t, 0, BC_TRAMP_BYTES);
    mm_memcpy(t, b, blob_size);
    free_slots(t);
    /* The blob holds offsets where the CPU needs linear addresses. */
    mm_store_le32(t + BC_TRAMP_GDTR_OFF + 2, base + mm_load_le32(b + BC_TRAMP_GDTR_OFF + 2));
    mm_store_le32(t + BC_TRAMP_PMJMP_OFF, base + mm_load_le32(b + BC_TRAMP_PMJMP_OFF));
    mm_store_le32(t + BC_TRAMP_LMJMP_OFF, base + mm_load_le32(b + BC_TRAMP_LMJMP_OFF));
    mm_store_le32(t + BC_TRAMP_TCR3_OFF, base + BC_TRAMP_PML4_OFF);
    mm_store_le32(t + BC_TRAMP_FLAGS_OFF, flags);
    mm_store_le64(t + BC_TRAMP_CR3_OFF, cr3);
    mm_store_le32(t + BC_TRAMP_PARK_OFF, park_ticks);
    build_tables(t, base);
    build_idt(t, base, b);
    return MM_OK;
}

uint32_t bc_smp_ap_count(const bc_madt_cpu *madt, uint32_t count, uint32_t bsp_apic_id)
{
    uint32_t n = 0;
    for (uint32_t i = 0; madt && i < count; i++)
        n += (madt[i].flags & BC_MADT_ENABLED) && madt[i].apic_id != bsp_apic_id;
    return n;
}

static bool slot_alive(const bc_smp_start *s, uint32_t i)
{
    return *(volatile uint32_t *)(slot(s->tramp, i) + BC_TRAMP_SLOT_ALIVE_OFF) != 0;
}

/* Waits up to the timeout for the last IPI to leave; false if it did not. */
static bool ipi_sent(const bc_smp_start *s)
{
    const bc_lapic_ops *o = s->ops;
    for (uint32_t waited = 0; o->ipi_pending(o->ctx); waited += s->timing.poll_us) {
        if (waited >= s->timing.timeout_us)
            return false;
        o->delay_us(o->ctx, s->timing.poll_us);
    }
    return true;
}

static bool send(const bc_smp_start *s, uint32_t apic_id, uint32_t icr)
{
    s->ops->send_ipi(s->ops->ctx, apic_id, icr);
    return ipi_sent(s);
}

/* One batch: the CPUs out[idx[0 .. n)], slots 0 .. n-1 filled. */
typedef struct batch {
    uint32_t idx[BC_TRAMP_SLOTS];
    uint32_t n;
} batch;

/* Polls the batch's slots for up to `us`; true once every AP still
 * waited for (sent[i]) is alive. */
static bool wait_batch(const bc_smp_start *s, const batch *bt, const bool *sent, uint32_t us)
{
    for (uint32_t waited = 0;; waited += s->timing.poll_us) {
        bool all = true;
        for (uint32_t i = 0; i < bt->n && all; i++)
            all = !sent[i] || slot_alive(s, i);
        if (all)
            return true;
        if (waited >= us)
            return false;
        s->ops->delay_us(s->ops->ctx, s->timing.poll_us);
    }
}

/* A STARTUP to each AP of the batch that sent[] marks and that is not
 * alive yet; an AP whose IPI never leaves is dropped from sent[]. */
static void startup_round(const bc_smp_start *s, const batch *bt, bool *sent,
                          const struct mos_cpu *out)
{
    uint32_t sipi = BC_ICR_STARTUP | (uint32_t)(s->tramp_phys >> 12);
    for (uint32_t i = 0; i < bt->n; i++) {
        if (sent[i] && !slot_alive(s, i))
            sent[i] = send(s, out[bt->idx[i]].apic_id, sipi);
    }
}

/* Record and stack of the `k`-th AP, and its slot `i`; returns the
 * record's physical address. */
static uint64_t prepare_ap(const bc_smp_start *s, uint32_t k, uint32_t ap_count, uint32_t apic_id,
                           uint32_t i)
{
    uint64_t rec_phys = s->stacks_phys + (uint64_t)k * RECORD_SIZE;
    uint64_t stack_top = s->stacks_phys + records_bytes(ap_count) +
                         (uint64_t)(k + 1) * BC_SMP_AP_STACK_SIZE + s->hhdm_offset;
    uint8_t *rec = (uint8_t *)s->stacks + (size_t)k * RECORD_SIZE;
    mm_memset(rec, 0, RECORD_SIZE);
    mm_store_le32(rec + offsetof(struct mos_cpu_record, apic_id), apic_id);
    mm_store_le64(rec + offsetof(struct mos_cpu_record, stack_top), stack_top);
    uint8_t *sl = slot(s->tramp, i);
    mm_store_le64(sl + BC_TRAMP_SLOT_STACK_OFF, stack_top);
    mm_store_le64(sl + BC_TRAMP_SLOT_RECORD_OFF, rec_phys + s->hhdm_offset);
    mm_store_le32(sl + BC_TRAMP_SLOT_ALIVE_OFF, 0);
    mm_store_le32(sl + BC_TRAMP_SLOT_APIC_OFF, apic_id);
    return rec_phys;
}

/* Starts one batch at once (STARTUP to each, a wait, a second STARTUP to
 * those not alive, a wait up to the timeout: Intel SDM vol. 3, 9.4.4.1),
 * then frees the slots so that an AP answering later halts. */
static void start_batch(const bc_smp_start *s, const batch *bt, const uint64_t *rec,
                        struct mos_cpu *out, uint32_t *started)
{
    bool sent[BC_TRAMP_SLOTS];
    for (uint32_t i = 0; i < bt->n; i++)
        sent[i] = !(out[bt->idx[i]].flags & MOS_CPU_FAILED);
    startup_round(s, bt, sent, out);
    if (!wait_batch(s, bt, sent, s->timing.sipi_us)) {
        startup_round(s, bt, sent, out);
        wait_batch(s, bt, sent, s->timing.timeout_us);
    }
    for (uint32_t i = 0; i < bt->n; i++) {
        struct mos_cpu *c = &out[bt->idx[i]];
        bool ok = sent[i] && slot_alive(s, i);
        c->flags = ok ? MOS_CPU_STARTED : MOS_CPU_FAILED;
        c->record_addr = ok ? rec[i] : 0;
        *started += ok;
    }
    free_slots(s->tramp);
}

static bool start_ok(const bc_smp_start *s)
{
    return s && s->ops && s->ops->send_ipi && s->ops->ipi_pending && s->ops->delay_us && s->tramp &&
           s->stacks && s->timing.poll_us;
}

static bool bsp_listed(const bc_madt_cpu *madt, uint32_t count, uint32_t bsp)
{
    for (uint32_t i = 0; i < count; i++)
        if (madt[i].apic_id == bsp)
            return true;
    return false;
}

mm_status bc_smp_start_all(const bc_smp_start *s, const bc_madt_cpu *madt, uint32_t count,
                           struct mos_cpu *out, uint32_t *started)
{
    if (!start_ok(s) || !madt || !out || !started)
        return MM_ERR_INVALID_ARGUMENT;
    *started = 0;
    if (!bsp_listed(madt, count, s->bsp_apic_id))
        return MM_ERR_NOT_FOUND;
    uint32_t aps = bc_smp_ap_count(madt, count, s->bsp_apic_id), k = 0;
    if (s->stacks_bytes < bc_smp_stacks_bytes(aps))
        return MM_ERR_BUFFER_TOO_SMALL;
    /* INIT to every AP first and one INIT wait for all of them; then the
     * STARTUPs, BC_TRAMP_SLOTS APs at a time (one slot each). An AP whose
     * INIT never left is FAILED. */
    bool inited = false;
    for (uint32_t i = 0; i < count; i++) {
        struct mos_cpu *c = &out[i];
        *c = (struct mos_cpu){.apic_id = madt[i].apic_id, .acpi_uid = madt[i].acpi_uid};
        if (madt[i].apic_id == s->bsp_apic_id) {
            c->flags = MOS_CPU_BSP;
        } else if (madt[i].flags & BC_MADT_ENABLED) {
            bool sent = send(s, c->apic_id, BC_ICR_INIT);
            c->flags = sent ? 0 : MOS_CPU_FAILED;
            inited = inited || sent;
        }
    }
    if (inited && s->timing.init_us)
        s->ops->delay_us(s->ops->ctx, s->timing.init_us);
    batch bt = {.n = 0};
    uint64_t rec[BC_TRAMP_SLOTS];
    for (uint32_t i = 0; i < count; i++) {
        if (madt[i].apic_id == s->bsp_apic_id || !(madt[i].flags & BC_MADT_ENABLED))
            continue;
        rec[bt.n] = prepare_ap(s, k++, aps, out[i].apic_id, bt.n);
        bt.idx[bt.n++] = i;
        if (bt.n == BC_TRAMP_SLOTS) {
            start_batch(s, &bt, rec, out, started);
            bt.n = 0;
        }
    }
    if (bt.n)
        start_batch(s, &bt, rec, out, started);
    return MM_OK;
}

void bc_smp_bsp_only(struct mos_cpu *out, uint32_t bsp_apic_id)
{
    *out = (struct mos_cpu){.apic_id = bsp_apic_id, .flags = MOS_CPU_BSP};
}

void bc_xapic_mmio_send_ipi(void *ctx, uint32_t apic_id, uint32_t icr_low)
{
    volatile uint32_t *r = (volatile uint32_t *)ctx;
    r[0x310 / 4] = apic_id << 24;
    r[0x300 / 4] = icr_low; /* writing the low half sends */
}

bool bc_xapic_mmio_ipi_pending(void *ctx)
{
    volatile uint32_t *r = (volatile uint32_t *)ctx;
    return (r[0x300 / 4] & BC_ICR_PENDING) != 0;
}
