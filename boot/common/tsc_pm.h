/* The TSC measured against the ACPI PM timer across the boot, the part
 * both front ends share: port I/O and CPUID over tscal.h's arithmetic.
 * One instance per loader (the front end's own static). */
#ifndef BC_TSC_PM_H
#define BC_TSC_PM_H

#include "tscal.h"

typedef struct bc_tsc_pm {
    bc_tsc_span span; /* span.mask 0: no span runs */
    uint16_t port;    /* PM timer I/O port */
} bc_tsc_pm;

/* Finds the PM timer from `rsdp` (tables read through `map`) and takes
 * the first (PM timer, TSC) pair; without a PM timer no span runs. */
void bc_tsc_pm_start(bc_tsc_pm *p, uint64_t rsdp, bc_acpi_map_fn map);

/* A TSC reading; while a span runs the PM timer is sampled too, so its
 * wraps are followed (call at least every few seconds). */
uint64_t bc_tsc_pm_stamp(bc_tsc_pm *p);

/* TSC ticks per second over the span so far, waiting on the PM timer for
 * the rest of `min_ticks` when it is shorter (bc_tsc_span_close); 0 when
 * no span runs or it cannot be closed (the caller then falls back). */
uint64_t bc_tsc_pm_finish(bc_tsc_pm *p, uint32_t min_ticks);

/* The TSC frequency CPUID leaves 0x15/0x16 report, 0 when they do not. */
uint64_t bc_tsc_cpuid_hz_now(void);

#endif
