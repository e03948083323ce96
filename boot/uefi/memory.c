#include "memory.h"

#include "common/entry.h"
#include "mm/memtest.h"

/* Descriptors the firmware map may gain between the size query and the
 * final read: every allocation of the loader can split a free range. */
#define EFI_MAP_SLACK_DESCS 64u
#define PAGE_SHIFT          12u
/* Upper bound for first-fit searches: the x86-64 physical address limit. */
#define PHYS_LIMIT ((uint64_t)1 << 52)

static const mm_type range_type[RANGE_COUNT] = {
    [RANGE_KERNEL] = MM_TYPE_KERNEL,       [RANGE_STACK] = MM_TYPE_KERNEL_STACK,
    [RANGE_TEMP_HEAP] = MM_TYPE_TEMP_HEAP, [RANGE_BOOT_HEAP] = MM_TYPE_BOOT_HEAP,
    [RANGE_BITMAP] = MM_TYPE_FRAME_BITMAP, [RANGE_PAGE_TABLES] = MM_TYPE_PAGE_TABLES,
    [RANGE_HANDOFF] = MM_TYPE_HANDOFF,
};

const char *mem_range_name(int range)
{
    static const char *const names[RANGE_COUNT] = {
        [RANGE_KERNEL] = "kernel",       [RANGE_STACK] = "kernel stack",
        [RANGE_TEMP_HEAP] = "temp heap", [RANGE_BOOT_HEAP] = "boot heap",
        [RANGE_BITMAP] = "frame bitmap", [RANGE_PAGE_TABLES] = "page tables",
        [RANGE_HANDOFF] = "handoff",
    };
    return range >= 0 && range < RANGE_COUNT ? names[range] : "?";
}

void *mem_phys_to_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return (void *)(uintptr_t)phys;
}

/* Size and alignment raised to the bitmap granularity (a power of two). */
static bool granular(const struct loader *L, uint64_t *bytes, uint64_t *align)
{
    uint64_t g = L->mem.bitmap_granularity;
    if (*align < g)
        *align = g;
    return *bytes != 0 && mm_align_up(*bytes, g, bytes);
}

EFI_STATUS mem_alloc(struct loader *L, uint64_t bytes, uint64_t align, struct owned_range *out)
{
    if (!granular(L, &bytes, &align) || (bytes >> PAGE_SHIFT) == 0)
        return EFI_INVALID_PARAMETER;
    uint64_t pages = bytes >> PAGE_SHIFT;
    uint64_t extra = (align >> PAGE_SHIFT) - 1;
    EFI_PHYSICAL_ADDRESS raw;
    /* Over-allocate by the alignment and give back the unaligned head and
     * the tail: AllocatePages itself only aligns to 4 KiB. */
    if (pages + extra < pages)
        return EFI_OUT_OF_RESOURCES;
    EFI_STATUS s = L->bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages + extra, &raw);
    if (EFI_ERROR(s))
        return s;
    uint64_t base = mm_align_down(raw + (align - 1), align);
    uint64_t head = (base - raw) >> PAGE_SHIFT;
    if (head)
        L->bs->FreePages(raw, head);
    if (extra - head)
        L->bs->FreePages(base + bytes, extra - head);
    out->base = base;
    out->size = bytes;
    return EFI_SUCCESS;
}

/* Imports the raw map in L->efimap into L->map and sanitizes it at the
 * bitmap granularity. With `free_now`, only memory the firmware would hand
 * out right now (EfiConventionalMemory) counts as usable, for placing
 * ranges with AllocateAddress; otherwise the map looks as it will after
 * ExitBootServices. */
static mm_status import_map(struct loader *L, bool free_now, mm_sanitize_report *report)
{
    mm_map_clear(&L->map);
    mm_status st = mm_map_import_efi(&L->map, L->efimap.buf, L->efimap.size, L->efimap.desc_size,
                                     L->efimap.desc_version);
    if (st != MM_OK)
        return st;
    for (uint32_t i = 0; free_now && i < L->map.count; i++) {
        mm_entry *e = &L->map.entries[i];
        if (e->type == MM_TYPE_USABLE && e->raw_type != MM_EFI_CONVENTIONAL)
            e->type = MM_TYPE_BOOTLOADER_RECLAIMABLE;
    }
    return mm_map_sanitize(&L->map, L->mem.bitmap_granularity, L->sanitize_scratch,
                           L->sanitize_scratch_size, report);
}

/* Reads the firmware's current map and imports it; halts on failure. */
static void read_and_import(struct loader *L, bool free_now)
{
    EFI_STATUS s = fw_memmap_read(L->bs, &L->efimap);
    if (EFI_ERROR(s))
        loader_fail(L, "memory map: GetMemoryMap failed: %s", fw_status_text(s));
    mm_status st = import_map(L, free_now, NULL);
    if (st != MM_OK)
        loader_fail(L, "memory map: cannot import: %s", mm_strerror(st));
}

EFI_STATUS mem_alloc_first_fit(struct loader *L, uint64_t bytes, uint64_t align, uint64_t min,
                               struct owned_range *out)
{
    if (!granular(L, &bytes, &align))
        return EFI_INVALID_PARAMETER;
    read_and_import(L, true);
    uint64_t base;
    if (mm_map_find(&L->map, bytes, align, min, PHYS_LIMIT, MM_FIND_BOTTOM_UP, &base) != MM_OK)
        return EFI_OUT_OF_RESOURCES;
    EFI_PHYSICAL_ADDRESS addr = base;
    EFI_STATUS s = L->bs->AllocatePages(AllocateAddress, EfiLoaderData, bytes >> PAGE_SHIFT, &addr);
    if (EFI_ERROR(s))
        return s;
    out->base = base;
    out->size = bytes;
    return EFI_SUCCESS;
}

bool mem_fits_after_exit(struct loader *L, uint64_t bytes, uint64_t align, uint64_t min,
                         struct mem_room *room)
{
    read_and_import(L, false);
    room->largest = room->total = 0;
    for (uint32_t i = 0; i < L->map.count; i++) {
        const mm_entry *e = &L->map.entries[i];
        uint64_t end = mm_entry_end(e), base = e->base > min ? e->base : min;
        if (e->type != MM_TYPE_USABLE || end <= base)
            continue;
        room->total += end - base;
        if (end - base > room->largest)
            room->largest = end - base;
    }
    uint64_t at;
    return granular(L, &bytes, &align) &&
           mm_map_find(&L->map, bytes, align, min, PHYS_LIMIT, MM_FIND_BOTTOM_UP, &at) == MM_OK;
}

/* Bytes needed by the scratch area for a raw map of `capacity` bytes in
 * descriptors of `desc_size`; fills the part sizes. */
static uint64_t scratch_layout(struct loader *L, UINTN capacity, UINTN desc_size)
{
    uint32_t descs = (uint32_t)(capacity / desc_size);
    L->map.capacity = bc_handoff_map_capacity(descs);
    L->sanitize_scratch_size = mm_map_sanitize_scratch_size(L->map.capacity);
    if (L->map.capacity == 0 || L->sanitize_scratch_size == SIZE_MAX)
        loader_fail(L, "memory map: %u descriptors are too many", descs);
    return mm_align_down(capacity + 7, 8) + (uint64_t)L->map.capacity * sizeof(mm_entry) +
           L->sanitize_scratch_size;
}

void mem_scratch_setup(struct loader *L)
{
    UINTN bytes, desc_size;
    EFI_STATUS s = fw_memmap_query(L->bs, &bytes, &desc_size);
    if (EFI_ERROR(s) || desc_size == 0)
        loader_fail(L, "memory map: size query failed: %s", fw_status_text(s));
    UINTN capacity = bytes + EFI_MAP_SLACK_DESCS * desc_size;
    uint64_t total = scratch_layout(L, capacity, desc_size);
    EFI_PHYSICAL_ADDRESS base;
    s = L->bs->AllocatePages(AllocateAnyPages, EfiLoaderData, (total + 4095) >> PAGE_SHIFT, &base);
    if (EFI_ERROR(s))
        loader_fail(L, "memory map: cannot allocate %llu bytes of scratch: %s",
                    (unsigned long long)total, fw_status_text(s));
    BC_TRACK_ALLOC(L, MM_ALLOC_OTHER, "memory map scratch", (total + 4095) & ~(uint64_t)4095);
    uint8_t *p = (uint8_t *)(uintptr_t)base;
    L->efimap.buf = p;
    L->efimap.capacity = capacity;
    p += mm_align_down(capacity + 7, 8);
    uint32_t cap = L->map.capacity;
    mm_map_init(&L->map, (mm_entry *)p, cap);
    p += (uint64_t)cap * sizeof(mm_entry);
    L->sanitize_scratch = p;
    mm_log(&L->log, MM_LOG_DEBUG, "memory map: %llu descriptors of %llu bytes, room for %u entries",
           (unsigned long long)(bytes / desc_size), (unsigned long long)desc_size, cap);
}

void mem_provisional_map(struct loader *L)
{
    read_and_import(L, false);
}

static void log_sanitize_report(struct loader *L, const mm_sanitize_report *r)
{
    mm_log(&L->log, MM_LOG_INFO,
           "memory map: %u firmware entries -> %u; sanitizer fixed: %u overlaps, %u merged, "
           "%u empty, %u wrapped, %u bad types, %u slivers, %llu bytes trimmed",
           r->entries_in, r->entries_out, r->overlaps_resolved, r->merged, r->empty_dropped,
           r->wrapped_clipped, r->invalid_types, r->slivers_dropped,
           (unsigned long long)r->bytes_trimmed);
}

static void log_map(struct loader *L)
{
    if (!mm_log_enabled(&L->log, MM_LOG_DEBUG))
        return;
    for (uint32_t i = 0; i < L->map.count; i++) {
        const mm_entry *e = &L->map.entries[i];
        mm_log(&L->log, MM_LOG_DEBUG, "  [0x%016llx, 0x%016llx) %-22s efi %u",
               (unsigned long long)e->base, (unsigned long long)mm_entry_end(e),
               mm_type_name((mm_type)e->type), e->raw_type);
    }
}

/* First fit of the boot heap in the final map (at or above min_heap_addr,
 * heap_alignment), carved out of usable memory. */
static void place_boot_heap(struct loader *L)
{
    struct owned_range *bh = &L->range[RANGE_BOOT_HEAP];
    uint64_t bytes = L->mem.heap_size, align = L->mem.heap_alignment, base;
    if (!granular(L, &bytes, &align) || mm_map_find(&L->map, bytes, align, L->mem.min_heap_addr,
                                                    PHYS_LIMIT, MM_FIND_BOTTOM_UP, &base) != MM_OK)
        loader_fail(L,
                    "boot heap: no %llu bytes free at or above 0x%llx (heap_size, min_heap_addr)",
                    (unsigned long long)L->mem.heap_size, (unsigned long long)L->mem.min_heap_addr);
    mm_status st = mm_map_carve(&L->map, base, bytes, MM_TYPE_BOOT_HEAP, MM_CARVE_DEFAULT);
    if (st != MM_OK)
        loader_fail(L, "boot heap: cannot carve it at 0x%llx: %s", (unsigned long long)base,
                    mm_strerror(st));
    bh->base = base;
    bh->size = bytes;
    BC_TRACK_ALLOC(L, MM_ALLOC_OTHER, "boot heap (final map)", bytes);
    mm_log(&L->log, MM_LOG_INFO, "boot heap: %llu KiB at 0x%llx (placed after ExitBootServices)",
           (unsigned long long)(bytes >> 10), (unsigned long long)base);
}

/* docs/protocol.md: the first page is never usable. OVMF calls [0, 4 KiB)
 * usable, where a BIOS keeps its IVT: reserving it (a hole there too)
 * makes both front ends hand over the same low map, and no kernel gets
 * frame 0, which looks like NULL. The carve rounds out to the granularity. */
static void reserve_page_zero(struct loader *L)
{
    mm_status st = mm_map_carve(&L->map, 0, 0x1000, MM_TYPE_RESERVED, MM_CARVE_ANY_TYPE);
    if (st != MM_OK)
        loader_fail(L, "memory map: cannot reserve the first page: %s", mm_strerror(st));
}

void mem_final_map(struct loader *L)
{
    mm_status st = import_map(L, false, &L->sanitized);
    if (st != MM_OK)
        loader_fail(L, "memory map: cannot import the final map: %s", mm_strerror(st));
    log_sanitize_report(L, &L->sanitized);
    reserve_page_zero(L);
    for (int r = 0; r < RANGE_COUNT; r++) {
        const struct owned_range *o = &L->range[r];
        if (o->size == 0)
            continue;
        st = mm_map_carve(&L->map, o->base, o->size, range_type[r], MM_CARVE_ANY_TYPE);
        if (st != MM_OK)
            loader_fail(L, "memory map: cannot carve the %s at 0x%llx: %s", mem_range_name(r),
                        (unsigned long long)o->base, mm_strerror(st));
    }
    if (L->boot_heap_deferred)
        place_boot_heap(L);
    mm_validate_error ve;
    if (mm_map_validate(&L->map, L->mem.bitmap_granularity, &ve) != MM_OK)
        loader_fail(L, "memory map: entry %u breaks rule %s", ve.index,
                    mm_validate_rule_name(ve.rule));
    struct mm_map_stats stats;
    mm_map_stats(&L->map, &stats);
    mm_log(&L->log, MM_LOG_INFO, "memory map: %u entries, %llu KiB usable, highest usable 0x%llx",
           stats.entry_count, (unsigned long long)(stats.usable_bytes >> 10),
           (unsigned long long)stats.highest_usable_end);
    log_map(L);
}

void mem_build_bitmap(struct loader *L)
{
    const struct owned_range *o = &L->range[RANGE_BITMAP];
    mm_status st = mm_bitmap_init(&L->bitmap, &L->map, L->mem.bitmap_granularity,
                                  (void *)(uintptr_t)o->base, o->size);
    if (st != MM_OK)
        loader_fail(L, "frame bitmap: cannot build: %s", mm_strerror(st));
    mm_log(&L->log, MM_LOG_INFO,
           "frame bitmap: %llu frames of %llu bytes from frame 0x%llx, %llu free",
           (unsigned long long)L->bitmap.frame_count, (unsigned long long)L->bitmap.granularity,
           (unsigned long long)L->bitmap.first_frame, (unsigned long long)L->bitmap.free_frames);
}

/* Calls fn(L, frame) for every bitmap frame that overlaps boot-services
 * code or data in the final raw EFI map. */
static void for_each_bs_frame(struct loader *L, void (*fn)(struct loader *L, uint64_t frame))
{
    uint64_t g = L->bitmap.granularity;
    for (UINTN off = 0; off + L->efimap.desc_size <= L->efimap.size; off += L->efimap.desc_size) {
        const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(L->efimap.buf + off);
        if (d->Type != EfiBootServicesCode && d->Type != EfiBootServicesData)
            continue;
        uint64_t end = d->PhysicalStart + (d->NumberOfPages << PAGE_SHIFT);
        for (uint64_t f = mm_align_down(d->PhysicalStart, g); f < end; f += g)
            fn(L, f);
    }
}

static void hold_free_frame(struct loader *L, uint64_t frame)
{
    if (mm_bitmap_is_free(&L->bitmap, frame))
        mm_bitmap_reserve(&L->bitmap, frame, L->bitmap.granularity);
}

/* Undoes hold_free_frame: after the bitmap was built from the final map,
 * a frame that the map calls usable but the bitmap calls used can only be
 * one held here (bad frames are carved out of the map). */
static void release_held_frame(struct loader *L, uint64_t frame)
{
    if (!mm_bitmap_is_free(&L->bitmap, frame) &&
        mm_map_range_is(&L->map, frame, L->bitmap.granularity, MM_TYPE_USABLE))
        mm_bitmap_free(&L->bitmap, frame, 1);
}

void mem_memory_test(struct loader *L)
{
    if (!L->mem.enable_memory_test)
        return;
    /* The loader still runs on the firmware's stack and page tables, which
     * live in boot-services memory: those frames are held used during the
     * test, so it covers the memory that was free while the firmware ran.
     * The identity map covers all RAM (window from 0, offset 0). */
    for_each_bs_frame(L, hold_free_frame);
    mm_phys_window window = {0, 0, 0};
    mm_memtest t;
    mm_status st = mm_memtest_init(&t, &window, L->mem.bitmap_granularity);
    if (st == MM_OK)
        st = mm_memtest_map(&t, &L->map, &L->bitmap, &L->log);
    for_each_bs_frame(L, release_held_frame);
    if (st != MM_OK && st != MM_ERR_MEMTEST_FAILED)
        loader_fail(L, "memory test: %s", mm_strerror(st));
    L->memtest_bad_bytes = t.result.bad_bytes;
}

struct mos_handoff *mem_build_handoff(struct loader *L)
{
    const struct owned_range *r = L->range;
    bc_handoff_sources src = {
        .boot_mode = MOS_BOOT_MODE_UEFI,
        .map = &L->map,
        .bitmap = &L->bitmap,
        .paging = &L->pg.layout,
        .elf = &L->elf,
        .sanitize = &L->sanitized,
        .cmdline = L->cfg.cmdline,
        .kernel = {r[RANGE_KERNEL].base, r[RANGE_KERNEL].size},
        .stack = {r[RANGE_STACK].base, r[RANGE_STACK].size},
        .temp_heap = {r[RANGE_TEMP_HEAP].base, r[RANGE_TEMP_HEAP].size},
        .boot_heap = {r[RANGE_BOOT_HEAP].base, r[RANGE_BOOT_HEAP].size},
        .bitmap_storage = {r[RANGE_BITMAP].base, r[RANGE_BITMAP].size},
        .cr3 = L->cr3,
        .acpi_rsdp = L->rsdp,
        .memtest_bad_bytes = L->memtest_bad_bytes,
        .tsc_loader_entry = L->tsc_entry,
        .tsc_memmap_done = L->tsc_memmap_done,
        .tsc_frequency_hz = L->tsc_hz,
    };
    bc_handoff_input in;
    bc_handoff_input_fill(&in, &src);
    in.efi_system_table = (uint64_t)(uintptr_t)L->st;
    in.efi_map = L->efimap.buf;
    in.efi_map_size = L->efimap.size;
    in.efi_desc_size = (uint32_t)L->efimap.desc_size;
    in.efi_desc_version = L->efimap.desc_version;

    struct mos_handoff *h;
    mm_status st =
        bc_handoff_build(&in, &L->handoff_layout, (void *)(uintptr_t)r[RANGE_HANDOFF].base,
                         r[RANGE_HANDOFF].base, &h);
    if (st != MM_OK)
        loader_fail(L, "handoff: cannot build: %s", mm_strerror(st));
    return h;
}
