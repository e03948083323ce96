/* TSC calibration fuzzer: the input is a FADT (of exactly its length, so
 * ASan catches any read past it) for bc_fadt_pm_timer, and, read again as
 * a mask choice and (reference, TSC) samples, a calibration span. What
 * comes out must keep the contracts: a port in 1..0xffff with a 24- or
 * 32-bit mask, and a frequency of 0 or within [BC_TSC_HZ_MIN,
 * BC_TSC_HZ_MAX]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/tscal.h"

#define MAX_BYTES 4096u
#define SAMPLE    12u /* bytes per sample: reference u32, TSC u64 */

static void fadt(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    memcpy(p, data, size);
    uint16_t port = 0;
    uint32_t mask = 0;
    if (bc_fadt_pm_timer(p, (uint32_t)size, &port, &mask) &&
        (port == 0 || (mask != 0xffffffu && mask != 0xffffffffu)))
        abort();
    free(p);
}

static void span(const uint8_t *data, size_t size)
{
    if (size < 1 + SAMPLE)
        return;
    uint32_t mask = data[0] & 1 ? 0xffffffffu : 0xffffffu;
    bc_tsc_span s;
    bc_tsc_span_start(&s, mask, mm_load_le32(data + 1), mm_load_le64(data + 5));
    for (size_t off = 1 + SAMPLE; off + SAMPLE <= size; off += SAMPLE)
        bc_tsc_span_sample(&s, mm_load_le32(data + off), mm_load_le64(data + off + 4));
    uint64_t hz = bc_tsc_span_hz(&s, BC_PM_TIMER_HZ, data[0] >> 1);
    if (hz != 0 && (hz < BC_TSC_HZ_MIN || hz > BC_TSC_HZ_MAX))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_BYTES)
        return 0;
    fadt(data, size);
    span(data, size);
    return 0;
}
