/* boot/common/linux: bzImage validation, placement, boot_params, entry.
 * The bzImages are synthetic: a setup header written field by field as
 * Documentation/arch/x86/boot.rst lays it out, then filler bytes for the
 * protected-mode kernel. Diagrams: one character per MiB unless stated;
 * U usable, R reserved, K kernel, I initrd, P boot_params. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/linux.h"
#include "memmap_test.h"

#define SETUP_SECTS 4u
#define KOFF        ((SETUP_SECTS + 1) * 512u) /* protected-mode kernel offset */
#define KSIZE       0x3000u                    /* protected-mode bytes in the file */
#define HDR_END     0x26cu                     /* 0x202 + jump byte 0x6a */
#define FILE_LEN    (KOFF + KSIZE)

/* The header fields a test may vary. */
typedef struct hdr_opts {
    uint16_t version;
    uint8_t setup_sects, loadflags, relocatable;
    uint16_t xloadflags;
    uint32_t syssize, kernel_alignment, init_size, initrd_addr_max, cmdline_size;
    uint32_t payload_offset, payload_length;
    uint64_t pref_address;
} hdr_opts;

static hdr_opts debian_like(void)
{
    return (hdr_opts){.version = 0x020f,
                      .setup_sects = SETUP_SECTS,
                      .loadflags = 0x01,
                      .relocatable = 1,
                      .xloadflags = BC_LINUX_XLF_KERNEL_64 | BC_LINUX_XLF_CAN_LOAD_HIGH,
                      .syssize = KSIZE / 16,
                      .kernel_alignment = 0x200000,
                      .init_size = 0x2000000, /* 32 MiB */
                      .initrd_addr_max = 0x7fffffff,
                      .cmdline_size = 2047,
                      .payload_offset = 0x300,
                      .payload_length = 0x2000,
                      .pref_address = 0x1000000};
}

/* A FILE_LEN-byte bzImage (malloc'd) with the header of `o`; setup bytes
 * hold a pattern so header copies can be told from zeroes. */
static uint8_t *bzimage(const hdr_opts *o)
{
    uint8_t *f = malloc(FILE_LEN);
    assert_non_null(f);
    for (uint32_t i = 0; i < FILE_LEN; i++)
        f[i] = (uint8_t)(i * 7 + 3);
    f[0x1ef] = 0xff; /* the sentinel a correct loader does not copy */
    f[0x1f1] = o->setup_sects;
    put_le(f + 0x1f4, o->syssize, 4);
    put_le(f + 0x1fe, 0xaa55, 2);
    f[0x200] = 0xeb;
    f[0x201] = HDR_END - 0x202;
    memcpy(f + 0x202, "HdrS", 4);
    put_le(f + 0x206, o->version, 2);
    f[0x210] = 0;
    f[0x211] = o->loadflags;
    put_le(f + 0x218, 0, 8); /* ramdisk_image/size */
    put_le(f + 0x228, 0, 4); /* cmd_line_ptr */
    put_le(f + 0x22c, o->initrd_addr_max, 4);
    put_le(f + 0x230, o->kernel_alignment, 4);
    f[0x234] = o->relocatable;
    put_le(f + 0x236, o->xloadflags, 2);
    put_le(f + 0x238, o->cmdline_size, 4);
    put_le(f + 0x248, o->payload_offset, 4);
    put_le(f + 0x24c, o->payload_length, 4);
    put_le(f + 0x250, 0, 8); /* setup_data */
    put_le(f + 0x258, o->pref_address, 8);
    put_le(f + 0x260, o->init_size, 4);
    return f;
}

/* Parses a bzImage built from `o` and expects `problem`. */
static void expect_parse(const hdr_opts *o, size_t len, bc_linux_problem problem)
{
    uint8_t *f = bzimage(o);
    bc_linux_image img;
    mm_status st = bc_linux_parse(f, len, &img);
    free(f);
    if (img.problem != problem)
        fail_msg("got %s (%s), expected %s", bc_linux_problem_name(img.problem), img.msg,
                 bc_linux_problem_name(problem));
    assert_int_equal(st, problem == BC_LINUX_FILE_OK ? MM_OK : MM_ERR_INVALID_ARGUMENT);
}

static bc_linux_image parsed(const hdr_opts *o)
{
    uint8_t *f = bzimage(o);
    bc_linux_image img;
    mm_status st = bc_linux_parse(f, FILE_LEN, &img);
    free(f);
    if (st != MM_OK)
        fail_msg("parse: %s", img.msg);
    return img;
}

/* The Debian-like header, parsed. */
static bc_linux_image debian_image(void)
{
    hdr_opts o = debian_like();
    return parsed(&o);
}

/* Plans the kernel in `m` and carves it as the driver does. */
static void place_kernel(mm_map *m, const bc_linux_image *img, bc_linux_plan *p)
{
    assert_int_equal(bc_linux_plan_kernel(p, m, img), MM_OK);
    assert_int_equal(mm_map_carve(m, p->kernel_addr, p->kernel_span, MM_TYPE_KERNEL, 0), MM_OK);
}

/* ---- Parsing ----------------------------------------------------------- */

static void parses_debian_like_header(void **state)
{
    (void)state;
    bc_linux_image img = debian_image();
    assert_string_equal(img.msg, "ok");
    assert_int_equal(img.version, 0x020f);
    assert_int_equal(img.setup_sects, SETUP_SECTS);
    assert_int_equal(img.header_end, HDR_END);
    assert_int_equal(img.kernel_offset, KOFF);
    assert_int_equal(img.kernel_size, KSIZE);
    assert_int_equal(img.pref_address, 0x1000000);
    assert_int_equal(img.kernel_alignment, 0x200000);
    assert_int_equal(img.relocatable, 1);
    assert_int_equal(img.xloadflags, 3);
    assert_int_equal(img.initrd_addr_max, 0x7fffffff);
    assert_int_equal(img.cmdline_size, 2047);
    assert_int_equal(img.init_size, 0x2000000);
    assert_int_equal(img.span, 0x2000000);
}

static void setup_sects_zero_means_four(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    o.setup_sects = 0;
    bc_linux_image img = parsed(&o);
    assert_int_equal(img.setup_sects, 4);
    assert_int_equal(img.kernel_offset, 5 * 512);
}

/* init_size below the file's kernel (not seen in practice) still reserves
 * the whole kernel, rounded to a page. */
static void span_never_below_kernel_size(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    o.init_size = 0x100;
    bc_linux_image img = parsed(&o);
    assert_int_equal(img.span, KSIZE);
}

/* Protocol 2.06 has no pref_address/init_size/xloadflags: load at 1 MiB,
 * four times the kernel reserved, 32-bit entry. */
static void protocol_206_gets_defaults(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    o.version = 0x0206;
    bc_linux_image img = parsed(&o);
    assert_int_equal(img.pref_address, 0x100000);
    assert_int_equal(img.init_size, 0);
    assert_int_equal(img.span, 4 * KSIZE);
    assert_int_equal(img.xloadflags, 0);
}

static void refuses_elf(void **state)
{
    (void)state;
    uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    bc_linux_image img;
    assert_int_equal(bc_linux_parse(elf, sizeof elf, &img), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(img.problem, BC_LINUX_FILE_ELF);
    assert_non_null(strstr(img.msg, "ELF"));
    assert_non_null(strstr(img.msg, "bzImage"));
}

static void refuses_too_small(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    expect_parse(&o, 0x263, BC_LINUX_FILE_TOO_SMALL);
    bc_linux_image img;
    assert_int_equal(bc_linux_parse(NULL, 0, &img), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(img.problem, BC_LINUX_FILE_TOO_SMALL);
}

static void refuses_missing_boot_flag(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    uint8_t *f = bzimage(&o);
    f[0x1fe] = 0;
    bc_linux_image img;
    assert_int_equal(bc_linux_parse(f, FILE_LEN, &img), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(img.problem, BC_LINUX_FILE_NO_BOOT_FLAG);
    assert_non_null(strstr(img.msg, "0xAA55"));
    free(f);
}

static void refuses_missing_hdrs(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    uint8_t *f = bzimage(&o);
    memcpy(f + 0x202, "HdrT", 4);
    bc_linux_image img;
    assert_int_equal(bc_linux_parse(f, FILE_LEN, &img), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(img.problem, BC_LINUX_FILE_NO_HDRS);
    free(f);
}

static void refuses_protocol_205(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    o.version = 0x0205;
    expect_parse(&o, FILE_LEN, BC_LINUX_FILE_OLD_PROTOCOL);
    uint8_t *f = bzimage(&o);
    bc_linux_image img;
    bc_linux_parse(f, FILE_LEN, &img);
    assert_non_null(strstr(img.msg, "0x205"));
    free(f);
}

static void refuses_zimage(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    o.loadflags = 0;
    expect_parse(&o, FILE_LEN, BC_LINUX_FILE_NOT_BZIMAGE);
}

/* The file ends inside the setup sectors. */
static void refuses_truncated_setup(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    expect_parse(&o, KOFF, BC_LINUX_FILE_TRUNCATED);
}

/* syssize promises more protected-mode bytes than the file has. */
static void refuses_truncated_syssize(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    expect_parse(&o, FILE_LEN - 16, BC_LINUX_FILE_TRUNCATED);
    expect_parse(&o, FILE_LEN, BC_LINUX_FILE_OK);
}

/* payload_offset + payload_length passes the protected-mode part. */
static void refuses_payload_past_file(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    o.syssize = 0;
    o.payload_length = KSIZE - o.payload_offset + 1;
    expect_parse(&o, FILE_LEN, BC_LINUX_FILE_TRUNCATED);
    o.payload_length--;
    expect_parse(&o, FILE_LEN, BC_LINUX_FILE_OK);
}

static void refuses_alignment_not_pow2(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    o.kernel_alignment = 0x300000;
    expect_parse(&o, FILE_LEN, BC_LINUX_FILE_BAD_HEADER);
}

/* A jump byte that makes the header end before the fields we read. */
static void refuses_short_header(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    uint8_t *f = bzimage(&o);
    f[0x201] = 0x20;
    bc_linux_image img;
    assert_int_equal(bc_linux_parse(f, FILE_LEN, &img), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(img.problem, BC_LINUX_FILE_BAD_HEADER);
    free(f);
}

static void problem_names(void **state)
{
    (void)state;
    assert_string_equal(bc_linux_problem_name(BC_LINUX_FILE_ELF), "BC_LINUX_FILE_ELF");
    assert_string_equal(bc_linux_problem_name(BC_LINUX_FILE_PROBLEM_COUNT),
                        "BC_LINUX_FILE_UNKNOWN");
}

/* ---- Placement ----------------------------------------------------------- */

/* A sanitized map from (base, end, type) triples. */
static mm_map map_of(const mm_entry *e, uint32_t n, uint32_t capacity)
{
    mm_map m = map_new(capacity);
    for (uint32_t i = 0; i < n; i++)
        add(&m, e[i].base, e[i].base + e[i].length, (mm_type)e[i].type);
    sanitize_checked(&m, PAGE, NULL);
    return m;
}

#define E(b, e, t)                                                                                 \
    {                                                                                              \
        (b), (e) - (b), (t), 0, 0                                                                  \
    }

/*   0    1        16            48          256 MiB
 *   |UUUU|UUUU....|KKKKKKKKKKKKK|UUUUUUUUUUU|     kernel at pref_address */
static void kernel_at_pref_address(void **state)
{
    (void)state;
    const mm_entry e[] = {E(0, 0x9f000, MM_TYPE_USABLE), E(MIB, 256 * MIB, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 2, 8);
    bc_linux_image img = debian_image();
    bc_linux_plan p = {0};
    assert_int_equal(bc_linux_plan_kernel(&p, &m, &img), MM_OK);
    assert_int_equal(p.kernel_addr, 16 * MIB);
    assert_int_equal(p.kernel_span, 32 * MIB);
    map_free(&m);
}

/*   1       16  17           50  256
 *   |UUUUUUU|RR|UUUUUUUUUUUUU|..|        pref busy: lowest 2 MiB-aligned
 *               ^18: K[18, 50)            fit at or above pref, not below */
static void kernel_relocates_above_busy_pref(void **state)
{
    (void)state;
    const mm_entry e[] = {E(MIB, 256 * MIB, MM_TYPE_USABLE),
                          E(16 * MIB, 17 * MIB, MM_TYPE_RESERVED)};
    mm_map m = map_of(e, 2, 8);
    bc_linux_image img = debian_image();
    bc_linux_plan p = {0};
    assert_int_equal(bc_linux_plan_kernel(&p, &m, &img), MM_OK);
    assert_int_equal(p.kernel_addr, 18 * MIB);
    map_free(&m);
}

/*   1              16   20     40
 *   |UUUUUUUUUUUUUU|RRRR|UUUUUU|     15 MiB free below pref would hold a
 *                                   small kernel, but the kernel would run
 *                                   at pref anyway: refused */
static void kernel_never_placed_below_pref(void **state)
{
    (void)state;
    const mm_entry e[] = {E(MIB, 16 * MIB, MM_TYPE_USABLE), E(16 * MIB, 20 * MIB, MM_TYPE_RESERVED),
                          E(20 * MIB, 40 * MIB, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 3, 8);
    hdr_opts o = debian_like();
    o.init_size = 8 * MIB;
    bc_linux_image img = parsed(&o);
    bc_linux_plan p = {0};
    assert_int_equal(bc_linux_plan_kernel(&p, &m, &img), MM_OK);
    assert_int_equal(p.kernel_addr, 20 * MIB);
    o.init_size = 24 * MIB;
    img = parsed(&o);
    assert_int_equal(bc_linux_plan_kernel(&p, &m, &img), MM_ERR_NOT_FOUND);
    assert_non_null(strstr(p.msg, "no room for the kernel"));
    assert_int_equal(p.kernel_addr, 20 * MIB); /* unchanged by the failure */
    map_free(&m);
}

/* Not relocatable: pref_address or nothing, even with room elsewhere. */
static void non_relocatable_needs_pref(void **state)
{
    (void)state;
    const mm_entry e[] = {E(MIB, 256 * MIB, MM_TYPE_USABLE),
                          E(20 * MIB, 21 * MIB, MM_TYPE_RESERVED)};
    mm_map m = map_of(e, 2, 8);
    hdr_opts o = debian_like();
    o.relocatable = 0;
    bc_linux_image img = parsed(&o);
    bc_linux_plan p = {0};
    assert_int_equal(bc_linux_plan_kernel(&p, &m, &img), MM_ERR_NOT_FOUND);
    assert_non_null(strstr(p.msg, "not relocatable"));
    o.init_size = 4 * MIB; /* [16, 20) is free */
    img = parsed(&o);
    assert_int_equal(bc_linux_plan_kernel(&p, &m, &img), MM_OK);
    assert_int_equal(p.kernel_addr, 16 * MIB);
    map_free(&m);
}

/* RAM only at [4 GiB, 8 GiB): a kernel without XLF_CAN_LOAD_HIGH (or a
 * 32-bit one) must stay below 4 GiB; with both flags it goes to 4 GiB. */
static void kernel_above_4g_needs_both_flags(void **state)
{
    (void)state;
    const mm_entry e[] = {E(4 * GIB, 8 * GIB, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 1, 4);
    hdr_opts o = debian_like();
    bc_linux_plan p = {0};
    bc_linux_image img = parsed(&o);
    assert_int_equal(bc_linux_plan_kernel(&p, &m, &img), MM_OK);
    assert_int_equal(p.kernel_addr, 4 * GIB);
    o.xloadflags = BC_LINUX_XLF_KERNEL_64;
    img = parsed(&o);
    assert_int_equal(bc_linux_plan_kernel(&p, &m, &img), MM_ERR_NOT_FOUND);
    o.xloadflags = BC_LINUX_XLF_CAN_LOAD_HIGH;
    img = parsed(&o);
    assert_int_equal(bc_linux_plan_kernel(&p, &m, &img), MM_ERR_NOT_FOUND);
    map_free(&m);
}

/*   1    16   48                  2048 (initrd_addr_max + 1)   3072
 *   |UUUU|KKKK|UUUUUUUUUUUUUUUUUUU|IIII|UUUUUUUUUUUUUUUUUUUUUUU|
 *   the initrd ends at 2 GiB, its 0x1800 bytes in two pages. */
static void initrd_highest_below_max(void **state)
{
    (void)state;
    const mm_entry e[] = {E(MIB, 3 * GIB, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 1, 8);
    bc_linux_image img = debian_image();
    bc_linux_plan p = {0};
    place_kernel(&m, &img, &p);
    assert_int_equal(bc_linux_plan_initrd(&p, &m, &img, 0x1800), MM_OK);
    assert_int_equal(p.initrd_addr, 2 * GIB - 0x2000);
    assert_int_equal(p.initrd_size, 0x1800);
    map_free(&m);
}

/*   1       16        48   64
 *   |UUUUUUU|KKKKKKKKK|IIII|       RAM ends below initrd_addr_max: the
 *   initrd takes the top, the carved kernel is skipped, and a 40 MiB one
 *   finds no room. */
static void initrd_top_of_small_ram(void **state)
{
    (void)state;
    const mm_entry e[] = {E(MIB, 64 * MIB, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 1, 8);
    bc_linux_image img = debian_image();
    bc_linux_plan p = {0};
    place_kernel(&m, &img, &p);
    assert_int_equal(bc_linux_plan_initrd(&p, &m, &img, 16 * MIB), MM_OK);
    assert_int_equal(p.initrd_addr, 48 * MIB);
    assert_int_equal(bc_linux_plan_initrd(&p, &m, &img, 40 * MIB), MM_ERR_NOT_FOUND);
    assert_non_null(strstr(p.msg, "initrd"));
    map_free(&m);
}

static void no_initrd_is_address_zero(void **state)
{
    (void)state;
    const mm_entry e[] = {E(MIB, 64 * MIB, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 1, 8);
    bc_linux_image img = debian_image();
    bc_linux_plan p = {.initrd_addr = 5};
    assert_int_equal(bc_linux_plan_initrd(&p, &m, &img, 0), MM_OK);
    assert_int_equal(p.initrd_addr, 0);
    assert_int_equal(p.initrd_size, 0);
    map_free(&m);
}

/*   0     0.6  1     1.5   ...
 *   |UUUUU|RRRR|RRRRR|PP...       boot_params: lowest page at or above
 *   1 MiB (low memory is left to the kernel's real-mode trampoline). */
static void params_low_above_1m(void **state)
{
    (void)state;
    const mm_entry e[] = {E(0, 0x9f000, MM_TYPE_USABLE), E(0x100000, 0x180000, MM_TYPE_RESERVED),
                          E(0x180000, 64 * MIB, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 3, 8);
    bc_linux_image img = debian_image();
    bc_linux_plan p = {0};
    assert_int_equal(bc_linux_plan_params(&p, &m, &img, 100, 3), MM_OK);
    assert_int_equal(p.params_addr, 0x180000);
    assert_int_equal(p.params_span, 2 * PAGE);
    assert_int_equal(p.cmdline_addr, 0x181000);
    assert_int_equal(p.cmdline_bytes, 100);
    assert_int_equal(p.e820_ext_addr, 0);
    map_free(&m);
}

/* cmdline_size counts characters without the NUL: 2047 fit, 2048 are
 * refused (not cut). */
static void cmdline_longer_than_cmdline_size_refused(void **state)
{
    (void)state;
    const mm_entry e[] = {E(MIB, 64 * MIB, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 1, 8);
    bc_linux_image img = debian_image();
    bc_linux_plan p = {0};
    assert_int_equal(bc_linux_plan_params(&p, &m, &img, 2048, 1), MM_OK);
    assert_int_equal(bc_linux_plan_params(&p, &m, &img, 2049, 1), MM_ERR_OUT_OF_RANGE);
    assert_non_null(strstr(p.msg, "2048 characters exceeds the kernel's cmdline_size 2047"));
    assert_int_equal(bc_linux_plan_params(&p, &m, &img, 0, 1), MM_ERR_INVALID_ARGUMENT);
    map_free(&m);
}

/* 300 e820 entries: the region holds boot_params, the command line and a
 * SETUP_E820_EXT node of 172 entries, 8-aligned after the command line. */
static void params_region_holds_e820_ext(void **state)
{
    (void)state;
    const mm_entry e[] = {E(MIB, 64 * MIB, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 1, 8);
    bc_linux_image img = debian_image();
    bc_linux_plan p = {0};
    assert_int_equal(bc_linux_plan_params(&p, &m, &img, 13, 300), MM_OK);
    assert_int_equal(p.e820_ext_addr, MIB + 4096 + 16);
    uint64_t need = 4096 + 16 + 16 + 172 * 20;
    assert_true(p.params_span >= need && p.params_span % PAGE == 0);
    assert_true(p.params_span - need < PAGE);
    map_free(&m);
}

static void initrd_layout_pads_to_4(void **state)
{
    (void)state;
    const uint64_t sizes[3] = {5, 8, 3};
    uint64_t off[3], total;
    assert_int_equal(bc_linux_initrd_layout(sizes, 3, off, &total), MM_OK);
    assert_int_equal(off[0], 0);
    assert_int_equal(off[1], 8);
    assert_int_equal(off[2], 16);
    assert_int_equal(total, 19);
    assert_int_equal(bc_linux_initrd_layout(NULL, 0, NULL, &total), MM_OK);
    assert_int_equal(total, 0);
    const uint64_t huge[2] = {UINT64_MAX - 2, 1};
    assert_int_equal(bc_linux_initrd_layout(huge, 2, off, &total), MM_ERR_OVERFLOW);
}

/* ---- boot_params ------------------------------------------------------------ */

static void params_init_copies_header_and_sets_fields(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    uint8_t *f = bzimage(&o);
    bc_linux_image img;
    assert_int_equal(bc_linux_parse(f, FILE_LEN, &img), MM_OK);
    bc_linux_plan p = {.cmdline_addr = 0x181000,
                       .cmdline_bytes = 12,
                       .initrd_addr = 0x1234567000ull,
                       .initrd_size = 0x100000001ull};
    uint8_t bp[BC_LINUX_PARAMS_SIZE] = {0};
    char cl[16];
    memset(cl, 'x', sizeof cl);
    assert_int_equal(bc_linux_params_init(bp, &img, f, FILE_LEN, &p, "console=ttyS0 quiet", cl),
                     MM_OK);
    assert_int_equal(bp[0x1ef], 0); /* sentinel not copied */
    for (uint32_t i = 0x1f1; i < HDR_END; i++) {
        if (i == 0x210 || (i >= 0x218 && i < 0x220) || (i >= 0x228 && i < 0x22c))
            continue; /* fields the loader writes */
        if (bp[i] != f[i])
            fail_msg("header byte 0x%x: 0x%x, file 0x%x", i, bp[i], f[i]);
    }
    for (uint32_t i = HDR_END; i < 0x290; i++)
        assert_int_equal(bp[i], 0);
    assert_int_equal(bp[0x210], 0xff);
    assert_int_equal(mm_load_le32(bp + 0x228), 0x181000);
    assert_int_equal(mm_load_le32(bp + 0x0c8), 0);
    assert_int_equal(mm_load_le32(bp + 0x218), 0x34567000);
    assert_int_equal(mm_load_le32(bp + 0x0c0), 0x12);
    assert_int_equal(mm_load_le32(bp + 0x21c), 1);
    assert_int_equal(mm_load_le32(bp + 0x0c4), 1);
    assert_string_equal(cl, "console=tty"); /* cmdline_bytes - 1 characters */
    free(f);
}

static void params_firmware_bios_and_uefi(void **state)
{
    (void)state;
    uint8_t bp[BC_LINUX_PARAMS_SIZE] = {0};
    bc_linux_firmware fw = {.acpi_rsdp = 0xf5a40};
    assert_int_equal(bc_linux_params_firmware(bp, &fw), MM_OK);
    assert_int_equal(mm_load_le64(bp + 0x70), 0xf5a40);
    for (uint32_t i = 0x1c0; i < 0x1e0; i++)
        assert_int_equal(bp[i], 0);
    fw = (bc_linux_firmware){.acpi_rsdp = 0x7fb7e014,
                             .efi_system_table = 0x17f9ee018ull,
                             .efi_map = 0x27e000000ull,
                             .efi_map_size = 0x1e00,
                             .efi_desc_size = 48,
                             .efi_desc_version = 1};
    assert_int_equal(bc_linux_params_firmware(bp, &fw), MM_OK);
    assert_memory_equal(bp + 0x1c0, "EL64", 4);
    assert_int_equal(mm_load_le32(bp + 0x1c4), 0x7f9ee018);
    assert_int_equal(mm_load_le32(bp + 0x1c8), 48);
    assert_int_equal(mm_load_le32(bp + 0x1cc), 1);
    assert_int_equal(mm_load_le32(bp + 0x1d0), 0x7e000000);
    assert_int_equal(mm_load_le32(bp + 0x1d4), 0x1e00);
    assert_int_equal(mm_load_le32(bp + 0x1d8), 1);
    assert_int_equal(mm_load_le32(bp + 0x1dc), 2);
    fw.efi_desc_size = 0;
    assert_int_equal(bc_linux_params_firmware(bp, &fw), MM_ERR_INVALID_ARGUMENT);
}

/* A VESA mode (BIOS) of 1024 x 768 x 32, x8r8g8b8:
 *
 *   bits  31..24 unused | 23..16 red | 15..8 green | 7..0 blue
 *   isVGA 0x23, lfb_size = 4096 * 768 = 3 MiB = 48 blocks of 64 KiB,
 *   rsvd 8 at 24 (the unused byte), no 64-bit base
 */
static void screen_vesa_32bpp(void **state)
{
    (void)state;
    uint8_t bp[BC_LINUX_PARAMS_SIZE] = {0};
    bc_linux_screen s = {0xfd000000, 1024, 768, 4096, 32, 8, 16, 8, 8, 8, 0, 0, 0};
    assert_int_equal(bc_linux_params_screen(bp, &s), MM_OK);
    assert_int_equal(bp[0x0f], 0x23);
    assert_int_equal(mm_load_le32(bp + 0x12) & 0xffff, 1024);
    assert_int_equal(mm_load_le32(bp + 0x14) & 0xffff, 768);
    assert_int_equal(mm_load_le32(bp + 0x16) & 0xffff, 32);
    assert_int_equal(mm_load_le32(bp + 0x18), 0xfd000000);
    assert_int_equal(mm_load_le32(bp + 0x1c), 48);
    assert_int_equal(mm_load_le32(bp + 0x24) & 0xffff, 4096);
    const uint8_t colours[8] = {8, 16, 8, 8, 8, 0, 8, 24};
    assert_memory_equal(bp + 0x26, colours, 8);
    assert_int_equal(mm_load_le32(bp + 0x36), 0);
    assert_int_equal(mm_load_le32(bp + 0x3a), 0);
}

/* A GOP mode above 4 GiB, 800 x 600 x 16 (r5g6b5, every bit used):
 *   isVGA 0x70, lfb_size in bytes (1600 * 600), base split into lfb_base
 *   and ext_lfb_base with VIDEO_CAPABILITY_64BIT_BASE, no rsvd */
static void screen_efi_above_4g(void **state)
{
    (void)state;
    uint8_t bp[BC_LINUX_PARAMS_SIZE] = {0};
    bc_linux_screen s = {0x8000000000ull + 0x1000, 800, 600, 1600, 16, 5, 11, 6, 5, 5, 0, 1, 0};
    assert_int_equal(bc_linux_params_screen(bp, &s), MM_OK);
    assert_int_equal(bp[0x0f], 0x70);
    assert_int_equal(mm_load_le32(bp + 0x18), 0x1000);
    assert_int_equal(mm_load_le32(bp + 0x1c), 1600 * 600);
    assert_int_equal(mm_load_le32(bp + 0x36), 0x2);
    assert_int_equal(mm_load_le32(bp + 0x3a), 0x80);
    assert_int_equal(bp[0x2c], 0);
    assert_int_equal(bp[0x2d], 0);
}

/* What screen_info's 16-bit fields cannot hold, or a pitch shorter than
 * a line: refused, nothing written. */
static void screen_out_of_range(void **state)
{
    (void)state;
    uint8_t bp[BC_LINUX_PARAMS_SIZE] = {0}, zero[0x40] = {0};
    bc_linux_screen wide = {0xfd000000, 70000, 10, 280000, 32, 8, 16, 8, 8, 8, 0, 0, 0};
    bc_linux_screen short_pitch = {0xfd000000, 1024, 768, 2048, 32, 8, 16, 8, 8, 8, 0, 0, 0};
    bc_linux_screen no_base = {0, 1024, 768, 4096, 32, 8, 16, 8, 8, 8, 0, 0, 0};
    assert_int_equal(bc_linux_params_screen(bp, &wide), MM_ERR_OUT_OF_RANGE);
    assert_int_equal(bc_linux_params_screen(bp, &short_pitch), MM_ERR_OUT_OF_RANGE);
    assert_int_equal(bc_linux_params_screen(bp, &no_base), MM_ERR_OUT_OF_RANGE);
    assert_int_equal(bc_linux_params_screen(NULL, &no_base), MM_ERR_INVALID_ARGUMENT);
    assert_memory_equal(bp, zero, sizeof zero);
}

static void expect_e820(const uint8_t *p, uint64_t base, uint64_t end, uint32_t type)
{
    if (mm_load_le64(p) != base || mm_load_le64(p + 8) != end - base ||
        mm_load_le32(p + 16) != type)
        fail_msg("e820 [0x%llx, +0x%llx) type %u, expected [0x%llx, 0x%llx) type %u",
                 (unsigned long long)mm_load_le64(p), (unsigned long long)mm_load_le64(p + 8),
                 mm_load_le32(p + 16), (unsigned long long)base, (unsigned long long)end, type);
}

/* pages:  0  1  2  3  4  5  6  7  8  9  10 11
 *   mm:   U  L  L  K  U  A  N  B  M  F  P  H    (L bootloader-reclaimable,
 *   e820: 1------------  3  4  5  2---  7  1     K kernel, M mmio,
 *                                                 F runtime code, P
 * persistent, H handoff): loader ranges merge into the usable run. */
static void e820_converts_and_merges(void **state)
{
    (void)state;
    const mm_entry e[] = {
        E(0, PAGE, MM_TYPE_USABLE),
        E(PAGE, 3 * PAGE, MM_TYPE_BOOTLOADER_RECLAIMABLE),
        E(3 * PAGE, 4 * PAGE, MM_TYPE_KERNEL),
        E(4 * PAGE, 5 * PAGE, MM_TYPE_USABLE),
        E(5 * PAGE, 6 * PAGE, MM_TYPE_ACPI_RECLAIMABLE),
        E(6 * PAGE, 7 * PAGE, MM_TYPE_ACPI_NVS),
        E(7 * PAGE, 8 * PAGE, MM_TYPE_BAD),
        E(8 * PAGE, 9 * PAGE, MM_TYPE_MMIO),
        E(9 * PAGE, 10 * PAGE, MM_TYPE_FW_RUNTIME_CODE),
        E(10 * PAGE, 11 * PAGE, MM_TYPE_PERSISTENT),
        E(11 * PAGE, 12 * PAGE, MM_TYPE_HANDOFF),
    };
    mm_map m = map_of(e, MM_ARRAY_SIZE(e), 16);
    assert_int_equal(bc_linux_e820_count(&m), 7);
    uint8_t bp[BC_LINUX_PARAMS_SIZE] = {0};
    assert_int_equal(bc_linux_params_e820(bp, &m, NULL, 0, 0), MM_OK);
    assert_int_equal(bp[0x1e8], 7);
    const uint8_t *t = bp + 0x2d0;
    expect_e820(t + 0, 0, 5 * PAGE, 1);
    expect_e820(t + 20, 5 * PAGE, 6 * PAGE, 3);
    expect_e820(t + 40, 6 * PAGE, 7 * PAGE, 4);
    expect_e820(t + 60, 7 * PAGE, 8 * PAGE, 5);
    expect_e820(t + 80, 8 * PAGE, 10 * PAGE, 2);
    expect_e820(t + 100, 10 * PAGE, 11 * PAGE, 7);
    expect_e820(t + 120, 11 * PAGE, 12 * PAGE, 1);
    assert_int_equal(mm_load_le64(bp + 0x250), 0); /* no setup_data needed */
    map_free(&m);
}

/* A hole between two usable ranges stays a hole: they are not merged. */
static void e820_keeps_holes(void **state)
{
    (void)state;
    const mm_entry e[] = {E(0, PAGE, MM_TYPE_USABLE), E(2 * PAGE, 3 * PAGE, MM_TYPE_USABLE)};
    mm_map m = map_of(e, 2, 4);
    assert_int_equal(bc_linux_e820_count(&m), 2);
    map_free(&m);
}

/* 300 alternating usable/reserved pages: 128 in the zero page, 172 in a
 * SETUP_E820_EXT node linked in front of the setup_data already there. */
static void e820_over_128_goes_to_setup_data(void **state)
{
    (void)state;
    mm_map m = map_new(300);
    for (uint32_t i = 0; i < 300; i++)
        add(&m, i * PAGE, (i + 1) * PAGE, i % 2 ? MM_TYPE_RESERVED : MM_TYPE_USABLE);
    sanitize_checked(&m, PAGE, NULL);
    assert_int_equal(bc_linux_e820_count(&m), 300);
    uint8_t bp[BC_LINUX_PARAMS_SIZE] = {0};
    put_le(bp + 0x250, 0xabc000, 8); /* an earlier setup_data node */
    size_t ext_len = 16 + 172 * 20;
    uint8_t *ext = calloc(1, ext_len);
    assert_int_equal(bc_linux_params_e820(bp, &m, ext, ext_len - 1, 0x5000),
                     MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(bc_linux_params_e820(bp, &m, NULL, 0, 0x5000), MM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(bp[0x1e8], 0); /* nothing written on error */
    assert_int_equal(bc_linux_params_e820(bp, &m, ext, ext_len, 0x5000), MM_OK);
    assert_int_equal(bp[0x1e8], 128);
    expect_e820(bp + 0x2d0 + 127 * 20, 127 * PAGE, 128 * PAGE, 2);
    assert_int_equal(mm_load_le64(bp + 0x250), 0x5000);
    assert_int_equal(mm_load_le64(ext), 0xabc000);
    assert_int_equal(mm_load_le32(ext + 8), BC_LINUX_SETUP_E820_EXT);
    assert_int_equal(mm_load_le32(ext + 12), 172 * 20);
    expect_e820(ext + 16, 128 * PAGE, 129 * PAGE, 1);
    expect_e820(ext + 16 + 171 * 20, 299 * PAGE, 300 * PAGE, 2);
    free(ext);
    map_free(&m);
}

/* ---- Entry -------------------------------------------------------------------- */

static void entry_64_and_32(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    bc_linux_image img = parsed(&o);
    bc_linux_plan p = {.kernel_addr = 0x1000000, .params_addr = 0x180000};
    bc_linux_entry en;
    assert_int_equal(bc_linux_entry_for(&img, &p, &en), MM_OK);
    assert_int_equal(en.mode, BC_LINUX_ENTRY_64);
    assert_int_equal(en.address, 0x1000200);
    assert_int_equal(en.boot_params, 0x180000);
    o.xloadflags = 0;
    img = parsed(&o);
    assert_int_equal(bc_linux_entry_for(&img, &p, &en), MM_OK);
    assert_int_equal(en.mode, BC_LINUX_ENTRY_32);
    assert_int_equal(en.address, 0x1000000);
    p.kernel_addr = 4 * GIB;
    assert_int_equal(bc_linux_entry_for(&img, &p, &en), MM_ERR_OUT_OF_RANGE);
}

static void identity_ranges_cover_kernel_and_params(void **state)
{
    (void)state;
    bc_linux_plan p = {.kernel_addr = 16 * MIB,
                       .kernel_span = 32 * MIB,
                       .params_addr = MIB,
                       .params_span = 2 * PAGE};
    bc_linux_range r[BC_LINUX_IDENTITY_RANGES];
    assert_int_equal(bc_linux_identity_ranges(&p, r), MM_OK);
    assert_int_equal(r[0].base, 16 * MIB);
    assert_int_equal(r[0].length, 32 * MIB);
    assert_int_equal(r[1].base, MIB);
    assert_int_equal(r[1].length, 2 * PAGE);
}

/* The file's first BC_LINUX_HEADER_BYTES and its size give the whole
 * file's verdict and extents:
 *   file  |boot sector|setup ...|protected-mode kernel ...........|
 *   head  |<- 0x290 ->|                 kernel_offset, kernel_size from the size */
static void parse_head_equals_whole_file(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    uint8_t *f = bzimage(&o);
    bc_linux_image whole, head;
    assert_int_equal(bc_linux_parse(f, FILE_LEN, &whole), MM_OK);
    assert_int_equal(bc_linux_parse_head(f, BC_LINUX_HEADER_BYTES, FILE_LEN, &head), MM_OK);
    assert_memory_equal(&head, &whole, sizeof head);
    assert_int_equal(head.kernel_offset, KOFF);
    assert_int_equal(head.kernel_size, KSIZE);
    free(f);
}

/* The size, not the head, decides truncation; a head longer than the
 * file, or too short for the setup header, is refused. */
static void parse_head_size_checks(void **state)
{
    (void)state;
    hdr_opts o = debian_like();
    uint8_t *f = bzimage(&o);
    bc_linux_image img;
    assert_int_equal(bc_linux_parse_head(f, BC_LINUX_HEADER_BYTES, KOFF, &img),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(img.problem, BC_LINUX_FILE_TRUNCATED);
    assert_int_equal(bc_linux_parse_head(f, BC_LINUX_HEADER_BYTES, 0x200, &img),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(img.problem, BC_LINUX_FILE_TOO_SMALL);
    assert_int_equal(bc_linux_parse_head(f, 0x200, FILE_LEN, &img), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(img.problem, BC_LINUX_FILE_TOO_SMALL);
    free(f);
}

/* The whole plan on an OVMF-like map: every piece is carved as a loader
 * type, and the e820 Linux receives still has exactly the usable bytes of
 * the map before the loader carved anything. */
static void flow_gives_linux_every_usable_byte(void **state)
{
    (void)state;
    const mm_entry e[] = {
        E(0, 0xa0000, MM_TYPE_USABLE),
        E(0x100000, 0x800000, MM_TYPE_USABLE),
        E(0x800000, 0x808000, MM_TYPE_ACPI_NVS),
        E(0x808000, 0x7e000000, MM_TYPE_USABLE),
        E(0x7e000000, 0x7e100000, MM_TYPE_BOOTLOADER_RECLAIMABLE),
        E(0x7e100000, 0x7f000000, MM_TYPE_USABLE),
        E(0x7f000000, 0x7f100000, MM_TYPE_FW_RUNTIME_DATA),
        E(0x7f100000, 0x7f200000, MM_TYPE_ACPI_RECLAIMABLE),
        E(0xb0000000, 0xc0000000, MM_TYPE_MMIO),
    };
    mm_map m = map_of(e, MM_ARRAY_SIZE(e), 32);
    struct mm_map_stats before;
    mm_map_stats(&m, &before);
    bc_linux_image img = debian_image();
    bc_linux_plan p = {0};
    uint32_t count = bc_linux_e820_count(&m);
    place_kernel(&m, &img, &p);
    assert_int_equal(bc_linux_plan_initrd(&p, &m, &img, 5 * MIB + 3), MM_OK);
    assert_int_equal(mm_map_carve(&m, p.initrd_addr, p.initrd_size, MM_TYPE_KERNEL, 0), MM_OK);
    assert_int_equal(bc_linux_plan_params(&p, &m, &img, 20, count), MM_OK);
    assert_int_equal(mm_map_carve(&m, p.params_addr, p.params_span, MM_TYPE_HANDOFF, 0), MM_OK);
    assert_int_equal(bc_linux_e820_count(&m), count);
    /* The initrd (5 MiB + one page) tops the usable range below 2 GiB. */
    assert_int_equal(p.initrd_addr + 5 * MIB + PAGE, 0x7f000000);
    uint8_t bp[BC_LINUX_PARAMS_SIZE] = {0};
    assert_int_equal(bc_linux_params_e820(bp, &m, NULL, 0, 0), MM_OK);
    uint64_t usable = 0;
    for (uint32_t i = 0; i < bp[0x1e8]; i++) {
        const uint8_t *t = bp + 0x2d0 + i * 20;
        if (mm_load_le32(t + 16) == 1)
            usable += mm_load_le64(t + 8);
    }
    assert_int_equal(usable, before.usable_bytes + before.bytes[MM_TYPE_BOOTLOADER_RECLAIMABLE]);
    map_free(&m);
}

static void null_arguments(void **state)
{
    (void)state;
    bc_linux_plan p = {0};
    bc_linux_image img = {0};
    mm_map m = map_new(1);
    assert_int_equal(bc_linux_parse(NULL, 4, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_linux_plan_kernel(NULL, &m, &img), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_linux_plan_initrd(&p, NULL, &img, 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_linux_plan_params(&p, &m, NULL, 1, 1), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_linux_params_e820(NULL, &m, NULL, 0, 0), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_linux_params_firmware(NULL, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_linux_entry_for(&img, &p, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_linux_identity_ranges(NULL, NULL), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_linux_e820_count(NULL), 0);
    map_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_debian_like_header),
        cmocka_unit_test(setup_sects_zero_means_four),
        cmocka_unit_test(span_never_below_kernel_size),
        cmocka_unit_test(protocol_206_gets_defaults),
        cmocka_unit_test(refuses_elf),
        cmocka_unit_test(refuses_too_small),
        cmocka_unit_test(refuses_missing_boot_flag),
        cmocka_unit_test(refuses_missing_hdrs),
        cmocka_unit_test(refuses_protocol_205),
        cmocka_unit_test(refuses_zimage),
        cmocka_unit_test(refuses_truncated_setup),
        cmocka_unit_test(refuses_truncated_syssize),
        cmocka_unit_test(refuses_payload_past_file),
        cmocka_unit_test(refuses_alignment_not_pow2),
        cmocka_unit_test(refuses_short_header),
        cmocka_unit_test(problem_names),
        cmocka_unit_test(kernel_at_pref_address),
        cmocka_unit_test(kernel_relocates_above_busy_pref),
        cmocka_unit_test(kernel_never_placed_below_pref),
        cmocka_unit_test(non_relocatable_needs_pref),
        cmocka_unit_test(kernel_above_4g_needs_both_flags),
        cmocka_unit_test(initrd_highest_below_max),
        cmocka_unit_test(initrd_top_of_small_ram),
        cmocka_unit_test(no_initrd_is_address_zero),
        cmocka_unit_test(params_low_above_1m),
        cmocka_unit_test(cmdline_longer_than_cmdline_size_refused),
        cmocka_unit_test(params_region_holds_e820_ext),
        cmocka_unit_test(initrd_layout_pads_to_4),
        cmocka_unit_test(params_init_copies_header_and_sets_fields),
        cmocka_unit_test(params_firmware_bios_and_uefi),
        cmocka_unit_test(e820_converts_and_merges),
        cmocka_unit_test(e820_keeps_holes),
        cmocka_unit_test(e820_over_128_goes_to_setup_data),
        cmocka_unit_test(entry_64_and_32),
        cmocka_unit_test(identity_ranges_cover_kernel_and_params),
        cmocka_unit_test(parse_head_equals_whole_file),
        cmocka_unit_test(parse_head_size_checks),
        cmocka_unit_test(flow_gives_linux_every_usable_byte),
        cmocka_unit_test(screen_vesa_32bpp),
        cmocka_unit_test(screen_efi_above_4g),
        cmocka_unit_test(screen_out_of_range),
        cmocka_unit_test(null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
