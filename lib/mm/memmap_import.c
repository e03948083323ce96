/* Memory map import from raw firmware data: BIOS E820 entries and UEFI
 * GetMemoryMap() buffers. Fields are read byte by byte (little-endian) so
 * neither the buffer's alignment nor the host's struct layout matters. */
#include "mm/memmap.h"

/* Appends without the overflow check of mm_map_add(): importers keep what
 * the firmware said, wrapping ranges included, for sanitize to clip and
 * report. */
static mm_status append_raw(mm_map *m, uint64_t base, uint64_t length, mm_type type,
                            uint32_t raw_type, uint64_t attributes)
{
    if (m->count >= m->capacity)
        return MM_ERR_MAP_FULL;
    m->entries[m->count++] = (mm_entry){base, length, (uint32_t)type, raw_type, attributes};
    return MM_OK;
}

mm_type mm_e820_type(uint32_t e820_type, uint64_t ext_attributes)
{
    switch (e820_type) {
    case MM_E820_USABLE:
        /* Non-volatile "RAM" must not become scratch memory of the OS. */
        if (ext_attributes & MM_E820_ATTR_NONVOLATILE)
            return MM_TYPE_PERSISTENT;
        return MM_TYPE_USABLE;
    case MM_E820_ACPI:
        return MM_TYPE_ACPI_RECLAIMABLE;
    case MM_E820_NVS:
        return MM_TYPE_ACPI_NVS;
    case MM_E820_UNUSABLE:
        return MM_TYPE_BAD;
    case MM_E820_PERSISTENT:
        return MM_TYPE_PERSISTENT;
    default: /* 2 and every code we do not know */
        return MM_TYPE_RESERVED;
    }
}

#define E820_ENTRY_SIZE    20u
#define E820_ENTRY_SIZE_X  24u
#define E820_OFF_BASE      0u
#define E820_OFF_LENGTH    8u
#define E820_OFF_TYPE      16u
#define E820_OFF_EXT_ATTRS 20u

mm_status mm_map_import_e820(mm_map *m, const void *entries, uint32_t count, uint32_t entry_size)
{
    if (!m || (!entries && count > 0))
        return MM_ERR_INVALID_ARGUMENT;
    if (entry_size != E820_ENTRY_SIZE && entry_size != E820_ENTRY_SIZE_X)
        return MM_ERR_INVALID_ARGUMENT;
    const uint8_t *p = (const uint8_t *)entries;
    uint32_t start_count = m->count;
    for (uint32_t i = 0; i < count; i++, p += entry_size) {
        uint64_t attrs = 0;
        if (entry_size == E820_ENTRY_SIZE_X) {
            attrs = mm_load_le32(p + E820_OFF_EXT_ATTRS);
            if (!(attrs & MM_E820_ATTR_ENABLED))
                continue;
        }
        uint32_t raw = mm_load_le32(p + E820_OFF_TYPE);
        mm_status st =
            append_raw(m, mm_load_le64(p + E820_OFF_BASE), mm_load_le64(p + E820_OFF_LENGTH),
                       mm_e820_type(raw, attrs), raw, attrs);
        if (st != MM_OK) {
            m->count = start_count;
            return st;
        }
    }
    return MM_OK;
}

mm_type mm_efi_type(uint32_t efi_type)
{
    static const uint8_t map[MM_EFI_TYPE_COUNT] = {
        [MM_EFI_RESERVED] = MM_TYPE_RESERVED,
        [MM_EFI_LOADER_CODE] = MM_TYPE_BOOTLOADER_RECLAIMABLE,
        [MM_EFI_LOADER_DATA] = MM_TYPE_BOOTLOADER_RECLAIMABLE,
        [MM_EFI_BOOT_SERVICES_CODE] = MM_TYPE_USABLE,
        [MM_EFI_BOOT_SERVICES_DATA] = MM_TYPE_USABLE,
        [MM_EFI_RUNTIME_SERVICES_CODE] = MM_TYPE_FW_RUNTIME_CODE,
        [MM_EFI_RUNTIME_SERVICES_DATA] = MM_TYPE_FW_RUNTIME_DATA,
        [MM_EFI_CONVENTIONAL] = MM_TYPE_USABLE,
        [MM_EFI_UNUSABLE] = MM_TYPE_BAD,
        [MM_EFI_ACPI_RECLAIM] = MM_TYPE_ACPI_RECLAIMABLE,
        [MM_EFI_ACPI_NVS] = MM_TYPE_ACPI_NVS,
        [MM_EFI_MMIO] = MM_TYPE_MMIO,
        [MM_EFI_MMIO_PORT_SPACE] = MM_TYPE_MMIO,
        [MM_EFI_PAL_CODE] = MM_TYPE_RESERVED,
        [MM_EFI_PERSISTENT] = MM_TYPE_PERSISTENT,
        [MM_EFI_UNACCEPTED] = MM_TYPE_UNACCEPTED,
    };
    if (efi_type >= MM_EFI_TYPE_COUNT)
        return MM_TYPE_RESERVED;
    return (mm_type)map[efi_type];
}

mm_type mm_efi_descriptor_type(uint32_t efi_type, uint64_t attributes)
{
    mm_type type = mm_efi_type(efi_type);
    if (type == MM_TYPE_USABLE && (attributes & MM_EFI_MEMORY_SP))
        return MM_TYPE_RESERVED;
    return type;
}

#define EFI_OFF_TYPE  0u
#define EFI_OFF_PHYS  8u
#define EFI_OFF_PAGES 24u
#define EFI_OFF_ATTRS 32u
/* Largest page count whose byte length fits in 64 bits. */
#define EFI_MAX_PAGES (UINT64_MAX >> MM_EFI_PAGE_SHIFT)

/* True when map_size is a whole number of desc_size strides (no 64-bit
 * division: i386 has no __umoddi3). */
static bool whole_descriptors(uint64_t map_size, uint64_t desc_size)
{
    uint64_t off = 0;
    while (map_size - off >= desc_size)
        off += desc_size;
    return off == map_size;
}

static mm_status import_efi_descriptor(mm_map *m, const uint8_t *d)
{
    uint32_t raw = mm_load_le32(d + EFI_OFF_TYPE);
    uint64_t pages = mm_load_le64(d + EFI_OFF_PAGES);
    if (pages == 0)
        return MM_OK;
    if (pages > EFI_MAX_PAGES)
        pages = EFI_MAX_PAGES;
    uint64_t attrs = mm_load_le64(d + EFI_OFF_ATTRS);
    return append_raw(m, mm_load_le64(d + EFI_OFF_PHYS), pages << MM_EFI_PAGE_SHIFT,
                      mm_efi_descriptor_type(raw, attrs), raw, attrs);
}

mm_status mm_map_import_efi(mm_map *m, const void *map, uint64_t map_size, uint64_t desc_size,
                            uint32_t desc_version)
{
    if (!m || (!map && map_size > 0) || desc_size < MM_EFI_DESC_MIN_SIZE || desc_version == 0)
        return MM_ERR_INVALID_ARGUMENT;
    if (!whole_descriptors(map_size, desc_size))
        return MM_ERR_INVALID_ARGUMENT;
    const uint8_t *p = (const uint8_t *)map;
    uint32_t start_count = m->count;
    for (uint64_t off = 0; off < map_size; off += desc_size) {
        mm_status st = import_efi_descriptor(m, p + (size_t)off);
        if (st != MM_OK) {
            m->count = start_count;
            return st;
        }
    }
    return MM_OK;
}
