/* The whole firmware-independent boot sequence of boot/common/handoff.h,
 * run on the host with the real lib/mm over 64 MiB of pretend RAM (a host
 * buffer: physical address p is ram + p): map -> sanitize -> ELF ->
 * sizes -> find + carve every range -> validate -> bitmap -> load ->
 * page tables -> handoff -> seal. Then the result is checked the way a
 * kernel would: bc_handoff_check, bitmap bits against the map, the page
 * walker on the built tables, and lib/mm's adoption of the bitmap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/elf.h"
#include "common/entry.h"
#include "common/handoff.h"
#include "common/paging.h"
#include "helpers/elf_image.h"
#include "helpers/page_walk.h"
#include "mm/bitmap.h"
#include "mm/memmap.h"

#define MiB   (1024ULL * 1024)
#define RAM   (64 * MiB)
#define KBASE 0xffffffff80000000ULL
#define CMD   "console=ttyS0 flow"
#define GRAN  4096u

enum { R_KERNEL, R_STACK, R_TEMP, R_BOOT, R_BITMAP, R_TABLES, R_HANDOFF, R_COUNT };

typedef struct range {
    uint64_t base, size, align;
    mm_type type;
} range;

typedef struct boot {
    unsigned char *ram;
    mm_entry storage[64];
    mm_map map;
    unsigned char file[0x3000];
    bc_elf_image img;
    range r[R_COUNT];
    bc_boot_paging pg;
    uint64_t hhdm, cr3;
    bc_handoff_layout l;
    mm_bitmap bm;
    struct mos_handoff *h;
    mm_sanitize_report rep;
} boot;

static void *ram_ptr(void *ctx, uint64_t phys)
{
    return (unsigned char *)ctx + phys;
}

/* A SeaBIOS-like map of 64 MiB, with the last 128 KiB ACPI and a
 * firmware range above RAM (never written: not RAM). */
static void firmware_map(boot *b)
{
    assert_int_equal(mm_map_init(&b->map, b->storage, bc_handoff_map_capacity(6)), MM_OK);
    assert_int_equal(mm_map_add(&b->map, 0, 0x9fc00, MM_TYPE_USABLE, 1, 0), MM_OK);
    assert_int_equal(mm_map_add(&b->map, 0x9fc00, 0x400, MM_TYPE_RESERVED, 2, 0), MM_OK);
    assert_int_equal(mm_map_add(&b->map, 0xf0000, 0x10000, MM_TYPE_RESERVED, 2, 0), MM_OK);
    assert_int_equal(mm_map_add(&b->map, MiB, RAM - MiB - 0x20000, MM_TYPE_USABLE, 1, 0), MM_OK);
    assert_int_equal(mm_map_add(&b->map, RAM - 0x20000, 0x20000, MM_TYPE_ACPI_RECLAIMABLE, 3, 0),
                     MM_OK);
    assert_int_equal(mm_map_add(&b->map, 0xfffc0000, 0x40000, MM_TYPE_RESERVED, 2, 0), MM_OK);
    size_t scratch_size = mm_map_sanitize_scratch_size(b->map.count);
    void *scratch = malloc(scratch_size);
    assert_int_equal(mm_map_sanitize(&b->map, GRAN, scratch, scratch_size, &b->rep), MM_OK);
    free(scratch);
    /* stage 2 and its buffers below 1 MiB (BIOS front end, phase A2) */
    assert_int_equal(mm_map_carve(&b->map, 0x7000, 0x19000, MM_TYPE_BOOTLOADER_RECLAIMABLE, 0),
                     MM_OK);
}

/* Text RX, rodata R, data RW with bss, as a linker would lay them out. */
static void kernel_file(boot *b)
{
    const test_seg s[3] = {
        {1, 5, 0x1000, KBASE, 0x800, 0x800, 0x1000},
        {1, 4, 0x2000, KBASE + 0x1000, 0x100, 0x100, 0x1000},
        {1, 6, 0x2100, KBASE + 0x2100, 0x80, 0x5000, 0x1000},
    };
    for (size_t i = 0; i < sizeof b->file; i++)
        b->file[i] = (unsigned char)(i * 13 + 5);
    test_elf_write(b->file, s, 3, KBASE + 0x40);
    assert_int_equal(bc_elf_parse(b->file, 0x2180, &b->img), BC_ELF_OK);
}

/* Phase A3: every size before anything is placed. */
static void sizes(boot *b)
{
    uint64_t bitmap_bytes, table_bytes;
    assert_int_equal(mm_bitmap_storage_size(&b->map, GRAN, &bitmap_bytes), MM_OK);
    b->hhdm = bc_paging_hhdm_size(b->map.entries, b->map.count);
    assert_int_equal(bc_paging_standard(&b->img, 0, b->hhdm, b->hhdm, BC_PAGING_NX, &b->pg), MM_OK);
    assert_int_equal(bc_paging_bytes_needed(&b->pg.layout, &table_bytes), MM_OK);
    assert_int_equal(bc_handoff_layout_init(&b->l, b->map.capacity, sizeof CMD, 0), MM_OK);
    const range r[R_COUNT] = {
        [R_KERNEL] = {0, b->img.span, b->img.phys_align, MM_TYPE_KERNEL},
        [R_STACK] = {0, BC_KERNEL_STACK_SIZE, 4096, MM_TYPE_KERNEL_STACK},
        [R_TEMP] = {0, MiB, 4096, MM_TYPE_TEMP_HEAP},
        [R_BOOT] = {0, 4 * MiB, 4096, MM_TYPE_BOOT_HEAP},
        [R_BITMAP] = {0, (bitmap_bytes + 4095) & ~4095ULL, 4096, MM_TYPE_FRAME_BITMAP},
        [R_TABLES] = {0, table_bytes, 4096, MM_TYPE_PAGE_TABLES},
        [R_HANDOFF] = {0, b->l.bytes, 4096, MM_TYPE_HANDOFF},
    };
    memcpy(b->r, r, sizeof r);
}

/* Phase B: find + carve, each range once. */
static void place(boot *b)
{
    for (int i = 0; i < R_COUNT; i++) {
        range *r = &b->r[i];
        assert_int_equal(
            mm_map_find(&b->map, r->size, r->align, MiB, RAM, MM_FIND_BOTTOM_UP, &r->base), MM_OK);
        assert_int_equal(mm_map_carve(&b->map, r->base, r->size, r->type, MM_CARVE_DEFAULT), MM_OK);
    }
}

/* Phase C: validate, bitmap, kernel, tables, handoff, seal. */
static void build(boot *b)
{
    mm_validate_error ve;
    assert_int_equal(mm_map_validate(&b->map, GRAN, &ve), MM_OK);
    range *r = b->r;
    assert_int_equal(
        mm_bitmap_init(&b->bm, &b->map, GRAN, b->ram + r[R_BITMAP].base, r[R_BITMAP].size), MM_OK);
    assert_int_equal(
        bc_elf_load(&b->img, b->file, 0x2180, b->ram + r[R_KERNEL].base, (size_t)r[R_KERNEL].size),
        BC_ELF_OK);
    assert_int_equal(
        bc_paging_standard(&b->img, r[R_KERNEL].base, b->hhdm, b->hhdm, BC_PAGING_NX, &b->pg),
        MM_OK);
    bc_paging_region pr = {r[R_TABLES].base, r[R_TABLES].size, ram_ptr, b->ram};
    assert_int_equal(bc_paging_build(&b->pg.layout, &pr, &b->cr3), MM_OK);
    bc_handoff_input in = {
        .boot_mode = MOS_BOOT_MODE_BIOS,
        .bios_memory_detect = MOS_BIOS_DETECT_E820,
        .map = &b->map,
        .temp_heap_base = r[R_TEMP].base,
        .temp_heap_size = r[R_TEMP].size,
        .boot_heap_base = r[R_BOOT].base,
        .boot_heap_size = r[R_BOOT].size,
        .bitmap_addr = r[R_BITMAP].base,
        .bitmap_size = b->bm.storage_bytes,
        .bitmap_first_frame = b->bm.first_frame,
        .bitmap_frame_count = b->bm.frame_count,
        .bitmap_granularity = GRAN,
        .cmdline = CMD,
        .kernel_phys_base = r[R_KERNEL].base,
        .kernel_virt_base = b->img.virt_base,
        .kernel_size = b->img.span,
        .kernel_entry = b->img.entry,
        .stack_phys_base = r[R_STACK].base,
        .stack_size = r[R_STACK].size,
        .stack_virt_top = bc_entry_rsp(BC_HHDM_OFFSET, r[R_STACK].base, r[R_STACK].size),
        .cr3 = b->cr3,
        .hhdm_offset = BC_HHDM_OFFSET,
        .hhdm_size = b->hhdm,
        .identity_map_size = b->hhdm,
        .sanitize_overlaps = b->rep.overlaps_resolved,
        .sanitize_merged = b->rep.merged,
        .sanitize_trimmed = b->rep.bytes_trimmed,
    };
    assert_int_equal(
        bc_handoff_build(&in, &b->l, b->ram + r[R_HANDOFF].base, r[R_HANDOFF].base, &b->h), MM_OK);
    bc_handoff_seal(b->h, 42);
}

static int setup(void **state)
{
    boot *b = calloc(1, sizeof *b);
    b->ram = aligned_alloc(2 * MiB, RAM);
    memset(b->ram, 0xcc, RAM); /* "uninitialized" RAM */
    firmware_map(b);
    kernel_file(b);
    sizes(b);
    place(b);
    build(b);
    *state = b;
    return 0;
}

static int teardown(void **state)
{
    boot *b = *state;
    free(b->ram);
    free(b);
    return 0;
}

/* What a kernel checks first passes. */
static void handoff_passes_check(void **state)
{
    boot *b = *state;
    char why[128];
    assert_int_equal(bc_handoff_check(b->h, (uint64_t)(uintptr_t)b->ram, why, sizeof why), MM_OK);
}

/* Every loader range is its own entry type in the handoff map, and no
 * two ranges overlap (find + carve never hands out a byte twice). */
static void ranges_typed_and_disjoint(void **state)
{
    boot *b = *state;
    for (int i = 0; i < R_COUNT; i++) {
        assert_true(mm_map_range_is(&b->map, b->r[i].base, b->r[i].size, b->r[i].type));
        for (int j = i + 1; j < R_COUNT; j++) {
            assert_true(b->r[i].base + b->r[i].size <= b->r[j].base ||
                        b->r[j].base + b->r[j].size <= b->r[i].base);
        }
    }
    const struct mos_memmap_entry *m = (const void *)(b->ram + b->h->memmap_addr);
    for (uint32_t i = 0; i < b->h->memmap_count; i++)
        assert_int_equal(m[i].type, bc_mos_type_from_mm(b->map.entries[i].type));
}

/* Bitmap bits agree with the final map frame by frame: free exactly where
 * the map says usable. */
static void bitmap_matches_map(void **state)
{
    boot *b = *state;
    uint64_t first = b->bm.first_frame * GRAN, end = first + b->bm.frame_count * GRAN;
    for (uint64_t a = first; a < end && a < RAM; a += GRAN)
        assert_int_equal(mm_bitmap_is_free(&b->bm, a),
                         mm_map_type_at(&b->map, a) == MM_TYPE_USABLE);
}

/* The loaded kernel is where the tables say: entry executable and
 * read-only, data writable and NX, bss zero, file bytes in place. */
static void kernel_mapped_and_loaded(void **state)
{
    boot *b = *state;
    bc_paging_region pr = {b->r[R_TABLES].base, b->r[R_TABLES].size, ram_ptr, b->ram};
    uint64_t kphys = b->r[R_KERNEL].base;
    page_walk w = page_walk_translate(&pr, b->cr3, b->img.entry);
    assert_true(w.present && w.phys == kphys + 0x40 && !w.nx && !w.writable);
    w = page_walk_translate(&pr, b->cr3, KBASE + 0x2100);
    assert_true(w.present && w.phys == kphys + 0x2100 && w.nx && w.writable);
    assert_memory_equal(b->ram + kphys, b->file + 0x1000, 0x800);
    assert_memory_equal(b->ram + kphys + 0x2100, b->file + 0x2100, 0x80);
    for (uint64_t i = 0x2180; i < b->img.span; i++)
        assert_int_equal(b->ram[kphys + i], 0);
}

/* RDI, RSP and the temp heap are reachable through the direct map as the
 * protocol says; the stack top is inside the stack, writable, NX. */
static void entry_addresses_translate(void **state)
{
    boot *b = *state;
    bc_paging_region pr = {b->r[R_TABLES].base, b->r[R_TABLES].size, ram_ptr, b->ram};
    page_walk w = page_walk_translate(&pr, b->cr3, BC_HHDM_OFFSET + b->r[R_HANDOFF].base);
    assert_true(w.present && w.phys == b->r[R_HANDOFF].base);
    w = page_walk_translate(&pr, b->cr3, b->h->stack_virt_top);
    assert_true(w.present && w.writable && w.nx);
    assert_true(w.phys >= b->r[R_STACK].base && w.phys < b->r[R_STACK].base + b->r[R_STACK].size);
    assert_int_equal((b->h->stack_virt_top + 8) % 16, 0);
    w = page_walk_translate(&pr, b->cr3, BC_HHDM_OFFSET + b->h->temp_heap_base);
    assert_true(w.present && w.phys == b->h->temp_heap_base);
    w = page_walk_translate(&pr, b->cr3, b->r[R_TABLES].base); /* identity, loader survives */
    assert_true(w.present && w.phys == b->r[R_TABLES].base && !w.nx);
}

/* A kernel rebuilds an mm_map from the handoff and adopts the bitmap. */
static void kernel_adopts_bitmap(void **state)
{
    boot *b = *state;
    const struct mos_memmap_entry *m = (const void *)(b->ram + b->h->memmap_addr);
    mm_entry kentries[64];
    mm_map kmap;
    assert_int_equal(mm_map_init(&kmap, kentries, 64), MM_OK);
    for (uint32_t i = 0; i < b->h->memmap_count; i++) {
        assert_int_equal(mm_map_add(&kmap, m[i].base, m[i].length,
                                    (mm_type)bc_mm_type_from_mos(m[i].type), m[i].raw_type,
                                    m[i].attributes),
                         MM_OK);
    }
    kmap.frame_size = b->h->bitmap_granularity;
    mm_bitmap kbm;
    assert_int_equal(mm_bitmap_adopt(&kbm, &kmap, b->h->bitmap_granularity,
                                     b->h->bitmap_first_frame, b->h->bitmap_frame_count,
                                     b->ram + b->h->bitmap_addr, b->h->bitmap_size),
                     MM_OK);
    uint64_t frame;
    assert_int_equal(mm_bitmap_alloc(&kbm, &frame), MM_OK);
    assert_int_equal(mm_map_type_at(&kmap, frame), MM_TYPE_USABLE);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(handoff_passes_check),     T(ranges_typed_and_disjoint), T(bitmap_matches_map),
        T(kernel_mapped_and_loaded), T(entry_addresses_translate), T(kernel_adopts_bitmap),
    };
    return cmocka_run_group_tests_name("boot_flow", tests, NULL, NULL);
}
