#include "memory.h"

/* Descriptors the firmware map may gain between the size query and the
 * final read: every allocation of the loader can split a free range. */
#define EFI_MAP_SLACK_DESCS 64u
#define PAGE_SHIFT          12u
#define PAGE_SIZE           4096u
/* Upper bound for first-fit searches: the x86-64 physical address limit. */
#define PHYS_LIMIT ((uint64_t)1 << 52)

mm_status mem_scratch(void *ctx, size_t bytes, void **out)
{
    struct loader *L = ctx;
    EFI_PHYSICAL_ADDRESS base;
    uint64_t pages = ((uint64_t)bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
    if (!L->bs || pages == 0 ||
        EFI_ERROR(L->bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &base)))
        return MM_ERR_OUT_OF_MEMORY;
    *out = (void *)(uintptr_t)base;
    return MM_OK;
}

/* The raw map buffer, two map storages and the sanitize scratch, in one
 * allocation made while boot services run, so that re-reading the map
 * (as ExitBootServices' retry requires) allocates nothing. */
static mm_status scratch_setup(struct loader *L)
{
    UINTN bytes, desc_size;
    EFI_STATUS s = fw_memmap_query(L->bs, &bytes, &desc_size);
    if (EFI_ERROR(s) || desc_size == 0)
        return MM_ERR_IO;
    UINTN capacity = bytes + EFI_MAP_SLACK_DESCS * desc_size;
    uint32_t cap = bc_handoff_map_capacity((uint32_t)(capacity / desc_size));
    size_t sanitize = mm_map_sanitize_scratch_size(cap);
    if (cap == 0 || sanitize == SIZE_MAX)
        return MM_ERR_OVERFLOW;
    uint64_t raw = mm_align_down(capacity + 7, 8), entries = (uint64_t)cap * sizeof(mm_entry);
    uint8_t *p;
    if (mem_scratch(L, (size_t)(raw + 2 * entries + sanitize), (void **)&p) != MM_OK)
        return MM_ERR_OUT_OF_MEMORY;
    L->efimap.buf = p;
    L->efimap.capacity = capacity;
    mm_map_init(&L->map, (mm_entry *)(p + raw), cap);
    mm_map_init(&L->fitmap, (mm_entry *)(p + raw + entries), cap);
    L->sanitize_scratch = p + raw + 2 * entries;
    L->sanitize_scratch_size = sanitize;
    L->scratch_ready = true;
    mm_log(&L->log, MM_LOG_DEBUG, "memory map: %llu descriptors of %llu bytes, room for %u entries",
           (unsigned long long)(bytes / desc_size), (unsigned long long)desc_size, cap);
    return MM_OK;
}

/* Imports the raw map in L->efimap into `m`, sanitized at `granularity`.
 * With `free_now`, only memory the firmware would hand out right now
 * (EfiConventionalMemory) counts as usable, for AllocateAddress;
 * otherwise the map looks as it will after ExitBootServices. */
static mm_status import_map(struct loader *L, mm_map *m, bool free_now, uint32_t granularity,
                            mm_sanitize_report *report)
{
    mm_map_clear(m);
    mm_status st = mm_map_import_efi(m, L->efimap.buf, L->efimap.size, L->efimap.desc_size,
                                     L->efimap.desc_version);
    if (st != MM_OK)
        return st;
    for (uint32_t i = 0; free_now && i < m->count; i++) {
        mm_entry *e = &m->entries[i];
        if (e->type == MM_TYPE_USABLE && e->raw_type != MM_EFI_CONVENTIONAL)
            e->type = MM_TYPE_BOOTLOADER_RECLAIMABLE;
    }
    return mm_map_sanitize(m, granularity, L->sanitize_scratch, L->sanitize_scratch_size, report);
}

static void log_sanitize_report(struct loader *L, const mm_sanitize_report *r)
{
    mm_log(&L->log, MM_LOG_DEBUG,
           "memory map: %u firmware entries -> %u; sanitizer fixed: %u overlaps, %u merged, "
           "%u empty, %u wrapped, %u bad types, %u slivers, %llu bytes trimmed",
           r->entries_in, r->entries_out, r->overlaps_resolved, r->merged, r->empty_dropped,
           r->wrapped_clipped, r->invalid_types, r->slivers_dropped,
           (unsigned long long)r->bytes_trimmed);
}

mm_status mem_memory_map(void *ctx, uint32_t granularity, uint32_t bios_memory_detect, mm_map **map,
                         mm_sanitize_report *report)
{
    struct loader *L = ctx;
    (void)bios_memory_detect;
    mm_status st = L->scratch_ready ? MM_OK : scratch_setup(L);
    /* After ExitBootServices the buffer holds the final map already. */
    if (st == MM_OK && L->bs && EFI_ERROR(fw_memmap_read(L->bs, &L->efimap)))
        st = MM_ERR_IO;
    if (st == MM_OK)
        st = import_map(L, &L->map, false, granularity, report);
    if (st != MM_OK)
        return st;
    log_sanitize_report(L, report);
    /* docs/protocol.md: the first page is never usable. OVMF calls
     * [0, 4 KiB) usable, where a BIOS keeps its IVT: reserving it makes both
     * front ends hand over the same low map, and no kernel gets frame 0. */
    *map = &L->map;
    return mm_map_carve(&L->map, 0, 0x1000, MM_TYPE_RESERVED, MM_CARVE_ANY_TYPE);
}

/* AllocateAnyPages, or AllocateMaxAddress below `max`, over-allocated by
 * the alignment with the unaligned head and the tail given back:
 * AllocatePages only aligns to 4 KiB. */
static mm_status alloc_any(struct loader *L, uint64_t bytes, uint64_t align, uint64_t max,
                           uint64_t *base)
{
    uint64_t pages = bytes >> PAGE_SHIFT, extra = (align >> PAGE_SHIFT) - 1;
    EFI_PHYSICAL_ADDRESS raw = max - 1; /* AllocateMaxAddress: highest byte allowed */
    EFI_ALLOCATE_TYPE type = max == BC_PLACE_NO_LIMIT ? AllocateAnyPages : AllocateMaxAddress;
    if (pages + extra < pages)
        return MM_ERR_OVERFLOW;
    if (max < PAGE_SIZE)
        return MM_ERR_NOT_FOUND;
    if (EFI_ERROR(L->bs->AllocatePages(type, EfiLoaderData, pages + extra, &raw)))
        return MM_ERR_NOT_FOUND;
    uint64_t at = mm_align_down(raw + (align - 1), align);
    uint64_t head = (at - raw) >> PAGE_SHIFT;
    if (head)
        L->bs->FreePages(raw, head);
    if (extra - head)
        L->bs->FreePages(at + bytes, extra - head);
    *base = at;
    return MM_OK;
}

/* First fit in [min, max) in what is free right now. */
static mm_status alloc_first_fit(struct loader *L, uint64_t bytes, uint64_t align, uint64_t min,
                                 uint64_t max, uint64_t *base)
{
    if (EFI_ERROR(fw_memmap_read(L->bs, &L->efimap)))
        return MM_ERR_IO;
    mm_status st = import_map(L, &L->fitmap, true, PAGE_SIZE, NULL);
    if (st == MM_OK)
        st = mm_map_find(&L->fitmap, bytes, align, min, max < PHYS_LIMIT ? max : PHYS_LIMIT,
                         MM_FIND_BOTTOM_UP, base);
    if (st != MM_OK)
        return st;
    EFI_PHYSICAL_ADDRESS addr = *base;
    if (EFI_ERROR(L->bs->AllocatePages(AllocateAddress, EfiLoaderData, bytes >> PAGE_SHIFT, &addr)))
        return MM_ERR_NOT_FOUND;
    return MM_OK;
}

mm_status mem_place(void *ctx, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                    uint64_t *base)
{
    struct loader *L = ctx;
    if (!L->bs || size == 0 || (size & (PAGE_SIZE - 1)) || !mm_is_pow2(align) || align < PAGE_SIZE)
        return MM_ERR_INVALID_ARGUMENT;
    return min ? alloc_first_fit(L, size, align, min, max, base)
               : alloc_any(L, size, align, max, base);
}

mm_status mem_place_at(void *ctx, uint64_t base, uint64_t size)
{
    struct loader *L = ctx;
    EFI_PHYSICAL_ADDRESS addr = base;
    if (!L->bs || (base | size) & (PAGE_SIZE - 1) || size == 0)
        return MM_ERR_INVALID_ARGUMENT;
    if (EFI_ERROR(L->bs->AllocatePages(AllocateAddress, EfiLoaderData, size >> PAGE_SHIFT, &addr)))
        return MM_ERR_NOT_USABLE;
    return MM_OK;
}

void mem_release(void *ctx, uint64_t base, uint64_t size)
{
    struct loader *L = ctx;
    if (L->bs)
        L->bs->FreePages(base, size >> PAGE_SHIFT);
}

void mem_for_each_busy(void *ctx, void (*fn)(void *arg, uint64_t base, uint64_t size), void *arg)
{
    struct loader *L = ctx;
    for (UINTN off = 0; off + L->efimap.desc_size <= L->efimap.size; off += L->efimap.desc_size) {
        const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(L->efimap.buf + off);
        if (d->Type == EfiBootServicesCode || d->Type == EfiBootServicesData)
            fn(arg, d->PhysicalStart, d->NumberOfPages << PAGE_SHIFT);
    }
}
