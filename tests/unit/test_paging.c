/* Page-table builder, checked by an independent software page walker
 * (helpers/page_walk.c) that follows CR3 like the MMU. The tables live in a
 * host buffer that pretends to sit at physical REGION_PHYS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/paging.h"
#include "helpers/page_walk.h"

#define REGION_PHYS 0x7000000ULL
#define KBASE       0xffffffff80000000ULL
#define HHDM        BC_HHDM_OFFSET
#define GiB         (1024ULL * 1024 * 1024)
#define MiB         (1024ULL * 1024)

typedef struct host_region {
    unsigned char *mem;
    uint64_t size;
} host_region;

static void *to_ptr(void *ctx, uint64_t phys)
{
    host_region *h = ctx;
    assert_true(phys >= REGION_PHYS && phys < REGION_PHYS + h->size);
    return h->mem + (phys - REGION_PHYS);
}

typedef struct built {
    host_region h;
    bc_paging_region r; /* the whole buffer, for the walker */
    uint64_t bytes, cr3;
} built;

/* Builds `l` in a region with one spare page of 0xEE canary after it. */
static built build(const bc_paging_layout *l)
{
    built b = {0};
    assert_int_equal(bc_paging_bytes_needed(l, &b.bytes), MM_OK);
    b.h.size = b.bytes + 4096;
    b.h.mem = aligned_alloc(4096, b.h.size);
    memset(b.h.mem, 0xee, b.h.size);
    bc_paging_region r = {REGION_PHYS, b.h.size, to_ptr, &b.h};
    assert_int_equal(bc_paging_build(l, &r, &b.cr3), MM_OK);
    assert_true(b.cr3 == REGION_PHYS);
    for (uint64_t i = b.bytes; i < b.h.size; i++)
        assert_int_equal(b.h.mem[i], 0xee);
    b.r = r;
    assert_int_equal(page_walk_count_tables(&b.r, b.cr3) * 4096, b.bytes);
    return b;
}

/* Kernel: text RX at KBASE (2 pages), rodata R (1 page), data RW (3 pages)
 * in one 2 MiB unit, placed physically at 16 MiB. */
static const bc_page_range kernel3[3] = {
    {KBASE, 0x1000000, 0x2000, BC_PAGE_EXEC, 0},
    {KBASE + 0x2000, 0x1002000, 0x1000, 0, 0},
    {KBASE + 0x3000, 0x1003000, 0x3000, BC_PAGE_WRITE, 0},
};

static bc_paging_layout usual(uint32_t flags)
{
    return (bc_paging_layout){4 * GiB, HHDM, 4 * GiB, kernel3, 3, flags};
}

/* 4 GiB identity + 4 GiB HHDM + a small kernel:
 *   PML4 1, PDPT 3 (slots 0, 256, 511), PD 4 + 4 + 1, PT 1 = 14 tables. */
static void size_is_exact(void **state)
{
    (void)state;
    bc_paging_layout l = usual(BC_PAGING_NX);
    built b = build(&l);
    assert_int_equal(b.bytes, 14 * 4096);
    bc_paging_region small = {REGION_PHYS, b.bytes - 4096, to_ptr, &b.h};
    uint64_t cr3;
    assert_int_equal(bc_paging_build(&l, &small, &cr3), MM_ERR_BUFFER_TOO_SMALL);
    free(b.h.mem);
}

/* Identity: same address, writable, executable, 2 MiB pages; the end of
 * the identity range is the first unmapped byte. */
static void identity_translations(void **state)
{
    (void)state;
    bc_paging_layout l = usual(BC_PAGING_NX);
    built b = build(&l);
    uint64_t probes[] = {0, 0x1234, 0x12345678, 4 * GiB - 1};
    for (size_t i = 0; i < 4; i++) {
        page_walk w = page_walk_translate(&b.r, b.cr3, probes[i]);
        assert_true(w.present && w.phys == probes[i] && w.writable && !w.nx);
        assert_int_equal(w.page, 2 * MiB);
    }
    assert_false(page_walk_translate(&b.r, b.cr3, 4 * GiB).present);
    free(b.h.mem);
}

/* HHDM: virt - HHDM, writable, NX (flag given), up to hhdm_size. */
static void hhdm_translations(void **state)
{
    (void)state;
    bc_paging_layout l = usual(BC_PAGING_NX);
    built b = build(&l);
    page_walk w = page_walk_translate(&b.r, b.cr3, HHDM + 0xfee00020);
    assert_true(w.present && w.phys == 0xfee00020 && w.writable && w.nx);
    w = page_walk_translate(&b.r, b.cr3, HHDM + 4 * GiB - 8);
    assert_true(w.present && w.phys == 4 * GiB - 8);
    assert_false(page_walk_translate(&b.r, b.cr3, HHDM + 4 * GiB).present);
    free(b.h.mem);
}

/* Kernel pages: 4 KiB, their own physical pages, W only on data, NX on
 * everything but text; the page after the last range is unmapped. */
static void kernel_translations(void **state)
{
    (void)state;
    bc_paging_layout l = usual(BC_PAGING_NX);
    built b = build(&l);
    for (uint64_t off = 0; off < 0x6000; off += 0x800) {
        page_walk w = page_walk_translate(&b.r, b.cr3, KBASE + off);
        assert_true(w.present);
        assert_int_equal(w.page, 4096);
        assert_true(w.phys == 0x1000000 + off);
        assert_int_equal(w.writable, off >= 0x3000);
        assert_int_equal(w.nx, off >= 0x2000);
    }
    assert_false(page_walk_translate(&b.r, b.cr3, KBASE + 0x6000).present);
    assert_false(page_walk_translate(&b.r, b.cr3, KBASE - 0x1000).present);
    free(b.h.mem);
}

/* Without BC_PAGING_NX no entry has bit 63 (it would fault when EFER.NXE
 * is clear). */
static void no_nx_without_flag(void **state)
{
    (void)state;
    bc_paging_layout l = usual(0);
    built b = build(&l);
    const uint64_t *e = (const uint64_t *)b.h.mem;
    for (uint64_t i = 0; i < b.bytes / 8; i++)
        assert_int_equal(e[i] >> 63, 0);
    assert_false(page_walk_translate(&b.r, b.cr3, KBASE + 0x3000).nx);
    free(b.h.mem);
}

/* Kernel ranges across a 2 MiB boundary and across a 1 GiB boundary need
 * one more PT / PD each; the walker's count of reachable tables (checked
 * in build()) proves the size stays exact. */
static void kernel_across_boundaries(void **state)
{
    (void)state;
    const bc_page_range k[2] = {
        {KBASE + 2 * MiB - 0x1000, 0x400000, 0x2000, BC_PAGE_EXEC, 0},
        {KBASE + GiB - 0x1000, 0x402000, 0x2000, BC_PAGE_WRITE, 0},
    };
    bc_paging_layout l = {0, HHDM, 0, k, 2, BC_PAGING_NX};
    built b = build(&l);
    /* PML4 + PDPT + PD(slot 510) + PD(slot 511) + 4 PTs */
    assert_int_equal(b.bytes, 8 * 4096);
    page_walk w = page_walk_translate(&b.r, b.cr3, KBASE + GiB);
    assert_true(w.present && w.phys == 0x403000 && w.writable && w.nx);
    assert_false(page_walk_translate(&b.r, b.cr3, 0).present);
    free(b.h.mem);
}

/* A direct map of 64 GiB: 64 PDs under one PDPT. */
static void large_hhdm(void **state)
{
    (void)state;
    bc_paging_layout l = {0, HHDM, 64 * GiB, NULL, 0, 0};
    built b = build(&l);
    assert_int_equal(b.bytes, (1 + 1 + 64) * 4096);
    page_walk w = page_walk_translate(&b.r, b.cr3, HHDM + 63 * GiB + 0x123456);
    assert_true(w.present && w.phys == 63 * GiB + 0x123456);
    free(b.h.mem);
}

/* Each layout rule has its own reason. */
static void layout_errors(void **state)
{
    (void)state;
    char why[96];
    bc_page_range odd = {KBASE + 0x800, 0x1000, 0x1000, 0, 0};
    bc_page_range in_hhdm = {HHDM + 0x200000, 0x1000, 0x1000, 0, 0};
    bc_page_range noncanon = {0x0000900000000000ULL, 0x1000, 0x1000, 0, 0};
    const struct {
        bc_paging_layout l;
        const char *msg;
    } cases[] = {
        {{0x1000, HHDM, 0, NULL, 0, 0}, "multiples of 2 MiB"},
        {{0, 0x0000700000000000ULL, 2 * MiB, NULL, 0, 0}, "HHDM offset not in the upper half"},
        {{0, HHDM, 0, &odd, 1, 0}, "not 4 KiB aligned"},
        {{0, HHDM, 4 * GiB, &in_hhdm, 1, 0}, "virtual ranges overlap"},
        {{0, HHDM, 0, &noncanon, 1, 0}, "not canonical"},
        {{0, HHDM, 0, NULL, 1, 0}, "missing kernel ranges"},
        {{0, HHDM, 0, kernel3, BC_PAGING_MAX_KERNEL_RANGES + 1, 0}, "too many"},
        {{256ULL << 40, HHDM, 0, NULL, 0, 0}, "not canonical"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t bytes;
        assert_int_equal(bc_paging_check(&cases[i].l, why, sizeof why), MM_ERR_INVALID_ARGUMENT);
        if (!strstr(why, cases[i].msg))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, why, cases[i].msg);
        assert_int_equal(bc_paging_bytes_needed(&cases[i].l, &bytes), MM_ERR_INVALID_ARGUMENT);
    }
    bc_paging_layout ok = usual(0);
    assert_int_equal(bc_paging_check(&ok, why, sizeof why), MM_OK);
    assert_string_equal(why, "ok");
}

/* The region must be page-aligned and have a translation. */
static void region_errors(void **state)
{
    (void)state;
    bc_paging_layout l = usual(0);
    host_region h = {aligned_alloc(4096, 64 * 4096), 64 * 4096};
    uint64_t cr3;
    bc_paging_region unaligned = {REGION_PHYS + 8, h.size, to_ptr, &h};
    bc_paging_region no_fn = {REGION_PHYS, h.size, NULL, &h};
    assert_int_equal(bc_paging_build(&l, &unaligned, &cr3), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_paging_build(&l, &no_fn, &cr3), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_paging_build(&l, NULL, &cr3), MM_ERR_INVALID_ARGUMENT);
    free(h.mem);
}

/* Direct-map size: highest RAM-like end, at least 4 GiB, 2 MiB rounded;
 * MMIO and reserved ranges above RAM do not count. */
static void hhdm_size_from_map(void **state)
{
    (void)state;
    mm_entry small[2] = {
        {0, 0x9f000, MM_TYPE_USABLE, 1, 0},
        {0x100000, 255 * MiB, MM_TYPE_USABLE, 1, 0},
    };
    assert_true(bc_paging_hhdm_size(small, 2) == 4 * GiB);
    mm_entry big[4] = {
        {0x100000, 3 * GiB, MM_TYPE_USABLE, 1, 0},
        {0xfee00000, 0x1000, MM_TYPE_MMIO, 11, 0},
        {4 * GiB, GiB + 0x1000, MM_TYPE_ACPI_RECLAIMABLE, 3, 0},
        {1ULL << 40, GiB, MM_TYPE_RESERVED, 2, 0},
    };
    assert_true(bc_paging_hhdm_size(big, 4) == 5 * GiB + 2 * MiB);
    mm_entry wrap = {UINT64_MAX - 10, 100, MM_TYPE_USABLE, 1, 0};
    assert_true(bc_paging_hhdm_size(&wrap, 1) == 0);
}

/* The standard layout from an ELF image: text RX [0, 0x1800), data RW
 * [0x1800, 0x3000) sharing page 0x1000, kernel placed at 32 MiB; identity
 * map of 8 GiB, HHDM of 4 GiB. The shared page is writable and executable. */
static void standard_layout_from_image(void **state)
{
    (void)state;
    bc_elf_image img = {.entry = KBASE,
                        .virt_base = KBASE,
                        .virt_end = KBASE + 0x3000,
                        .span = 0x3000,
                        .phys_align = 4096,
                        .count = 2};
    img.segments[0] = (bc_elf_segment){KBASE, 0x1800, 0x1000, 0x1800, 0, BC_SEG_EXEC, 0};
    img.segments[1] =
        (bc_elf_segment){KBASE + 0x1800, 0x1800, 0x2800, 0x100, 0x1800, BC_SEG_WRITE, 0};
    bc_boot_paging p;
    assert_int_equal(bc_paging_standard(&img, 32 * MiB, 8 * GiB, 4 * GiB, BC_PAGING_NX, &p), MM_OK);
    assert_true(p.layout.kernel == p.kernel && p.layout.kernel_count == 3);
    assert_true(p.layout.identity_size == 8 * GiB && p.layout.hhdm_size == 4 * GiB);
    assert_true(p.layout.hhdm_offset == HHDM);
    built b = build(&p.layout);
    page_walk w = page_walk_translate(&b.r, b.cr3, KBASE + 0x1234);
    assert_true(w.present && w.phys == 32 * MiB + 0x1234 && w.writable && !w.nx);
    w = page_walk_translate(&b.r, b.cr3, KBASE + 0x2000);
    assert_true(w.present && w.phys == 32 * MiB + 0x2000 && w.writable && w.nx);
    w = page_walk_translate(&b.r, b.cr3, KBASE);
    assert_true(w.present && !w.writable && !w.nx);
    free(b.h.mem);
    assert_int_equal(bc_paging_standard(&img, 32 * MiB + 8, 4 * GiB, 4 * GiB, 0, &p),
                     MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_paging_standard(&img, 0, 4 * GiB, 4 * GiB + 4096, 0, &p),
                     MM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
#define T(name) cmocka_unit_test(name)
    const struct CMUnitTest tests[] = {
        T(size_is_exact),
        T(identity_translations),
        T(hhdm_translations),
        T(kernel_translations),
        T(no_nx_without_flag),
        T(kernel_across_boundaries),
        T(large_hhdm),
        T(layout_errors),
        T(region_errors),
        T(hhdm_size_from_map),
        T(standard_layout_from_image),
    };
    return cmocka_run_group_tests_name("paging", tests, NULL, NULL);
}
