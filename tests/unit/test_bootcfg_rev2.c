/* boot.cfg's resolution= key (handoff revision 2's framebuffer); module=
 * lines belong to entries and are tested in test_bootcfg_entries.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/bootcfg.h"

typedef struct parsed {
    bc_bootcfg cfg;
    bc_cfg_errors errs;
    mm_status st;
} parsed;

static void parse(parsed *p, const char *text)
{
    bc_bootcfg_defaults(&p->cfg);
    p->st = bc_bootcfg_parse(text, strlen(text), &p->cfg, (bc_cfg_sink){NULL, NULL}, &p->errs);
}

/* The first error formatted, "" when none. */
static const char *first_error(const parsed *p, char *buf, size_t size)
{
    buf[0] = '\0';
    if (p->errs.count)
        bc_cfg_error_format(&p->errs.items[0], buf, size);
    return buf;
}

static void expect_error(const char *text, const char *want)
{
    parsed p;
    char buf[200];
    parse(&p, text);
    assert_int_equal(p.st, MM_ERR_CONFIG);
    if (!strstr(first_error(&p, buf, sizeof buf), want))
        fail_msg("\"%s\" lacks \"%s\"", buf, want);
}

static void defaults_have_none(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "");
    assert_int_equal(p.st, MM_OK);
    assert_int_equal(p.cfg.fb_width, 0);
    assert_int_equal(p.cfg.fb_height, 0);
}

static void resolution_read(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "Resolution = 1280X800\n");
    assert_int_equal(p.st, MM_OK);
    assert_int_equal(p.cfg.fb_width, 1280);
    assert_int_equal(p.cfg.fb_height, 800);
    assert_int_equal(bc_bootcfg_key_line(&p.cfg, "resolution"), 1);
}

static void resolution_errors(void **state)
{
    (void)state;
    expect_error("resolution=1024\n", "line 1: resolution: expected WIDTHxHEIGHT");
    expect_error("resolution=1024x768x32\n", "resolution: expected WIDTHxHEIGHT");
    expect_error("resolution=0x0\n", "resolution: expected WIDTHxHEIGHT");
    expect_error("resolution=123456789012345678x1\n", "resolution: expected WIDTHxHEIGHT");
    expect_error("resolution=800x600\nresolution=640x480\n", "line 2: resolution: given twice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_have_none),
        cmocka_unit_test(resolution_read),
        cmocka_unit_test(resolution_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
