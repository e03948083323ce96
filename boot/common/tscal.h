/* TSC calibration without a wait of its own, firmware-neutral: the
 * frequency from CPUID (leaves 0x15/0x16) when the CPU reports it, else
 * measured against a reference counter (the ACPI PM timer) across work
 * the loader does anyway: the span starts at the loader's entry, is
 * sampled at each phase stamp (so a counter that wraps in seconds is
 * followed) and closed after the prepare step.
 *
 * No port I/O here: the front ends read the counter and pass the values
 * (or a read function). No 64-bit division (the i386 stage 2 has no
 * libgcc). */
#ifndef BC_TSCAL_H
#define BC_TSCAL_H

#include "acpi.h"
#include "mm/base.h"

#define BC_PM_TIMER_HZ 3579545u /* ACPI PM timer */
/* Shortest span the ratio is trusted over: 2 ms of PM timer. A reading
 * pair is at most BC_TSC_PAIR_MAX_TICKS (1.1 us) wide, so both ends err
 * by at most 0.11% together. */
#define BC_TSC_SPAN_MIN_TICKS 7159u
#define BC_TSC_PAIR_MAX_TICKS 4u         /* reference ticks a tight pair may span */
#define BC_TSC_PAIR_TRIES     16u        /* reading pairs tried before giving up */
#define BC_TSC_STILL_PAIRS    4096u      /* pairs without a reference tick: it stopped */
#define BC_TSC_HZ_MIN         1000000ull /* plausible range of a result */
#define BC_TSC_HZ_MAX         100000000000ull
/* No x86-64 CPU's TSC runs slower: bounds the time between two samples by
 * their TSC ticks, so a counter wrap that could have gone unseen is known. */
#define BC_TSC_HZ_FLOOR 500000000ull

/* TSC frequency in Hz from CPUID: `max_leaf` is leaf 0's EAX, `l15` and
 * `l16` the registers {eax, ebx, ecx, edx} of leaves 0x15 and 0x16 (read
 * only when max_leaf reaches them). Leaf 0x15 gives TSC/crystal as
 * EBX/EAX and the crystal in ECX; without ECX the nominal core frequency
 * of leaf 0x16 (MHz) is the TSC's. 0 when the CPU does not say. */
uint64_t bc_tsc_hz_cpuid(uint32_t max_leaf, const uint32_t l15[4], const uint32_t l16[4]);

/* tsc_ticks * ref_hz / ref_ticks, rounded down: the TSC frequency when
 * `tsc_ticks` and `ref_ticks` elapsed over the same span of a reference
 * at `ref_hz`. 0 when ref_ticks is 0 or the product overflows 64 bits. */
uint64_t bc_tsc_ratio_hz(uint64_t tsc_ticks, uint64_t ref_ticks, uint32_t ref_hz);

/* PM timer port and counter mask from a FADT of `len` bytes at `fadt`:
 * X_PM_TMR_BLK when it is in system I/O space and set, else PM_TMR_BLK;
 * 32 bits wide when flag TMR_VAL_EXT is set, else 24. false when the
 * table has none or names a port above 0xffff. */
bool bc_fadt_pm_timer(const uint8_t *fadt, uint32_t len, uint16_t *port, uint32_t *mask);

/* The PM timer of the machine whose RSDP is at `rsdp` (physical), through
 * the FADT ("FACP") reached with `map` (acpi.h): port and mask as
 * bc_fadt_pm_timer gives them. false when there is no RSDP, no valid FADT
 * or no PM timer in it. */
bool bc_pm_timer_find(uint64_t rsdp, bc_acpi_map_fn map, void *ctx, uint16_t *port, uint32_t *mask);

/* Reads the reference `read(ctx)` (masked by `mask`), the TSC `tsc(ctx)`
 * and the reference again, until both reference readings are at most
 * BC_TSC_PAIR_MAX_TICKS apart (at most BC_TSC_PAIR_TRIES times): then the
 * first reference reading and the TSC in *ref, *t and true. false when
 * no pair was tight (a stopped or erratic counter is caught later). */
bool bc_tsc_ref_pair(uint32_t (*read)(void *ctx), uint64_t (*tsc)(void *ctx), void *ctx,
                     uint32_t mask, uint32_t *ref, uint64_t *t);

/* A calibration span: reference ticks (extended past the counter's
 * wraps) against TSC ticks from the first pair to the last. */
typedef struct bc_tsc_span {
    uint64_t tsc0, tsc; /* TSC at the start and at the last pair */
    uint64_t ref_ticks; /* reference ticks from the start to the last pair */
    uint64_t max_gap;   /* most TSC ticks between two samples */
    uint32_t ref_last;  /* the last reference reading */
    uint32_t mask;      /* counter width: 0xffffff or 0xffffffff; 0 = no span */
} bc_tsc_span;

/* Starts `s` at the pair (ref, tsc) of a counter of width `mask`. */
void bc_tsc_span_start(bc_tsc_span *s, uint32_t mask, uint32_t ref, uint64_t tsc);

/* Adds the pair (ref, tsc) read later than the last. Samples must be less
 * than one counter period apart (24-bit PM timer: 4.69 s), or a wrap goes
 * unseen; bc_tsc_span_hz refuses a span whose samples may have been
 * (see BC_TSC_HZ_FLOOR). Does nothing on a span never started. */
void bc_tsc_span_sample(bc_tsc_span *s, uint32_t ref, uint64_t tsc);

/* Ends `s` with a pair read as bc_tsc_ref_pair reads them; while the span
 * is shorter than `min_ref_ticks` (a boot that got there sooner), keeps
 * adding pairs until it is not: a wait of the rest of the minimum, where
 * the fallback (PIT windows) takes some 20 ms. false when the span is not
 * started, no tight pair could be read, or the reference stood still for
 * BC_TSC_STILL_PAIRS pairs in a row (a stopped counter). */
bool bc_tsc_span_close(bc_tsc_span *s, uint32_t (*read)(void *ctx), uint64_t (*tsc)(void *ctx),
                       void *ctx, uint64_t min_ref_ticks);

/* The TSC frequency over the span against a reference at `ref_hz`; 0
 * when the span is not started, shorter than `min_ref_ticks`, has two
 * samples so far apart that the counter could have wrapped between them
 * unseen (more TSC ticks than a counter period at BC_TSC_HZ_FLOOR), or
 * the result is outside [BC_TSC_HZ_MIN, BC_TSC_HZ_MAX] (a stuck counter
 * or a TSC that did not move): the caller then measures the old way. */
uint64_t bc_tsc_span_hz(const bc_tsc_span *s, uint32_t ref_hz, uint64_t min_ref_ticks);

#endif
