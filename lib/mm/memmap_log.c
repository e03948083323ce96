/* Memory map: log output. */
#include "mm/memmap.h"

void mm_log_map(const mm_logger *lg, mm_log_level level, const mm_map *map)
{
    if (!map || !mm_log_enabled(lg, level))
        return;
    mm_log(lg, level, "memory map, %u entries:", map->count);
    for (uint32_t i = 0; i < map->count; i++) {
        const mm_entry *e = &map->entries[i];
        char size[MM_FMT_BYTES_MAX];
        mm_fmt_bytes(size, sizeof size, e->length);
        mm_log(lg, level, "  [0x%012llx - 0x%012llx) %11s  %s", (unsigned long long)e->base,
               (unsigned long long)mm_entry_end(e), size, mm_type_name((mm_type)e->type));
    }
}
