/* ACPI fuzzer: the input is physical memory from WIN on, with the RSDP at
 * its start. The harness writes the RSDP signature and fixes its two
 * checksums (random bytes would never pass them), then runs the root walk
 * and the MADT parser through a map function that refuses anything outside
 * the input; the raw input is also parsed as an MADT of its own length
 * and scanned for an RSDP as the BIOS area is.
 * Nothing may be read outside the buffer (ASan), and what the parser
 * reports must be consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/acpi.h"

#define WIN       0x80000ULL
#define MAX_BYTES 8192u
#define CPU_SLOTS 8u

typedef struct window {
    const uint8_t *p;
    size_t n;
} window;

static const void *map_fn(void *ctx, uint64_t phys, uint64_t len)
{
    const window *w = ctx;
    if (phys < WIN || len > w->n || phys - WIN > w->n - len)
        return NULL;
    return w->p + (phys - WIN);
}

static void fix_rsdp(uint8_t *p, size_t n)
{
    if (n < BC_RSDP_V2_SIZE)
        return;
    memcpy(p, "RSD PTR ", 8);
    p[8] = 0;
    p[8] = (uint8_t)(0u - bc_acpi_sum(p, BC_RSDP_V1_SIZE));
    uint32_t len = mm_load_le32(p + 20);
    if (p[15] >= 2 && len >= BC_RSDP_V2_SIZE && len <= n) {
        p[32] = 0;
        p[32] = (uint8_t)(0u - bc_acpi_sum(p, len));
    }
}

static void check_madt(const bc_madt *m, const bc_madt_cpu *cpus, mm_status st)
{
    if (m->stored > CPU_SLOTS || m->stored > m->count)
        abort();
    if (st == MM_OK && m->stored != m->count)
        abort();
    for (uint32_t i = 0; i < m->stored; i++) {
        if (cpus[i].flags == 0 || (cpus[i].flags & ~3u))
            abort();
        for (uint32_t j = 0; j < i; j++)
            if (cpus[j].apic_id == cpus[i].apic_id)
                abort();
    }
}

static void parse(const uint8_t *p, uint32_t len)
{
    bc_madt m;
    bc_madt_cpu cpus[CPU_SLOTS];
    mm_status st = bc_madt_parse(p, len, &m, cpus, CPU_SLOTS);
    if (st != MM_ERR_INVALID_ARGUMENT)
        check_madt(&m, cpus, st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_BYTES)
        return 0;
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    fix_rsdp(buf, size);
    window w = {buf, size};
    bc_acpi a;
    char why[96];
    if (bc_acpi_init(&a, WIN, map_fn, &w, why, sizeof why) == MM_OK) {
        uint64_t at;
        uint32_t len;
        for (uint32_t i = 0; bc_acpi_find(&a, "APIC", i, &at) == MM_OK && i < 4; i++) {
            const uint8_t *t = bc_acpi_table(&a, at, "APIC", &len);
            if (!t)
                abort(); /* find promised a valid table */
            parse(t, len);
        }
    } else if (why[0] == '\0') {
        abort(); /* every refusal has a reason */
    }
    parse(buf, (uint32_t)size);
    /* The BIOS-area scan over the input as it came (fixed RSDP included):
     * what it finds must validate where it is. */
    size_t off;
    bc_acpi found;
    if (bc_rsdp_scan(buf, size, &off) == MM_OK &&
        (off % 16 || bc_rsdp_validate(buf + off, size - off, &found, NULL, 0) != MM_OK))
        abort();
    free(buf);
    return 0;
}
