/* mm_div_u64 and its 32-bit form mm_div_u64_shift: quotient and remainder
 * for every operand width, 0 and 0 for a zero divisor, the remainder
 * optional. The host runs mm_div_u64 on its 64-bit divide; the shift form
 * is what stage 2 runs for wide operands, so each case checks both.
 *
 *   n = q * d + r,  0 <= r < d          (d != 0)
 *   q = 0, r = 0                        (d == 0)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm/base.h"

/* Both forms give quotient q and remainder r for n / d. */
static void expect_div(uint64_t n, uint64_t d, uint64_t q, uint64_t r)
{
    uint64_t rem = ~(uint64_t)0;
    assert_int_equal(mm_div_u64(n, d, &rem), q);
    assert_int_equal(rem, r);
    rem = ~(uint64_t)0;
    assert_int_equal(mm_div_u64_shift(n, d, &rem), q);
    assert_int_equal(rem, r);
}

static void zero_divisor_gives_zero_and_zero(void **state)
{
    (void)state;
    expect_div(0, 0, 0, 0);
    expect_div(12345, 0, 0, 0);
    expect_div(UINT64_MAX, 0, 0, 0);
}

static void zero_dividend(void **state)
{
    (void)state;
    expect_div(0, 1, 0, 0);
    expect_div(0, UINT64_MAX, 0, 0);
}

/* Both operands below 2^32: stage 2's 32-bit divide. */
static void narrow_operands(void **state)
{
    (void)state;
    expect_div(7, 2, 3, 1);
    expect_div(3, 7, 0, 3);
    expect_div(0xffffffffu, 1000000u, 4294, 967295);
    expect_div(0xffffffffu, 0xffffffffu, 1, 0);
}

/* A dividend past 2^32 over a small divisor: a quotient wider than 32
 * bits (a TSC count over ticks per microsecond). */
static void wide_dividend(void **state)
{
    (void)state;
    expect_div(UINT64_MAX, 10, 1844674407370955161u, 5);
    expect_div((uint64_t)1 << 32, 1, (uint64_t)1 << 32, 0);
    expect_div(0x123456789abcdefu, 1000, 0x123456789abcdefu / 1000, 0x123456789abcdefu % 1000);
}

/* Divisors past 2^32 and past 2^63, where the shifted remainder comes
 * closest to overflowing. */
static void wide_divisor(void **state)
{
    (void)state;
    expect_div(UINT64_MAX, (uint64_t)1 << 32, 0xffffffffu, 0xffffffffu);
    expect_div(UINT64_MAX, ((uint64_t)1 << 63) + 1, 1, ((uint64_t)1 << 63) - 2);
    expect_div(UINT64_MAX, UINT64_MAX, 1, 0);
    expect_div(UINT64_MAX - 1, UINT64_MAX, 0, UINT64_MAX - 1);
}

static void remainder_is_optional(void **state)
{
    (void)state;
    assert_int_equal(mm_div_u64(100, 7, NULL), 14);
    assert_int_equal(mm_div_u64_shift(100, 7, NULL), 14);
    assert_int_equal(mm_div_u64_shift(100, 0, NULL), 0);
}

/* The shift form against the host's divide over operands of every width
 * from 1 to 64 bits (a fixed xorshift sequence). */
static void shift_form_matches_the_cpu(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 4096; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t n = x >> (i % 64);
        uint64_t d = (x * 0x2545f4914f6cdd1du) >> ((i / 64) % 64);
        if (d == 0)
            continue;
        uint64_t r;
        assert_int_equal(mm_div_u64_shift(n, d, &r), n / d);
        assert_int_equal(r, n % d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zero_divisor_gives_zero_and_zero),
        cmocka_unit_test(zero_dividend),
        cmocka_unit_test(narrow_operands),
        cmocka_unit_test(wide_dividend),
        cmocka_unit_test(wide_divisor),
        cmocka_unit_test(remainder_is_optional),
        cmocka_unit_test(shift_form_matches_the_cpu),
    };
    return cmocka_run_group_tests_name("div", tests, NULL, NULL);
}
