/* Memory map: names, construction, lookups, statistics, fallback layout.
 * Import, sanitize, validate and carve live in memmap_*.c. */
#include "mm/memmap.h"

static const char *const type_names[MM_TYPE_COUNT] = {
    [MM_TYPE_NONE] = "none",
    [MM_TYPE_USABLE] = "usable",
    [MM_TYPE_RESERVED] = "reserved",
    [MM_TYPE_ACPI_RECLAIMABLE] = "acpi-reclaimable",
    [MM_TYPE_ACPI_NVS] = "acpi-nvs",
    [MM_TYPE_BAD] = "bad",
    [MM_TYPE_PERSISTENT] = "persistent",
    [MM_TYPE_FW_RUNTIME_CODE] = "runtime-code",
    [MM_TYPE_FW_RUNTIME_DATA] = "runtime-data",
    [MM_TYPE_MMIO] = "mmio",
    [MM_TYPE_UNACCEPTED] = "unaccepted",
    [MM_TYPE_BOOTLOADER_RECLAIMABLE] = "bootloader-reclaimable",
    [MM_TYPE_KERNEL] = "kernel",
    [MM_TYPE_KERNEL_STACK] = "kernel-stack",
    [MM_TYPE_TEMP_HEAP] = "temp-heap",
    [MM_TYPE_BOOT_HEAP] = "boot-heap",
    [MM_TYPE_PAGE_TABLES] = "page-tables",
    [MM_TYPE_FRAME_BITMAP] = "frame-bitmap",
    [MM_TYPE_HANDOFF] = "handoff",
    [MM_TYPE_FRAMEBUFFER] = "framebuffer",
    [MM_TYPE_MODULE] = "module",
    [MM_TYPE_AP_TRAMPOLINE] = "ap-trampoline",
    [MM_TYPE_AP_STACKS] = "ap-stacks",
};

/* Overlap priority, higher wins. The order follows "whoever forbids more
 * wins": loader-owned ranges only ever come from usable RAM, so any
 * firmware claim beats them; among firmware types, what is RAM in some way
 * (unaccepted, ACPI tables, persistent) yields to what must stay untouched
 * (runtime services, NVS), which yields to what may not be RAM at all
 * (reserved, MMIO). The framebuffer beats those: firmware often lists it
 * as reserved or MMIO, and the loader's finer knowledge of the range should
 * survive. Memory known to be broken beats everything. */
static const uint8_t type_priority[MM_TYPE_COUNT] = {
    [MM_TYPE_NONE] = 0,
    [MM_TYPE_USABLE] = 1,
    [MM_TYPE_BOOTLOADER_RECLAIMABLE] = 2,
    [MM_TYPE_TEMP_HEAP] = 3,
    [MM_TYPE_BOOT_HEAP] = 4,
    [MM_TYPE_HANDOFF] = 5,
    [MM_TYPE_FRAME_BITMAP] = 6,
    [MM_TYPE_PAGE_TABLES] = 7,
    [MM_TYPE_KERNEL_STACK] = 8,
    [MM_TYPE_KERNEL] = 9,
    [MM_TYPE_MODULE] = 10,
    [MM_TYPE_AP_STACKS] = 11,
    [MM_TYPE_AP_TRAMPOLINE] = 12,
    [MM_TYPE_UNACCEPTED] = 13,
    [MM_TYPE_ACPI_RECLAIMABLE] = 14,
    [MM_TYPE_PERSISTENT] = 15,
    [MM_TYPE_FW_RUNTIME_DATA] = 16,
    [MM_TYPE_FW_RUNTIME_CODE] = 17,
    [MM_TYPE_ACPI_NVS] = 18,
    [MM_TYPE_RESERVED] = 19,
    [MM_TYPE_MMIO] = 20,
    [MM_TYPE_FRAMEBUFFER] = 21,
    [MM_TYPE_BAD] = 22,
};

static bool type_valid(uint32_t t)
{
    return t > MM_TYPE_NONE && t < MM_TYPE_COUNT;
}

const char *mm_type_name(mm_type t)
{
    if ((uint32_t)t >= MM_TYPE_COUNT)
        return "invalid";
    return type_names[t];
}

mm_type mm_type_from_name(const char *name)
{
    if (!name)
        return MM_TYPE_NONE;
    for (uint32_t t = MM_TYPE_USABLE; t < MM_TYPE_COUNT; t++) {
        if (mm_str_eq(name, type_names[t]))
            return (mm_type)t;
    }
    return MM_TYPE_NONE;
}

const char *mm_boot_mode_name(mm_boot_mode mode)
{
    switch (mode) {
    case MM_BOOT_UEFI:
        return "uefi";
    case MM_BOOT_BIOS:
        return "bios";
    default:
        return "unknown";
    }
}

uint32_t mm_type_priority(mm_type t)
{
    if (!type_valid((uint32_t)t))
        return type_priority[MM_TYPE_RESERVED];
    return type_priority[t];
}

bool mm_entries_mergeable(const mm_entry *a, const mm_entry *b)
{
    if (a->base + a->length != b->base || a->type != b->type || a->attributes != b->attributes)
        return false;
    return a->raw_type == b->raw_type || a->type == MM_TYPE_USABLE;
}

mm_status mm_map_init(mm_map *m, mm_entry *storage, uint32_t capacity)
{
    if (!m || (!storage && capacity > 0))
        return MM_ERR_INVALID_ARGUMENT;
    m->entries = storage;
    m->count = 0;
    m->capacity = capacity;
    m->frame_size = MM_FRAME_SIZE_DEFAULT;
    return MM_OK;
}

void mm_map_clear(mm_map *m)
{
    if (m)
        m->count = 0;
}

mm_status mm_map_add(mm_map *m, uint64_t base, uint64_t length, mm_type type, uint32_t raw_type,
                     uint64_t attributes)
{
    uint64_t end;
    if (!m || !type_valid((uint32_t)type))
        return MM_ERR_INVALID_ARGUMENT;
    if (!mm_range_end(base, length, &end))
        return MM_ERR_OVERFLOW;
    if (m->count >= m->capacity)
        return MM_ERR_MAP_FULL;
    m->entries[m->count++] = (mm_entry){base, length, (uint32_t)type, raw_type, attributes};
    return MM_OK;
}

/* Index of the last entry with base <= addr, or count when there is none. */
static uint32_t last_at_or_below(const mm_map *m, uint64_t addr)
{
    uint32_t lo = 0, hi = m->count; /* answer in [lo - 1, hi) */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->entries[mid].base <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? m->count : lo - 1;
}

mm_type mm_map_type_at(const mm_map *m, uint64_t addr)
{
    if (!m || m->count == 0)
        return MM_TYPE_NONE;
    uint32_t i = last_at_or_below(m, addr);
    if (i == m->count || addr - m->entries[i].base >= m->entries[i].length)
        return MM_TYPE_NONE;
    return (mm_type)m->entries[i].type;
}

bool mm_map_range_is(const mm_map *m, uint64_t base, uint64_t length, mm_type type)
{
    uint64_t end;
    if (!m || length == 0 || !mm_range_end(base, length, &end))
        return false;
    uint32_t i = last_at_or_below(m, base);
    if (i == m->count)
        return false;
    uint64_t covered = base; /* [base, covered) is known to be `type` */
    for (; i < m->count && covered < end; i++) {
        const mm_entry *e = &m->entries[i];
        if (e->type != (uint32_t)type || e->base > covered || mm_entry_end(e) <= covered)
            return false;
        covered = mm_entry_end(e);
    }
    return covered >= end;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

void mm_map_stats(const mm_map *m, struct mm_map_stats *s)
{
    if (!s)
        return;
    mm_memset(s, 0, sizeof(*s));
    if (!m)
        return;
    for (uint32_t i = 0; i < m->count; i++) {
        const mm_entry *e = &m->entries[i];
        uint32_t t = type_valid(e->type) ? e->type : MM_TYPE_NONE;
        uint64_t end = add_sat(e->base, e->length);
        s->bytes[t] = add_sat(s->bytes[t], e->length);
        s->entries[t]++;
        s->total_bytes = add_sat(s->total_bytes, e->length);
        if (end > s->highest_end)
            s->highest_end = end;
        if (t == MM_TYPE_USABLE && e->length > 0 && end > s->highest_usable_end)
            s->highest_usable_end = end;
    }
    s->entry_count = m->count;
    s->usable_bytes = s->bytes[MM_TYPE_USABLE];
}

#define FALLBACK_EBDA   0x9F000u
#define FALLBACK_HIGH   0x100000u
#define FALLBACK_NEEDED 3u

mm_status mm_map_fallback(mm_map *m, uint64_t ram_bytes_hint)
{
    if (!m)
        return MM_ERR_INVALID_ARGUMENT;
    m->count = 0;
    if (m->capacity < FALLBACK_NEEDED)
        return MM_ERR_MAP_FULL;
    uint64_t top = ram_bytes_hint ? ram_bytes_hint : MM_FALLBACK_DEFAULT_RAM;
    if (top > MM_FALLBACK_MAX_END)
        top = MM_FALLBACK_MAX_END;
    top = mm_align_down(top, MM_MIB);
    mm_map_add(m, 0, FALLBACK_EBDA, MM_TYPE_USABLE, 0, 0);
    /* EBDA + VGA/ROM area: one entry, as two equal neighbours would not be
     * a sanitized map. */
    mm_map_add(m, FALLBACK_EBDA, FALLBACK_HIGH - FALLBACK_EBDA, MM_TYPE_RESERVED, 0, 0);
    if (top > FALLBACK_HIGH)
        mm_map_add(m, FALLBACK_HIGH, top - FALLBACK_HIGH, MM_TYPE_USABLE, 0, 0);
    return MM_OK;
}
