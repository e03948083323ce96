/* lib/rt/string.c, the freestanding images' memcpy/memset/memmove/memcmp,
 * built here under other names (rt_*) beside libc's, on the host's x86-64
 * (the `rep movsq`/`stosq` forms; i386's `movsl` forms run in the BIOS
 * boot tests). Each result is checked against a byte-by-byte reference,
 * with guard bytes on both sides of the destination:
 *
 *   buf: [ guard 16 | dst at offset 0 .. 15, n bytes | guard ... ]  */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define memset  rt_memset
#define memcpy  rt_memcpy
#define memmove rt_memmove
#define memcmp  rt_memcmp
#include "rt/string.c"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp

#define GUARD  16u
#define MAXLEN 80u
#define BUF    (GUARD + 16u + MAXLEN + GUARD)

/* A byte at position i that differs between the two fills `seed`. */
static unsigned char pattern(size_t i, unsigned seed)
{
    return (unsigned char)(i * 29u + seed * 101u + 7u);
}

static void fill(unsigned char *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = pattern(i, seed);
}

/* The direction flag (EFLAGS bit 10) after a call. */
static bool direction_flag(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return (f >> 10) & 1u;
}

/* dst at each offset 0 .. 15 from src at each offset 0 .. 15, every length
 * 0 .. MAXLEN (whole words, then a tail of 0 .. 7 bytes):
 *
 *   src: [ s_off | n bytes ]     dst: [ guard | d_off | n bytes | guard ] */
static void copy_every_length_and_alignment(void **state)
{
    (void)state;
    unsigned char src[16 + MAXLEN], buf[BUF], want[BUF];
    fill(src, sizeof src, 1);
    for (size_t s_off = 0; s_off < 16; s_off++) {
        for (size_t d_off = 0; d_off < 16; d_off++) {
            for (size_t n = 0; n <= MAXLEN; n++) {
                fill(buf, sizeof buf, 2);
                fill(want, sizeof want, 2);
                for (size_t i = 0; i < n; i++)
                    want[GUARD + d_off + i] = src[s_off + i];
                void *r = rt_memcpy(buf + GUARD + d_off, src + s_off, n);
                assert_ptr_equal(r, buf + GUARD + d_off);
                assert_memory_equal(buf, want, sizeof buf);
            }
        }
    }
    assert_false(direction_flag());
}

/* Each of 0x00, 0x5a, 0x80, 0xff (and an int past a byte, and a
 * negative one: only the low byte counts) at every offset and length. */
static void fill_every_length_and_alignment(void **state)
{
    (void)state;
    const int values[] = {0x00, 0x5a, 0x80, 0xff, 0x1a5, -2};
    unsigned char buf[BUF], want[BUF];
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
        for (size_t d_off = 0; d_off < 16; d_off++) {
            for (size_t n = 0; n <= MAXLEN; n++) {
                fill(buf, sizeof buf, 3);
                fill(want, sizeof want, 3);
                for (size_t i = 0; i < n; i++)
                    want[GUARD + d_off + i] = (unsigned char)values[v];
                void *r = rt_memset(buf + GUARD + d_off, values[v], n);
                assert_ptr_equal(r, buf + GUARD + d_off);
                assert_memory_equal(buf, want, sizeof buf);
            }
        }
    }
}

/* memmove within one buffer, dst - src from -20 to +20 (0: the same
 * place), every length: the overlapping cases copy as if through a
 * temporary, both directions, distances below and above a word.
 *
 *   dst > src:  [ src ......... ]         copied from the top down
 *                     [ dst ......... ]
 *   dst < src:        [ src ......... ]   copied from the bottom up
 *               [ dst ......... ]                                   */
static void move_every_overlap(void **state)
{
    (void)state;
    unsigned char buf[BUF + 40], want[BUF + 40], tmp[MAXLEN];
    const size_t src = GUARD + 20;
    for (int dist = -20; dist <= 20; dist++) {
        for (size_t n = 0; n <= MAXLEN; n++) {
            size_t dst = (size_t)((int)src + dist);
            fill(buf, sizeof buf, 4);
            fill(want, sizeof want, 4);
            memcpy(tmp, want + src, n);
            memcpy(want + dst, tmp, n);
            void *r = rt_memmove(buf + dst, buf + src, n);
            assert_ptr_equal(r, buf + dst);
            assert_memory_equal(buf, want, sizeof buf);
            assert_false(direction_flag()); /* the backward copy sets it, then clears it */
        }
    }
}

/* Entered with the direction flag set (as a firmware call may leave it):
 * each function still copies and fills upwards, and returns it clear. */
static void direction_flag_set_on_entry(void **state)
{
    (void)state;
    unsigned char src[40], buf[40], want[40];
    fill(src, sizeof src, 5);
    fill(buf, sizeof buf, 6);
    memcpy(want, buf, sizeof want);
    memcpy(want + 4, src, 29);
    __asm__ volatile("std" ::: "memory");
    rt_memcpy(buf + 4, src, 29);
    assert_false(direction_flag());
    assert_memory_equal(buf, want, sizeof buf);

    memset(want + 3, 0x77, 21);
    __asm__ volatile("std" ::: "memory");
    rt_memset(buf + 3, 0x77, 21);
    assert_false(direction_flag());
    assert_memory_equal(buf, want, sizeof buf);

    memmove(want, want + 5, 30);
    __asm__ volatile("std" ::: "memory");
    rt_memmove(buf, buf + 5, 30);
    assert_false(direction_flag());
    assert_memory_equal(buf, want, sizeof buf);
}

/* Bytes compare unsigned: 0x80 is above 0x7f; the first difference
 * decides; length 0 is equal. */
static void compare_unsigned_first_difference(void **state)
{
    (void)state;
    const unsigned char a[] = {1, 2, 0x80, 0}, b[] = {1, 2, 0x7f, 9};
    assert_true(rt_memcmp(a, b, 4) > 0);
    assert_true(rt_memcmp(b, a, 4) < 0);
    assert_int_equal(rt_memcmp(a, b, 2), 0);
    assert_int_equal(rt_memcmp(a, b, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_every_length_and_alignment),
        cmocka_unit_test(fill_every_length_and_alignment),
        cmocka_unit_test(move_every_overlap),
        cmocka_unit_test(direction_flag_set_on_entry),
        cmocka_unit_test(compare_unsigned_first_difference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
