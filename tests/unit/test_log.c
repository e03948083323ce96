/* mm_log: level filtering, the tag prefix, bounded lines cut with "...",
 * a NULL logger as a no-op, and level names parsed both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mm/log.h"

/* A sink that keeps the last line and counts calls. */
typedef struct capture {
    char line[MM_LOG_LINE_MAX + 8];
    size_t len;
    mm_log_level level;
    int calls;
} capture;

static void capture_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    capture *c = ctx;
    assert_true(len < sizeof c->line);
    assert_int_equal(strlen(line), len); /* NUL-terminated at len */
    memcpy(c->line, line, len + 1);
    c->len = len;
    c->level = level;
    c->calls++;
}

static void line_has_tag_and_text(void **state)
{
    (void)state;
    capture c = {0};
    mm_logger lg = {capture_sink, &c, MM_LOG_INFO};
    mm_log(&lg, MM_LOG_WARN, "trimmed %u bytes from %s", 4096u, "entry 3");
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.level, MM_LOG_WARN);
    assert_string_equal(c.line, "[WARN ] trimmed 4096 bytes from entry 3");
    mm_log(&lg, MM_LOG_ERROR, "x");
    assert_string_equal(c.line, "[ERROR] x");
}

/* Logger at INFO: ERROR/WARN/INFO pass, DEBUG/TRACE are dropped. */
static void level_filters(void **state)
{
    (void)state;
    for (int lvl = 0; lvl < MM_LOG_LEVEL_COUNT; lvl++) {
        capture c = {0};
        mm_logger lg = {capture_sink, &c, (mm_log_level)lvl};
        for (int msg = 0; msg < MM_LOG_LEVEL_COUNT; msg++) {
            mm_log(&lg, (mm_log_level)msg, "m%d", msg);
            assert_int_equal(mm_log_enabled(&lg, (mm_log_level)msg), msg <= lvl);
        }
        assert_int_equal(c.calls, lvl + 1);
    }
}

static void null_logger_and_sink_are_noops(void **state)
{
    (void)state;
    mm_log(NULL, MM_LOG_ERROR, "nobody listens %d", 1);
    mm_logger no_sink = {NULL, NULL, MM_LOG_TRACE};
    mm_log(&no_sink, MM_LOG_ERROR, "still nobody");
    assert_false(mm_log_enabled(NULL, MM_LOG_ERROR));
    assert_false(mm_log_enabled(&no_sink, MM_LOG_ERROR));
    capture c = {0};
    mm_logger lg = {capture_sink, &c, MM_LOG_TRACE};
    mm_log(&lg, (mm_log_level)MM_LOG_LEVEL_COUNT, "bad level");
    assert_int_equal(c.calls, 0);
}

/* A message longer than the line buffer arrives cut to MM_LOG_LINE_MAX - 1
 * characters, ending in "...". */
static void long_line_is_cut(void **state)
{
    (void)state;
    capture c = {0};
    mm_logger lg = {capture_sink, &c, MM_LOG_INFO};
    char big[600];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    mm_log(&lg, MM_LOG_INFO, "%s", big);
    assert_int_equal(c.len, MM_LOG_LINE_MAX - 1);
    assert_memory_equal(c.line, "[INFO ] aaa", 11);
    assert_string_equal(c.line + c.len - 4, "a...");

    /* Exactly fitting: no dots. */
    size_t fit = MM_LOG_LINE_MAX - 1 - strlen("[INFO ] ");
    big[fit] = '\0';
    mm_log(&lg, MM_LOG_INFO, "%s", big);
    assert_int_equal(c.len, MM_LOG_LINE_MAX - 1);
    assert_int_equal(c.line[c.len - 1], 'a');
}

static void bad_format_is_reported(void **state)
{
    (void)state;
    capture c = {0};
    mm_logger lg = {capture_sink, &c, MM_LOG_INFO};
    const char *fmt = "%99999d";
    mm_log(&lg, MM_LOG_INFO, fmt, 1);
    assert_string_equal(c.line, "[INFO ] (bad log format: %99999d)");
}

static void vlog_passes_arguments(void **state)
{
    (void)state;
    capture c = {0};
    mm_logger lg = {capture_sink, &c, MM_LOG_DEBUG};
    mm_log(&lg, MM_LOG_DEBUG, "%#llx-%#llx %s", 0x100000ull, 0x200000ull, "usable");
    assert_string_equal(c.line, "[DEBUG] 0x100000-0x200000 usable");
}

static void level_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < MM_LOG_LEVEL_COUNT; i++) {
        mm_log_level out = MM_LOG_LEVEL_COUNT;
        char num[2] = {(char)('0' + i), '\0'};
        assert_int_equal(mm_log_level_parse(mm_log_level_name((mm_log_level)i), &out), MM_OK);
        assert_int_equal(out, i);
        out = MM_LOG_LEVEL_COUNT;
        assert_int_equal(mm_log_level_parse(num, &out), MM_OK);
        assert_int_equal(out, i);
    }
    assert_string_equal(mm_log_level_name(MM_LOG_WARN), "WARN");
    assert_string_equal(mm_log_level_name((mm_log_level)77), "?");
}

static void level_parse_cases(void **state)
{
    (void)state;
    mm_log_level out = MM_LOG_INFO;
    assert_int_equal(mm_log_level_parse("Trace", &out), MM_OK);
    assert_int_equal(out, MM_LOG_TRACE);
    assert_int_equal(mm_log_level_parse("warning", &out), MM_OK);
    assert_int_equal(out, MM_LOG_WARN);
    out = MM_LOG_INFO;
    static const char *const bad[] = {"", "5", "-1", "00", "infos", "inf", "debug ", " error", "9"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(mm_log_level_parse(bad[i], &out), MM_ERR_CONFIG);
        assert_int_equal(out, MM_LOG_INFO); /* untouched on error */
    }
    assert_int_equal(mm_log_level_parse(NULL, &out), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_log_level_parse("info", NULL), MM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_has_tag_and_text),          cmocka_unit_test(level_filters),
        cmocka_unit_test(null_logger_and_sink_are_noops), cmocka_unit_test(long_line_is_cut),
        cmocka_unit_test(bad_format_is_reported),         cmocka_unit_test(vlog_passes_arguments),
        cmocka_unit_test(level_names_round_trip),         cmocka_unit_test(level_parse_cases),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
