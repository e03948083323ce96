/* UTF-8 to UCS-2 for UEFI strings (LoadOptions): every kind of character,
 * the replacement of what UCS-2 cannot hold, and the buffer limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/text.h"

/* Converts `s` into a 32-unit buffer and compares with `want` (0-ended). */
static void expect_ucs2(const char *s, const uint16_t *want)
{
    uint16_t out[32];
    size_t n = 99, want_n = 0;
    while (want[want_n])
        want_n++;
    assert_int_equal(bc_utf8_to_ucs2(s, out, 32, &n), MM_OK);
    assert_int_equal(n, want_n);
    assert_memory_equal(out, want, (want_n + 1) * sizeof *out);
}

/* "a=1 b" stays as it is, one unit per byte. */
static void ascii(void **state)
{
    (void)state;
    expect_ucs2("a=1 b", (const uint16_t[]){'a', '=', '1', ' ', 'b', 0});
    expect_ucs2("", (const uint16_t[]){0});
}

/* U+00FC (2 bytes) and U+20AC (3 bytes) are one unit each. */
static void multi_byte_bmp(void **state)
{
    (void)state;
    expect_ucs2("\xc3\xbc\xe2\x82\xac", (const uint16_t[]){0x00fc, 0x20ac, 0});
}

/* U+1F600 needs a surrogate pair, which UCS-2 has not: U+FFFD. */
static void beyond_bmp_replaced(void **state)
{
    (void)state;
    expect_ucs2("x\xf0\x9f\x98\x80y", (const uint16_t[]){'x', 0xfffd, 'y', 0});
}

/* Bad bytes each become one U+FFFD and decoding goes on after them:
 * lone continuation, overlong '/', encoded surrogate, cut at the end. */
static void invalid_sequences_replaced(void **state)
{
    (void)state;
    expect_ucs2("\x80z", (const uint16_t[]){0xfffd, 'z', 0});
    expect_ucs2("\xc0\xaf", (const uint16_t[]){0xfffd, 0xfffd, 0});
    expect_ucs2("\xed\xa0\x80", (const uint16_t[]){0xfffd, 0});
    expect_ucs2("a\xe2\x82", (const uint16_t[]){'a', 0xfffd, 0xfffd, 0});
}

/* "abc" needs 4 units: fits exactly in 4, in 3 gives "ab" and an error. */
static void buffer_limits(void **state)
{
    (void)state;
    uint16_t out[4];
    size_t n = 99;
    assert_int_equal(bc_utf8_to_ucs2("abc", out, 4, &n), MM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(bc_utf8_to_ucs2("abc", out, 3, &n), MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 2);
    assert_int_equal(out[2], 0);
    assert_int_equal(bc_utf8_to_ucs2("abc", NULL, 0, &n), MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(bc_utf8_to_ucs2(NULL, out, 4, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_utf8_to_ucs2("a", NULL, 4, NULL), MM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii),
        cmocka_unit_test(multi_byte_bmp),
        cmocka_unit_test(beyond_bmp_replaced),
        cmocka_unit_test(invalid_sequences_replaced),
        cmocka_unit_test(buffer_limits),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
