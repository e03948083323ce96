/* boot.cfg with lib/mm's real configuration: memory keys reach the
 * mm_config, its reasons reach the error list, rules between keys are
 * reported on the line that set the key, and errors are logged as lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/bootcfg.h"
#include "mm/config.h"
#include "mm/log.h"

typedef struct ctx {
    bc_bootcfg cfg;
    mm_config mem;
    bc_cfg_errors errs;
} ctx;

static mm_status run(ctx *c, const char *text)
{
    mm_config_defaults(&c->mem);
    bc_bootcfg_defaults(&c->cfg);
    mm_status st = bc_bootcfg_parse(text, strlen(text), &c->cfg, bc_cfg_sink_mm(&c->mem), &c->errs);
    if (st == MM_OK)
        st = bc_bootcfg_validate_mm(&c->cfg, &c->mem, &c->errs);
    return st;
}

/* Every memory key lands in the mm_config. */
static void memory_keys_applied(void **state)
{
    (void)state;
    ctx c;
    assert_int_equal(run(&c, "heap_size=32M\ntemp_heap_size=0x200000\nbitmap_granularity=8K\n"
                             "heap_alignment=64K\nmin_heap_addr=2M\nmemory_test=on\n"
                             "detailed_logging=off\nlog_level=warn\nkernel=/k\n"),
                     MM_OK);
    assert_int_equal(c.mem.heap_size, 32u << 20);
    assert_int_equal(c.mem.temp_heap_size, 2u << 20);
    assert_int_equal(c.mem.bitmap_granularity, 8192);
    assert_int_equal(c.mem.heap_alignment, 65536);
    assert_int_equal(c.mem.min_heap_addr, 2u << 20);
    assert_true(c.mem.enable_memory_test);
    assert_false(c.mem.enable_detailed_logging);
    assert_int_equal(c.mem.log_level, MM_LOG_WARN);
    assert_string_equal(c.cfg.kernel, "/k");
}

/* A bad value carries mm_config's own reason and the value as written. */
static void bad_value_reason_from_config(void **state)
{
    (void)state;
    ctx c;
    mm_config scratch;
    mm_config_error ce;
    mm_config_defaults(&scratch);
    assert_int_equal(mm_config_set(&scratch, "bitmap_granularity", "6K", &ce), MM_ERR_CONFIG);
    char want[128];
    snprintf(want, sizeof want, "%s (got \"6K\")", ce.reason);

    assert_int_equal(run(&c, "# comment\nbitmap_granularity = 6K\nheap_sise=1M\n"), MM_ERR_CONFIG);
    assert_int_equal(c.errs.count, 2);
    assert_int_equal(c.errs.items[0].line, 2);
    assert_string_equal(c.errs.items[0].key, "bitmap_granularity");
    assert_string_equal(c.errs.items[0].msg, want);
    assert_int_equal(c.errs.items[1].line, 3);
    assert_string_equal(c.errs.items[1].msg, "unknown key");
    assert_int_equal(c.mem.bitmap_granularity, 4096); /* default kept */
}

/* heap_size=12K (line 3) is fine alone but not with 8 KiB frames (line 2):
 * the cross-key error points at line 3. */
static void cross_key_rule_names_line(void **state)
{
    (void)state;
    ctx c;
    assert_int_equal(run(&c, "kernel=/k\nbitmap_granularity=8K\nheap_size=12K\n"), MM_ERR_CONFIG);
    mm_config_error ce;
    assert_int_equal(mm_config_validate(&c.mem, &ce), MM_ERR_CONFIG);
    assert_int_equal(c.errs.count, 1);
    assert_int_equal(c.errs.items[0].line, 3);
    assert_string_equal(c.errs.items[0].key, mm_config_field_name(ce.field));
    assert_string_equal(c.errs.items[0].msg, ce.reason);
}

/* When the key at fault kept its default, the line is 0 and the message
 * says so: 32 MiB frames do not divide the default 16 MiB heap. */
static void default_value_at_fault(void **state)
{
    (void)state;
    ctx c;
    assert_int_equal(run(&c, "bitmap_granularity=32M\n"), MM_ERR_CONFIG);
    assert_int_equal(c.errs.items[0].line, 0);
    assert_string_equal(c.errs.items[0].key, "heap_size");
    assert_non_null(strstr(c.errs.items[0].msg, "(default value)"));
    char buf[160];
    bc_cfg_error_format(&c.errs.items[0], buf, sizeof buf);
    assert_int_equal(strncmp(buf, "boot.cfg: heap_size: ", 21), 0);
}

/* The cross-key error arriving when the list already holds
 * BC_CFG_MAX_ERRORS: it is counted in `dropped`, the kept ones untouched. */
static void cross_key_error_on_full_list(void **state)
{
    (void)state;
    ctx c;
    assert_int_equal(run(&c, "bitmap_granularity=8K\nheap_size=12K\n"), MM_ERR_CONFIG);
    c.errs = (bc_cfg_errors){.count = BC_CFG_MAX_ERRORS};
    for (uint32_t i = 0; i < BC_CFG_MAX_ERRORS; i++)
        c.errs.items[i].line = 100 + i;
    assert_int_equal(bc_bootcfg_validate_mm(&c.cfg, &c.mem, &c.errs), MM_ERR_CONFIG);
    assert_int_equal(c.errs.count, BC_CFG_MAX_ERRORS);
    assert_int_equal(c.errs.dropped, 1);
    for (uint32_t i = 0; i < BC_CFG_MAX_ERRORS; i++) {
        assert_int_equal(c.errs.items[i].line, 100 + i);
        assert_string_equal(c.errs.items[i].msg, "");
    }
}

typedef struct captured {
    char lines[12][160];
    int n;
    mm_log_level levels[12];
} captured;

static void capture(void *p, mm_log_level level, const char *line, size_t len)
{
    captured *c = p;
    if (c->n < 12) {
        snprintf(c->lines[c->n], sizeof c->lines[0], "%.*s", (int)len, line);
        c->levels[c->n++] = level;
    }
}

/* Eleven unknown keys: eight lines, then one line for the three dropped. */
static void errors_logged(void **state)
{
    (void)state;
    ctx c;
    char text[256] = "";
    for (int i = 0; i < 11; i++)
        strcat(text, "nope=1\n");
    assert_int_equal(run(&c, text), MM_ERR_CONFIG);
    captured cap = {0};
    mm_logger log = {capture, &cap, MM_LOG_TRACE};
    bc_cfg_errors_log(&c.errs, &log);
    assert_int_equal(cap.n, 9);
    assert_non_null(strstr(cap.lines[0], "boot.cfg line 1: nope: unknown key"));
    assert_non_null(strstr(cap.lines[7], "boot.cfg line 8: nope: unknown key"));
    assert_non_null(strstr(cap.lines[8], "3 more problems not shown"));
    assert_int_equal(cap.levels[0], MM_LOG_ERROR);
}

/* bc_bootcfg_load, no file: the defaults, one "not found" line, and the
 * logger takes the default config's level. */
static void load_without_file_uses_defaults(void **state)
{
    (void)state;
    ctx c;
    captured cap = {0};
    mm_logger log = {capture, &cap, MM_LOG_TRACE};
    memset(&c, 0x5a, sizeof c);
    assert_int_equal(bc_bootcfg_load(NULL, 0, &c.cfg, &c.mem, &log), MM_OK);
    assert_string_equal(c.cfg.kernel, BC_KERNEL_PATH_DEFAULT);
    assert_string_equal(c.cfg.cmdline, "");
    mm_config def;
    mm_config_defaults(&def);
    assert_int_equal(c.mem.heap_size, def.heap_size);
    assert_int_equal(log.level, mm_config_log_level(&def));
    assert_int_equal(cap.n, 1);
    assert_non_null(strstr(cap.lines[0], "boot.cfg: not found, using the defaults"));
}

/* A good file: keys applied, its size logged, the level from the file. */
static void load_applies_file_and_level(void **state)
{
    (void)state;
    ctx c;
    captured cap = {0};
    mm_logger log = {capture, &cap, MM_LOG_TRACE};
    const char *text = "log_level=warn\ndetailed_logging=off\ncmdline=quiet\n";
    assert_int_equal(bc_bootcfg_load(text, strlen(text), &c.cfg, &c.mem, &log), MM_OK);
    assert_string_equal(c.cfg.cmdline, "quiet");
    assert_int_equal(c.mem.log_level, MM_LOG_WARN);
    assert_int_equal(log.level, mm_config_log_level(&c.mem));
    assert_int_not_equal(log.level, MM_LOG_TRACE);
    assert_int_equal(cap.n, 1);
    char want[48];
    snprintf(want, sizeof want, "boot.cfg: read (%zu bytes)", strlen(text));
    assert_non_null(strstr(cap.lines[0], want));
}

/* A parse error (nothing but the problem logged) and a rule between keys
 * (the file did parse, so its size comes first) both end in listed
 * problems, a failure status and the logger's level untouched. */
static void load_lists_problems_keeps_level(void **state)
{
    (void)state;
    ctx c;
    captured cap = {0};
    mm_logger log = {capture, &cap, MM_LOG_TRACE};
    const char *bad = "nope=1\nlog_level=error\n";
    assert_int_equal(bc_bootcfg_load(bad, strlen(bad), &c.cfg, &c.mem, &log), MM_ERR_CONFIG);
    assert_int_equal(log.level, MM_LOG_TRACE);
    assert_int_equal(cap.n, 1);
    assert_non_null(strstr(cap.lines[0], "boot.cfg line 1: nope: unknown key"));

    cap.n = 0;
    const char *rule = "bitmap_granularity=32M\n";
    assert_int_equal(bc_bootcfg_load(rule, strlen(rule), &c.cfg, &c.mem, &log), MM_ERR_CONFIG);
    assert_int_equal(log.level, MM_LOG_TRACE);
    assert_int_equal(cap.n, 2); /* the file parsed: its size, then the rule */
    assert_non_null(strstr(cap.lines[0], "boot.cfg: read"));
    assert_non_null(strstr(cap.lines[1], "heap_size"));
    assert_int_equal(cap.levels[1], MM_LOG_ERROR);
}

/* A file with entries through the loaders' call: memory keys before the
 * first entry reach the mm_config, cfg.kernel/cmdline are the default
 * entry's, and a memory key inside an entry is refused with its line. */
static void load_with_entries_selects_default(void **state)
{
    (void)state;
    ctx c;
    captured cap = {0};
    mm_logger log = {capture, &cap, MM_LOG_TRACE};
    const char *text = "heap_size=32M\ndefault=2\n[a]\nkernel=/a\n[b]\nkernel=/b\ncmdline=x y\n";
    assert_int_equal(bc_bootcfg_load(text, strlen(text), &c.cfg, &c.mem, &log), MM_OK);
    assert_int_equal(c.mem.heap_size, 32u << 20);
    assert_int_equal(c.cfg.entry_count, 2);
    assert_string_equal(c.cfg.kernel, "/b");
    assert_string_equal(c.cfg.cmdline, "x y");

    cap.n = 0;
    const char *inside = "[a]\nkernel=/a\nheap_size=32M\n";
    assert_int_equal(bc_bootcfg_load(inside, strlen(inside), &c.cfg, &c.mem, &log), MM_ERR_CONFIG);
    assert_int_equal(cap.n, 1);
    assert_non_null(strstr(cap.lines[0], "boot.cfg line 3: heap_size: not an entry key"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory_keys_applied),
        cmocka_unit_test(bad_value_reason_from_config),
        cmocka_unit_test(cross_key_rule_names_line),
        cmocka_unit_test(default_value_at_fault),
        cmocka_unit_test(cross_key_error_on_full_list),
        cmocka_unit_test(errors_logged),
        cmocka_unit_test(load_without_file_uses_defaults),
        cmocka_unit_test(load_applies_file_and_level),
        cmocka_unit_test(load_lists_problems_keeps_level),
        cmocka_unit_test(load_with_entries_selects_default),
    };
    return cmocka_run_group_tests_name("bootcfg_mm", tests, NULL, NULL);
}
