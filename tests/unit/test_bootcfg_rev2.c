/* boot.cfg keys of handoff revision 2: resolution= and module=. */
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
    assert_int_equal(p.cfg.module_count, 0);
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

/* Three modules in file order; blanks between PATH and ARGS dropped, blanks
 * inside ARGS kept; a module without arguments gets an empty string. */
static void modules_in_order(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "module=/boot/initrd.img root=/dev/ram0  rw\n"
              "kernel=/boot/k.elf\n"
              "module = /boot/font.psf\n"
              "MODULE=/boot/x\t \targ\n");
    assert_int_equal(p.st, MM_OK);
    assert_int_equal(p.cfg.module_count, 3);
    assert_string_equal(p.cfg.modules[0].path, "/boot/initrd.img");
    assert_string_equal(p.cfg.modules[0].args, "root=/dev/ram0  rw");
    assert_string_equal(p.cfg.modules[1].path, "/boot/font.psf");
    assert_string_equal(p.cfg.modules[1].args, "");
    assert_string_equal(p.cfg.modules[2].path, "/boot/x");
    assert_string_equal(p.cfg.modules[2].args, "arg");
    assert_int_equal(bc_bootcfg_key_line(&p.cfg, "module"), 1);
}

static void module_errors(void **state)
{
    (void)state;
    char text[2048];
    expect_error("module=\n", "line 1: module: empty path");
    expect_error("module=boot/initrd\n", "module: path must start with '/'");
    expect_error("module=/boot/\n", "module: path names a directory");
    snprintf(text, sizeof text, "module=/m %0300d\n", 7);
    expect_error(text, "module: module arguments longer than 255 bytes");
    text[0] = '\0';
    for (int i = 0; i < 9; i++)
        strcat(text, "module=/m\n");
    expect_error(text, "line 9: module: more than 8 modules");
}

/* A second parse starts the module list afresh (a later file replaces an
 * earlier one's list); one bad module= line keeps the good ones. */
static void second_parse_replaces_modules(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "module=/a\nmodule=/b\n");
    assert_int_equal(p.cfg.module_count, 2);
    const char *again = "module=/c\nmodule=relative\n";
    p.st = bc_bootcfg_parse(again, strlen(again), &p.cfg, (bc_cfg_sink){NULL, NULL}, &p.errs);
    assert_int_equal(p.st, MM_ERR_CONFIG);
    assert_int_equal(p.cfg.module_count, 1);
    assert_string_equal(p.cfg.modules[0].path, "/c");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_have_none), cmocka_unit_test(resolution_read),
        cmocka_unit_test(resolution_errors),  cmocka_unit_test(modules_in_order),
        cmocka_unit_test(module_errors),      cmocka_unit_test(second_parse_replaces_modules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
