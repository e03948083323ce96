/* Building synthetic ACPI structures in host memory for tests (host
 * only): little-endian stores, checksum fix-ups, the RSDP and the common
 * table header. The caller owns the bytes and writes table bodies. */
#ifndef TESTS_ACPI_BUILD_H
#define TESTS_ACPI_BUILD_H

#include <stdint.h>
#include <string.h>

#include "common/acpi.h"

static inline void acpi_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void acpi_put64(uint8_t *p, uint64_t v)
{
    acpi_put32(p, (uint32_t)v);
    acpi_put32(p + 4, (uint32_t)(v >> 32));
}

/* Makes the `len` bytes at p sum to 0 through the byte at `sum_off`. */
static inline void acpi_fix_sum(uint8_t *p, size_t len, size_t sum_off)
{
    p[sum_off] = 0;
    p[sum_off] = (uint8_t)(0u - bc_acpi_sum(p, len));
}

/* An RSDP of revision `rev` (36 bytes when rev >= 2, else 20) at p. */
static inline void acpi_build_rsdp(uint8_t *p, uint8_t rev, uint64_t rsdt, uint64_t xsdt)
{
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, "MOSOEM", 6);
    p[15] = rev;
    acpi_put32(p + 16, (uint32_t)rsdt);
    acpi_fix_sum(p, 20, 8);
    if (rev >= 2) {
        acpi_put32(p + 20, 36);
        acpi_put64(p + 24, xsdt);
        p[33] = p[34] = p[35] = 0;
        acpi_fix_sum(p, 36, 32);
    }
}

/* Header of a `len`-byte table at p whose body (from byte 36) the caller
 * wrote already; the checksum covers both. */
static inline void acpi_build_table(uint8_t *p, const char *sig, uint32_t len)
{
    memcpy(p, sig, 4);
    acpi_put32(p + 4, len);
    p[8] = 1;
    memcpy(p + 10, "MOSOEM", 6);
    acpi_fix_sum(p, len, 9);
}

/* MADT processor local APIC entry (8 bytes) at p. */
static inline void acpi_madt_lapic(uint8_t *p, uint8_t uid, uint8_t id, uint32_t flags)
{
    p[0] = BC_MADT_LAPIC;
    p[1] = 8;
    p[2] = uid;
    p[3] = id;
    acpi_put32(p + 4, flags);
}

/* MADT processor local x2APIC entry (16 bytes) at p. */
static inline void acpi_madt_x2apic(uint8_t *p, uint32_t uid, uint32_t id, uint32_t flags)
{
    memset(p, 0, 16);
    p[0] = BC_MADT_X2APIC;
    p[1] = 16;
    acpi_put32(p + 4, id);
    acpi_put32(p + 8, flags);
    acpi_put32(p + 12, uid);
}

#endif
