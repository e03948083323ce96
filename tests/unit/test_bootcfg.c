/* boot.cfg parser: every accepted form, every error with its line, key and
 * reason, and the limits. The memory keys go to a test sink that knows
 * `heap_size` and `temp_heap_size` (digits only) and records what it got. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "common/bootcfg.h"
#include "mos/handoff.h"

typedef struct rec_sink {
    char keys[8][32];
    char values[8][64];
    int n;
} rec_sink;

static mm_status rec_set(void *ctx, const char *key, const char *value, const char **why)
{
    rec_sink *r = ctx;
    if (strcasecmp(key, "heap_size") != 0 && strcasecmp(key, "temp_heap_size") != 0)
        return MM_ERR_NOT_FOUND;
    for (const char *p = value; *p; p++) {
        if (*p < '0' || *p > '9') {
            *why = "not a number";
            return MM_ERR_CONFIG;
        }
    }
    if (*value == '\0') {
        *why = "empty value";
        return MM_ERR_CONFIG;
    }
    if (r->n < 8) {
        snprintf(r->keys[r->n], sizeof r->keys[0], "%s", key);
        snprintf(r->values[r->n], sizeof r->values[0], "%s", value);
        r->n++;
    }
    return MM_OK;
}

typedef struct fixture {
    bc_bootcfg cfg;
    bc_cfg_errors errs;
    rec_sink rec;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    bc_bootcfg_defaults(&f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static mm_status parse_n(fixture *f, const char *text, size_t len)
{
    bc_cfg_sink sink = {rec_set, &f->rec};
    return bc_bootcfg_parse(text, len, &f->cfg, sink, &f->errs);
}

static mm_status parse(fixture *f, const char *text)
{
    return parse_n(f, text, strlen(text));
}

/* Asserts that error `i` is on `line`, for `key`, and its message contains `msg`. */
static void expect_error(const fixture *f, uint32_t i, uint32_t line, const char *key,
                         const char *msg)
{
    assert_true(i < f->errs.count);
    assert_int_equal(f->errs.items[i].line, line);
    assert_string_equal(f->errs.items[i].key, key);
    if (!strstr(f->errs.items[i].msg, msg))
        fail_msg("message \"%s\" lacks \"%s\"", f->errs.items[i].msg, msg);
}

/* An empty file changes nothing: defaults stay. */
static void empty_file_keeps_defaults(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, ""), MM_OK);
    assert_string_equal(f->cfg.kernel, "/boot/kernel.elf");
    assert_string_equal(f->cfg.cmdline, "");
    assert_int_equal(f->cfg.bios_memory_detect, MOS_BIOS_DETECT_E820);
    assert_int_equal(f->errs.count, 0);
    assert_int_equal(bc_bootcfg_parse(NULL, 0, &f->cfg, (bc_cfg_sink){0}, &f->errs), MM_OK);
}

/* Comments, blank lines, CRLF, blanks around key and value, no final
 * newline: all accepted; inner blanks of cmdline kept. */
static void full_file_with_crlf_and_comments(void **state)
{
    fixture *f = *state;
    const char *text = "# MultiOS boot.cfg\r\n"
                       "\r\n"
                       "  kernel = /boot/my kernel.elf  \r\n"
                       "\t# indented comment\n"
                       "cmdline=console=ttyS0  debug #not a comment\r\n"
                       "bios_memory_detect=e801\n"
                       "heap_size = 33554432\n"
                       "temp_heap_size=2097152";
    assert_int_equal(parse(f, text), MM_OK);
    assert_string_equal(f->cfg.kernel, "/boot/my kernel.elf");
    assert_string_equal(f->cfg.cmdline, "console=ttyS0  debug #not a comment");
    assert_int_equal(f->cfg.bios_memory_detect, MOS_BIOS_DETECT_E801);
    assert_int_equal(f->rec.n, 2);
    assert_string_equal(f->rec.keys[0], "heap_size");
    assert_string_equal(f->rec.values[0], "33554432");
    assert_string_equal(f->rec.keys[1], "temp_heap_size");
    assert_string_equal(f->rec.values[1], "2097152");
}

/* A UTF-8 byte order mark before the first key is skipped; anywhere else
 * it is an ordinary (valid UTF-8) character and so part of a key. */
static void byte_order_mark(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "\xef\xbb\xbfkernel=/bom\n"), MM_OK);
    assert_string_equal(f->cfg.kernel, "/bom");
    assert_int_equal(parse(f, "cmdline=x\n\xef\xbb\xbfkernel=/bom\n"), MM_ERR_CONFIG);
    expect_error(f, 0, 2, "\xef\xbb\xbfkernel", "unknown key");
}

/* Each detection method name maps to its MOS_BIOS_DETECT_* value. */
static void bios_detect_values(void **state)
{
    fixture *f = *state;
    const struct {
        const char *text;
        uint32_t want;
    } cases[] = {
        {"bios_memory_detect=e820", MOS_BIOS_DETECT_E820},
        {"bios_memory_detect=e801", MOS_BIOS_DETECT_E801},
        {"bios_memory_detect=88h", MOS_BIOS_DETECT_88H},
        {"bios_memory_detect=none", MOS_BIOS_DETECT_FALLBACK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        f->cfg.bios_memory_detect = 0;
        assert_int_equal(parse(f, cases[i].text), MM_OK);
        assert_int_equal(f->cfg.bios_memory_detect, cases[i].want);
    }
    assert_int_equal(parse(f, "BIOS_Memory_Detect=E801"), MM_OK); /* case-insensitive */
    assert_int_equal(f->cfg.bios_memory_detect, MOS_BIOS_DETECT_E801);
    assert_int_equal(parse(f, "bios_memory_detect=e820x"), MM_ERR_CONFIG);
    expect_error(f, 0, 1, "bios_memory_detect", "expected e820, e801, 88h or none");
}

/* Line 3 has an unknown key: reported with its line, parsing goes on. */
static void unknown_key_names_line(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "kernel=/k\n\ntemp_heap_sise=1\ncmdline=x\n"), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 3, "temp_heap_sise", "unknown key");
    assert_string_equal(f->cfg.kernel, "/k");
    assert_string_equal(f->cfg.cmdline, "x");
}

/* Without a sink, memory keys are unknown keys. */
static void no_sink_means_unknown(void **state)
{
    fixture *f = *state;
    const char *text = "heap_size=4096\n";
    assert_int_equal(bc_bootcfg_parse(text, strlen(text), &f->cfg, (bc_cfg_sink){0}, &f->errs),
                     MM_ERR_CONFIG);
    expect_error(f, 0, 1, "heap_size", "unknown key");
}

/* A value the sink refuses: its reason and the value as written. */
static void bad_value_from_sink(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "# c\ntemp_heap_size = 12x\n"), MM_ERR_CONFIG);
    expect_error(f, 0, 2, "temp_heap_size", "not a number (got \"12x\")");
    assert_int_equal(f->rec.n, 0);
}

/* Every path problem gets its own reason; the default path is kept. */
static void kernel_path_errors(void **state)
{
    fixture *f = *state;
    const struct {
        const char *text;
        const char *msg;
    } cases[] = {
        {"kernel=", "empty path"},
        {"kernel=boot/k.elf", "must start with '/'"},
        {"kernel=/boot/", "names a directory"},
        {"kernel=/boot\\k.elf", "use '/'"},
        {"kernel=/boot//k.elf", "empty path component"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(parse(f, cases[i].text), MM_ERR_CONFIG);
        expect_error(f, 0, 1, "kernel", cases[i].msg);
        assert_string_equal(f->cfg.kernel, "/boot/kernel.elf");
    }
    char longpath[300] = "kernel=/";
    memset(longpath + 8, 'a', 260);
    longpath[268] = '\0';
    assert_int_equal(parse(f, longpath), MM_ERR_CONFIG);
    expect_error(f, 0, 1, "kernel", "longer than 255");
}

/* "kernel /x" has no '=', "=x" has no key. */
static void syntax_errors(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "kernel /x\n = x\n"), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 2);
    expect_error(f, 0, 1, "kernel /x", "expected key=value");
    expect_error(f, 1, 2, "", "missing key");
}

/* A key given twice (in any case) names the first line; the first value
 * stays. An unknown key repeated is reported as unknown both times. */
static void duplicate_key(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "\ncmdline=a\nkernel=/k\nCmdLine=b\nx=1\nx=2\n"), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 3);
    expect_error(f, 0, 4, "CmdLine", "given twice (first on line 2)");
    expect_error(f, 1, 5, "x", "unknown key");
    expect_error(f, 2, 6, "x", "unknown key");
    assert_string_equal(f->cfg.cmdline, "a");
}

/* Lines of the keys a file set, for later checks; 0 when not set. */
static void key_lines_recorded(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "# x\nHeap_Size=4096\n\nkernel=/k\nbogus=1\n"), MM_ERR_CONFIG);
    assert_int_equal(bc_bootcfg_key_line(&f->cfg, "heap_size"), 2);
    assert_int_equal(bc_bootcfg_key_line(&f->cfg, "KERNEL"), 4);
    assert_int_equal(bc_bootcfg_key_line(&f->cfg, "bogus"), 0);
    assert_int_equal(bc_bootcfg_key_line(&f->cfg, "cmdline"), 0);
}

/* A line over the limit is one error; the next line is still parsed. */
static void line_too_long(void **state)
{
    fixture *f = *state;
    size_t n = BC_CFG_MAX_LINE + 20;
    char *text = malloc(n + 32);
    memcpy(text, "cmdline=", 8);
    memset(text + 8, 'x', n - 8);
    strcpy(text + n, "\nkernel=/ok\n");
    assert_int_equal(parse(f, text), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 1, "", "line longer than 1024 bytes");
    assert_string_equal(f->cfg.kernel, "/ok");
    free(text);
}

/* A line of exactly the limit is fine (cmdline of 1016 bytes). */
static void line_at_limit(void **state)
{
    fixture *f = *state;
    char text[BC_CFG_MAX_LINE + 1];
    memcpy(text, "cmdline=", 8);
    memset(text + 8, 'y', BC_CFG_MAX_LINE - 8);
    text[BC_CFG_MAX_LINE] = '\0';
    assert_int_equal(parse(f, text), MM_OK);
    assert_int_equal(strlen(f->cfg.cmdline), BC_CFG_MAX_LINE - 8);
}

/* NUL byte in line 2, column 9. */
static void nul_byte(void **state)
{
    fixture *f = *state;
    const char text[] = "kernel=/k\ncmdline=\0x\n";
    assert_int_equal(parse_n(f, text, sizeof text - 1), MM_ERR_CONFIG);
    expect_error(f, 0, 2, "", "NUL byte at column 9");
}

/* Invalid UTF-8 of each kind is refused; valid multi-byte text passes. */
static void utf8_rules(void **state)
{
    fixture *f = *state;
    const char *bad[] = {
        "cmdline=\xc0\xaf",         /* overlong '/' */
        "cmdline=\x80",             /* lone continuation byte */
        "cmdline=\xed\xa0\x80",     /* UTF-16 surrogate */
        "cmdline=\xf4\x90\x80\x80", /* above U+10FFFF */
        "cmdline=\xe2\x82",         /* truncated at end of file */
        "cmdline=\xff",             /* never valid */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(f, bad[i]), MM_ERR_CONFIG);
        expect_error(f, 0, 1, "", "invalid UTF-8 at column 9");
    }
    assert_int_equal(parse(f, "cmdline=gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80"), MM_OK);
    assert_string_equal(f->cfg.cmdline, "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
}

/* A CR that is not part of CRLF, and other control bytes, are refused. */
static void control_characters(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "cmdline=a\rb\n"), MM_ERR_CONFIG);
    expect_error(f, 0, 1, "", "control character at column 10");
    assert_int_equal(parse(f, "cmdline=\x1b[0m\n"), MM_ERR_CONFIG);
    expect_error(f, 0, 1, "", "control character");
    assert_int_equal(parse(f, "cmdline=\x7f"), MM_ERR_CONFIG);
}

/* Files above the limit are refused as a whole (line 0). */
static void file_too_large(void **state)
{
    fixture *f = *state;
    size_t n = BC_CFG_MAX_FILE + 1;
    char *text = malloc(n);
    memset(text, '\n', n);
    assert_int_equal(parse_n(f, text, n), MM_ERR_CONFIG);
    expect_error(f, 0, 0, "", "file larger than 65536 bytes");
    assert_int_equal(parse_n(f, text, n - 1), MM_OK);
    free(text);
}

/* Ten bad lines: the first eight are kept in order, two are counted. */
static void error_list_overflow(void **state)
{
    fixture *f = *state;
    char text[256] = "";
    for (int i = 0; i < 10; i++)
        strcat(text, "bogus=1\n");
    assert_int_equal(parse(f, text), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, BC_CFG_MAX_ERRORS);
    assert_int_equal(f->errs.dropped, 2);
    expect_error(f, 7, 8, "bogus", "");
}

/* The printed form, and cutting to a small buffer. */
static void error_format(void **state)
{
    fixture *f = *state;
    char buf[128];
    assert_int_equal(parse(f, "\n\n\n\n\n\ntemp_heap_size=12x\n"), MM_ERR_CONFIG);
    size_t n = bc_cfg_error_format(&f->errs.items[0], buf, sizeof buf);
    assert_string_equal(buf, "boot.cfg line 7: temp_heap_size: not a number (got \"12x\")");
    assert_int_equal(n, strlen(buf));
    bc_cfg_error whole = {.line = 0, .key = "", .msg = "file larger than 65536 bytes"};
    bc_cfg_error_format(&whole, buf, sizeof buf);
    assert_string_equal(buf, "boot.cfg: file larger than 65536 bytes");
    assert_int_equal(bc_cfg_error_format(&whole, buf, 9), 8);
    assert_string_equal(buf, "boot.cfg");
}

/* Long keys are cut in the error, never overflow. */
static void long_key_is_cut(void **state)
{
    fixture *f = *state;
    char text[200];
    memset(text, 'k', 100);
    strcpy(text + 100, "=1");
    assert_int_equal(parse(f, text), MM_ERR_CONFIG);
    assert_int_equal(strlen(f->errs.items[0].key), BC_CFG_KEY_MAX - 1);
    assert_string_equal(f->errs.items[0].msg, "unknown key");
}

static void null_arguments(void **state)
{
    fixture *f = *state;
    assert_int_equal(bc_bootcfg_parse("a=b", 3, NULL, (bc_cfg_sink){0}, &f->errs),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_bootcfg_parse("a=b", 3, &f->cfg, (bc_cfg_sink){0}, NULL),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_bootcfg_parse(NULL, 3, &f->cfg, (bc_cfg_sink){0}, &f->errs),
                     MM_ERR_INVALID_ARGUMENT);
}

/* protocol= and module= lines, inner blanks of the arguments kept:
 *   module 0  path "/boot/vmlinuz"     args "root=/dev/sda1  ro"
 *   module 1  path "/boot/initrd.img"  args "" */
static void multiboot_modules(void **state)
{
    fixture *f = *state;
    const char *path, *args;
    assert_int_equal(parse(f, "protocol=multiboot2\nkernel=/boot/xen.gz\n"
                              "module=/boot/vmlinuz   root=/dev/sda1  ro\n"
                              "module = /boot/initrd.img\n"),
                     MM_OK);
    assert_int_equal(f->cfg.protocol, BC_PROTOCOL_MULTIBOOT2);
    assert_int_equal(f->cfg.module_count, 2);
    assert_true(bc_bootcfg_module(&f->cfg, 0, &path, &args));
    assert_string_equal(path, "/boot/vmlinuz");
    assert_string_equal(args, "root=/dev/sda1  ro");
    assert_true(bc_bootcfg_module(&f->cfg, 1, &path, &args));
    assert_string_equal(path, "/boot/initrd.img");
    assert_string_equal(args, "");
    assert_false(bc_bootcfg_module(&f->cfg, 2, &path, &args));
    assert_int_equal(bc_bootcfg_key_line(&f->cfg, "module"), 3);
    /* a second parse starts without modules */
    assert_int_equal(parse(f, "protocol=multiboot1\n"), MM_OK);
    assert_int_equal(f->cfg.module_count, 0);
    assert_int_equal(f->cfg.protocol, BC_PROTOCOL_MULTIBOOT1);
}

static void protocol_values(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "protocol=MultiBoot1\n"), MM_OK);
    assert_int_equal(f->cfg.protocol, BC_PROTOCOL_MULTIBOOT1);
    assert_int_equal(parse(f, "protocol=mos\n"), MM_OK);
    assert_int_equal(f->cfg.protocol, BC_PROTOCOL_MOS);
    assert_int_equal(parse(f, "protocol=linux\nprotocol=mos\n"), MM_ERR_CONFIG);
    expect_error(f, 0, 1, "protocol", "expected mos, multiboot1 or multiboot2");
    expect_error(f, 1, 2, "protocol", "given twice (first on line 1)");
}

/* Modules without a Multiboot protocol, bad paths, too many, too long. */
static void module_errors(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "kernel=/k\nmodule=/m1\nprotocol=multiboot1\nmodule=/m2\n"),
                     MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 2, "module", "needs protocol=multiboot1 or multiboot2 on an earlier line");
    assert_int_equal(f->cfg.module_count, 1);
    assert_int_equal(parse(f, "protocol=multiboot2\nmodule=boot/m args\nmodule=\n"), MM_ERR_CONFIG);
    expect_error(f, 0, 2, "module", "path must start with '/'");
    expect_error(f, 1, 3, "module", "empty path");
    char text[2048] = "protocol=multiboot1\n";
    for (int i = 0; i < 17; i++)
        strcat(text, "module=/m\n");
    assert_int_equal(parse(f, text), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 18, "module", "more than 16 modules");
    assert_int_equal(f->cfg.module_count, 16);
}

/* The module store holds 4096 bytes: four 1000-byte lines fit, a fifth
 * does not. */
static void module_store_limit(void **state)
{
    fixture *f = *state;
    char *text = calloc(1, 8192);
    strcpy(text, "protocol=multiboot2\n");
    for (int i = 0; i < 5; i++) {
        strcat(text, "module=/m ");
        memset(text + strlen(text), 'a', 990);
        strcat(text, "\n");
    }
    assert_int_equal(parse(f, text), MM_ERR_CONFIG);
    expect_error(f, 0, 6, "module", "longer than 4096 bytes in all");
    assert_int_equal(f->cfg.module_count, 4);
    free(text);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(empty_file_keeps_defaults),
        T(full_file_with_crlf_and_comments),
        T(byte_order_mark),
        T(bios_detect_values),
        T(unknown_key_names_line),
        T(no_sink_means_unknown),
        T(bad_value_from_sink),
        T(kernel_path_errors),
        T(syntax_errors),
        T(duplicate_key),
        T(key_lines_recorded),
        T(line_too_long),
        T(line_at_limit),
        T(nul_byte),
        T(utf8_rules),
        T(control_characters),
        T(file_too_large),
        T(error_list_overflow),
        T(error_format),
        T(long_key_is_cut),
        T(null_arguments),
        T(multiboot_modules),
        T(protocol_values),
        T(module_errors),
        T(module_store_limit),
    };
    return cmocka_run_group_tests_name("bootcfg", tests, NULL, NULL);
}
