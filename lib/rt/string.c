/* The four functions compilers may emit calls to even with -ffreestanding.
 * Linked into every freestanding image (UEFI loader, BIOS stage 2, kernel);
 * never into host programs, which use libc's (tests/unit/test_rt_string.c
 * builds this file under other names to test it).
 *
 * Copies and fills move a machine word per step (`rep movs`/`rep stos`)
 * and the last n % word bytes one by one: every boot copies and clears
 * some hundreds of KiB (disk bounce buffers, ELF segments, page tables),
 * and a byte loop costs several instructions a byte. Unaligned words are
 * allowed on x86, so no alignment is required of either pointer. Each
 * clears the direction flag first: firmware calls may return with it set. */
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#define RT_WORD  8u
#define RT_MOVSW "rep movsq"
#define RT_STOSW "rep stosq"
#elif defined(__i386__)
#define RT_WORD  4u
#define RT_MOVSW "rep movsl"
#define RT_STOSW "rep stosl"
#else
#error "lib/rt/string.c: x86 only"
#endif

/* `c` (converted to unsigned char) fills dst[0 .. n). Returns dst. */
void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t words = n / RT_WORD, tail = n % RT_WORD;
    uintptr_t fill = (uintptr_t)(unsigned char)c * (UINTPTR_MAX / 0xff); /* c in every byte */
    __asm__ volatile("cld\n\t" RT_STOSW "\n\tmov %[tail], %[count]\n\trep stosb"
                     : "+D"(d), [count] "+c"(words)
                     : "a"(fill), [tail] "r"(tail)
                     : "memory");
    return dst;
}

/* Forward copy of src[0 .. n) to dst[0 .. n): right for disjoint ranges
 * and for dst <= src (no write reaches a source byte not yet read). */
static void copy_up(void *dst, const void *src, size_t n)
{
    size_t words = n / RT_WORD, tail = n % RT_WORD;
    __asm__ volatile("cld\n\t" RT_MOVSW "\n\tmov %[tail], %[count]\n\trep movsb"
                     : "+D"(dst), "+S"(src), [count] "+c"(words)
                     : [tail] "r"(tail)
                     : "memory");
}

/* Copies src[0 .. n) to dst[0 .. n), which must not overlap. Returns dst. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_up(dst, src, n);
    return dst;
}

/* Copies src[0 .. n) to dst[0 .. n) as if through a temporary buffer: the
 * ranges may overlap. Returns dst. */
void *memmove(void *dst, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
    if (d - s >= n) { /* dst before src, or past its end: forward is safe */
        copy_up(dst, src, n);
        return dst;
    }
    /* dst in [src, src + n): copy from the end down, the n % word
     * bytes at the top first, then the words; each word is read before it
     * is written, so an overlap shorter than a word is fine too. */
    size_t words = n / RT_WORD, tail = n % RT_WORD;
    d += n - 1;
    s += n - 1;
    __asm__ volatile("std\n\trep movsb\n\t"
                     "sub %[back], %[d]\n\tsub %[back], %[s]\n\t" /* to the last word's start */
                     "mov %[words], %[count]\n\t" RT_MOVSW "\n\tcld"
                     : [d] "+D"(d), [s] "+S"(s), [count] "+c"(tail)
                     : [words] "r"(words), [back] "i"(RT_WORD - 1)
                     : "memory");
    return dst;
}

/* Compares a[0 .. n) with b[0 .. n) as unsigned bytes: < 0, 0 or > 0 as
 * the first differing byte of a is below, equal to or above b's. */
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x - *y;
    }
    return 0;
}
