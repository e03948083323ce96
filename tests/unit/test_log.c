/* mm_log: level filtering, the tag prefix, bounded lines cut with "...",
 * a NULL logger as a no-op, and level names parsed both ways; mm_vlog from
 * a caller's wrapper; mm_log_map's lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/log_lines.h"
#include "mm/log.h"
#include "mm/memmap.h"

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

/* A caller's own variadic wrapper, the reason mm_vlog exists. */
static void my_log(const mm_logger *lg, mm_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mm_vlog(lg, level, fmt, ap);
    va_end(ap);
}

/* mm_vlog through a wrapper: the va_list reaches the formatter (64-bit,
 * string and 32-bit arguments in order), the level filter applies, and a
 * NULL logger is a no-op. */
static void vlog_through_wrapper(void **state)
{
    (void)state;
    capture c = {0};
    mm_logger lg = {capture_sink, &c, MM_LOG_INFO};
    my_log(&lg, MM_LOG_WARN, "%llx %s %u", 0xfee00000ull, "apic", 7u);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.level, MM_LOG_WARN);
    assert_string_equal(c.line, "[WARN ] fee00000 apic 7");
    my_log(&lg, MM_LOG_DEBUG, "dropped %u", 1u);
    assert_int_equal(c.calls, 1);
    my_log(NULL, MM_LOG_ERROR, "nowhere %u", 2u);
    assert_int_equal(c.calls, 1);
}

/* Every line, in order, for mm_log_map; all of them at MM_LOG_DEBUG. */
static void debug_lines_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    assert_int_equal(level, MM_LOG_DEBUG);
    log_lines_sink(ctx, level, line, len);
}

/* mm_log_map: a header with the count, then one line per entry with its
 * half-open range, size and type name, at the level asked for; nothing
 * when that level is filtered out or the map is NULL. */
static void log_map_lines(void **state)
{
    (void)state;
    mm_entry e[] = {
        {.base = 0, .length = 0x9f000, .type = MM_TYPE_USABLE},
        {.base = 0x100000, .length = 0x100000, .type = MM_TYPE_KERNEL},
        {.base = 0xfd00000000ull,
         .length = 0x300000000ull,
         .type = MM_TYPE_RESERVED,
         .raw_type = 2},
    };
    mm_map map = {.entries = e, .count = 3, .capacity = 3};
    log_lines l = {0};
    mm_logger lg = {debug_lines_sink, &l, MM_LOG_DEBUG};
    mm_log_map(&lg, MM_LOG_DEBUG, &map);
    assert_int_equal(l.count, 4);
    assert_string_equal(l.text,
                        "[DEBUG] memory map, 3 entries:\n"
                        "[DEBUG]   [0x000000000000 - 0x00000009f000)     636 KiB  usable\n"
                        "[DEBUG]   [0x000000100000 - 0x000000200000)       1 MiB  kernel\n"
                        "[DEBUG]   [0x00fd00000000 - 0x010000000000)      12 GiB  reserved\n");
    lg.level = MM_LOG_INFO;
    mm_log_map(&lg, MM_LOG_DEBUG, &map);
    mm_log_map(&lg, MM_LOG_INFO, NULL); /* enabled level, no map */
    assert_int_equal(l.count, 4);
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
        cmocka_unit_test(vlog_through_wrapper),           cmocka_unit_test(log_map_lines),
        cmocka_unit_test(level_names_round_trip),         cmocka_unit_test(level_parse_cases),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
