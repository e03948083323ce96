/* Building synthetic SMBIOS entry points in host memory for tests (host
 * only), checksums fixed up: "_SM3_" (24 bytes) and "_SM_" (31 bytes with
 * its "_DMI_" part). The caller owns the 32 bytes at `e`. */
#ifndef TESTS_SMBIOS_BUILD_H
#define TESTS_SMBIOS_BUILD_H

#include "acpi_build.h"

/* SMBIOS `major`.`minor` behind a "_SM3_" entry point. */
static inline void smbios_build_3(uint8_t *e, uint8_t major, uint8_t minor)
{
    memset(e, 0, 32);
    memcpy(e, "_SM3_", 5);
    e[6] = 24;
    e[7] = major;
    e[8] = minor;
    e[10] = 1; /* entry point revision */
    acpi_put64(e + 16, 0x7fe3000);
    acpi_fix_sum(e, 24, 5);
}

/* SMBIOS `major`.`minor` behind a "_SM_" entry point. */
static inline void smbios_build_2(uint8_t *e, uint8_t major, uint8_t minor)
{
    memset(e, 0, 32);
    memcpy(e, "_SM_", 4);
    e[5] = 31;
    e[6] = major;
    e[7] = minor;
    memcpy(e + 16, "_DMI_", 5);
    acpi_put32(e + 24, 0x7fe3000);
    acpi_fix_sum(e + 16, 15, 5);
    acpi_fix_sum(e, 31, 4);
}

#endif
