/* mm_div_u64 as stage 2 runs it: built with -m32, where it divides with
 * the CPU only when both operands fit in 32 bits and by shift and subtract
 * otherwise. Checked against the C library's 64-bit divide (libgcc's
 * __udivdi3) over operands of every width from 1 to 64 bits, and for a
 * zero divisor. Prints one PASS line, or one FAIL line per mismatch (at
 * most 10) and exits 1. */
#include <stdint.h>
#include <stdio.h>

#include "mm/base.h"

#define PAIRS      200000
#define MAX_REPORT 10

static unsigned failures;

static void check(uint64_t n, uint64_t d)
{
    uint64_t r = ~(uint64_t)0;
    uint64_t q = mm_div_u64(n, d, &r);
    uint64_t want_q = d ? n / d : 0, want_r = d ? n % d : 0;
    if (q == want_q && r == want_r)
        return;
    if (failures++ < MAX_REPORT)
        printf("FAIL: i386-div: %#llx / %#llx gave %#llx rem %#llx, want %#llx rem %#llx\n",
               (unsigned long long)n, (unsigned long long)d, (unsigned long long)q,
               (unsigned long long)r, (unsigned long long)want_q, (unsigned long long)want_r);
}

int main(void)
{
    if (sizeof(void *) != 4) {
        printf("FAIL: i386-div: built for %u-byte pointers, not 32-bit code\n",
               (unsigned)sizeof(void *));
        return 1;
    }
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (unsigned i = 0; i < PAIRS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        check(x >> (i % 64), (x * 0x2545f4914f6cdd1du) >> ((i / 64) % 64));
    }
    check(UINT64_MAX, ((uint64_t)1 << 63) + 1);
    check(UINT64_MAX, UINT64_MAX);
    check(0xffffffffu, 0xffffffffu);
    check(12345, 0);
    if (failures) {
        printf("FAIL: i386-div: %u of %u divisions wrong\n", failures, PAIRS + 4);
        return 1;
    }
    printf("PASS: i386-div: %u divisions agree with the 64-bit divide\n", PAIRS + 4);
    return 0;
}
