/* mm_strerror / mm_status_name: every code has its own text; unknown codes
 * get a fixed fallback instead of NULL or an out-of-bounds read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mm/status.h"

static void every_code_has_distinct_text(void **state)
{
    (void)state;
    for (int a = 0; a < MM_STATUS_COUNT; a++) {
        assert_non_null(mm_strerror((mm_status)a));
        assert_string_not_equal(mm_strerror((mm_status)a), "unknown status");
        for (int b = a + 1; b < MM_STATUS_COUNT; b++)
            assert_string_not_equal(mm_strerror((mm_status)a), mm_strerror((mm_status)b));
    }
}

static void names_match_enumerators(void **state)
{
    (void)state;
    assert_string_equal(mm_status_name(MM_OK), "MM_OK");
    assert_string_equal(mm_status_name(MM_ERR_DOUBLE_FREE), "MM_ERR_DOUBLE_FREE");
    assert_string_equal(mm_strerror(MM_ERR_OUT_OF_MEMORY), "out of memory");
}

static void unknown_code_gets_fallback(void **state)
{
    (void)state;
    assert_string_equal(mm_strerror((mm_status)MM_STATUS_COUNT), "unknown status");
    assert_string_equal(mm_strerror((mm_status)-1), "unknown status");
    assert_string_equal(mm_status_name((mm_status)1000), "MM_STATUS_UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_distinct_text),
        cmocka_unit_test(names_match_enumerators),
        cmocka_unit_test(unknown_code_gets_fallback),
    };
    return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
