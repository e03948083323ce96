/* SMP test image for QEMU (-kernel, multiboot): the loader-side pieces of
 * handoff revision 2 on real (emulated) firmware tables and CPUs. It finds
 * the RSDP the BIOS left in 0xe0000..0xfffff, validates it and the XSDT or
 * RSDT (acpi.c), lists the CPUs of the MADT, installs the AP trampoline at
 * 0x8000, starts every AP with bc_smp_start_all() through the xAPIC, sends
 * each started AP to ap_landing with an argument, and checks what each
 * wrote back. Prints "SMP key=value" lines on COM1, then exits QEMU with
 * the kernel's PASS/FAIL codes (kernel/exitcodes.h). 32-bit protected
 * mode, paging off: physical addresses are pointers. */
#include "../support/qemu_guest.h"
#include "common/acpi.h"
#include "common/smp.h"

#define TRAMP_PHYS 0x8000u
#define LAPIC      0xfee00000u
#define MAX_CPUS   16u

volatile uint32_t ap_landed;
void ap_landing(void);
void guest_main(void);

/* Identity map of the first 4 GiB (2 MiB pages): the "kernel's" tables. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint8_t stacks[4096 + (MAX_CPUS - 1) * BC_SMP_AP_STACK_SIZE] __attribute__((aligned(4096)));

static const void *identity(void *ctx, uint64_t phys, uint64_t len)
{
    (void)ctx;
    return phys + len <= 0x100000000ull ? (const void *)(uintptr_t)phys : NULL;
}

static void build_tables(void)
{
    pml4[0] = (uint32_t)(uintptr_t)pdpt | 3;
    for (uint32_t g = 0; g < 4; g++) {
        pdpt[g] = (uint32_t)(uintptr_t)pd[g] | 3;
        for (uint32_t i = 0; i < 512; i++)
            pd[g][i] = ((uint64_t)g << 30 | (uint64_t)i << 21) | 0x83;
    }
}

static uint64_t find_rsdp(void)
{
    bc_acpi probe;
    for (uint32_t a = 0xe0000; a < 0x100000; a += 16)
        if (bc_rsdp_validate((const uint8_t *)(uintptr_t)a, 0x100000 - a, &probe, NULL, 0) == MM_OK)
            return a;
    return 0;
}

static uint32_t read_madt(bc_madt_cpu *cpus)
{
    char why[96];
    bc_acpi a;
    uint64_t madt_phys, rsdp = find_rsdp();
    uint32_t len;
    bc_madt m;
    if (!rsdp)
        finish("SMP", 0, "no RSDP in 0xe0000..0xfffff");
    if (bc_acpi_init(&a, rsdp, identity, NULL, why, sizeof why) != MM_OK)
        finish("SMP", 0, why);
    say("SMP acpi_revision=%u root=%s tables=%u\n", a.revision, a.entry_size == 8 ? "xsdt" : "rsdt",
        a.entries);
    if (bc_acpi_find(&a, "APIC", 0, &madt_phys) != MM_OK)
        finish("SMP", 0, "no MADT");
    const uint8_t *t = bc_acpi_table(&a, madt_phys, "APIC", &len);
    if (bc_madt_parse(t, len, &m, cpus, MAX_CPUS) != MM_OK)
        finish("SMP", 0, "MADT does not parse or has too many CPUs");
    say("SMP madt_cpus=%u lapic=0x%llx\n", m.count, (unsigned long long)m.lapic_addr);
    return m.count;
}

static uint32_t start_aps(const bc_madt_cpu *cpus, uint32_t n, struct mos_cpu *out)
{
    extern const uint8_t bc_ap_trampoline_start[], bc_ap_trampoline_end[];
    bc_lapic_ops ops = {bc_xapic_mmio_send_ipi, bc_xapic_mmio_ipi_pending, delay,
                        (void *)(uintptr_t)LAPIC};
    uint32_t bsp = *(volatile uint32_t *)(uintptr_t)(LAPIC + 0x20) >> 24, started;
    if (bc_smp_trampoline_install((void *)(uintptr_t)TRAMP_PHYS, TRAMP_PHYS, bc_ap_trampoline_start,
                                  (size_t)(bc_ap_trampoline_end - bc_ap_trampoline_start),
                                  (uint32_t)(uintptr_t)pml4, 0, 0) != MM_OK)
        finish("SMP", 0, "trampoline install refused");
    bc_smp_start s = {
        .ops = &ops,
        .timing = bc_smp_timing_default(),
        .tramp = (void *)(uintptr_t)TRAMP_PHYS,
        .tramp_phys = TRAMP_PHYS,
        .stacks = stacks,
        .stacks_phys = (uint32_t)(uintptr_t)stacks,
        .stacks_bytes = sizeof stacks,
        .hhdm_offset = 0,
        .bsp_apic_id = bsp,
    };
    if (bc_smp_start_all(&s, cpus, n, out, &started) != MM_OK)
        finish("SMP", 0, "bc_smp_start_all refused");
    say("SMP bsp=%u aps=%u started=%u\n", bsp, bc_smp_ap_count(cpus, n, bsp), started);
    return started;
}

/* Sends every started AP to ap_landing with argument 0x5000 + its APIC
 * id: argument first, then goto_address (this 32-bit BSP stores the
 * address's only non-zero half last). */
static void release(const struct mos_cpu *out, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!(out[i].flags & MOS_CPU_STARTED))
            continue;
        struct mos_cpu_record *r = (struct mos_cpu_record *)(uintptr_t)out[i].record_addr;
        r->argument = 0x5000 + out[i].apic_id;
        volatile uint32_t *go = (volatile uint32_t *)&r->goto_address;
        go[1] = 0; /* already 0; the low half, stored last, is what the AP sees change */
        go[0] = (uint32_t)(uintptr_t)ap_landing;
    }
}

static void check_landings(const struct mos_cpu *out, uint32_t n, uint32_t started)
{
    for (uint32_t waited = 0; ap_landed < started && waited < 1000000; waited += 100)
        delay(NULL, 100);
    say("SMP landed=%u\n", ap_landed);
    if (ap_landed != started)
        finish("SMP", 0, "not every started AP reached its goto_address");
    for (uint32_t i = 0; i < n; i++) {
        if (!(out[i].flags & MOS_CPU_STARTED))
            continue;
        const struct mos_cpu_record *r = (const void *)(uintptr_t)out[i].record_addr;
        if (r->apic_id != out[i].apic_id || r->reserved[0] != 0x5000 + out[i].apic_id)
            finish("SMP", 0, "an AP read the wrong record or argument through RDI");
        if (r->reserved[1] != r->stack_top || (r->stack_top & 15))
            finish("SMP", 0, "an AP ran on the wrong stack or a misaligned one");
    }
}

void guest_main(void)
{
    bc_madt_cpu cpus[MAX_CPUS];
    struct mos_cpu out[MAX_CPUS];
    build_tables();
    uint32_t n = read_madt(cpus);
    uint32_t started = start_aps(cpus, n, out);
    if (started + 1 != n)
        finish("SMP", 0, "not every AP of the MADT started");
    release(out, n);
    check_landings(out, n, started);
    finish("SMP", 1, "every AP started, parked and jumped");
}
