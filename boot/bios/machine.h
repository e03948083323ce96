/* Stage 2 machine queries: CPU features, TSC frequency, ACPI RSDP, and the
 * BIOS-call adapter for boot/common/biosmem. */
#ifndef BIOS_MACHINE_H
#define BIOS_MACHINE_H

#include "common/biosmem.h"

/* True when CPUID reports long mode (and so PAE); NX in *nx. */
bool cpu_long_mode(bool *nx);

/* TSC ticks per second measured against PIT channel 2: the shortest
 * of five ~3.9 ms windows; 0 when the PIT does not respond. */
uint64_t tsc_calibrate(void);

/* Starts measuring the TSC against the ACPI PM timer of the FADT reached
 * from `rsdp` (nothing when there is none): call at the loader's entry. */
void tsc_span_start(uint64_t rsdp);

/* A TSC reading; also follows the PM timer past its wraps (call at least
 * every few seconds while a span runs). */
uint64_t tsc_span_stamp(void);

/* TSC ticks per second over the span from tsc_span_start to now; 0 when
 * no span runs or it is shorter than 2 ms (then use tsc_calibrate). */
uint64_t tsc_span_finish(void);

/* The TSC frequency CPUID leaves 0x15/0x16 report, 0 when they do not. */
uint64_t tsc_cpuid_hz(void);

/* Physical address of the ACPI RSDP (first KiB of the EBDA, then
 * 0xE0000..0xFFFFF, 16-byte steps, checksums verified), 0 if none. */
uint64_t find_rsdp(void);

/* Start of the EBDA from the BDA word at 0x40E, 0 when it looks invalid. */
uint32_t ebda_base(void);

/* A bm_bios that runs calls through the real-mode thunk with the E820
 * buffer below 1 MiB. */
bm_bios bios_for_biosmem(void);

#endif
