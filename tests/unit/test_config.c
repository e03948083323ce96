/* mm_config: defaults, validation naming the bad field, the boot.cfg
 * key/value setter (numbers, suffixes, booleans, levels, errors) and the
 * detailed-logging -> level mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mm/config.h"

static void defaults_match_documentation(void **state)
{
    (void)state;
    mm_config c;
    memset(&c, 0xa5, sizeof c);
    mm_config_defaults(&c);
    assert_int_equal(c.heap_size, 16 * 1024 * 1024);
    assert_int_equal(c.temp_heap_size, 1024 * 1024);
    assert_int_equal(c.bitmap_granularity, 4096);
    assert_int_equal(c.heap_alignment, 4096);
    assert_int_equal(c.min_heap_addr, 1024 * 1024);
    assert_int_equal(c.enable_memory_test, MM_MEMTEST_DEFAULT != 0);
    assert_true(c.enable_detailed_logging);
    assert_int_equal(c.log_level, MM_LOG_INFO);
    mm_config_error err = {MM_CFG_LOG_LEVEL, "stale"};
    assert_int_equal(mm_config_validate(&c, &err), MM_OK);
    assert_int_equal(err.field, MM_CFG_NONE);
    assert_string_equal(err.reason, "");
}

/* One broken value per row: validate must name exactly that field. */
typedef struct bad_case {
    mm_config_field field;
    uint64_t value;
    const char *reason_part;
} bad_case;

static void set_field(mm_config *c, mm_config_field f, uint64_t v)
{
    if (f == MM_CFG_LOG_LEVEL) {
        c->log_level = (mm_log_level)v;
        return;
    }
    uint64_t *num = mm_config_number(c, f);
    assert_non_null(num);
    *num = v;
}

static void validate_names_bad_field(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {MM_CFG_HEAP_SIZE, 0, "zero"},
        {MM_CFG_HEAP_SIZE, 4097, "multiple of 4 KiB"},
        {MM_CFG_HEAP_SIZE, (1ull << 48) + 4096, "256 TiB"},
        {MM_CFG_TEMP_HEAP_SIZE, 100, "multiple of 4 KiB"},
        {MM_CFG_TEMP_HEAP_SIZE, 1ull << 50, "256 TiB"},
        {MM_CFG_BITMAP_GRANULARITY, 0, "power of two"},
        {MM_CFG_BITMAP_GRANULARITY, 12288, "power of two"},
        {MM_CFG_BITMAP_GRANULARITY, 2048, "at least 4 KiB"},
        {MM_CFG_BITMAP_GRANULARITY, 1ull << 31, "at most 1 GiB"},
        {MM_CFG_HEAP_ALIGNMENT, 0, "power of two"},
        {MM_CFG_HEAP_ALIGNMENT, 24, "power of two"},
        {MM_CFG_HEAP_ALIGNMENT, 1ull << 40, "at most 1 GiB"},
        {MM_CFG_MIN_HEAP_ADDR, 0x100001, "multiple of 4 KiB"},
        {MM_CFG_MIN_HEAP_ADDR, 1ull << 52, "52-bit"},
        {MM_CFG_LOG_LEVEL, MM_LOG_LEVEL_COUNT, "log level"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mm_config c;
        mm_config_defaults(&c);
        set_field(&c, cases[i].field, cases[i].value);
        mm_config_error err = {MM_CFG_NONE, NULL};
        assert_int_equal(mm_config_validate(&c, &err), MM_ERR_CONFIG);
        assert_int_equal(err.field, cases[i].field);
        assert_non_null(strstr(err.reason, cases[i].reason_part));
    }
}

/* Edge values that are fine: smallest and largest accepted. */
static void validate_accepts_edges(void **state)
{
    (void)state;
    mm_config c;
    mm_config_defaults(&c);
    c.heap_alignment = 1;
    c.min_heap_addr = 0;
    c.temp_heap_size = 4096;
    c.bitmap_granularity = 1ull << 30;
    c.heap_size = 1ull << 48;
    c.log_level = MM_LOG_TRACE;
    assert_int_equal(mm_config_validate(&c, NULL), MM_OK);
    c.min_heap_addr = (1ull << 52) - 4096;
    assert_int_equal(mm_config_validate(&c, NULL), MM_OK);
}

/* temp_heap_size = 0 asks for no temporary heap (the kernel then uses its
 * fallback); it is valid, unlike a zero boot heap. */
static void temp_heap_zero_means_none(void **state)
{
    (void)state;
    mm_config c;
    mm_config_defaults(&c);
    mm_config_error err;
    assert_int_equal(mm_config_set(&c, "temp_heap_size", "0", &err), MM_OK);
    assert_int_equal(c.temp_heap_size, 0);
    assert_int_equal(mm_config_validate(&c, &err), MM_OK);
    c.heap_size = 0;
    assert_int_equal(mm_config_validate(&c, &err), MM_ERR_CONFIG);
    assert_int_equal(err.field, MM_CFG_HEAP_SIZE);
}

/* 8 KiB frames with a 12 KiB heap: the heap would end inside a frame. */
static void heap_must_be_whole_frames(void **state)
{
    (void)state;
    mm_config c;
    mm_config_defaults(&c);
    c.bitmap_granularity = 8192;
    c.heap_size = 12288;
    mm_config_error err;
    assert_int_equal(mm_config_validate(&c, &err), MM_ERR_CONFIG);
    assert_int_equal(err.field, MM_CFG_HEAP_SIZE);
    assert_non_null(strstr(err.reason, "bitmap_granularity"));
    c.heap_size = 16384;
    assert_int_equal(mm_config_validate(&c, &err), MM_OK);
}

static void validate_null(void **state)
{
    (void)state;
    assert_int_equal(mm_config_validate(NULL, NULL), MM_ERR_INVALID_ARGUMENT);
}

static void field_names(void **state)
{
    (void)state;
    static const char *const want[] = {
        "none",          "heap_size",   "temp_heap_size",   "bitmap_granularity", "heap_alignment",
        "min_heap_addr", "memory_test", "detailed_logging", "log_level"};
    assert_int_equal(sizeof want / sizeof *want, MM_CFG_FIELD_COUNT);
    for (int f = 0; f < MM_CFG_FIELD_COUNT; f++)
        assert_string_equal(mm_config_field_name((mm_config_field)f), want[f]);
    assert_string_equal(mm_config_field_name((mm_config_field)99), "?");
}

/* Every numeric key takes decimal, hex and suffixed numbers. */
/* mm_config_number points into the struct for the five numeric keys and
 * gives NULL for booleans, the level, NONE and values past the enum. */
static void number_accessor(void **state)
{
    (void)state;
    mm_config c;
    assert_ptr_equal(mm_config_number(&c, MM_CFG_HEAP_SIZE), &c.heap_size);
    assert_ptr_equal(mm_config_number(&c, MM_CFG_TEMP_HEAP_SIZE), &c.temp_heap_size);
    assert_ptr_equal(mm_config_number(&c, MM_CFG_BITMAP_GRANULARITY), &c.bitmap_granularity);
    assert_ptr_equal(mm_config_number(&c, MM_CFG_HEAP_ALIGNMENT), &c.heap_alignment);
    assert_ptr_equal(mm_config_number(&c, MM_CFG_MIN_HEAP_ADDR), &c.min_heap_addr);
    assert_null(mm_config_number(&c, MM_CFG_MEMORY_TEST));
    assert_null(mm_config_number(&c, MM_CFG_DETAILED_LOGGING));
    assert_null(mm_config_number(&c, MM_CFG_LOG_LEVEL));
    assert_null(mm_config_number(&c, MM_CFG_NONE));
    assert_null(mm_config_number(&c, MM_CFG_FIELD_COUNT));
}

typedef struct number_case {
    const char *value;
    uint64_t want;
} number_case;

static void set_numbers(void **state)
{
    (void)state;
    static const number_case cases[] = {
        {"8192", 8192},    {"0x2000", 8192},       {"0X2000", 8192},   {"8K", 8192},
        {"8k", 8192},      {"8KiB", 8192},         {"8kb", 8192},      {"  8K\t", 8192},
        {"2M", 2 << 20},   {"0x10M", 16ull << 20}, {"1G", 1ull << 30}, {"0x40000000", 1ull << 30},
        {"0004096", 4096},
    };
    static const mm_config_field fields[] = {MM_CFG_HEAP_SIZE, MM_CFG_TEMP_HEAP_SIZE,
                                             MM_CFG_BITMAP_GRANULARITY, MM_CFG_HEAP_ALIGNMENT,
                                             MM_CFG_MIN_HEAP_ADDR};
    for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            mm_config c;
            mm_config_defaults(&c);
            mm_config_error err;
            const char *key = mm_config_field_name(fields[f]);
            assert_int_equal(mm_config_set(&c, key, cases[i].value, &err), MM_OK);
            assert_int_equal(*mm_config_number(&c, fields[f]), cases[i].want);
            assert_int_equal(err.field, MM_CFG_NONE);
        }
    }
    mm_config c;
    mm_config_defaults(&c);
    assert_int_equal(mm_config_set(&c, "heap_size", "256T", NULL), MM_OK); /* the largest */
    assert_int_equal(c.heap_size, 1ull << 48);
    assert_int_equal(mm_config_set(&c, "heap_size", "257T", NULL), MM_ERR_CONFIG);
}

/* Values that are not numbers, overflow, or break the field's own rule:
 * MM_ERR_CONFIG naming the field, config left as it was. */
typedef struct bad_value {
    const char *key;
    const char *value;
    mm_config_field field;
    const char *reason_part;
} bad_value;

static void set_bad_values(void **state)
{
    (void)state;
    static const bad_value cases[] = {
        {"heap_size", "", MM_CFG_HEAP_SIZE, "not a number"},
        {"heap_size", "   ", MM_CFG_HEAP_SIZE, "not a number"},
        {"heap_size", "abc", MM_CFG_HEAP_SIZE, "not a number"},
        {"heap_size", "0x", MM_CFG_HEAP_SIZE, "not a number"},
        {"heap_size", "-4096", MM_CFG_HEAP_SIZE, "not a number"},
        {"heap_size", "16 M", MM_CFG_HEAP_SIZE, "suffix"},
        {"heap_size", "16MM", MM_CFG_HEAP_SIZE, "suffix"},
        {"heap_size", "16X", MM_CFG_HEAP_SIZE, "suffix"},
        {"heap_size", "18446744073709551616", MM_CFG_HEAP_SIZE, "too large"},
        {"heap_size", "0x10000000000000000", MM_CFG_HEAP_SIZE, "too large"},
        {"heap_size", "17179869184G", MM_CFG_HEAP_SIZE, "too large"},
        {"heap_size", "0xffffffffffffffff", MM_CFG_HEAP_SIZE, "256 TiB"},
        {"heap_size", "0", MM_CFG_HEAP_SIZE, "zero"},
        {"heap_size", "1000", MM_CFG_HEAP_SIZE, "multiple of 4 KiB"},
        {"temp_heap_size", "2G3", MM_CFG_TEMP_HEAP_SIZE, "suffix"},
        {"bitmap_granularity", "6K", MM_CFG_BITMAP_GRANULARITY, "power of two"},
        {"bitmap_granularity", "1K", MM_CFG_BITMAP_GRANULARITY, "at least 4 KiB"},
        {"heap_alignment", "3", MM_CFG_HEAP_ALIGNMENT, "power of two"},
        {"min_heap_addr", "0x100010", MM_CFG_MIN_HEAP_ADDR, "multiple of 4 KiB"},
        {"min_heap_addr", "0x10000000000000", MM_CFG_MIN_HEAP_ADDR, "52-bit"},
        {"memory_test", "maybe", MM_CFG_MEMORY_TEST, "boolean"},
        {"memory_test", "", MM_CFG_MEMORY_TEST, "boolean"},
        {"detailed_logging", "2", MM_CFG_DETAILED_LOGGING, "boolean"},
        {"detailed_logging", "onn", MM_CFG_DETAILED_LOGGING, "boolean"},
        {"log_level", "loud", MM_CFG_LOG_LEVEL, "log level"},
        {"log_level", "5", MM_CFG_LOG_LEVEL, "log level"},
        {"log_level", "verylongword", MM_CFG_LOG_LEVEL, "log level"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mm_config c, before;
        mm_config_defaults(&c);
        before = c;
        mm_config_error err = {MM_CFG_NONE, NULL};
        assert_int_equal(mm_config_set(&c, cases[i].key, cases[i].value, &err), MM_ERR_CONFIG);
        assert_int_equal(err.field, cases[i].field);
        if (!strstr(err.reason, cases[i].reason_part)) {
            print_error("%s=%s: reason \"%s\"\n", cases[i].key, cases[i].value, err.reason);
            fail();
        }
        assert_memory_equal(&c, &before, sizeof c);
    }
}

static void set_booleans(void **state)
{
    (void)state;
    static const char *const yes[] = {"on", "yes", "true", "1", "ON", "Yes", "TRUE", " on "};
    static const char *const no[] = {"off", "no", "false", "0", "OFF", "No", "False"};
    mm_config c;
    mm_config_defaults(&c);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        c.enable_memory_test = true;
        assert_int_equal(mm_config_set(&c, "memory_test", no[i], NULL), MM_OK);
        assert_false(c.enable_memory_test);
        c.enable_detailed_logging = true;
        assert_int_equal(mm_config_set(&c, "detailed_logging", no[i], NULL), MM_OK);
        assert_false(c.enable_detailed_logging);
    }
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        c.enable_memory_test = false;
        assert_int_equal(mm_config_set(&c, "memory_test", yes[i], NULL), MM_OK);
        assert_true(c.enable_memory_test);
        c.enable_detailed_logging = false;
        assert_int_equal(mm_config_set(&c, "detailed_logging", yes[i], NULL), MM_OK);
        assert_true(c.enable_detailed_logging);
    }
}

static void set_log_level(void **state)
{
    (void)state;
    mm_config c;
    mm_config_defaults(&c);
    assert_int_equal(mm_config_set(&c, "log_level", "trace", NULL), MM_OK);
    assert_int_equal(c.log_level, MM_LOG_TRACE);
    assert_int_equal(mm_config_set(&c, "log_level", " Warn ", NULL), MM_OK);
    assert_int_equal(c.log_level, MM_LOG_WARN);
    assert_int_equal(mm_config_set(&c, "log_level", "0", NULL), MM_OK);
    assert_int_equal(c.log_level, MM_LOG_ERROR);
}

/* An unknown key is its own error (MM_ERR_NOT_FOUND), unlike a bad value. */
static void set_unknown_key(void **state)
{
    (void)state;
    mm_config c, before;
    mm_config_defaults(&c);
    before = c;
    mm_config_error err = {MM_CFG_HEAP_SIZE, NULL};
    static const char *const keys[] = {"heap", "heap_size_", "", "kernel", "heap-size"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        assert_int_equal(mm_config_set(&c, keys[i], "16M", &err), MM_ERR_NOT_FOUND);
        assert_int_equal(err.field, MM_CFG_NONE);
        assert_string_equal(err.reason, "unknown key");
    }
    assert_memory_equal(&c, &before, sizeof c);
}

static void set_key_case_and_blanks(void **state)
{
    (void)state;
    mm_config c;
    mm_config_defaults(&c);
    assert_int_equal(mm_config_set(&c, "HEAP_SIZE", "32M", NULL), MM_OK);
    assert_int_equal(c.heap_size, 32ull << 20);
    assert_int_equal(mm_config_set(&c, " Min_Heap_Addr ", "2M", NULL), MM_OK);
    assert_int_equal(c.min_heap_addr, 2ull << 20);
}

static void set_null_arguments(void **state)
{
    (void)state;
    mm_config c;
    mm_config_defaults(&c);
    assert_int_equal(mm_config_set(NULL, "heap_size", "1M", NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_config_set(&c, NULL, "1M", NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(mm_config_set(&c, "heap_size", NULL, NULL), MM_ERR_INVALID_ARGUMENT);
}

/* The documented usage example: 32 MiB heap, 8 KiB frames, rest default. */
static void usage_example_32m_heap_8k_frames(void **state)
{
    (void)state;
    mm_config c;
    mm_config_defaults(&c);
    assert_int_equal(mm_config_set(&c, "heap_size", "32M", NULL), MM_OK);
    assert_int_equal(mm_config_set(&c, "bitmap_granularity", "8192", NULL), MM_OK);
    assert_int_equal(mm_config_set(&c, "detailed_logging", "true", NULL), MM_OK);
    assert_int_equal(mm_config_validate(&c, NULL), MM_OK);
    assert_int_equal(c.heap_alignment, 4096);
}

/* detailed_logging raises the level to DEBUG; it never lowers TRACE. */
static void detailed_logging_maps_to_level(void **state)
{
    (void)state;
    mm_config c;
    mm_config_defaults(&c);
    assert_int_equal(mm_config_log_level(&c), MM_LOG_DEBUG);
    c.enable_detailed_logging = false;
    assert_int_equal(mm_config_log_level(&c), MM_LOG_INFO);
    c.log_level = MM_LOG_ERROR;
    assert_int_equal(mm_config_log_level(&c), MM_LOG_ERROR);
    c.enable_detailed_logging = true;
    assert_int_equal(mm_config_log_level(&c), MM_LOG_DEBUG);
    c.log_level = MM_LOG_TRACE;
    assert_int_equal(mm_config_log_level(&c), MM_LOG_TRACE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_match_documentation),
        cmocka_unit_test(validate_names_bad_field),
        cmocka_unit_test(validate_accepts_edges),
        cmocka_unit_test(number_accessor),
        cmocka_unit_test(temp_heap_zero_means_none),
        cmocka_unit_test(heap_must_be_whole_frames),
        cmocka_unit_test(validate_null),
        cmocka_unit_test(field_names),
        cmocka_unit_test(set_numbers),
        cmocka_unit_test(set_bad_values),
        cmocka_unit_test(set_booleans),
        cmocka_unit_test(set_log_level),
        cmocka_unit_test(set_unknown_key),
        cmocka_unit_test(set_key_case_and_blanks),
        cmocka_unit_test(set_null_arguments),
        cmocka_unit_test(usage_example_32m_heap_8k_frames),
        cmocka_unit_test(detailed_logging_maps_to_level),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
