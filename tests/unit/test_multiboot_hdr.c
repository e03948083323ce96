/* Multiboot headers and load plans: each test builds a kernel file in
 * memory (tests/unit/helpers/mb_image.h), valid or broken in one way, and
 * expects the status and a message naming the problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/multiboot.h"
#include "helpers/elf_image.h"
#include "helpers/mb_image.h"
#include "helpers/host_window.h"

#define FILE_BYTES 0x10000u

static uint8_t *file(void)
{
    uint8_t *f = calloc(1, FILE_BYTES);
    for (uint32_t i = 0x1000; i < FILE_BYTES; i++)
        f[i] = (uint8_t)(i * 13 + 5);
    return f;
}

static void expect_header(const uint8_t *f, size_t len, uint32_t version, uint32_t avail,
                          bc_mb_status want, const char *msg, bc_mb_header *h)
{
    bc_mb_status got = bc_mb_find_header(f, len, version, avail, h);
    if (got != want)
        fail_msg("got %s (%s), want %s", bc_mb_status_name(got), h->msg, bc_mb_status_name(want));
    if (!strstr(h->msg, msg))
        fail_msg("message \"%s\" lacks \"%s\"", h->msg, msg);
}

/* ---- Multiboot 1 header ---------------------------------------------------- */

/* Header at 0x40 (4-aligned, inside 8 KiB): found with its flags. */
static void mb1_found(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb1(f + 0x40, 0x3);
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_OK, "ok", &h);
    assert_int_equal(h.offset, 0x40);
    assert_int_equal(h.flags, 3);
    assert_true(h.has & BC_MB_ALIGN_MODULES);
    assert_false(h.has & BC_MB_HAS_ADDRESS);
    free(f);
}

/*   0 ........ 0x1ffc | 0x2000: header   -> past the 8 KiB search area
 *   0x42: header (not 4-aligned)         -> not seen either */
static void mb1_outside_search_or_unaligned(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb1(f + 0x2000, 0x3);
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_NO_HEADER, "no header", &h);
    mbi_mb1(f + 0x1ff4, 0x3); /* the last slot that fits: found */
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_OK, "ok", &h);
    memset(f + 0x1ff4, 0, 12);
    mbi_mb1(f + 0x42, 0x3);
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_NO_HEADER, "no header", &h);
    free(f);
}

static void mb1_bad_checksum(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb1(f + 0x40, 0x3);
    f[0x48] ^= 1;
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_BAD_CHECKSUM, "bad checksum", &h);
    free(f);
}

/* Required bits we do not implement are named; optional ones pass. */
static void mb1_required_flags(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb1(f, 0x23);
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_UNSUPPORTED, "required flag bit 5 not supported", &h);
    mbi_mb1(f, 0x00100003);
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_OK, "ok", &h);
    free(f);
}

/* Flag 16 with the address fields cut off by the end of the file. */
static void mb1_address_fields_truncated(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb1_addr(f + 0x100, 0x3, 0x100100, 0x100000, 0, 0, 0x100200);
    expect_header(f, 0x100 + 28, 1, 0, BC_MB_BAD_HEADER, "address fields", &h);
    expect_header(f, 0x100 + 32, 1, 0, BC_MB_OK, "ok", &h);
    assert_true(h.has & BC_MB_HAS_ADDRESS);
    assert_int_equal(h.entry_addr, 0x100200);
    free(f);
}

/* Flag 2: mode_type, width, height, depth at header bytes 32-47 (after
 * the address fields, present though flag 16 is clear):
 *
 *   0x100: magic flags=0x7 sum | 20 bytes unused | 0 1024 768 32
 */
static void mb1_video_fields(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb1(f + 0x100, 0x7);
    const uint32_t v[4] = {0, 1024, 768, 32};
    for (int i = 0; i < 4; i++)
        test_put_le(f + 0x100 + 32 + 4 * i, v[i], 4);
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_OK, "ok", &h);
    assert_int_equal(h.video, BC_MB_VIDEO_LINEAR);
    assert_int_equal(h.video_width, 1024);
    assert_int_equal(h.video_height, 768);
    assert_int_equal(h.video_depth, 32);
    assert_int_equal(h.length, 48);
    assert_int_equal(h.has & BC_MB_HAS_ADDRESS, 0);
    test_put_le(f + 0x100 + 32, 1, 4); /* EGA text */
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_OK, "ok", &h);
    assert_int_equal(h.video, BC_MB_VIDEO_TEXT);
    test_put_le(f + 0x100 + 32, 2, 4);
    expect_header(f, FILE_BYTES, 1, 0, BC_MB_BAD_HEADER, "mode_type 2 unknown", &h);
    test_put_le(f + 0x100 + 32, 0, 4);
    expect_header(f, 0x100 + 47, 1, 0, BC_MB_BAD_HEADER, "video fields past the end", &h);
    free(f);
}

/* ---- Multiboot 2 header ---------------------------------------------------- */

static const uint32_t want_mmap[2] = {BC_MB2_TAG_BASIC_MEMINFO, BC_MB2_TAG_MMAP};

static void mb2_found_with_requests(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb2 b;
    mbi_mb2_begin(&b, f + 0x1000, 0);
    mbi_mb2_tag(&b, BC_MB2_HTAG_INFO_REQUEST, 0, want_mmap, 2);
    mbi_mb2_tag(&b, BC_MB2_HTAG_MODULE_ALIGN, 0, NULL, 0);
    mbi_mb2_end(&b);
    expect_header(f, FILE_BYTES, 2, BC_MB2_INFO_ALWAYS, BC_MB_OK, "ok", &h);
    assert_int_equal(h.offset, 0x1000);
    assert_int_equal(h.length, b.len);
    assert_int_equal(h.info_wanted, (1u << 4) | (1u << 6));
    assert_true(h.has & BC_MB_ALIGN_MODULES);
    free(f);
}

/* 8-byte alignment and the 32 KiB search area. */
static void mb2_outside_search_or_unaligned(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb2 b;
    mbi_mb2_begin(&b, f + 0x8000, 0);
    mbi_mb2_end(&b);
    expect_header(f, FILE_BYTES, 2, BC_MB2_INFO_ALWAYS, BC_MB_NO_HEADER, "32 KiB", &h);
    mbi_mb2_begin(&b, f + 0x104, 0);
    mbi_mb2_end(&b);
    expect_header(f, FILE_BYTES, 2, BC_MB2_INFO_ALWAYS, BC_MB_NO_HEADER, "no header", &h);
    free(f);
}

static void mb2_bad_checksum_and_arch(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb2 b;
    mbi_mb2_begin(&b, f + 0x100, 4); /* MIPS */
    mbi_mb2_end(&b);
    expect_header(f, FILE_BYTES, 2, BC_MB2_INFO_ALWAYS, BC_MB_UNSUPPORTED, "architecture 4", &h);
    mbi_mb2_begin(&b, f + 0x100, 0);
    mbi_mb2_end(&b);
    f[0x10c] ^= 0x80;
    expect_header(f, FILE_BYTES, 2, BC_MB2_INFO_ALWAYS, BC_MB_BAD_CHECKSUM, "bad checksum", &h);
    free(f);
}

/* One header with a single tag of `type`, required or optional. */
static bc_mb_status one_tag(uint8_t *f, uint16_t type, uint16_t flags, const uint32_t *w,
                            uint32_t n, uint32_t avail, bc_mb_header *h)
{
    mbi_mb2 b;
    memset(f, 0, 0x200);
    mbi_mb2_begin(&b, f, 0);
    mbi_mb2_tag(&b, type, flags, w, n);
    mbi_mb2_end(&b);
    return bc_mb_find_header(f, FILE_BYTES, 2, avail, h);
}

/* The framebuffer tag, required or optional: the mode it asks for. */
static void mb2_framebuffer_tag(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    const uint32_t fb[3] = {1024, 768, 32};
    assert_int_equal(one_tag(f, 5, 0, fb, 3, BC_MB2_INFO_ALWAYS, &h), BC_MB_OK);
    assert_int_equal(h.video, BC_MB_VIDEO_LINEAR);
    assert_int_equal(h.video_width, 1024);
    assert_int_equal(h.video_height, 768);
    assert_int_equal(h.video_depth, 32);
    assert_int_equal(h.video_required, 1);
    assert_int_equal(one_tag(f, 5, 1, fb, 3, BC_MB2_INFO_ALWAYS, &h), BC_MB_OK);
    assert_int_equal(h.video_required, 0);
    assert_int_equal(h.optional_ignored, 0);
    assert_int_equal(one_tag(f, 5, 1, fb, 2, BC_MB2_INFO_ALWAYS, &h), BC_MB_BAD_HEADER);
    free(f);
}

/* EFI boot services and unknown tags: refused when required (message
 * names the tag), skipped when optional. */
static void mb2_required_tags(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    const uint32_t fb[3] = {1024, 768, 32};
    assert_int_equal(one_tag(f, 7, 0, NULL, 0, BC_MB2_INFO_ALWAYS, &h), BC_MB_UNSUPPORTED);
    assert_non_null(strstr(h.msg, "required tag 7 (EFI boot services)"));
    assert_int_equal(one_tag(f, 42, 0, fb, 1, BC_MB2_INFO_ALWAYS, &h), BC_MB_UNSUPPORTED);
    assert_non_null(strstr(h.msg, "required tag 42 not supported"));
    assert_int_equal(one_tag(f, 42, 1, fb, 1, BC_MB2_INFO_ALWAYS, &h), BC_MB_OK);
    free(f);
}

/* A required request for information this boot cannot give. */
static void mb2_required_information(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    const uint32_t fbinfo[1] = {BC_MB2_TAG_FRAMEBUFFER};
    const uint32_t efimap[1] = {BC_MB2_TAG_EFI_MMAP};
    assert_int_equal(one_tag(f, 1, 0, fbinfo, 1, BC_MB2_INFO_ALWAYS, &h), BC_MB_UNSUPPORTED);
    assert_non_null(strstr(h.msg, "required information tag 8 not available"));
    assert_int_equal(one_tag(f, 1, 1, fbinfo, 1, BC_MB2_INFO_ALWAYS, &h), BC_MB_OK);
    /* EFI map: refused on BIOS, fine when the driver says it has one */
    assert_int_equal(one_tag(f, 1, 0, efimap, 1, BC_MB2_INFO_ALWAYS, &h), BC_MB_UNSUPPORTED);
    assert_int_equal(one_tag(f, 1, 0, efimap, 1, BC_MB2_INFO_ALWAYS | BC_MB2_INFO_BIT(17), &h),
                     BC_MB_OK);
    free(f);
}

/* Malformed tag lists: no end tag, a tag running past header_length, a
 * known tag shorter than its fields. */
static void mb2_malformed_tags(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_header h;
    mbi_mb2 b;
    mbi_mb2_begin(&b, f, 0);
    mbi_mb2_tag(&b, BC_MB2_HTAG_MODULE_ALIGN, 0, NULL, 0);
    mbi_mb2_end(&b);
    memset(f + 24, 0xff, 2); /* end tag becomes type 0xffff */
    f[26] = 1;               /* optional, so only the missing end matters */
    expect_header(f, FILE_BYTES, 2, BC_MB2_INFO_ALWAYS, BC_MB_BAD_HEADER, "no end tag", &h);
    const uint32_t one[1] = {0};
    assert_int_equal(one_tag(f, BC_MB2_HTAG_ENTRY, 0, one, 0, BC_MB2_INFO_ALWAYS, &h),
                     BC_MB_BAD_HEADER);
    assert_non_null(strstr(h.msg, "tag 3 too short"));
    one_tag(f, BC_MB2_HTAG_ENTRY, 0, one, 1, BC_MB2_INFO_ALWAYS, &h);
    test_put_le(f + 20, 0x100, 4); /* entry tag size past the header */
    expect_header(f, FILE_BYTES, 2, BC_MB2_INFO_ALWAYS, BC_MB_BAD_HEADER, "size outside", &h);
    free(f);
}

/* ---- Load plans -------------------------------------------------------------- */

/* ELF32 higher-half kernel linked at 0xc0100000, loaded by p_paddr:
 *   file 0x1000+0x800 -> phys 0x100000, mem 0x1000 (text)
 *   file 0x2000+0x100 -> phys 0x101000, mem 0x3000 (data + bss)
 *   e_entry 0xc0100010 (virtual) -> EIP 0x100010 (physical) */
static const mbi_seg hh[2] = {
    {1, 0x1000, 0xc0100000, 0x100000, 0x800, 0x1000},
    {1, 0x2000, 0xc0101000, 0x101000, 0x100, 0x3000},
};

static void plan_of(uint8_t *f, size_t len, uint32_t version, bc_mb_plan *p, bc_mb_status want,
                    const char *msg)
{
    bc_mb_header h;
    assert_int_equal(bc_mb_find_header(f, len, version, BC_MB2_INFO_ALWAYS, &h), BC_MB_OK);
    bc_mb_status got = bc_mb_plan_build(f, len, &h, p);
    if (got != want || !strstr(p->msg, msg))
        fail_msg("got %s (%s), want %s (%s)", bc_mb_status_name(got), p->msg,
                 bc_mb_status_name(want), msg);
}

static void elf32_by_paddr(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    mbi_elf(f, 32, hh, 2, 0xc0100010, 0x3000, 4);
    mbi_mb1(f + 0x200, 0x3);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    assert_int_equal(p.count, 2);
    assert_int_equal(p.entry, 0x100010);
    assert_int_equal(p.elf_class, 32);
    assert_true(p.segments[1].phys == 0x101000 && p.segments[1].mem_size == 0x3000);
    assert_true(p.segments[1].file_off == 0x2000 && p.segments[1].file_size == 0x100);
    assert_true(p.lowest == 0x100000 && p.end == 0x104000);
    assert_int_equal(p.shnum, 4);
    assert_int_equal(p.shentsize, 40);
    assert_int_equal(p.shstrndx, 3);
    free(f);
}

/* ELF64 (EM_X86_64) with 32-bit physical addresses is accepted; the
 * same kernel with a segment at 4 GiB is not. */
static void elf64_below_4g_only(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    mbi_seg s[2] = {hh[0], hh[1]};
    s[0].vaddr = 0xffffffff80100000ull;
    s[1].vaddr = 0xffffffff80101000ull;
    mbi_elf(f, 64, s, 2, 0xffffffff80100020ull, 0, 0);
    mbi_mb1(f + 0x200, 0x3);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    assert_int_equal(p.elf_class, 64);
    assert_int_equal(p.entry, 0x100020);
    s[1].paddr = 0xfffff000ull;
    mbi_elf(f, 64, s, 2, 0xffffffff80100020ull, 0, 0);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_BAD_IMAGE, "not below 4 GiB (segment 1)");
    free(f);
}

static void elf_bad_segments(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    mbi_seg s[2] = {hh[0], hh[1]};
    mbi_mb1(f + 0x200, 0x3);
    s[1].paddr = 0x100800; /* inside segment 0's [0x100000, 0x101000) */
    mbi_elf(f, 32, s, 2, 0xc0100010, 0, 0);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_BAD_IMAGE, "overlap in physical memory (segment 1)");
    s[1] = hh[1];
    s[1].filesz = 0x4000;
    mbi_elf(f, 32, s, 2, 0xc0100010, 0, 0);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_BAD_IMAGE, "file size exceeds memory size");
    s[1] = hh[1];
    s[1].offset = FILE_BYTES - 0x80;
    mbi_elf(f, 32, s, 2, 0xc0100010, 0, 0);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_BAD_IMAGE, "outside the file");
    mbi_elf(f, 32, hh, 2, 0xc0200000, 0, 0);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_BAD_IMAGE, "entry point outside");
    free(f);
}

/* a.out kludge: the header at file offset 0x40 says it lives at
 * 0x200040, the image starts at load_addr 0x200000 -> file offset 0:
 *   file [0, 0x1800) -> phys [0x200000, 0x201800), bss to 0x204000 */
static void address_fields(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    mbi_mb1_addr(f + 0x40, 0x3, 0x200040, 0x200000, 0x201800, 0x204000, 0x200080);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    assert_int_equal(p.count, 1);
    assert_int_equal(p.elf_class, 0);
    assert_true(p.segments[0].file_off == 0 && p.segments[0].file_size == 0x1800);
    assert_true(p.segments[0].phys == 0x200000 && p.segments[0].mem_size == 0x4000);
    assert_int_equal(p.entry, 0x200080);
    /* load_end_addr 0: the rest of the file */
    mbi_mb1_addr(f + 0x40, 0x3, 0x200040, 0x200000, 0, 0, 0x200080);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    assert_int_equal(p.segments[0].file_size, FILE_BYTES);
    /* header_addr claims more bytes before the header than the file has */
    mbi_mb1_addr(f + 0x40, 0x3, 0x200080, 0x200000, 0, 0, 0x200080);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_BAD_IMAGE, "outside the file");
    free(f);
}

/* MB2 address tag with load_addr -1: the file from byte 0, placed so the
 * header (file offset 0x100) lands at header_addr 0x300100:
 *   file [0, 0x10000) -> phys [0x300000, 0x310000), bss to 0x312000 */
static void mb2_address_whole_file(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    mbi_mb2 b;
    const uint32_t addr[4] = {0x300100, 0xffffffffu, 0, 0x312000};
    const uint32_t entry[1] = {0x300200};
    mbi_mb2_begin(&b, f + 0x100, 0);
    mbi_mb2_tag(&b, BC_MB2_HTAG_ADDRESS, 0, addr, 4);
    mbi_mb2_tag(&b, BC_MB2_HTAG_ENTRY, 0, entry, 1);
    mbi_mb2_end(&b);
    plan_of(f, FILE_BYTES, 2, &p, BC_MB_OK, "ok");
    assert_true(p.segments[0].file_off == 0 && p.segments[0].file_size == FILE_BYTES);
    assert_true(p.segments[0].phys == 0x300000 && p.segments[0].mem_size == 0x12000);
    assert_int_equal(p.entry, 0x300200);
    free(f);
}

/* MB2: the entry tag overrides e_entry; the ELF is still loaded. */
static void mb2_entry_tag(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    mbi_mb2 b;
    mbi_elf(f, 32, hh, 2, 0xc0100010, 0, 0);
    const uint32_t entry[1] = {0x101004};
    mbi_mb2_begin(&b, f + 0x400, 0);
    mbi_mb2_tag(&b, BC_MB2_HTAG_ENTRY, 0, entry, 1);
    mbi_mb2_end(&b);
    plan_of(f, FILE_BYTES, 2, &p, BC_MB_OK, "ok");
    assert_int_equal(p.entry, 0x101004);
    assert_int_equal(p.count, 2);
    free(f);
}

/* The sanitized map the placement tests use:
 *   [0, 0x9f000)            usable
 *   [0x9f000, 0x100000)     reserved
 *   [0x100000, 0x110000)    bootloader-reclaimable (the loader itself)
 *   [0x110000, 0x7ff0000)   usable
 *   (hole above) */
static mm_entry storage[16];
static mm_map test_map(void)
{
    mm_map m;
    mm_map_init(&m, storage, 16);
    mm_map_add(&m, 0, 0x9f000, MM_TYPE_USABLE, 1, 0);
    mm_map_add(&m, 0x9f000, 0x61000, MM_TYPE_RESERVED, 2, 0);
    mm_map_add(&m, 0x100000, 0x7ef0000, MM_TYPE_USABLE, 1, 0);
    assert_int_equal(mm_map_carve(&m, 0x100000, 0x10000, MM_TYPE_BOOTLOADER_RECLAIMABLE, 0), MM_OK);
    return m;
}

static void plan_over_loader_refused(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    mm_map m = test_map();
    mbi_elf(f, 32, hh, 2, 0xc0100010, 0, 0);
    mbi_mb1(f + 0x200, 0x3);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    assert_int_equal(bc_mb_plan_check(&p, &m), BC_MB_NOT_USABLE);
    assert_string_equal(p.msg, "segment 0 [0x100000, 0x101000) overlaps bootloader-reclaimable "
                               "memory [0x100000, 0x110000)");
    mbi_seg s[2] = {hh[0], hh[1]};
    s[0].paddr = 0x9e800; /* runs from usable into the reserved area */
    s[1].paddr = 0x200000;
    mbi_elf(f, 32, s, 2, 0xc0100010, 0, 0);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    assert_int_equal(bc_mb_plan_check(&p, &m), BC_MB_NOT_USABLE);
    assert_non_null(strstr(p.msg, "overlaps reserved memory [0x9f000, 0x100000)"));
    s[0].paddr = 0x8000000; /* above the map */
    mbi_elf(f, 32, s, 2, 0x8000010, 0, 0);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    assert_int_equal(bc_mb_plan_check(&p, &m), BC_MB_NOT_USABLE);
    assert_non_null(strstr(p.msg, "the end of memory at 0x8000000"));
    s[0].paddr = 0x300000;
    mbi_elf(f, 32, s, 2, 0x300010, 0, 0);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    assert_int_equal(bc_mb_plan_check(&p, &m), BC_MB_OK);
    free(f);
}

/* Relocatable kernel linked at 0x100000 (over the loader), span 0x4000:
 *   preference 1 (lowest) above min 0x200000, align 2 MiB -> 0x200000
 *   preference 2 (highest) below max 0x1000000           -> 0xe00000
 *   min 0x7ff0000: nothing fits                           -> refused */
static void relocatable(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    bc_mb_header h;
    mm_map m = test_map();
    mbi_mb2 b;
    mbi_elf(f, 32, hh, 2, 0xc0100010, 0, 0);
    uint32_t reloc[4] = {0x200000, 0x1000000, 0x200000, 1};
    mbi_mb2_begin(&b, f + 0x400, 0);
    mbi_mb2_tag(&b, BC_MB2_HTAG_RELOCATABLE, 0, reloc, 4);
    mbi_mb2_end(&b);
    plan_of(f, FILE_BYTES, 2, &p, BC_MB_OK, "ok");
    assert_int_equal(bc_mb_find_header(f, FILE_BYTES, 2, BC_MB2_INFO_ALWAYS, &h), BC_MB_OK);
    assert_int_equal(bc_mb_plan_relocate(&p, &h, &m), BC_MB_OK);
    assert_true(p.lowest == 0x200000 && p.end == 0x204000);
    assert_int_equal(p.entry, 0x200010);
    assert_true(p.segments[1].phys == 0x201000);
    assert_int_equal(bc_mb_plan_check(&p, &m), BC_MB_OK);
    h.reloc_pref = 2;
    plan_of(f, FILE_BYTES, 2, &p, BC_MB_OK, "ok");
    assert_int_equal(bc_mb_plan_relocate(&p, &h, &m), BC_MB_OK);
    assert_true(p.lowest == 0xe00000);
    h.reloc_min = 0x7ff0000;
    h.reloc_max = 0x8000000;
    plan_of(f, FILE_BYTES, 2, &p, BC_MB_OK, "ok");
    assert_int_equal(bc_mb_plan_relocate(&p, &h, &m), BC_MB_NOT_USABLE);
    assert_true(p.lowest == 0x100000);
    free(f);
}

/* bc_mb_load copies file bytes and zeroes bss, inside the window only. */
static void load_into_window(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    host_window hw;
    mbi_elf(f, 32, hh, 2, 0xc0100010, 0, 0);
    mbi_mb1(f + 0x200, 0x3);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    host_window_init(&hw, 0x100000, 0x10000);
    memset(hw.buf, 0xaa, 0x10000);
    assert_int_equal(bc_mb_load(&p, f, FILE_BYTES, &hw.w), BC_MB_OK);
    assert_memory_equal(hw.buf, f + 0x1000, 0x800);
    assert_int_equal(hw.buf[0x800], 0);
    assert_memory_equal(hw.buf + 0x1000, f + 0x2000, 0x100);
    assert_int_equal(hw.buf[0x3fff], 0);
    assert_int_equal(hw.buf[0x4000], 0xaa);
    host_window_fini(&hw);
    host_window_init(&hw, 0x100000, 0x2000); /* segment 1 ends past it */
    memset(hw.buf, 0xaa, 0x2000);
    assert_int_equal(bc_mb_load(&p, f, FILE_BYTES, &hw.w), BC_MB_BAD_ARGUMENT);
    assert_int_equal(hw.buf[0], 0xaa);
    host_window_fini(&hw);
    free(f);
}

/* Modules vs kernel [0x100000, 0x104000), info [0x300000, 0x301000):
 *   0x200000 +0x1800, 0x202000 +0x10   fine
 *   0x200800                             not page-aligned
 *   0x103000                             overlaps the kernel
 *   0x300000                             overlaps the info
 *   0x201000 (second)                    overlaps the first */
static void modules_placement(void **state)
{
    (void)state;
    uint8_t *f = file();
    bc_mb_plan p;
    char msg[96];
    mbi_elf(f, 32, hh, 2, 0xc0100010, 0, 0);
    mbi_mb1(f + 0x200, 0x3);
    plan_of(f, FILE_BYTES, 1, &p, BC_MB_OK, "ok");
    bc_mb_module m[2] = {{0x200000, 0x1800, "a"}, {0x202000, 0x10, NULL}};
    assert_int_equal(bc_mb_modules_check(&p, m, 2, 0x300000, 0x1000, msg, sizeof msg), BC_MB_OK);
    m[1].phys = 0x200800;
    assert_int_equal(bc_mb_modules_check(&p, m, 2, 0x300000, 0x1000, msg, sizeof msg),
                     BC_MB_NOT_USABLE);
    assert_string_equal(msg, "module 1: not page-aligned");
    m[1].phys = 0x103000;
    bc_mb_modules_check(&p, m, 2, 0x300000, 0x1000, msg, sizeof msg);
    assert_string_equal(msg, "module 1 overlaps the kernel");
    m[1].phys = 0x300000;
    bc_mb_modules_check(&p, m, 2, 0x300000, 0x1000, msg, sizeof msg);
    assert_string_equal(msg, "module 1 overlaps the boot information");
    m[1].phys = 0x201000;
    bc_mb_modules_check(&p, m, 2, 0x300000, 0x1000, msg, sizeof msg);
    assert_string_equal(msg, "module 1 overlaps an earlier module");
    bc_mb_entry e = bc_mb_entry_regs(&p, 2, 0x300000);
    assert_true(e.eip == 0x100010 && e.eax == BC_MB2_BOOT_MAGIC && e.ebx == 0x300000);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mb1_found),
        cmocka_unit_test(mb1_outside_search_or_unaligned),
        cmocka_unit_test(mb1_bad_checksum),
        cmocka_unit_test(mb1_required_flags),
        cmocka_unit_test(mb1_address_fields_truncated),
        cmocka_unit_test(mb1_video_fields),
        cmocka_unit_test(mb2_found_with_requests),
        cmocka_unit_test(mb2_outside_search_or_unaligned),
        cmocka_unit_test(mb2_bad_checksum_and_arch),
        cmocka_unit_test(mb2_framebuffer_tag),
        cmocka_unit_test(mb2_required_tags),
        cmocka_unit_test(mb2_required_information),
        cmocka_unit_test(mb2_malformed_tags),
        cmocka_unit_test(elf32_by_paddr),
        cmocka_unit_test(elf64_below_4g_only),
        cmocka_unit_test(elf_bad_segments),
        cmocka_unit_test(address_fields),
        cmocka_unit_test(mb2_address_whole_file),
        cmocka_unit_test(mb2_entry_tag),
        cmocka_unit_test(plan_over_loader_refused),
        cmocka_unit_test(relocatable),
        cmocka_unit_test(load_into_window),
        cmocka_unit_test(modules_placement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
