/* boot.cfg entries: `[NAME]` sections with their protocol keys, the
 * global timeout=/default=, the legacy single-kernel form, the selected
 * entry's kernel/cmdline, and every entry error naming its line. No sink:
 * memory keys are tested in test_bootcfg.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/bootcfg.h"
#include "mos/handoff.h"

typedef struct fixture {
    bc_bootcfg cfg;
    bc_cfg_errors errs;
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

static mm_status parse(fixture *f, const char *text)
{
    return bc_bootcfg_parse(text, strlen(text), &f->cfg, (bc_cfg_sink){0}, &f->errs);
}

static void expect_error(const fixture *f, uint32_t i, uint32_t line, const char *key,
                         const char *msg)
{
    if (i >= f->errs.count)
        fail_msg("no error %u (have %u)", i, f->errs.count);
    assert_int_equal(f->errs.items[i].line, line);
    assert_string_equal(f->errs.items[i].key, key);
    if (!strstr(f->errs.items[i].msg, msg))
        fail_msg("message \"%s\" lacks \"%s\"", f->errs.items[i].msg, msg);
}

static const char *str(const fixture *f, bc_cfg_str s)
{
    return bc_bootcfg_str(&f->cfg, s);
}

static const bc_boot_entry *entry(const fixture *f, uint32_t i)
{
    const bc_boot_entry *e = bc_bootcfg_entry(&f->cfg, i);
    assert_non_null(e);
    return e;
}

/* No boot.cfg at all: one mos entry with the default kernel. */
static void defaults_hold_one_entry(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->cfg.entry_count, 1);
    assert_int_equal(entry(f, 0)->protocol, BC_PROTO_MOS);
    assert_string_equal(str(f, entry(f, 0)->name), BC_LEGACY_ENTRY_NAME);
    assert_string_equal(str(f, entry(f, 0)->kernel), BC_KERNEL_PATH_DEFAULT);
    assert_int_equal(f->cfg.timeout, BC_CFG_TIMEOUT_DEFAULT);
    assert_int_equal(f->cfg.default_entry, 0);
    assert_null(bc_bootcfg_entry(&f->cfg, 1));
}

/* A file without `[NAME]`: kernel=/cmdline= are global and make the one
 * mos entry, exactly as before entries existed. */
static void legacy_file_is_one_mos_entry(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "kernel=/boot/k.elf\ncmdline=console=ttyS0 x\ntimeout=0\n"), MM_OK);
    assert_int_equal(f->cfg.entry_count, 1);
    const bc_boot_entry *e = entry(f, 0);
    assert_int_equal(e->protocol, BC_PROTO_MOS);
    assert_int_equal(e->line, 0);
    assert_string_equal(str(f, e->kernel), "/boot/k.elf");
    assert_string_equal(str(f, e->cmdline), "console=ttyS0 x");
    assert_string_equal(f->cfg.kernel, "/boot/k.elf");
    assert_string_equal(f->cfg.cmdline, "console=ttyS0 x");
    assert_int_equal(f->cfg.timeout, 0);
}

/*   line 1  timeout=3
 *   line 2  default=Linux          -> entry 1 (0-based)
 *   line 4  [MultiOS]              -> entry 0: mos, 2 modules
 *   line 9  [ linux ]              -> entry 1: linux, initrd module w/o args
 *   line 14 [Windows]              -> entry 2: bios-chainload 0x80 part 2
 *   line 18 [Shell]                -> entry 3: efi with LoadOptions */
static void entries_of_each_protocol(void **state)
{
    fixture *f = *state;
    const char *text = "timeout=3\n"
                       "default=Linux\n"
                       "\n"
                       "[MultiOS]\n"
                       "kernel=/boot/kernel.elf\n"
                       "cmdline=log=debug\n"
                       "module=/boot/ramdisk.img  root  ro \n"
                       "module=/boot/font.psf\n"
                       "[ linux ]\n"
                       "protocol=linux\n"
                       "kernel=/boot/vmlinuz\n"
                       "cmdline=console=ttyS0 quiet\n"
                       "module=/boot/initrd.img\n"
                       "[Windows]\n"
                       "protocol=bios-chainload\n"
                       "drive=0x80\n"
                       "partition=2\n"
                       "[Shell]\n"
                       "protocol=EFI\n"
                       "kernel=/EFI/tools/shell.efi\n"
                       "cmdline=-nostartup fs0:\\run.nsh\n";
    assert_int_equal(parse(f, text), MM_OK);
    assert_int_equal(f->cfg.entry_count, 4);
    assert_int_equal(f->cfg.timeout, 3);
    assert_int_equal(f->cfg.default_entry, 1);

    const bc_boot_entry *mos = entry(f, 0);
    assert_string_equal(str(f, mos->name), "MultiOS");
    assert_int_equal(mos->line, 4);
    assert_int_equal(mos->protocol, BC_PROTO_MOS);
    assert_int_equal(mos->module_count, 2);
    assert_string_equal(str(f, mos->modules[0].path), "/boot/ramdisk.img");
    assert_string_equal(str(f, mos->modules[0].args), "root  ro");
    assert_int_equal(mos->modules[0].line, 7);
    assert_string_equal(str(f, mos->modules[1].path), "/boot/font.psf");
    assert_string_equal(str(f, mos->modules[1].args), "");

    const bc_boot_entry *lx = entry(f, 1);
    assert_string_equal(str(f, lx->name), "linux");
    assert_int_equal(lx->protocol, BC_PROTO_LINUX);
    assert_string_equal(str(f, lx->kernel), "/boot/vmlinuz");
    assert_int_equal(lx->module_count, 1);

    const bc_boot_entry *win = entry(f, 2);
    assert_int_equal(win->protocol, BC_PROTO_BIOS_CHAINLOAD);
    assert_int_equal(win->drive, 0x80);
    assert_int_equal(win->partition, 2);
    assert_string_equal(str(f, win->kernel), "");

    const bc_boot_entry *sh = entry(f, 3);
    assert_int_equal(sh->protocol, BC_PROTO_EFI);
    assert_string_equal(str(f, sh->cmdline), "-nostartup fs0:\\run.nsh");
    assert_string_equal(bc_protocol_name(sh->protocol), "efi");

    /* cfg.kernel / cfg.cmdline are the default entry's. */
    assert_int_equal(f->cfg.selected, 1);
    assert_string_equal(f->cfg.kernel, "/boot/vmlinuz");
    assert_string_equal(f->cfg.cmdline, "console=ttyS0 quiet");
}

/* Defaults of an entry: protocol mos, drive 0x81, no partition; default=
 * absent picks the first entry. */
static void entry_defaults(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "[a]\nkernel=/a\n[b]\nprotocol=bios-chainload\n"), MM_OK);
    assert_int_equal(entry(f, 0)->protocol, BC_PROTO_MOS);
    assert_int_equal(entry(f, 1)->drive, BC_CHAINLOAD_DRIVE_DEFAULT);
    assert_int_equal(entry(f, 1)->partition, 0);
    assert_int_equal(f->cfg.default_entry, 0);
    assert_string_equal(f->cfg.kernel, "/a");
}

/* default= by 1-based number, and by name ignoring case. */
static void default_by_number_and_name(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "default=2\n[a]\nkernel=/a\n[b]\nkernel=/b\n"), MM_OK);
    assert_int_equal(f->cfg.default_entry, 1);
    assert_string_equal(f->cfg.kernel, "/b");
    assert_int_equal(parse(f, "default=B\n[a]\nkernel=/a\n[b]\nkernel=/b\n"), MM_OK);
    assert_int_equal(f->cfg.default_entry, 1);
}

/* bc_bootcfg_select copies the chosen entry's strings; chainload has no
 * kernel; an index past the end changes nothing. */
static void select_entry(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "[a]\nkernel=/a\ncmdline=x\n[b]\nprotocol=bios-chainload\n"), MM_OK);
    assert_int_equal(bc_bootcfg_select(&f->cfg, 1), MM_OK);
    assert_string_equal(f->cfg.kernel, "");
    assert_string_equal(f->cfg.cmdline, "");
    assert_int_equal(bc_bootcfg_select(&f->cfg, 0), MM_OK);
    assert_string_equal(f->cfg.kernel, "/a");
    assert_string_equal(f->cfg.cmdline, "x");
    assert_int_equal(bc_bootcfg_select(&f->cfg, 2), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(f->cfg.selected, 0);
    assert_int_equal(bc_bootcfg_select(NULL, 0), MM_ERR_INVALID_ARGUMENT);
}

static void unknown_protocol(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "[a]\nprotocol=chain\nkernel=/a\n"), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 2, "protocol", "unknown protocol");
}

/* Line 3 starts an entry without kernel=; bios-chainload (line 5) needs none. */
static void entry_without_kernel(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "[a]\nkernel=/a\n[b]\ncmdline=x\n[c]\nprotocol=bios-chainload\n"),
                     MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 3, "", "entry \"b\" has no kernel=");
}

/* Names are unique ignoring case: the second names the first's line. */
static void duplicate_names(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "[Linux]\nkernel=/a\n[LINUX]\nkernel=/b\n"), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 3, "LINUX", "entry name given twice (first on line 1)");
}

/* default= naming no entry: an unknown name, number 0, a number too large. */
static void default_names_no_entry(void **state)
{
    fixture *f = *state;
    const char *entries = "[a]\nkernel=/a\n[b]\nkernel=/b\n";
    const struct {
        const char *line;
        const char *msg;
    } cases[] = {
        {"default=c\n", "names no entry: \"c\""},
        {"default=0\n", "no entry number 0 (entries: 2)"},
        {"default=3\n", "no entry number 3 (entries: 2)"},
        {"default=\n", "names no entry"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "%s%s", cases[i].line, entries);
        if (parse(f, text) != MM_ERR_CONFIG)
            fail_msg("\"%s\" accepted", cases[i].line);
        assert_int_equal(f->errs.count, 1);
        expect_error(f, 0, 1, "default", cases[i].msg);
        assert_int_equal(f->cfg.default_entry, 0);
    }
}

/* timeout: 0 and 3600 are the bounds; beyond, negative or not a number
 * is an error and the previous value stays. */
static void timeout_range(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "timeout=0"), MM_OK);
    assert_int_equal(f->cfg.timeout, 0);
    assert_int_equal(parse(f, "timeout=3600"), MM_OK);
    assert_int_equal(f->cfg.timeout, 3600);
    const char *bad[] = {"timeout=3601", "timeout=-1", "timeout=5s",
                         "timeout=", "timeout=99999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(f, bad[i]), MM_ERR_CONFIG);
        expect_error(f, 0, 1, "timeout", "expected seconds from 0 to 3600");
        assert_int_equal(f->cfg.timeout, 3600);
    }
}

/* Keys the protocol does not use, found even when protocol= comes last:
 *   line 2 drive=    in a linux entry
 *   line 5 module=   in an efi entry
 *   line 8 cmdline=  in a bios-chainload entry */
static void key_not_for_protocol(void **state)
{
    fixture *f = *state;
    const char *text = "[l]\ndrive=0x80\nkernel=/v\nprotocol=linux\n"
                       "[e]\nmodule=/m\nprotocol=efi\nkernel=/e.efi\n"
                       "[c]\ncmdline=x\nprotocol=bios-chainload\n";
    assert_int_equal(parse(f, text), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 3);
    expect_error(f, 0, 2, "drive", "not used by protocol=linux");
    expect_error(f, 1, 6, "module", "not used by protocol=efi");
    expect_error(f, 2, 10, "cmdline", "not used by protocol=bios-chainload");
}

/* timeout= inside an entry is not an entry key. */
static void global_key_inside_entry(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "[a]\nkernel=/a\ntimeout=3\n"), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 3, "timeout", "global keys go before the first [entry]");
}

/* kernel= before the first entry of a file that has entries. */
static void global_kernel_with_entries(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "kernel=/k\ntimeout=1\n[a]\nkernel=/a\n"), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 1, "kernel", "belongs in an entry");
}

/* A key twice in one entry names the first line; the same key in two
 * entries is fine; module= repeats. */
static void duplicate_key_in_entry(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        parse(f, "[a]\nkernel=/a\nmodule=/m1\nmodule=/m2\nKernel=/b\n[b]\nkernel=/b\n"),
        MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 5, "Kernel", "given twice in this entry (first on line 2)");
    assert_string_equal(str(f, entry(f, 0)->kernel), "/a");
    assert_int_equal(entry(f, 0)->module_count, 2);
}

/* The 17th `[NAME]` is the error; its keys are not read. */
static void too_many_entries(void **state)
{
    fixture *f = *state;
    char text[1024] = "";
    for (int i = 1; i <= 17; i++) {
        char e[32];
        snprintf(e, sizeof e, "[e%d]\nkernel=/k\n", i);
        strcat(text, e);
    }
    assert_int_equal(parse(f, text), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 33, "e17", "more than 16 entries");
    assert_int_equal(f->cfg.entry_count, BC_CFG_MAX_ENTRIES);
}

/* The 17th module= of an entry is the error. */
static void too_many_modules(void **state)
{
    fixture *f = *state;
    char text[1024] = "[a]\nkernel=/a\n";
    for (int i = 0; i < 17; i++)
        strcat(text, "module=/m arg\n");
    assert_int_equal(parse(f, text), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 19, "module", "more than 16 modules");
    assert_int_equal(entry(f, 0)->module_count, BC_CFG_MAX_MODULES);
}

/* Entries with 1000-byte command lines fill the 8 KiB string pool: eight
 * fit (1007 bytes each with name and kernel), the ninth's cmdline (line
 * 27) is the one named. */
static void string_pool_full(void **state)
{
    fixture *f = *state;
    char *text = malloc(16384);
    text[0] = '\0';
    char cmd[1001];
    memset(cmd, 'c', 1000);
    cmd[1000] = '\0';
    for (int i = 0; i < 9; i++) {
        char head[32];
        snprintf(head, sizeof head, "[e%d]\nkernel=/k\ncmdline=", i);
        strcat(text, head);
        strcat(text, cmd);
        strcat(text, "\n");
    }
    mm_status st = parse(f, text);
    free(text);
    assert_int_equal(st, MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 1);
    expect_error(f, 0, 27, "cmdline", "no room left for entry strings");
    assert_true(f->cfg.pool_used <= BC_CFG_POOL_SIZE);
}

/* Malformed `[NAME]` lines: no ']', empty name, name too long. */
static void bad_entry_headers(void **state)
{
    fixture *f = *state;
    char text[256] = "[a\n[ ]\n[";
    memset(text + strlen(text), 'n', 64);
    strcat(text, "]\n");
    assert_int_equal(parse(f, text), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 3);
    expect_error(f, 0, 1, "[a", "expected [NAME]");
    expect_error(f, 1, 2, "", "empty entry name");
    expect_error(f, 2, 3, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "longer than 63 bytes");
    assert_int_equal(f->cfg.entry_count, 1); /* nothing kept: the legacy entry */
}

/* drive= takes 0 .. 0xff in decimal or hex; partition= 1 .. 4. */
static void drive_and_partition_values(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "[c]\nprotocol=bios-chainload\ndrive=128\npartition=4\n"), MM_OK);
    assert_int_equal(entry(f, 0)->drive, 0x80);
    assert_int_equal(entry(f, 0)->partition, 4);
    assert_int_equal(parse(f, "[c]\nprotocol=bios-chainload\ndrive=0x100\npartition=0\n"),
                     MM_ERR_CONFIG);
    expect_error(f, 0, 3, "drive", "expected a drive number from 0 to 0xff");
    expect_error(f, 1, 4, "partition", "expected a primary partition from 1 to 4");
    assert_int_equal(parse(f, "[c]\nprotocol=bios-chainload\npartition=5\ndrive=0x\n"),
                     MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 2);
}

/* module= paths follow kernel='s rules. */
static void module_path_rules(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "[a]\nkernel=/a\nmodule=boot/m x\nmodule=\n"), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 2);
    expect_error(f, 0, 3, "module", "must start with '/'");
    expect_error(f, 1, 4, "module", "empty path");
}

/* Checks made at the end of an entry or file report earlier lines; the
 * list comes out sorted by line:
 *   line 1 default=z     (checked at the end)
 *   line 2 [a]           no kernel= (checked at [b])
 *   line 3 bogus=1       found at once
 *   line 5 drive=1       not for mos (checked at end of file) */
static void errors_sorted_by_line(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "default=z\n[a]\nbogus=1\n[b]\ndrive=1\nkernel=/b\n"), MM_ERR_CONFIG);
    assert_int_equal(f->errs.count, 4);
    expect_error(f, 0, 1, "default", "names no entry");
    expect_error(f, 1, 2, "", "has no kernel=");
    expect_error(f, 2, 3, "bogus", "not an entry key");
    expect_error(f, 3, 5, "drive", "not used by protocol=mos");
}

/* A second parse forgets the entries of the first. */
static void reparse_resets_entries(void **state)
{
    fixture *f = *state;
    assert_int_equal(parse(f, "[a]\nkernel=/a\n[b]\nkernel=/b\n"), MM_OK);
    assert_int_equal(parse(f, "kernel=/c\n"), MM_OK);
    assert_int_equal(f->cfg.entry_count, 1);
    assert_string_equal(str(f, entry(f, 0)->kernel), "/c");
}

/* Out-of-range pool offsets read as "". */
static void string_accessor_bounds(void **state)
{
    fixture *f = *state;
    assert_string_equal(bc_bootcfg_str(&f->cfg, (bc_cfg_str)(BC_CFG_POOL_SIZE - 1)), "");
    assert_string_equal(bc_bootcfg_str(NULL, 0), "");
    assert_string_equal(bc_protocol_name(BC_PROTO_COUNT), "?");
}

/* efi entries need UEFI, bios-chainload entries BIOS; the rest boot on both. */
static void protocol_refusal_by_firmware(void **state)
{
    (void)state;
    assert_null(bc_protocol_refusal(BC_PROTO_EFI, MOS_BOOT_MODE_UEFI));
    assert_string_equal(bc_protocol_refusal(BC_PROTO_EFI, MOS_BOOT_MODE_BIOS),
                        "protocol=efi needs UEFI firmware");
    assert_null(bc_protocol_refusal(BC_PROTO_BIOS_CHAINLOAD, MOS_BOOT_MODE_BIOS));
    assert_string_equal(bc_protocol_refusal(BC_PROTO_BIOS_CHAINLOAD, MOS_BOOT_MODE_UEFI),
                        "protocol=bios-chainload needs BIOS firmware");
    assert_null(bc_protocol_refusal(BC_PROTO_LINUX, MOS_BOOT_MODE_BIOS));
    assert_null(bc_protocol_refusal(BC_PROTO_MOS, MOS_BOOT_MODE_UEFI));
    assert_non_null(bc_protocol_refusal(BC_PROTO_COUNT, MOS_BOOT_MODE_UEFI));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(defaults_hold_one_entry),
        T(legacy_file_is_one_mos_entry),
        T(entries_of_each_protocol),
        T(entry_defaults),
        T(default_by_number_and_name),
        T(select_entry),
        T(unknown_protocol),
        T(entry_without_kernel),
        T(duplicate_names),
        T(default_names_no_entry),
        T(timeout_range),
        T(key_not_for_protocol),
        T(global_key_inside_entry),
        T(global_kernel_with_entries),
        T(duplicate_key_in_entry),
        T(too_many_entries),
        T(too_many_modules),
        T(string_pool_full),
        T(bad_entry_headers),
        T(drive_and_partition_values),
        T(module_path_rules),
        T(errors_sorted_by_line),
        T(reparse_resets_entries),
        T(string_accessor_bounds),
        T(protocol_refusal_by_firmware),
    };
    return cmocka_run_group_tests_name("bootcfg_entries", tests, NULL, NULL);
}
