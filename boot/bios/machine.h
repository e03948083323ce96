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

/* Physical address of the ACPI RSDP (first KiB of the EBDA, then
 * 0xE0000..0xFFFFF, 16-byte steps, checksums verified), 0 if none. */
uint64_t find_rsdp(void);

/* Start of the EBDA from the BDA word at 0x40E, 0 when it looks invalid. */
uint32_t ebda_base(void);

/* A bm_bios that runs calls through the real-mode thunk with the E820
 * buffer below 1 MiB. */
bm_bios bios_for_biosmem(void);

#endif
