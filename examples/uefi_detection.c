/* UEFI memory detection: a GetMemoryMap() buffer (descriptor stride taken
 * from the firmware, 48 bytes here) is imported as it will stand after
 * ExitBootServices: boot-services memory becomes usable, the loader's own
 * code and data bootloader-reclaimable, runtime services and ACPI stay
 * apart. */
#include "example.h"

static const char *efi_type_name(uint32_t t)
{
    static const char *const names[] = {
        "Reserved",         "LoaderCode",  "LoaderData",  "BootServicesCode",
        "BootServicesData", "RuntimeCode", "RuntimeData", "Conventional",
        "Unusable",         "ACPIReclaim", "ACPINVS",     "MMIO",
        "MMIOPortSpace",    "PalCode",     "Persistent",  "Unaccepted",
    };
    return t < MM_ARRAY_SIZE(names) ? names[t] : "?";
}

int main(void)
{
    mm_logger lg = ex_logger(MM_LOG_INFO);
    mm_entry entries[48];
    mm_map map;
    ex_check(mm_map_init(&map, entries, MM_ARRAY_SIZE(entries)), "map init");

    printf("== EFI descriptors (stride %zu bytes)\n", sizeof(ex_efi_desc));
    for (size_t i = 0; i < MM_ARRAY_SIZE(ex_ovmf_efi); i++) {
        const ex_efi_desc *d = &ex_ovmf_efi[i];
        printf("  %-17s 0x%08llx %6llu pages -> %s\n", efi_type_name(d->type),
               (unsigned long long)d->phys, (unsigned long long)d->pages,
               mm_type_name(mm_efi_type(d->type)));
    }
    ex_check(mm_map_import_efi(&map, ex_ovmf_efi, sizeof ex_ovmf_efi, sizeof(ex_efi_desc), 1),
             "import EFI map");

    static unsigned char scratch[8192];
    mm_sanitize_report rep;
    ex_check(mm_map_sanitize(&map, 4096, scratch, sizeof scratch, &rep), "sanitize");
    printf("\n== after ExitBootServices, sanitized (%u descriptors -> %u entries, %u merged)\n",
           rep.entries_in, rep.entries_out, rep.merged);
    mm_log_map(&lg, MM_LOG_INFO, &map);

    struct mm_map_stats s;
    mm_map_stats(&map, &s);
    printf("\nper type:\n");
    for (int t = MM_TYPE_USABLE; t < MM_TYPE_COUNT; t++) {
        if (s.entries[t] == 0)
            continue;
        char size[MM_FMT_BYTES_MAX];
        mm_fmt_bytes(size, sizeof size, s.bytes[t]);
        printf("  %-24s %10s\n", mm_type_name((mm_type)t), size);
    }
    return mm_map_validate(&map, 4096, NULL) == MM_OK ? 0 : 1;
}
