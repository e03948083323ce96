/* The MultiOS back end's CPUs (docs/protocol.md section 15): the MADT
 * read, the AP trampoline and stacks placed before `exit`, every AP
 * started and parked after the page tables are built. */
#ifndef BC_MOS_SMP_H
#define BC_MOS_SMP_H

#include "driver.h"
#include "smp.h"

typedef struct bc_mos_smp {
    bc_madt_cpu *madt; /* boot heap; NULL without an MADT */
    uint32_t madt_count;
    uint32_t ap_count; /* APs bc_smp_start_all will try */
    uint32_t bsp_apic_id;
    uint32_t smp_flags; /* MOS_SMP_* */
    uint64_t lapic_addr;
    struct mos_cpu *cpus; /* boot heap, cpu_capacity entries */
    uint32_t cpu_capacity, cpu_count;
    struct mos_cpu one[1]; /* the list when it holds one CPU (no boot heap needed) */
    bc_placed tramp, stacks;
} bc_mos_smp;

/* Before `exit`: reads the MADT through the platform's RSDP, places the
 * trampoline below 1 MiB (AP_TRAMPOLINE) and the AP stacks (AP_STACKS).
 * No MADT: one CPU, MOS_SMP_NO_MADT and a WARN. No trampoline blob from
 * the front end (bc_platform.ap_blob), or no room below 1 MiB: the BSP
 * alone, with a WARN in the latter case. Fills `s` (zeroed first). */
void bc_mos_smp_prepare(bc_boot *b, bc_mos_smp *s);

/* After the page tables (b->cr3): installs the trampoline and starts
 * every AP of the MADT, or lists the BSP alone when there are none to
 * start; s->cpus then holds s->cpu_count CPUs for the handoff. APs that
 * do not answer are listed FAILED (a WARN names them); the boot goes on. */
void bc_mos_smp_start(bc_boot *b, bc_mos_smp *s);

#endif
