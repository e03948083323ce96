/* BIOS memory detection: the E820 entries a BIOS returns are imported,
 * sanitized (overlaps resolved, empty entries dropped, usable RAM aligned
 * to frames) and validated; the program prints each step. */
#include "example.h"

int main(void)
{
    mm_logger lg = ex_logger(MM_LOG_DEBUG);
    mm_entry entries[32];
    mm_map map;
    ex_check(mm_map_init(&map, entries, MM_ARRAY_SIZE(entries)), "map init");

    printf("== raw E820 entries, as the BIOS returned them\n");
    for (size_t i = 0; i < MM_ARRAY_SIZE(ex_qemu_e820); i++)
        printf("  0x%08llx + 0x%08llx type %u\n", (unsigned long long)ex_qemu_e820[i].base,
               (unsigned long long)ex_qemu_e820[i].length, ex_qemu_e820[i].type);
    ex_check(mm_map_import_e820(&map, ex_qemu_e820, MM_ARRAY_SIZE(ex_qemu_e820), sizeof(ex_e820)),
             "import E820");

    printf("\n== sanitized at 4 KiB\n");
    static unsigned char scratch[4096];
    if (mm_map_sanitize_scratch_size(map.count) > sizeof scratch)
        return 1;
    mm_sanitize_report rep;
    ex_check(mm_map_sanitize(&map, 4096, scratch, sizeof scratch, &rep), "sanitize");
    printf("%u entries in, %u out: %u empty dropped, %u overlaps resolved, %u merged, "
           "%llu bytes trimmed\n",
           rep.entries_in, rep.entries_out, rep.empty_dropped, rep.overlaps_resolved, rep.merged,
           (unsigned long long)rep.bytes_trimmed);
    mm_log_map(&lg, MM_LOG_INFO, &map);

    mm_validate_error verr;
    mm_status st = mm_map_validate(&map, 4096, &verr);
    printf("\nvalidate: %s\n", st == MM_OK ? "ok" : mm_validate_rule_name(verr.rule));

    struct mm_map_stats s;
    mm_map_stats(&map, &s);
    char usable[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(usable, sizeof usable, s.usable_bytes);
    printf("usable RAM: %s, highest usable address %#llx\n", usable,
           (unsigned long long)s.highest_usable_end);
    return st == MM_OK ? 0 : 1;
}
