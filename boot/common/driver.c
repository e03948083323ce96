/* The boot driver (driver.h): each step below is one function, and
 * bc_boot_run calls them in the order of work. */
#include "driver.h"

#include "entry.h"
#include "mm/memtest.h"

#define FOUR_GIB ((uint64_t)4 << 30)

static const mm_logger *lg(const bc_boot *b)
{
    return b->fw->log;
}

static void *ptr(const bc_boot *b, uint64_t phys)
{
    return (void *)(uintptr_t)(phys + b->fw->phys_offset);
}

_Noreturn void bc_boot_fail(const bc_boot *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mm_vlog(lg(b), MM_LOG_ERROR, fmt, ap);
    va_end(ap);
    b->fw->halt(b->fw->ctx);
    __builtin_unreachable(); /* the member's type cannot say noreturn */
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* n / d by shift and subtract: 32-bit code has no 64-bit divide without
 * libgcc (lib/mm/mm/base.h). 0 for d == 0. */
static uint64_t div_u64(uint64_t n, uint64_t d)
{
    uint64_t q = 0, r = 0;
    for (int i = 63; d && i >= 0; i--) {
        r = r << 1 | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= (uint64_t)1 << i;
        }
    }
    return q;
}

/* ---- config ---------------------------------------------------------- */

/* boot.cfg into scratch memory (the heap is sized by it, so it cannot
 * hold it), parsed and checked; a missing file means the defaults. */
static void read_config(bc_boot *b)
{
    const bc_fw_ops *fw = b->fw;
    char why[96] = "";
    uint64_t size = 0;
    const void *text = NULL;
    mm_status st = fw->file_size(fw->ctx, BC_BOOT_CFG_PATH, &size, why, sizeof why);
    if (st == MM_OK && size > BC_CFG_MAX_FILE)
        bc_boot_fail(b, "boot.cfg: %llu bytes, more than the %u allowed", (unsigned long long)size,
                     BC_CFG_MAX_FILE);
    if (st == MM_OK && size > 0) {
        void *buf;
        if (fw->scratch(fw->ctx, (size_t)size, &buf) != MM_OK)
            bc_boot_fail(b, "boot.cfg: no memory for its %llu bytes", (unsigned long long)size);
        BC_TRACK_ALLOC(b, MM_ALLOC_OTHER, "boot.cfg file", size);
        st = fw->file_read(fw->ctx, BC_BOOT_CFG_PATH, buf, size, why, sizeof why);
        text = buf;
    } else if (st == MM_OK) {
        text = "";
    }
    if (st != MM_OK && st != MM_ERR_NOT_FOUND)
        bc_boot_fail(b, "boot.cfg: cannot read: %s", why);
    if (bc_bootcfg_load(text, (size_t)size, &b->cfg, &b->mem, fw->log) != MM_OK)
        bc_boot_fail(b, "boot.cfg has errors (listed above)");
}

/* ---- memory map ------------------------------------------------------ */

static void take_map(bc_boot *b, const char *which)
{
    mm_status st = b->fw->memory_map(b->fw->ctx, (uint32_t)b->mem.bitmap_granularity,
                                     b->cfg.bios_memory_detect, &b->map, &b->sanitize);
    if (st != MM_OK)
        bc_boot_fail(b, "memory map (%s): %s", which, mm_strerror(st));
}

/* Largest usable block and all usable bytes at or above `min`. */
static void usable_room(const mm_map *m, uint64_t min, uint64_t *largest, uint64_t *total)
{
    *largest = *total = 0;
    for (uint32_t i = 0; i < m->count; i++) {
        const mm_entry *e = &m->entries[i];
        uint64_t end = mm_entry_end(e), base = max_u64(e->base, min);
        if (e->type != MM_TYPE_USABLE || end <= base)
            continue;
        *total += end - base;
        if (end - base > *largest)
            *largest = end - base;
    }
}

/* The final map the kernel receives, one line per entry. */
static void log_map(const bc_boot *b, const char *whom)
{
    struct mm_map_stats s;
    mm_map_stats(b->map, &s);
    mm_log(lg(b), MM_LOG_INFO, "memory map for %s: %u entries, %llu KiB usable, highest 0x%llx",
           whom, s.entry_count, (unsigned long long)(s.usable_bytes >> 10),
           (unsigned long long)s.highest_usable_end);
    mm_log_map(lg(b), MM_LOG_INFO, b->map);
}

/* ---- placement ------------------------------------------------------- */

static bool heap_size_given(const bc_boot *b)
{
    return bc_bootcfg_key_line(&b->cfg, "heap_size") != 0;
}

/* Asks the firmware for `size` bytes (rounded up to the bitmap
 * granularity, aligned to at least it) at or above `min`. */
static mm_status take(bc_boot *b, uint64_t size, uint64_t align, uint64_t min, bc_placed *out)
{
    uint64_t g = b->mem.bitmap_granularity, base;
    if (size == 0 || !mm_align_up(size, g, &size))
        return MM_ERR_INVALID_ARGUMENT;
    mm_status st = b->fw->place(b->fw->ctx, size, max_u64(align, g), min, &base);
    if (st == MM_OK)
        *out = (bc_placed){base, size};
    return st;
}

/* Room for another range when the boot heap has the default size: the
 * free half of the heap goes back to the firmware. False when the config
 * set heap_size or nothing is left to give. */
static bool shrink_heap(bc_boot *b)
{
    bc_placed *h = &b->range[BC_RANGE_BOOT_HEAP];
    struct mm_heap_stats s;
    mm_heap_stats(&b->heap, &s);
    uint64_t g = b->mem.bitmap_granularity, keep;
    if (h->size == 0 || heap_size_given(b) || s.regions != 1 ||
        !mm_align_up(s.used + (h->size - s.used) / 2, g, &keep) || keep >= h->size ||
        mm_heap_shrink(&b->heap, (size_t)keep) != MM_OK)
        return false;
    b->fw->release(b->fw->ctx, h->base + keep, h->size - keep);
    mm_log(lg(b), MM_LOG_WARN,
           "boot heap: heap_size not set: shrunk from %llu KiB to %llu KiB to make room",
           (unsigned long long)(h->size >> 10), (unsigned long long)(keep >> 10));
    h->size = keep;
    return true;
}

/* Places range `id`: `size` bytes, `align` (at least the table's),
 * shrinking a default-sized boot heap while nothing fits. */
static mm_status place(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align)
{
    const bc_range_info *ri = bc_range_info_of(id);
    align = max_u64(align, ri->align);
    mm_status st = take(b, size, align, 0, &b->range[id]);
    while (st == MM_ERR_NOT_FOUND && shrink_heap(b))
        st = take(b, size, align, 0, &b->range[id]);
    if (st != MM_OK)
        return st;
    BC_TRACK_ALLOC(b, MM_ALLOC_OTHER, ri->name, b->range[id].size);
    mm_log(lg(b), MM_LOG_DEBUG, "%s: %llu KiB at 0x%llx", ri->name,
           (unsigned long long)(b->range[id].size >> 10), (unsigned long long)b->range[id].base);
    return MM_OK;
}

static void place_required(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align)
{
    mm_status st = place(b, id, size, align);
    if (st != MM_OK)
        bc_boot_fail(b, "%s: cannot place %llu bytes: %s", bc_range_info_of(id)->name,
                     (unsigned long long)size, mm_strerror(st));
}

/* ---- boot heap ------------------------------------------------------- */

/* mm_heap_refill_fn: before the firmware is left, more memory from it. */
static mm_status refill_heap(void *ctx, size_t min_bytes, void **base, size_t *size)
{
    bc_boot *b = ctx;
    if (b->firmware_gone || b->extensions == BC_HEAP_EXTENSIONS)
        return MM_ERR_OUT_OF_MEMORY;
    bc_placed r;
    mm_status st = take(b, max_u64(min_bytes, BC_HEAP_REFILL_MIN), 0, 0, &r);
    if (st != MM_OK)
        return st;
    b->extension[b->extensions++] = r;
    BC_TRACK_ALLOC(b, MM_ALLOC_OTHER, bc_range_info_of(BC_RANGE_HEAP_EXTENSION)->name, r.size);
    mm_log(lg(b), MM_LOG_INFO, "boot heap: exhausted, extended by %llu KiB at 0x%llx (%u of %u)",
           (unsigned long long)(r.size >> 10), (unsigned long long)r.base, b->extensions,
           BC_HEAP_EXTENSIONS);
    *base = ptr(b, r.base);
    *size = (size_t)r.size;
    return MM_OK;
}

_Noreturn static void heap_does_not_fit(bc_boot *b)
{
    uint64_t largest, total;
    usable_room(b->map, b->mem.min_heap_addr, &largest, &total);
    bc_boot_fail(b,
                 "boot heap: heap_size=%llu bytes (align %llu) does not fit at or above 0x%llx "
                 "(min_heap_addr): largest usable block there %llu bytes, %llu bytes in all",
                 (unsigned long long)b->mem.heap_size, (unsigned long long)b->mem.heap_alignment,
                 (unsigned long long)b->mem.min_heap_addr, (unsigned long long)largest,
                 (unsigned long long)total);
}

/* The boot heap, first of all ranges: heap_size as configured, or without
 * the key the default halved until it fits (and later shrunk when the
 * kernel's ranges need the room). */
static void place_boot_heap(bc_boot *b)
{
    bc_placed *h = &b->range[BC_RANGE_BOOT_HEAP];
    uint64_t size = b->mem.heap_size, g = b->mem.bitmap_granularity;
    mm_status st = take(b, size, b->mem.heap_alignment, b->mem.min_heap_addr, h);
    if (st != MM_OK && heap_size_given(b))
        heap_does_not_fit(b);
    while (st == MM_ERR_NOT_FOUND && size / 2 >= BC_HEAP_MIN_SIZE &&
           mm_align_up(size / 2, g, &size))
        st = take(b, size, b->mem.heap_alignment, b->mem.min_heap_addr, h);
    if (st != MM_OK)
        heap_does_not_fit(b);
    if (size != b->mem.heap_size)
        mm_log(lg(b), MM_LOG_WARN,
               "boot heap: heap_size not set and the default %llu KiB does not fit: using %llu KiB",
               (unsigned long long)(b->mem.heap_size >> 10), (unsigned long long)(size >> 10));
    if (mm_heap_init(&b->heap, ptr(b, h->base), (size_t)h->size) != MM_OK)
        bc_boot_fail(b, "boot heap: cannot set it up at 0x%llx", (unsigned long long)h->base);
    mm_heap_set_refill(&b->heap, refill_heap, b);
    BC_TRACK_ALLOC(b, MM_ALLOC_OTHER, bc_range_info_of(BC_RANGE_BOOT_HEAP)->name, h->size);
    mm_log(lg(b), MM_LOG_INFO, "boot heap: %llu KiB at 0x%llx", (unsigned long long)(h->size >> 10),
           (unsigned long long)h->base);
}

/* `bytes` from the boot heap (its refills included) for `what`; a heap
 * that cannot grow any more stops the boot. */
static void *heap_alloc(bc_boot *b, uint64_t bytes, const char *what)
{
    void *p = NULL;
    mm_status st =
        bytes > SIZE_MAX ? MM_ERR_OVERFLOW : mm_heap_alloc(&b->heap, (size_t)bytes, 4096, &p);
    if (st != MM_OK)
        bc_boot_fail(b, "boot heap: no %llu bytes for the %s: %s (after %u extensions)",
                     (unsigned long long)bytes, what, mm_strerror(st), b->extensions);
    BC_TRACK_ALLOC(b, MM_ALLOC_HEAP, what, bytes);
    return p;
}

/* ---- kernel ---------------------------------------------------------- */

static void read_kernel(bc_boot *b)
{
    const bc_fw_ops *fw = b->fw;
    const char *path = b->cfg.kernel;
    char why[96] = "";
    uint64_t size;
    mm_status st = fw->file_size(fw->ctx, path, &size, why, sizeof why);
    if (st == MM_ERR_NOT_FOUND)
        bc_boot_fail(b, "kernel %s: no such file on the boot volume (kernel= in boot.cfg)", path);
    if (st != MM_OK)
        bc_boot_fail(b, "kernel %s: cannot read: %s", path, why);
    if (size == 0)
        bc_boot_fail(b, "kernel %s: empty file", path);
    if (size > BC_KERNEL_FILE_MAX)
        bc_boot_fail(b, "kernel %s: %llu bytes, more than the %u allowed", path,
                     (unsigned long long)size, BC_KERNEL_FILE_MAX);
    void *file = heap_alloc(b, size, "kernel file");
    if (fw->file_read(fw->ctx, path, file, size, why, sizeof why) != MM_OK)
        bc_boot_fail(b, "kernel %s: cannot read: %s", path, why);
    if (bc_elf_parse(file, (size_t)size, &b->elf) != BC_ELF_OK)
        bc_boot_fail(b, "kernel %s: not a valid kernel: %s", path, b->elf.msg);
    b->kernel_file = file;
    b->kernel_file_size = size;
    mm_log(lg(b), MM_LOG_INFO,
           "kernel %s: %llu bytes, %u segments, entry 0x%llx, virt 0x%llx..0x%llx", path,
           (unsigned long long)size, b->elf.count, (unsigned long long)b->elf.entry,
           (unsigned long long)b->elf.virt_base, (unsigned long long)b->elf.virt_end);
}

/* ---- the kernel's ranges --------------------------------------------- */

/* Optional: when it cannot be placed the kernel gets base 0, size 0 and
 * uses its own fallback (docs/protocol.md). */
static void place_temp_heap(bc_boot *b)
{
    uint64_t want = b->mem.temp_heap_size;
    if (want == 0) {
        mm_log(lg(b), MM_LOG_WARN, "temp heap: temp_heap_size=0, none handed over");
        return;
    }
    mm_status st = place(b, BC_RANGE_TEMP_HEAP, want, 0);
    if (st != MM_OK) {
        b->range[BC_RANGE_TEMP_HEAP] = (bc_placed){0, 0};
        mm_log(lg(b), MM_LOG_WARN,
               "temp heap: cannot place %llu bytes (%s); handing over base 0, size 0",
               (unsigned long long)want, mm_strerror(st));
        return;
    }
    mm_log(lg(b), MM_LOG_INFO, "temp heap: %llu KiB at 0x%llx", (unsigned long long)(want >> 10),
           (unsigned long long)b->range[BC_RANGE_TEMP_HEAP].base);
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
    if (bc_paging_standard(&b->elf, b->range[BC_RANGE_KERNEL].base, identity, hhdm,
                           b->platform.nx ? BC_PAGING_NX : 0, &b->pg) != MM_OK) {
        char why[96] = "bad kernel mappings";
        bc_paging_check(&b->pg.layout, why, sizeof why);
        bc_boot_fail(b, "page tables: bad layout: %s", why);
    }
}

/* Sizes come from the map as it is now (later carves never grow them). */
static void place_kernel_ranges(bc_boot *b)
{
    uint64_t bitmap_bytes, table_bytes;
    place_required(b, BC_RANGE_KERNEL, b->elf.span, b->elf.phys_align);
    place_required(b, BC_RANGE_STACK, BC_KERNEL_STACK_SIZE, 0);
    place_temp_heap(b);
    if (mm_bitmap_storage_size(b->map, b->mem.bitmap_granularity, &bitmap_bytes) != MM_OK)
        bc_boot_fail(b, "frame bitmap: cannot size it for this memory map");
    paging_layout(b);
    if (bc_paging_bytes_needed(&b->pg.layout, &table_bytes) != MM_OK)
        bc_boot_fail(b, "page tables: cannot size them");
    if (bc_handoff_layout_init(&b->layout, b->map->capacity, bc_cmdline_bytes(b->cfg.cmdline),
                               b->platform.efi_map_capacity) != MM_OK)
        bc_boot_fail(b, "handoff: cannot lay out its region");
    place_required(b, BC_RANGE_BITMAP, bitmap_bytes, 0);
    place_required(b, BC_RANGE_PAGE_TABLES, table_bytes, 0);
    place_required(b, BC_RANGE_HANDOFF, b->layout.bytes, 0);
}

/* ---- leaving the firmware -------------------------------------------- */

static void learn_platform(bc_boot *b)
{
    b->fw->platform(b->fw->ctx, &b->platform);
    mm_log(lg(b), MM_LOG_INFO, "ACPI RSDP 0x%llx, TSC %llu Hz, NX %s",
           (unsigned long long)b->platform.acpi_rsdp,
           (unsigned long long)b->platform.tsc_frequency_hz, b->platform.nx ? "on" : "off");
}

/* The firmware may report that its map changed under the loader (UEFI's
 * stale map key): then the exit is tried again, a few times. Nothing is
 * logged between attempts (a log line could change the map again). */
static void leave_firmware(bc_boot *b)
{
    mm_status st = MM_ERR_RETRY;
    uint32_t attempt = 0;
    mm_log(lg(b), MM_LOG_INFO, "leaving the firmware");
    while (st == MM_ERR_RETRY && attempt < BC_EXIT_MAX_ATTEMPTS)
        st = b->fw->exit(b->fw->ctx, ++attempt, &b->efi);
    b->exit_attempts = attempt;
    b->firmware_gone = 1;
    b->tsc_memmap = b->fw->timestamp(b->fw->ctx);
    if (st == MM_ERR_RETRY)
        bc_boot_fail(b, "firmware: its memory map kept changing; gave up after %u exit attempts",
                     attempt);
    if (st != MM_OK)
        bc_boot_fail(b, "firmware: exit failed on attempt %u: %s", attempt, mm_strerror(st));
    mm_log(lg(b), MM_LOG_INFO, "firmware left (attempt %u)", attempt);
}

/* ---- the final map --------------------------------------------------- */

static void carve(bc_boot *b, const bc_placed *r, bc_range_id id)
{
    const bc_range_info *ri = bc_range_info_of(id);
    if (r->size == 0)
        return;
    mm_status st = mm_map_carve(b->map, r->base, r->size, ri->type, MM_CARVE_ANY_TYPE);
    if (st != MM_OK)
        bc_boot_fail(b, "memory map: cannot carve the %s at 0x%llx: %s", ri->name,
                     (unsigned long long)r->base, mm_strerror(st));
}

/* Every placed range under its own type, then the map's rules checked. */
static void final_map(bc_boot *b)
{
    take_map(b, "final");
    for (int id = 0; id < BC_RANGE_HEAP_EXTENSION; id++)
        carve(b, &b->range[id], (bc_range_id)id);
    for (uint32_t i = 0; i < b->extensions; i++)
        carve(b, &b->extension[i], BC_RANGE_HEAP_EXTENSION);
    mm_validate_error ve;
    if (mm_map_validate(b->map, b->mem.bitmap_granularity, &ve) != MM_OK)
        bc_boot_fail(b, "memory map invalid after carving (entry %u: %s): loader bug", ve.index,
                     mm_validate_rule_name(ve.rule));
    log_map(b, "the kernel");
}

/* ---- building -------------------------------------------------------- */

static void build_bitmap(bc_boot *b)
{
    const bc_placed *r = &b->range[BC_RANGE_BITMAP];
    mm_status st = mm_bitmap_init(&b->bitmap, b->map, b->mem.bitmap_granularity, ptr(b, r->base),
                                  (size_t)r->size);
    if (st != MM_OK)
        bc_boot_fail(b, "frame bitmap: cannot build: %s", mm_strerror(st));
    mm_log(lg(b), MM_LOG_INFO,
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
        st = mm_memtest_map(&t, b->map, &b->bitmap, lg(b));
    if (fw->for_each_busy)
        fw->for_each_busy(fw->ctx, release_busy, b);
    if (st != MM_OK && st != MM_ERR_MEMTEST_FAILED)
        bc_boot_fail(b, "memory test: %s", mm_strerror(st));
    b->memtest_bad_bytes = t.result.bad_bytes;
    if (window.end && b->bitmap.frame_count &&
        (b->bitmap.first_frame + b->bitmap.frame_count) * b->bitmap.granularity > window.end)
        mm_log(lg(b), MM_LOG_INFO, "memory test: RAM above 0x%llx is not tested",
               (unsigned long long)window.end);
}

static void load_kernel(bc_boot *b)
{
    const bc_placed *k = &b->range[BC_RANGE_KERNEL];
    if (bc_elf_load(&b->elf, b->kernel_file, (size_t)b->kernel_file_size, ptr(b, k->base),
                    (size_t)k->size) != BC_ELF_OK)
        bc_boot_fail(b, "kernel: cannot copy its segments: %s", b->elf.msg);
}

static void *table_ptr(void *ctx, uint64_t phys)
{
    return ptr(ctx, phys);
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
    mm_log(lg(b), MM_LOG_INFO, "page tables: CR3 0x%llx, identity %llu MiB, direct map %llu MiB",
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
    mm_status st = bc_handoff_build(&in, &b->layout, ptr(b, r->base), r->base, &b->handoff);
    if (st != MM_OK)
        bc_boot_fail(b, "handoff: cannot build: %s", mm_strerror(st));
    mm_log(lg(b), MM_LOG_INFO, "boot heap: %llu of %llu KiB used, %u extensions",
           (unsigned long long)(in.fields.boot_heap_used >> 10),
           (unsigned long long)(in.fields.boot_heap_size >> 10), b->extensions);
}

_Noreturn static void enter_kernel(bc_boot *b)
{
    const bc_placed *stk = &b->range[BC_RANGE_STACK];
    uint64_t hhdm = b->pg.layout.hhdm_offset;
    bc_entry e = {
        .entry = b->elf.entry,
        .rsp = bc_entry_rsp(hhdm, stk->base, stk->size),
        .rdi = hhdm + b->range[BC_RANGE_HANDOFF].base,
        .cr3 = b->cr3,
        .nx = b->platform.nx,
    };
    /* The return slot holds 0 so stack walkers stop (entry.h). */
    *(volatile uint64_t *)ptr(b, e.rsp - hhdm) = 0;
    uint64_t mhz = div_u64(b->platform.tsc_frequency_hz, 1000000u); /* 0: no time */
    uint64_t us = div_u64(b->fw->timestamp(b->fw->ctx) - b->tsc_entry, mhz);
    uint64_t ms = div_u64(us, 1000);
    BC_TRACK_REPORT(b, lg(b)); /* DEBUG=1: the loader's allocations */
    mm_log(lg(b), MM_LOG_INFO,
           "jumping to the kernel at 0x%llx, handoff at 0x%llx, after %llu.%03llu ms in the loader",
           (unsigned long long)e.entry, (unsigned long long)e.rdi, (unsigned long long)ms,
           (unsigned long long)(us - ms * 1000));
    bc_handoff_seal(b->handoff, b->fw->timestamp(b->fw->ctx));
    b->fw->enter(b->fw->ctx, &e);
    __builtin_unreachable();
}

_Noreturn void bc_boot_run(bc_boot *b, const bc_fw_ops *fw)
{
    mm_memset(b, 0, sizeof *b);
    b->fw = fw;
    b->tsc_entry = fw->tsc_entry;
    BC_TRACK_INIT(b);
    read_config(b);
    take_map(b, "firmware");
    place_boot_heap(b);
    read_kernel(b);
    learn_platform(b);
    place_kernel_ranges(b);
    leave_firmware(b);
    final_map(b);
    build_bitmap(b);
    memory_test(b);
    load_kernel(b);
    build_page_tables(b);
    build_handoff(b);
    enter_kernel(b);
}
