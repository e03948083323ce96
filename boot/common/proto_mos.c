/* The MultiOS protocol's back end (docs/protocol.md): an ELF64 kernel in
 * the higher half, entered in long mode on the loader's page tables with
 * the handoff in RDI; a frame bitmap, temporary heap and stack of its own. */
#include "driver.h"
#include "entry.h"
#include "mm/memtest.h"
#include "mos_rev2.h"

#define FOUR_GIB ((uint64_t)4 << 30)
/* Kernel files above this are read segment by segment, straight to their
 * place: only the PT_LOAD bytes (a debug build's DWARF stays on disk).
 * Smaller ones are read whole, in fewer device calls, and copied. */
#define KERNEL_WHOLE_MAX (4u << 20)
#define KERNEL_HEAD      (64u << 10) /* where the program headers are looked for */

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* ---- kernel ---------------------------------------------------------- */

/* Whether every segment's read, with the room after it a front end may
 * write (bc_file_room), stays inside the span. */
static bool segments_fit_their_room(const bc_elf_image *img)
{
    for (uint32_t i = 0; i < img->count; i++) {
        const bc_elf_segment *s = &img->segments[i];
        if (s->dst_off + bc_file_room(s->filesz) > img->span)
            return false;
    }
    return true;
}

/* A large kernel's first KERNEL_HEAD bytes, parsed: true when the program
 * headers lie there and the segments can be read straight to their place
 * (read_segments); false leaves the whole read to the caller, whose parse
 * gives the verdict. */
static bool read_kernel_head(bc_boot *b, const char *path, uint64_t size)
{
    void *head = bc_boot_read_head(b, path, "kernel", KERNEL_HEAD);
    return bc_elf_parse_head(head, KERNEL_HEAD, size, &b->elf) == BC_ELF_OK &&
           segments_fit_their_room(&b->elf);
}

/* The kernel file parsed; b->kernel_file is the whole file in the boot
 * heap, or NULL when its segments are to be read straight to their place
 * once it is placed (a file above KERNEL_WHOLE_MAX). */
static void read_kernel(bc_boot *b)
{
    const char *path = b->cfg.kernel;
    uint64_t size = bc_boot_file_size(b, path, "kernel", BC_KERNEL_FILE_MAX, false);
    b->kernel_file = NULL;
    b->kernel_file_size = size;
    if (size <= KERNEL_WHOLE_MAX || !read_kernel_head(b, path, size)) {
        void *file = bc_boot_read_head(b, path, "kernel", size);
        if (bc_elf_parse(file, (size_t)size, &b->elf) != BC_ELF_OK)
            bc_boot_fail(b, "kernel %s: not a valid kernel: %s", path, b->elf.msg);
        b->kernel_file = file;
    }
    mm_log(bc_boot_log(b), MM_LOG_INFO,
           "kernel %s: %llu bytes, %u segments, entry 0x%llx, virt 0x%llx..0x%llx", path,
           (unsigned long long)size, b->elf.count, (unsigned long long)b->elf.entry,
           (unsigned long long)b->elf.virt_base, (unsigned long long)b->elf.virt_end);
}

/* ---- the kernel's ranges --------------------------------------------- */

/* Optional: when it cannot be placed the kernel gets base 0, size 0 and
 * uses its own fallback (docs/protocol.md). Placed, it is logged like
 * every range (DEBUG) and shows in the final map. */
static void place_temp_heap(bc_boot *b)
{
    uint64_t want = b->mem.temp_heap_size;
    if (want == 0) {
        mm_log(bc_boot_log(b), MM_LOG_WARN, "temp heap: temp_heap_size=0, none handed over");
        return;
    }
    mm_status st = bc_boot_place(b, BC_RANGE_TEMP_HEAP, want, 0, NULL);
    if (st != MM_OK) {
        b->range[BC_RANGE_TEMP_HEAP] = (bc_placed){0, 0};
        mm_log(bc_boot_log(b), MM_LOG_WARN,
               "temp heap: cannot place %llu bytes (%s); handing over base 0, size 0",
               (unsigned long long)want, mm_strerror(st));
    }
}

/* Where the direct map must reach for the framebuffer (0 without one);
 * the map may not list it before the final carve. */
static uint64_t fb_hhdm_end(const bc_boot *b)
{
    const bc_placed *r = &b->range[BC_RANGE_FRAMEBUFFER];
    uint64_t end = 0;
    if (r->size)
        mm_align_up(r->base + r->size, BC_LARGE_PAGE_SIZE, &end);
    return end;
}

/* Page-table layout over the current map (paging.h's standard layout):
 * identity map of at least 4 GiB and of wherever the loader runs, direct
 * map of all RAM, the kernel's ranges at the kernel range's base. */
static void paging_layout(bc_boot *b)
{
    uint64_t identity = max_u64(FOUR_GIB, b->platform.identity_min);
    if (!mm_align_up(identity, BC_LARGE_PAGE_SIZE, &identity))
        bc_boot_fail(b, "page tables: the loader lies too high to identity-map");
    uint64_t hhdm = bc_paging_hhdm_size(b->map->entries, b->map->count);
    if (hhdm == 0)
        bc_boot_fail(b, "page tables: no RAM in the memory map");
    hhdm = max_u64(hhdm, fb_hhdm_end(b));
    if (bc_paging_standard(&b->elf, b->range[BC_RANGE_KERNEL].base, identity, hhdm,
                           b->platform.nx ? BC_PAGING_NX : 0, &b->pg) != MM_OK) {
        char why[96] = "bad kernel mappings";
        bc_paging_check(&b->pg.layout, why, sizeof why);
        bc_boot_fail(b, "page tables: bad layout: %s", why);
    }
}

/* Sizes come from the map as it is now (later carves never grow them).
 * The ranges the loader writes are placed first, so they lie together;
 * the temp heap, which only the kernel writes, comes last. Memory the
 * loader touches then spans fewer 2 MiB regions: under QEMU the first
 * write to each one costs the host a huge-page fault (docs/boot-time.md). */
static void place_kernel_ranges(bc_boot *b)
{
    uint64_t bitmap_bytes, table_bytes;
    bc_boot_place_required(b, BC_RANGE_KERNEL, b->elf.span, b->elf.phys_align, NULL);
    bc_boot_place_required(b, BC_RANGE_STACK, BC_KERNEL_STACK_SIZE, 0, NULL);
    if (mm_bitmap_storage_size(b->map, b->mem.bitmap_granularity, &bitmap_bytes) != MM_OK)
        bc_boot_fail(b, "frame bitmap: cannot size it for this memory map");
    paging_layout(b);
    if (bc_paging_bytes_needed(&b->pg.layout, &table_bytes) != MM_OK)
        bc_boot_fail(b, "page tables: cannot size them");
    if (bc_handoff_layout_init(&b->layout, b->map->capacity, bc_cmdline_bytes(b->cfg.cmdline),
                               b->platform.efi_map_capacity) != MM_OK)
        bc_boot_fail(b, "handoff: cannot lay out its region");
    bc_boot_place_required(b, BC_RANGE_BITMAP, bitmap_bytes, 0, NULL);
    bc_boot_place_required(b, BC_RANGE_PAGE_TABLES, table_bytes, 0, NULL);
    bc_boot_place_required(b, BC_RANGE_HANDOFF, b->layout.bytes, 0, NULL);
    bc_mos_place_rev2(b, b->backend_data, ((bc_mos_rev2 *)b->backend_data)->smp.cpu_capacity);
    place_temp_heap(b);
}

/* ---- building -------------------------------------------------------- */

static void build_bitmap(bc_boot *b)
{
    const bc_placed *r = &b->range[BC_RANGE_BITMAP];
    mm_status st = mm_bitmap_init(&b->bitmap, b->map, b->mem.bitmap_granularity,
                                  bc_boot_ptr(b, r->base), (size_t)r->size);
    if (st != MM_OK)
        bc_boot_fail(b, "frame bitmap: cannot build: %s", mm_strerror(st));
    mm_log(bc_boot_log(b), MM_LOG_INFO,
           "frame bitmap: %llu frames of %llu bytes from frame 0x%llx, %llu free",
           (unsigned long long)b->bitmap.frame_count, (unsigned long long)b->bitmap.granularity,
           (unsigned long long)b->bitmap.first_frame, (unsigned long long)b->bitmap.free_frames);
}

/* Frames the loader still runs on are held used during the memory test
 * and released after it (a frame the map calls usable but the bitmap
 * calls used after the test can only be one held here: bad frames leave
 * the map). */
static void hold_busy(void *arg, uint64_t base, uint64_t size)
{
    bc_boot *b = arg;
    uint64_t g = b->bitmap.granularity;
    for (uint64_t f = mm_align_down(base, g); f < base + size; f += g) {
        if (mm_bitmap_is_free(&b->bitmap, f))
            mm_bitmap_reserve(&b->bitmap, f, g);
    }
}

static void release_busy(void *arg, uint64_t base, uint64_t size)
{
    bc_boot *b = arg;
    uint64_t g = b->bitmap.granularity;
    for (uint64_t f = mm_align_down(base, g); f < base + size; f += g) {
        if (!mm_bitmap_is_free(&b->bitmap, f) && mm_map_range_is(b->map, f, g, MM_TYPE_USABLE))
            mm_bitmap_free(&b->bitmap, f, 1);
    }
}

/* memory_test=on: pattern-tests the free RAM the loader can reach; bad
 * frames are carved to "bad" and reserved in the bitmap by lib/mm, so map
 * and bitmap stay in step. */
static void memory_test(bc_boot *b)
{
    const bc_fw_ops *fw = b->fw;
    if (!b->mem.enable_memory_test)
        return;
    mm_phys_window window = {0, b->platform.memtest_window_end, fw->phys_offset};
    mm_memtest t;
    if (fw->for_each_busy)
        fw->for_each_busy(fw->ctx, hold_busy, b);
    mm_status st = mm_memtest_init(&t, &window, b->mem.bitmap_granularity);
    if (st == MM_OK)
        st = mm_memtest_map(&t, b->map, &b->bitmap, bc_boot_log(b));
    if (fw->for_each_busy)
        fw->for_each_busy(fw->ctx, release_busy, b);
    if (st != MM_OK && st != MM_ERR_MEMTEST_FAILED)
        bc_boot_fail(b, "memory test: %s", mm_strerror(st));
    b->memtest_bad_bytes = t.result.bad_bytes;
    if (window.end && b->bitmap.frame_count &&
        (b->bitmap.first_frame + b->bitmap.frame_count) * b->bitmap.granularity > window.end)
        mm_log(bc_boot_log(b), MM_LOG_INFO, "memory test: RAM above 0x%llx is not tested",
               (unsigned long long)window.end);
}

/* The segments of a kernel read_kernel left on disk, read in order
 * straight into the kernel range; then every byte no segment's file part
 * covers (bss, page slack, holes) is zeroed. The room a read may write
 * after a segment's bytes lands where later segments go or in those
 * zeroed bytes. */
static void read_segments(bc_boot *b)
{
    const bc_elf_image *img = &b->elf;
    uint8_t *d = bc_boot_ptr(b, b->range[BC_RANGE_KERNEL].base);
    for (uint32_t i = 0; i < img->count; i++) {
        const bc_elf_segment *s = &img->segments[i];
        bc_boot_read_into(b, b->cfg.kernel, "kernel", s->offset, d + s->dst_off, s->filesz);
    }
    bc_elf_zero_gaps(img, d);
}

/* A kernel read whole: its segments copied from the boot heap. */
static void load_kernel(bc_boot *b)
{
    const bc_placed *k = &b->range[BC_RANGE_KERNEL];
    if (!b->kernel_file)
        return;
    if (bc_elf_load(&b->elf, b->kernel_file, (size_t)b->kernel_file_size, bc_boot_ptr(b, k->base),
                    (size_t)k->size) != BC_ELF_OK)
        bc_boot_fail(b, "kernel: cannot copy its segments: %s", b->elf.msg);
}

static void *table_ptr(void *ctx, uint64_t phys)
{
    return bc_boot_ptr(ctx, phys);
}

/* The final map may differ from the one the tables were sized on only by
 * the loader's own ranges, which never make them larger: checked. */
static void build_page_tables(bc_boot *b)
{
    const bc_placed *r = &b->range[BC_RANGE_PAGE_TABLES];
    uint64_t needed;
    paging_layout(b);
    if (bc_paging_bytes_needed(&b->pg.layout, &needed) != MM_OK || needed > r->size)
        bc_boot_fail(b, "page tables: final layout needs more than the %llu bytes reserved",
                     (unsigned long long)r->size);
    bc_paging_region region = {r->base, r->size, table_ptr, b};
    if (bc_paging_build(&b->pg.layout, &region, &b->cr3) != MM_OK)
        bc_boot_fail(b, "page tables: build failed");
    mm_log(bc_boot_log(b), MM_LOG_INFO,
           "page tables: CR3 0x%llx, identity %llu MiB, direct map %llu MiB",
           (unsigned long long)b->cr3, (unsigned long long)(b->pg.layout.identity_size >> 20),
           (unsigned long long)(b->pg.layout.hhdm_size >> 20));
}

/* Everything the handoff says, in one place. */
static void handoff_input(const bc_boot *b, bc_handoff_input *in)
{
    const bc_placed *r = b->range;
    const bc_paging_layout *pg = &b->pg.layout;
    struct mm_heap_stats heap;
    struct mos_handoff *f = &in->fields;
    mm_heap_stats(&b->heap, &heap);
    mm_memset(in, 0, sizeof *in);
    f->boot_mode = b->fw->boot_mode;
    f->temp_heap_base = r[BC_RANGE_TEMP_HEAP].base;
    f->temp_heap_size = r[BC_RANGE_TEMP_HEAP].size;
    f->boot_heap_base = r[BC_RANGE_BOOT_HEAP].base;
    f->boot_heap_size = r[BC_RANGE_BOOT_HEAP].size;
    f->boot_heap_used = heap.used;
    f->bitmap_addr = r[BC_RANGE_BITMAP].base;
    f->bitmap_size = b->bitmap.storage_bytes;
    f->bitmap_first_frame = b->bitmap.first_frame;
    f->bitmap_frame_count = b->bitmap.frame_count;
    f->bitmap_granularity = (uint32_t)b->bitmap.granularity;
    f->efi_system_table = b->platform.efi_system_table;
    f->efi_desc_size = b->efi.desc_size;
    f->efi_desc_version = b->efi.desc_version;
    f->acpi_rsdp = b->platform.acpi_rsdp;
    f->bios_memory_detect = b->platform.bios_memory_detect;
    f->kernel_phys_base = r[BC_RANGE_KERNEL].base;
    f->kernel_virt_base = b->elf.virt_base;
    f->kernel_size = b->elf.span;
    f->kernel_entry = b->elf.entry;
    f->stack_phys_base = r[BC_RANGE_STACK].base;
    f->stack_size = r[BC_RANGE_STACK].size;
    f->stack_virt_top =
        bc_entry_rsp(pg->hhdm_offset, r[BC_RANGE_STACK].base, r[BC_RANGE_STACK].size);
    f->cr3 = b->cr3;
    f->hhdm_offset = pg->hhdm_offset;
    f->hhdm_size = pg->hhdm_size;
    f->identity_map_size = pg->identity_size;
    f->tsc_loader_entry = b->tsc_entry;
    f->tsc_memmap_done = b->tsc_memmap;
    f->tsc_frequency_hz = b->platform.tsc_frequency_hz;
    f->sanitize_overlaps = b->sanitize.overlaps_resolved;
    f->sanitize_merged = b->sanitize.merged;
    f->sanitize_trimmed = b->sanitize.bytes_trimmed;
    f->memtest_bad_bytes = b->memtest_bad_bytes;
    in->map = b->map;
    in->cmdline = b->cfg.cmdline;
    in->efi_map = b->efi.data;
    in->efi_map_size = b->efi.size;
}

static void build_handoff(bc_boot *b)
{
    bc_handoff_input in;
    const bc_placed *r = &b->range[BC_RANGE_HANDOFF];
    handoff_input(b, &in);
    mm_status st = bc_handoff_build(&in, &b->layout, bc_boot_ptr(b, r->base), r->base, &b->handoff);
    if (st != MM_OK)
        bc_boot_fail(b, "handoff: cannot build: %s", mm_strerror(st));
    mm_log(bc_boot_log(b), MM_LOG_INFO, "boot heap: %llu of %llu KiB used, %u extensions",
           (unsigned long long)(in.fields.boot_heap_used >> 10),
           (unsigned long long)(in.fields.boot_heap_size >> 10), b->extensions);
}

/* The revision-2 fields: framebuffer and modules (CPUs when known). */
static void build_rev2(bc_boot *b)
{
    bc_rev2_input in;
    mm_memset(&in, 0, sizeof in);
    in.fb = b->platform.fb.addr ? &b->platform.fb : NULL;
    const bc_mos_smp *s = &((const bc_mos_rev2 *)b->backend_data)->smp;
    in.cpus = s->cpus;
    in.cpu_count = s->cpu_count;
    in.bsp_apic_id = s->bsp_apic_id;
    in.smp_flags = s->smp_flags;
    in.lapic_addr = s->lapic_addr;
    bc_mos_fill_rev2(b, b->backend_data, &in);
}

/* ---- the protocol ----------------------------------------------------- */

static void mos_prepare(bc_boot *b)
{
    static const bc_video_want linear = {BC_VIDEO_LINEAR, 0, 0, 0};
    bc_boot_video(b, &linear);
    read_kernel(b);
    bc_mos_rev2 *r = bc_boot_alloc_aligned(b, sizeof *r, 8, "revision-2 state");
    b->backend_data = r;
    bc_mos_load_modules(b, r);
    bc_boot_record_framebuffer(b);
    bc_mos_smp_prepare(b, &r->smp);
    place_kernel_ranges(b);
    if (!b->kernel_file)
        read_segments(b);
}

static void mos_build(bc_boot *b, bc_entry *e)
{
    const bc_placed *stk = &b->range[BC_RANGE_STACK];
    build_bitmap(b);
    memory_test(b);
    load_kernel(b);
    build_page_tables(b);
    bc_mos_smp_start(b, &((bc_mos_rev2 *)b->backend_data)->smp);
    build_handoff(b);
    build_rev2(b);
    uint64_t hhdm = b->pg.layout.hhdm_offset;
    e->mode = BC_ENTRY_LONG;
    e->entry = b->elf.entry;
    e->rsp = bc_entry_rsp(hhdm, stk->base, stk->size);
    e->rdi = hhdm + b->range[BC_RANGE_HANDOFF].base;
    e->cr3 = b->cr3;
    e->nx = b->platform.nx;
    /* The return slot holds 0 so stack walkers stop (entry.h). */
    *(volatile uint64_t *)bc_boot_ptr(b, e->rsp - hhdm) = 0;
}

/* The handoff is sealed last: nothing writes it after this. */
static void mos_last(bc_boot *b)
{
    bc_handoff_seal(b->handoff, b->fw->timestamp(b->fw->ctx));
}

const bc_backend bc_backend_mos = {
    .protocol = BC_PROTO_MOS,
    .prepare = mos_prepare,
    .build = mos_build,
    .last = mos_last,
};
