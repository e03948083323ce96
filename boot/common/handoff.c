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
    [MM_TYPE_FRAMEBUFFER] = MOS_MEM_FRAMEBUFFER,
    [MM_TYPE_MODULE] = MOS_MEM_MODULE,
    [MM_TYPE_AP_TRAMPOLINE] = MOS_MEM_AP_TRAMPOLINE,
    [MM_TYPE_AP_STACKS] = MOS_MEM_AP_STACKS,
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

static void fill_header(struct mos_handoff *h)
{
    bc_text t;
    h->magic = MOS_HANDOFF_MAGIC;
    h->revision = MOS_HANDOFF_REVISION;
    h->size = sizeof *h;
    h->checksum = 0;
    h->loader_version = BC_LOADER_VERSION;
    h->bitmap_flags = MOS_BITMAP_BIT_SET_MEANS_USED;
    mm_memset(h->loader_name, 0, sizeof h->loader_name);
    bc_text_init(&t, h->loader_name, sizeof h->loader_name);
    bc_text_str(&t, BC_LOADER_NAME);
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
    *h = in->fields;
    fill_header(h);
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
    } else {
        h->efi_memmap_addr = h->efi_memmap_size = 0;
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
