/* ELF64 kernel validation, loading and page mappings. Each test builds its
 * image in memory: a valid three-segment kernel, then one corruption per
 * check, each expected to give its own status and message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/elf.h"
#include "helpers/elf_image.h"

#define KBASE      0xffffffff80000000ULL
#define FILE_BYTES 0x3000u

typedef struct image {
    unsigned char *f; /* FILE_BYTES */
    size_t len;
    bc_elf_image img;
} image;

/* The valid kernel:
 *   seg 0  text    vaddr KBASE+0x0000  file 0x1000+0x800            R X
 *   seg 1  rodata  vaddr KBASE+0x1000  file 0x2000+0x100            R
 *   seg 2  data    vaddr KBASE+0x2100  file 0x2100+0x80, mem 0x3000 R W (bss)
 * entry KBASE+0x10; span [KBASE, KBASE+0x6000). */
static const test_seg valid[3] = {
    {1, 5, 0x1000, KBASE, 0x800, 0x800, 0x1000},
    {1, 4, 0x2000, KBASE + 0x1000, 0x100, 0x100, 0x1000},
    {1, 6, 0x2100, KBASE + 0x2100, 0x80, 0x3000, 0x1000},
};

static int setup(void **state)
{
    image *im = calloc(1, sizeof *im);
    im->f = malloc(FILE_BYTES);
    for (unsigned i = 0; i < FILE_BYTES; i++)
        im->f[i] = (unsigned char)(i * 7 + 1);
    test_elf_write(im->f, valid, 3, KBASE + 0x10);
    im->len = 0x2180;
    *state = im;
    return 0;
}

static int teardown(void **state)
{
    image *im = *state;
    free(im->f);
    free(im);
    return 0;
}

static void expect(image *im, bc_elf_status want, const char *msg)
{
    bc_elf_status got = bc_elf_parse(im->f, im->len, &im->img);
    if (got != want)
        fail_msg("got %s (%s), want %s", bc_elf_status_name(got), im->img.msg,
                 bc_elf_status_name(want));
    if (!strstr(im->img.msg, msg))
        fail_msg("message \"%s\" lacks \"%s\"", im->img.msg, msg);
}

/* Rewrites the program headers with `s` (n entries) and `entry`. */
static void rewrite(image *im, const test_seg *s, int n, uint64_t entry)
{
    test_elf_write(im->f, s, n, entry);
}

/* The valid kernel parses into the layout drawn above. */
static void valid_kernel_layout(void **state)
{
    image *im = *state;
    expect(im, BC_ELF_OK, "ok");
    bc_elf_image *img = &im->img;
    assert_int_equal(img->count, 3);
    assert_true(img->virt_base == KBASE);
    assert_true(img->virt_end == KBASE + 0x6000);
    assert_int_equal(img->span, 0x6000);
    assert_int_equal(img->phys_align, 0x1000);
    assert_true(img->entry == KBASE + 0x10);
    assert_int_equal(img->segments[2].dst_off, 0x2100);
    assert_int_equal(img->segments[0].flags, BC_SEG_EXEC);
    assert_int_equal(img->segments[1].flags, 0);
    assert_int_equal(img->segments[2].flags, BC_SEG_WRITE);
}

/* Loading: file bytes copied, bss/slack/holes zeroed, nothing written
 * past the span (the canary beyond it keeps its 0xAA). */
static void load_copies_and_zeroes(void **state)
{
    image *im = *state;
    expect(im, BC_ELF_OK, "ok");
    size_t cap = 0x7000;
    unsigned char *dst = malloc(cap);
    memset(dst, 0xaa, cap);
    assert_int_equal(bc_elf_load(&im->img, im->f, im->len, dst, cap), BC_ELF_OK);
    assert_memory_equal(dst, im->f + 0x1000, 0x800);
    assert_memory_equal(dst + 0x1000, im->f + 0x2000, 0x100);
    assert_memory_equal(dst + 0x2100, im->f + 0x2100, 0x80);
    for (size_t i = 0x800; i < 0x1000; i++)
        assert_int_equal(dst[i], 0);
    for (size_t i = 0x1100; i < 0x2100; i++)
        assert_int_equal(dst[i], 0);
    for (size_t i = 0x2180; i < 0x6000; i++)
        assert_int_equal(dst[i], 0);
    for (size_t i = 0x6000; i < cap; i++)
        assert_int_equal(dst[i], 0xaa);
    free(dst);
}

/* A destination smaller than the span, or NULL pointers: nothing done. */
static void load_refuses_small_destination(void **state)
{
    image *im = *state;
    expect(im, BC_ELF_OK, "ok");
    unsigned char dst[0x5fff];
    memset(dst, 0x55, sizeof dst);
    assert_int_equal(bc_elf_load(&im->img, im->f, im->len, dst, sizeof dst), BC_ELF_BAD_ARGUMENT);
    assert_int_equal(dst[0], 0x55);
    assert_int_equal(bc_elf_load(&im->img, NULL, im->len, dst, sizeof dst), BC_ELF_BAD_ARGUMENT);
    /* a plan that does not match a shorter file is refused too */
    assert_int_equal(bc_elf_load(&im->img, im->f, 0x2100, dst, 0x6000), BC_ELF_BAD_ARGUMENT);
}

/* Mappings of the valid kernel: one range per segment, flags kept:
 *   [0x0000,0x1000) X   [0x1000,0x2000) R   [0x2000,0x6000) W */
static void mappings_per_segment(void **state)
{
    image *im = *state;
    expect(im, BC_ELF_OK, "ok");
    bc_elf_mapping m[BC_ELF_MAX_MAPPINGS];
    uint32_t n = 0;
    assert_int_equal(bc_elf_mappings(&im->img, m, BC_ELF_MAX_MAPPINGS, &n), MM_OK);
    assert_int_equal(n, 3);
    assert_true(m[0].virt == KBASE && m[0].size == 0x1000 && m[0].flags == BC_SEG_EXEC);
    assert_true(m[1].virt == KBASE + 0x1000 && m[1].size == 0x1000 && m[1].flags == 0);
    assert_true(m[2].virt == KBASE + 0x2000 && m[2].size == 0x4000 && m[2].flags == BC_SEG_WRITE &&
                m[2].phys_off == 0x2000);
    assert_int_equal(bc_elf_mappings(&im->img, m, 2, &n), MM_ERR_BUFFER_TOO_SMALL);
}

/* Text [0, 0x1800) X and data [0x1800, 0x3000) W share page 0x1000:
 *   [0x0000,0x1000) X   [0x1000,0x2000) W|X   [0x2000,0x3000) W */
static void mappings_shared_page_gets_union(void **state)
{
    image *im = *state;
    const test_seg s[2] = {
        {1, 5, 0x1000, KBASE, 0x1800, 0x1800, 0x1000},
        {1, 6, 0x2800, KBASE + 0x1800, 0x100, 0x1800, 0x1000},
    };
    rewrite(im, s, 2, KBASE);
    im->len = 0x2900;
    expect(im, BC_ELF_OK, "ok");
    bc_elf_mapping m[BC_ELF_MAX_MAPPINGS];
    uint32_t n = 0;
    assert_int_equal(bc_elf_mappings(&im->img, m, BC_ELF_MAX_MAPPINGS, &n), MM_OK);
    assert_int_equal(n, 3);
    assert_true(m[0].virt == KBASE && m[0].size == 0x1000 && m[0].flags == BC_SEG_EXEC);
    assert_true(m[1].virt == KBASE + 0x1000 && m[1].size == 0x1000 &&
                m[1].flags == (BC_SEG_EXEC | BC_SEG_WRITE));
    assert_true(m[2].virt == KBASE + 0x2000 && m[2].size == 0x1000 && m[2].flags == BC_SEG_WRITE);
}

/* Large p_align raises the region alignment, capped at 2 MiB. */
static void phys_align_from_p_align(void **state)
{
    image *im = *state;
    test_seg s[3];
    memcpy(s, valid, sizeof s);
    s[0].align = 0x200000;
    rewrite(im, s, 3, KBASE + 0x10);
    expect(im, BC_ELF_OK, "ok");
    assert_int_equal(im->img.phys_align, 0x200000);
    s[0].align = 0x400000;
    rewrite(im, s, 3, KBASE + 0x10);
    expect(im, BC_ELF_OK, "ok");
    assert_int_equal(im->img.phys_align, 0x200000);
}

/* PT_LOAD with memsz 0 and non-LOAD headers are skipped. */
static void empty_and_other_headers_skipped(void **state)
{
    image *im = *state;
    test_seg s[5] = {
        {4, 4, 0x2000, 0, 0x10, 0x10, 4}, /* PT_NOTE */
        valid[0],
        {1, 4, 0, KBASE + 0x900, 0, 0, 0x1000}, /* empty PT_LOAD */
        valid[1],
        valid[2],
    };
    rewrite(im, s, 5, KBASE + 0x10);
    expect(im, BC_ELF_OK, "ok");
    assert_int_equal(im->img.count, 3);
}

static void too_small(void **state)
{
    image *im = *state;
    im->len = 63;
    expect(im, BC_ELF_TOO_SMALL, "file is 0x3f bytes");
}

static void bad_magic(void **state)
{
    image *im = *state;
    im->f[1] = 'e';
    expect(im, BC_ELF_BAD_MAGIC, "bad magic");
}

static void bad_class(void **state)
{
    image *im = *state;
    im->f[4] = 1;
    expect(im, BC_ELF_BAD_CLASS, "not a 64-bit ELF (class 1)");
}

static void bad_endian(void **state)
{
    image *im = *state;
    im->f[5] = 2;
    expect(im, BC_ELF_BAD_ENDIAN, "little-endian");
}

static void bad_version(void **state)
{
    image *im = *state;
    im->f[6] = 0;
    expect(im, BC_ELF_BAD_VERSION, "version");
    im->f[6] = 1;
    test_put_le(im->f + 20, 2, 4);
    expect(im, BC_ELF_BAD_VERSION, "version");
}

static void dyn_refused_with_reason(void **state)
{
    image *im = *state;
    test_put_le(im->f + 16, 3, 2);
    expect(im, BC_ELF_BAD_TYPE, "ET_DYN (PIE) kernels are not supported");
    test_put_le(im->f + 16, 1, 2);
    expect(im, BC_ELF_BAD_TYPE, "ELF type 1 is not ET_EXEC");
}

static void bad_machine(void **state)
{
    image *im = *state;
    test_put_le(im->f + 18, 3, 2);
    expect(im, BC_ELF_BAD_MACHINE, "machine 3 is not x86-64");
}

static void bad_ehsize(void **state)
{
    image *im = *state;
    test_put_le(im->f + 52, 52, 2);
    expect(im, BC_ELF_BAD_EHSIZE, "e_ehsize");
}

static void bad_phentsize(void **state)
{
    image *im = *state;
    test_put_le(im->f + 54, 32, 2);
    expect(im, BC_ELF_BAD_PHDRS, "program header size 32 is below 56");
}

static void no_phdrs(void **state)
{
    image *im = *state;
    test_put_le(im->f + 56, 0, 2);
    expect(im, BC_ELF_BAD_PHDRS, "no program headers");
    test_put_le(im->f + 56, 300, 2);
    expect(im, BC_ELF_BAD_PHDRS, "300 program headers, limit 256");
}

/* Table beyond the end of the file, and an offset that wraps. */
/* The first 0x100 bytes (header and program headers) and the file's
 * size give the whole file's verdict and fields:
 *   file  |hdr+phdrs|....|text|rodata|data|
 *   head  |<- 0x100 ->|        segments checked against 0x2180 */
static void parse_head_equals_whole_file(void **state)
{
    image *im = *state;
    bc_elf_image whole, head;
    assert_int_equal(bc_elf_parse(im->f, im->len, &whole), BC_ELF_OK);
    assert_int_equal(bc_elf_parse_head(im->f, 0x100, im->len, &head), BC_ELF_OK);
    assert_memory_equal(&head, &whole, sizeof head);
}

/* The size, not the head, decides whether a segment lies in the file; a
 * program header table past the head is refused as past the file; a head
 * longer than the file is a caller's error. */
static void parse_head_limits(void **state)
{
    image *im = *state;
    bc_elf_image img;
    assert_int_equal(bc_elf_parse_head(im->f, 0x100, 0x2100, &img), BC_ELF_SEG_FILE_RANGE);
    assert_int_equal(bc_elf_parse_head(im->f, 0x80, im->len, &img), BC_ELF_BAD_PHDRS);
    assert_int_equal(bc_elf_parse_head(im->f, 0x100, 0xff, &img), BC_ELF_BAD_ARGUMENT);
}

static void phdr_table_outside_file(void **state)
{
    image *im = *state;
    test_put_le(im->f + 32, 0x2100, 8);
    expect(im, BC_ELF_BAD_PHDRS, "program header table at 0x2100 exceeds file (0x2180 bytes)");
    test_put_le(im->f + 32, UINT64_MAX - 8, 8);
    expect(im, BC_ELF_BAD_PHDRS, "exceeds file");
}

static void interp_refused(void **state)
{
    image *im = *state;
    test_seg s[4] = {{3, 4, 0x2000, 0, 0x10, 0x10, 1}, valid[0], valid[1], valid[2]};
    rewrite(im, s, 4, KBASE + 0x10);
    expect(im, BC_ELF_INTERP, "PT_INTERP");
}

static void no_load_segment(void **state)
{
    image *im = *state;
    test_seg s[1] = {{4, 4, 0x2000, 0, 0x10, 0x10, 4}};
    rewrite(im, s, 1, KBASE + 0x10);
    expect(im, BC_ELF_NO_SEGMENTS, "no PT_LOAD segment");
}

static void too_many_segments(void **state)
{
    image *im = *state;
    test_seg s[17];
    for (int i = 0; i < 17; i++)
        s[i] = (test_seg){1, 5, 0x1000, KBASE + 0x1000 * (uint64_t)i, 0x10, 0x10, 0x1000};
    rewrite(im, s, 17, KBASE);
    expect(im, BC_ELF_TOO_MANY_SEGMENTS, "more than 16 PT_LOAD segments");
}

/* Segment 2's file bytes end past the file; then its offset wraps. */
static void segment_beyond_file(void **state)
{
    image *im = *state;
    test_seg s[3];
    memcpy(s, valid, sizeof s);
    s[2].filesz = 0x100;
    rewrite(im, s, 3, KBASE + 0x10);
    expect(im, BC_ELF_SEG_FILE_RANGE,
           "segment 2: file size 0x100 at offset 0x2100 exceeds file (0x2180 bytes)");
    s[2].offset = UINT64_MAX - 0x10;
    rewrite(im, s, 3, KBASE + 0x10);
    expect(im, BC_ELF_SEG_FILE_RANGE, "segment 2: file size");
}

static void filesz_above_memsz(void **state)
{
    image *im = *state;
    test_seg s[3];
    memcpy(s, valid, sizeof s);
    s[1].memsz = 0x80;
    rewrite(im, s, 3, KBASE + 0x10);
    expect(im, BC_ELF_SEG_FILESZ, "segment 1: file size 0x100 exceeds memory size 0x80");
}

static void align_not_power_of_two(void **state)
{
    image *im = *state;
    test_seg s[3];
    memcpy(s, valid, sizeof s);
    s[0].align = 0x3000;
    rewrite(im, s, 3, KBASE + 0x10);
    expect(im, BC_ELF_SEG_ALIGN, "segment 0: alignment 0x3000 is not a power of two");
}

/* A kernel linked at 4 MiB (lower half), and one whose end wraps. */
static void vaddr_outside_top_2g(void **state)
{
    image *im = *state;
    test_seg s[1] = {{1, 5, 0x1000, 0x400000, 0x800, 0x800, 0x1000}};
    rewrite(im, s, 1, 0x400000);
    expect(im, BC_ELF_SEG_VADDR, "segment 0: vaddr 0x400000 is below the top 2 GiB");
    s[0] = (test_seg){1, 5, 0x1000, 0xfffffffffffff000ULL, 0x800, 0x2000, 0x1000};
    rewrite(im, s, 1, 0xfffffffffffff000ULL);
    expect(im, BC_ELF_SEG_VADDR, "end of segment passes 2^64");
}

/* Segments out of order, and overlapping by one byte. */
static void segments_unsorted_or_overlapping(void **state)
{
    image *im = *state;
    test_seg s[3] = {valid[1], valid[0], valid[2]};
    rewrite(im, s, 3, KBASE + 0x10);
    expect(im, BC_ELF_SEG_ORDER, "segment 1: vaddr 0xffffffff80000000 is below the end");
    memcpy(s, valid, sizeof s);
    s[1].vaddr = KBASE + 0x7ff;
    rewrite(im, s, 3, KBASE + 0x10);
    expect(im, BC_ELF_SEG_ORDER, "below the end of the previous segment 0xffffffff80000800");
}

static void span_too_large(void **state)
{
    image *im = *state;
    test_seg s[2] = {valid[0], valid[2]};
    s[1].vaddr = KBASE + 0x40000000ULL;
    rewrite(im, s, 2, KBASE + 0x10);
    expect(im, BC_ELF_SPAN, "image spans 0x40003000 bytes");
}

/* Entry outside every segment, then inside a non-executable one. */
static void entry_not_executable(void **state)
{
    image *im = *state;
    rewrite(im, valid, 3, KBASE + 0x900);
    expect(im, BC_ELF_BAD_ENTRY, "entry point 0xffffffff80000900 is not inside");
    rewrite(im, valid, 3, KBASE + 0x1000);
    expect(im, BC_ELF_BAD_ENTRY, "executable segment");
}

static void status_names_distinct(void **state)
{
    (void)state;
    for (int a = 0; a < BC_ELF_STATUS_COUNT; a++) {
        assert_non_null(strstr(bc_elf_status_name((bc_elf_status)a), "BC_ELF_"));
        for (int b = a + 1; b < BC_ELF_STATUS_COUNT; b++)
            assert_string_not_equal(bc_elf_status_name((bc_elf_status)a),
                                    bc_elf_status_name((bc_elf_status)b));
    }
    assert_string_equal(bc_elf_status_name(BC_ELF_STATUS_COUNT), "BC_ELF_UNKNOWN");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(valid_kernel_layout),
        T(load_copies_and_zeroes),
        T(load_refuses_small_destination),
        T(mappings_per_segment),
        T(mappings_shared_page_gets_union),
        T(phys_align_from_p_align),
        T(empty_and_other_headers_skipped),
        T(too_small),
        T(bad_magic),
        T(bad_class),
        T(bad_endian),
        T(bad_version),
        T(dyn_refused_with_reason),
        T(bad_machine),
        T(bad_ehsize),
        T(bad_phentsize),
        T(no_phdrs),
        T(phdr_table_outside_file),
        T(parse_head_equals_whole_file),
        T(parse_head_limits),
        T(interp_refused),
        T(no_load_segment),
        T(too_many_segments),
        T(segment_beyond_file),
        T(filesz_above_memsz),
        T(align_not_power_of_two),
        T(vaddr_outside_top_2g),
        T(segments_unsorted_or_overlapping),
        T(span_too_large),
        T(entry_not_executable),
        T(status_names_distinct),
    };
    return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
