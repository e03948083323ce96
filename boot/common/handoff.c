/* Handoff builder and verifier; the one mm_type <-> MOS_MEM_* table. */
#include "handoff.h"

#include "entry.h"
#include "text.h"

/* Indexed by mm_type. */
static const uint32_t mos_of_mm[MM_TYPE_COUNT] = {
    [MM_TYPE_NONE] = 0,
    [MM_TYPE_USABLE] = MOS_MEM_USABLE,
    [MM_TYPE_RESERVED] = MOS_MEM_RESERVED,
    [MM_TYPE_ACPI_RECLAIMABLE] = MOS_MEM_ACPI_RECLAIMABLE,
    [MM_TYPE_ACPI_NVS] = MOS_MEM_ACPI_NVS,
    [MM_TYPE_BAD] = MOS_MEM_BAD,
    [MM_TYPE_PERSISTENT] = MOS_MEM_PERSISTENT,
    [MM_TYPE_FW_RUNTIME_CODE] = MOS_MEM_RUNTIME_CODE,
    [MM_TYPE_FW_RUNTIME_DATA] = MOS_MEM_RUNTIME_DATA,
    [MM_TYPE_MMIO] = MOS_MEM_MMIO,
    [MM_TYPE_UNACCEPTED] = MOS_MEM_UNACCEPTED,
    [MM_TYPE_BOOTLOADER_RECLAIMABLE] = MOS_MEM_BOOTLOADER_RECLAIMABLE,
    [MM_TYPE_KERNEL] = MOS_MEM_KERNEL,
    [MM_TYPE_KERNEL_STACK] = MOS_MEM_KERNEL_STACK,
    [MM_TYPE_TEMP_HEAP] = MOS_MEM_TEMP_HEAP,
    [MM_TYPE_BOOT_HEAP] = MOS_MEM_BOOT_HEAP,
    [MM_TYPE_PAGE_TABLES] = MOS_MEM_PAGE_TABLES,
    [MM_TYPE_FRAME_BITMAP] = MOS_MEM_FRAME_BITMAP,
    [MM_TYPE_HANDOFF] = MOS_MEM_HANDOFF,
};

uint32_t bc_mos_type_from_mm(uint32_t mm_type)
{
    return mm_type < MM_TYPE_COUNT ? mos_of_mm[mm_type] : 0;
}

uint32_t bc_mm_type_from_mos(uint32_t mos_type)
{
    for (uint32_t t = MM_TYPE_NONE + 1; mos_type && t < MM_TYPE_COUNT; t++) {
        if (mos_of_mm[t] == mos_type)
            return t;
    }
    return MM_TYPE_NONE;
}

const char *bc_mos_type_name(uint32_t mos_type)
{
    uint32_t t = bc_mm_type_from_mos(mos_type);
    return t == MM_TYPE_NONE ? "unknown" : mm_type_name((mm_type)t); /* one name table */
}

uint32_t bc_handoff_map_capacity(uint32_t raw_count)
{
    /* Sanitizing n entries yields at most 2n + 1 (each nested entry splits
     * its host in two); each carve splits one entry into at most three. */
    uint64_t cap = 2 * (uint64_t)raw_count + 1 + 2 * (uint64_t)BC_HANDOFF_MAX_CARVES;
    return cap > 0xffffffffu ? 0 : (uint32_t)cap;
}

mm_status bc_handoff_layout_init(bc_handoff_layout *l, uint32_t map_capacity,
                                 uint32_t cmdline_bytes, uint64_t efi_map_bytes)
{
    if (!l || map_capacity == 0 || cmdline_bytes == 0)
        return MM_ERR_INVALID_ARGUMENT;
    const uint64_t limit = 4 * MM_GIB;
    uint64_t off = sizeof(struct mos_handoff);
    mm_memset(l, 0, sizeof *l);
    l->map_capacity = map_capacity;
    l->cmdline_capacity = cmdline_bytes;
    l->efi_capacity = efi_map_bytes;
    mm_align_up(off, 16, &l->map_off);
    l->cmdline_off = l->map_off + (uint64_t)map_capacity * sizeof(struct mos_memmap_entry);
    mm_align_up(l->cmdline_off + cmdline_bytes, 16, &l->efi_off);
    if (efi_map_bytes >= limit)
        return MM_ERR_OVERFLOW;
    if (!mm_align_up(l->efi_off + efi_map_bytes, 4096, &l->bytes) || l->bytes >= limit)
        return MM_ERR_OVERFLOW;
    return MM_OK;
}

static void fill_header(struct mos_handoff *h, const bc_handoff_input *in)
{
    bc_text t;
    h->magic = MOS_HANDOFF_MAGIC;
    h->revision = MOS_HANDOFF_REVISION;
    h->size = sizeof *h;
    h->boot_mode = in->boot_mode;
    h->loader_version = BC_LOADER_VERSION;
    bc_text_init(&t, h->loader_name, sizeof h->loader_name);
    bc_text_str(&t, BC_LOADER_NAME);
}

static void fill_fields(struct mos_handoff *h, const bc_handoff_input *in)
{
    h->temp_heap_base = in->temp_heap_base;
    h->temp_heap_size = in->temp_heap_size;
    h->boot_heap_base = in->boot_heap_base;
    h->boot_heap_size = in->boot_heap_size;
    h->boot_heap_used = in->boot_heap_used;
    h->bitmap_addr = in->bitmap_addr;
    h->bitmap_size = in->bitmap_size;
    h->bitmap_first_frame = in->bitmap_first_frame;
    h->bitmap_frame_count = in->bitmap_frame_count;
    h->bitmap_granularity = in->bitmap_granularity;
    h->bitmap_flags = MOS_BITMAP_BIT_SET_MEANS_USED;
    h->efi_system_table = in->efi_system_table;
    h->efi_desc_size = in->efi_desc_size;
    h->efi_desc_version = in->efi_desc_version;
    h->acpi_rsdp = in->acpi_rsdp;
    h->bios_memory_detect = in->bios_memory_detect;
    h->kernel_phys_base = in->kernel_phys_base;
    h->kernel_virt_base = in->kernel_virt_base;
    h->kernel_size = in->kernel_size;
    h->kernel_entry = in->kernel_entry;
    h->stack_phys_base = in->stack_phys_base;
    h->stack_size = in->stack_size;
    h->stack_virt_top = in->stack_virt_top;
    h->cr3 = in->cr3;
    h->hhdm_offset = in->hhdm_offset;
    h->hhdm_size = in->hhdm_size;
    h->identity_map_size = in->identity_map_size;
    h->tsc_loader_entry = in->tsc_loader_entry;
    h->tsc_memmap_done = in->tsc_memmap_done;
    h->tsc_frequency_hz = in->tsc_frequency_hz;
    h->sanitize_overlaps = in->sanitize_overlaps;
    h->sanitize_merged = in->sanitize_merged;
    h->sanitize_trimmed = in->sanitize_trimmed;
    h->memtest_bad_bytes = in->memtest_bad_bytes;
}

/* Translates the map into `out`; false on an entry without MOS type. */
static bool copy_map(const mm_map *map, struct mos_memmap_entry *out)
{
    for (uint32_t i = 0; i < map->count; i++) {
        const mm_entry *e = &map->entries[i];
        uint32_t type = bc_mos_type_from_mm(e->type);
        if (type == 0)
            return false;
        out[i] = (struct mos_memmap_entry){e->base, e->length, type, e->raw_type, e->attributes};
    }
    return true;
}

uint32_t bc_cmdline_bytes(const char *cmdline)
{
    uint32_t n = 0;
    while (cmdline && cmdline[n])
        n++;
    return n + 1;
}

void bc_handoff_input_fill(bc_handoff_input *in, const bc_handoff_sources *s)
{
    const bc_paging_layout *pg = s->paging;
    mm_memset(in, 0, sizeof(*in));
    in->boot_mode = s->boot_mode;
    in->bios_memory_detect = MOS_BIOS_DETECT_NONE;
    in->map = s->map;
    in->temp_heap_base = s->temp_heap.base;
    in->temp_heap_size = s->temp_heap.size;
    in->boot_heap_base = s->boot_heap.base;
    in->boot_heap_size = s->boot_heap.size;
    in->bitmap_addr = s->bitmap_storage.base;
    in->bitmap_size = s->bitmap->storage_bytes;
    in->bitmap_first_frame = s->bitmap->first_frame;
    in->bitmap_frame_count = s->bitmap->frame_count;
    in->bitmap_granularity = (uint32_t)s->bitmap->granularity;
    in->acpi_rsdp = s->acpi_rsdp;
    in->cmdline = s->cmdline;
    in->kernel_phys_base = s->kernel.base;
    in->kernel_virt_base = s->elf->virt_base;
    in->kernel_size = s->elf->span;
    in->kernel_entry = s->elf->entry;
    in->stack_phys_base = s->stack.base;
    in->stack_size = s->stack.size;
    in->stack_virt_top = bc_entry_rsp(pg->hhdm_offset, s->stack.base, s->stack.size);
    in->cr3 = s->cr3;
    in->hhdm_offset = pg->hhdm_offset;
    in->hhdm_size = pg->hhdm_size;
    in->identity_map_size = pg->identity_size;
    in->tsc_loader_entry = s->tsc_loader_entry;
    in->tsc_memmap_done = s->tsc_memmap_done;
    in->tsc_frequency_hz = s->tsc_frequency_hz;
    in->sanitize_overlaps = s->sanitize->overlaps_resolved;
    in->sanitize_merged = s->sanitize->merged;
    in->sanitize_trimmed = s->sanitize->bytes_trimmed;
    in->memtest_bad_bytes = s->memtest_bad_bytes;
}

mm_status bc_handoff_build(const bc_handoff_input *in, const bc_handoff_layout *l, void *region,
                           uint64_t region_phys, struct mos_handoff **out)
{
    if (!in || !l || !region || !out || !in->map || (in->map->count && !in->map->entries) ||
        (in->efi_map_size && !in->efi_map))
        return MM_ERR_INVALID_ARGUMENT;
    const char *cmdline = in->cmdline ? in->cmdline : "";
    size_t cmd_len = bc_strnlen(cmdline, l->cmdline_capacity);
    if (in->map->count > l->map_capacity || cmd_len >= l->cmdline_capacity ||
        in->efi_map_size > l->efi_capacity)
        return MM_ERR_BUFFER_TOO_SMALL;
    unsigned char *base = (unsigned char *)region;
    mm_memset(base, 0, (size_t)l->bytes);
    struct mos_handoff *h = (struct mos_handoff *)region;
    if (!copy_map(in->map, (struct mos_memmap_entry *)(base + l->map_off)))
        return MM_ERR_INVALID_ARGUMENT;
    fill_header(h, in);
    fill_fields(h, in);
    h->memmap_addr = region_phys + l->map_off;
    h->memmap_count = in->map->count;
    h->memmap_entry_size = sizeof(struct mos_memmap_entry);
    size_t map_bytes = (size_t)in->map->count * sizeof(struct mos_memmap_entry);
    h->memmap_crc32 = mos_crc32_skip(base + l->map_off, map_bytes, map_bytes);
    mm_memcpy(base + l->cmdline_off, cmdline, cmd_len);
    h->cmdline_addr = region_phys + l->cmdline_off;
    h->cmdline_size = (uint32_t)cmd_len + 1;
    if (in->efi_map_size) {
        mm_memcpy(base + l->efi_off, in->efi_map, (size_t)in->efi_map_size);
        h->efi_memmap_addr = region_phys + l->efi_off;
        h->efi_memmap_size = in->efi_map_size;
    }
    *out = h;
    return MM_OK;
}

void bc_handoff_seal(struct mos_handoff *h, uint64_t tsc_kernel_jump)
{
    h->tsc_kernel_jump = tsc_kernel_jump;
    h->checksum = 0;
    h->checksum = mos_handoff_checksum(h);
}
