/* Freestanding basics shared by every lib/mm module.
 *
 * Rules for all of lib/mm (it is compiled unchanged for host tests, the
 * 32-bit BIOS stage 2, the 64-bit UEFI loader (MS ABI, where `long` is 32
 * bits) and the kernel):
 *   - only <stdint.h>, <stddef.h>, <stdbool.h>, <stdarg.h>; no libc calls
 *     but memset/memcpy/memmove, which compilers emit anyway (through
 *     mm_memset and friends below; lib/rt has them in the images);
 *   - no globals, no static mutable state: all state lives in structs the
 *     caller passes by pointer, storage is caller-provided;
 *   - fixed-width integers for addresses and sizes (physical addresses are
 *     uint64_t even on 32-bit); never `long`;
 *   - no 64-bit `/` or `%` by a variable (i386 would need libgcc's
 *     __udivdi3): frame sizes are powers of two, so use shifts and masks,
 *     and mm_div_u64 where a true divide is needed;
 *   - half-open ranges [base, base + length); overflow checked where input
 *     arrives. */
#ifndef MM_BASE_H
#define MM_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/status.h"

#define MM_KIB ((uint64_t)1024)
#define MM_MIB (MM_KIB * 1024)
#define MM_GIB (MM_MIB * 1024)

#define MM_FRAME_SIZE_DEFAULT  4096u
#define MM_FRAME_SHIFT_DEFAULT 12u

/* True when `x` is a non-zero power of two. */
static inline bool mm_is_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* log2 of a power of two `x` (x must be a power of two). */
static inline uint32_t mm_log2(uint64_t x)
{
    uint32_t r = 0;
    while (x > 1) {
        x >>= 1;
        r++;
    }
    return r;
}

/* Rounds `x` down to a multiple of `align` (a power of two). */
static inline uint64_t mm_align_down(uint64_t x, uint64_t align)
{
    return x & ~(align - 1);
}

/* Rounds `x` up to a multiple of `align` (a power of two) into *out.
 * Returns false (leaving *out untouched) when the result would pass 2^64. */
static inline bool mm_align_up(uint64_t x, uint64_t align, uint64_t *out)
{
    uint64_t r = (x + (align - 1)) & ~(align - 1);
    if (r < x)
        return false;
    *out = r;
    return true;
}

/* *end = base + length; returns false when that passes 2^64.
 * An end of exactly 2^64 is not representable and counts as overflow. */
static inline bool mm_range_end(uint64_t base, uint64_t length, uint64_t *end)
{
    uint64_t e = base + length;
    if (e < base)
        return false;
    *end = e;
    return true;
}

/* n / d by shift and subtract, one quotient bit a step from n's top bit
 * down: the 32-bit form when a quotient or divisor is wider than 32 bits
 * (i386 has no 64-bit divide without libgcc). 0 for d == 0; *rem (may be
 * NULL) gets the remainder. Callers use mm_div_u64. */
static inline uint64_t mm_div_u64_shift(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
    int top = n ? 63 - __builtin_clzll(n) : -1;
    for (int i = top; d && i >= 0; i--) {
        r = r << 1 | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= (uint64_t)1 << i;
        }
    }
    if (rem)
        *rem = d ? r : 0;
    return q;
}

/* n / d: the CPU's divide where the word is 64 bits or both operands fit
 * in 32, else mm_div_u64_shift. 0 for d == 0; *rem (may be NULL) gets the
 * remainder (0 for d == 0). */
static inline uint64_t mm_div_u64(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
#if UINTPTR_MAX > 0xffffffffu
    if (d != 0) {
        q = n / d;
        r = n % d;
    }
#else
    if (d != 0 && ((n | d) >> 32) == 0) {
        q = (uint32_t)n / (uint32_t)d;
        r = (uint32_t)n % (uint32_t)d;
    } else {
        q = mm_div_u64_shift(n, d, &r);
    }
#endif
    if (rem)
        *rem = r;
    return q;
}

/* memset/memcpy/memmove through the compiler's builtins (-fno-builtin
 * leaves those): libc's on the host, lib/rt's word-wide `rep` forms in the
 * freestanding images, and a few plain stores for a small constant size.
 * n == 0 is allowed with any pointers (the C functions want valid ones
 * even then). mm_memcpy's ranges must not overlap; mm_memmove's may. */
static inline void mm_memset(void *dst, int value, size_t n)
{
    if (n)
        __builtin_memset(dst, value, n);
}

static inline void mm_memcpy(void *dst, const void *src, size_t n)
{
    if (n)
        __builtin_memcpy(dst, src, n);
}

static inline void mm_memmove(void *dst, const void *src, size_t n)
{
    if (n)
        __builtin_memmove(dst, src, n);
}

/* True when the NUL-terminated strings `a` and `b` are equal. */
static inline bool mm_str_eq(const char *a, const char *b)
{
    if (a == b)
        return true;
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Little-endian loads from bytes at any alignment (firmware tables, disk
 * structures): byte by byte, so neither alignment nor the host's struct
 * layout matters. */
static inline uint32_t mm_load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t mm_load_le64(const uint8_t *p)
{
    return (uint64_t)mm_load_le32(p) | (uint64_t)mm_load_le32(p + 4) << 32;
}

/* Little-endian stores at any alignment, the counterparts of the loads
 * (structures handed to firmware or to another kernel). */
static inline void mm_store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void mm_store_le64(uint8_t *p, uint64_t v)
{
    mm_store_le32(p, (uint32_t)v);
    mm_store_le32(p + 4, (uint32_t)(v >> 32));
}

#define MM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
