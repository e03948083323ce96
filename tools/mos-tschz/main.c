/* mos-tschz: the host's TSC frequency in Hz, measured against
 * CLOCK_MONOTONIC_RAW over a window (default 200 ms). The boot tests'
 * reference for the loaders' calibration: QEMU TCG's guest TSC is the
 * host's TSC, so a guest calibration must agree with this figure.
 *
 *   mos-tschz [WINDOW_MS]      prints e.g. "2994371052"
 *
 * Each end of the window is a (clock, TSC) pair read close together; a
 * pair taking over 20 us (descheduled) is read again. Exit status 2 on a
 * host without a TSC (not x86) or a bad argument. */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PAIR_MAX_NS 20000
#define PAIR_TRIES  1000

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* A tight (clock, TSC) pair: the clock halfway between two readings. */
static int pair(int64_t *ns, uint64_t *t)
{
    for (int i = 0; i < PAIR_TRIES; i++) {
        int64_t a = now_ns();
        uint64_t x = tsc();
        int64_t b = now_ns();
        if (b - a <= PAIR_MAX_NS) {
            *ns = a + (b - a) / 2;
            *t = x;
            return 0;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
    if (argc > 2 || ms < 10 || ms > 10000) {
        fprintf(stderr, "usage: mos-tschz [WINDOW_MS: 10..10000]\n");
        return 2;
    }
    int64_t n0, n1;
    uint64_t t0, t1;
    if (pair(&n0, &t0))
        return 1;
    struct timespec w = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&w, NULL);
    if (pair(&n1, &t1) || n1 <= n0)
        return 1;
    printf("%llu\n", (unsigned long long)((double)(t1 - t0) * 1e9 / (double)(n1 - n0)));
    return 0;
}
#else
int main(void)
{
    fprintf(stderr, "mos-tschz: this host has no x86 TSC\n");
    return 2;
}
#endif
