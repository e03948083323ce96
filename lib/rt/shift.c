/* 64-bit shifts for 32-bit code: clang's size optimization (-Oz) calls
 * these instead of inlining the two-register sequence. Linked into the
 * freestanding images; a 64-bit target never calls them. Written on the
 * two 32-bit halves so that no 64-bit shift (a call to themselves) is
 * left in them. */
#include <stdint.h>

#if defined(__i386__)
typedef union {
    uint64_t u;
    int64_t s;
    struct {
        uint32_t lo, hi; /* little endian */
    } w;
} dword;

/* The compiler emits calls with the count in 0 .. 63. */
int64_t __ashldi3(int64_t a, int b);
uint64_t __lshrdi3(uint64_t a, int b);
int64_t __ashrdi3(int64_t a, int b);

int64_t __ashldi3(int64_t a, int b)
{
    dword x = {.s = a}, r;
    if (b >= 32) {
        r.w.lo = 0;
        r.w.hi = x.w.lo << (b - 32);
    } else if (b == 0) {
        return a;
    } else {
        r.w.lo = x.w.lo << b;
        r.w.hi = (x.w.hi << b) | (x.w.lo >> (32 - b));
    }
    return r.s;
}

uint64_t __lshrdi3(uint64_t a, int b)
{
    dword x = {.u = a}, r;
    if (b >= 32) {
        r.w.hi = 0;
        r.w.lo = x.w.hi >> (b - 32);
    } else if (b == 0) {
        return a;
    } else {
        r.w.hi = x.w.hi >> b;
        r.w.lo = (x.w.lo >> b) | (x.w.hi << (32 - b));
    }
    return r.u;
}

int64_t __ashrdi3(int64_t a, int b)
{
    dword x = {.s = a}, r;
    int32_t hi = (int32_t)x.w.hi;
    if (b >= 32) {
        r.w.hi = (uint32_t)(hi >> 31);
        r.w.lo = (uint32_t)(hi >> (b - 32));
    } else if (b == 0) {
        return a;
    } else {
        r.w.hi = (uint32_t)(hi >> b);
        r.w.lo = (x.w.lo >> b) | (x.w.hi << (32 - b));
    }
    return r.s;
}
#endif
