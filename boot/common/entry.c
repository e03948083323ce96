#include "entry.h"

#include <stddef.h>

#include "driver.h"

/* Flat descriptors: base 0, limit 0xfffff with 4 KiB granularity (the
 * 16-bit ones: limit 0xffff, byte granularity). Access byte 0x9a = present
 * ring-0 code, 0x92 = present ring-0 data; flags 0xa = G + L (64-bit
 * code), 0xc = G + D (32-bit), 0x0 = 16-bit. */
void bc_gdt_fill(uint64_t gdt[BC_GDT_ENTRIES])
{
    gdt[BC_SEL_NULL >> 3] = 0;
    gdt[BC_SEL_CODE64 >> 3] = 0x00af9a000000ffffULL;
    gdt[BC_SEL_DATA >> 3] = 0x00cf92000000ffffULL;
    gdt[BC_SEL_CODE32 >> 3] = 0x00cf9a000000ffffULL;
    gdt[BC_SEL_CODE16 >> 3] = 0x00009a000000ffffULL;
    gdt[BC_SEL_DATA16 >> 3] = 0x000092000000ffffULL;
}

#define FOUR_GIB ((uint64_t)1 << 32)

_Static_assert(offsetof(bc_pm_jump, esp) == 16 && offsetof(bc_pm_jump, resume) == 20 &&
                   offsetof(bc_pm_jump, cs) == 24 && offsetof(bc_pm_jump, gdt_limit) == 26 &&
                   offsetof(bc_pm_jump, gdt) == 28 && offsetof(bc_pm_jump, ds) == 32,
               "bc_pm_jump layout (BC_ENTER32_TAIL)");

/* A ring-0 selector of the GDT (TI = 0, RPL = 0), not the null one,
 * whose 8-byte descriptor lies within `limit`. */
static bool gdt_selector_ok(uint16_t sel, uint16_t limit)
{
    return sel != 0 && (sel & 7u) == 0 && (uint32_t)sel + 7u <= limit;
}

const char *bc_pm_jump_fill(const bc_entry *e, uint32_t own_gdt, uint32_t resume, bc_pm_jump *out)
{
    bool own = e->gdt == 0;
    uint64_t gdt = own ? own_gdt : e->gdt;
    uint16_t limit = own ? BC_GDT_ENTRIES * 8u - 1u : e->gdt_limit;
    uint16_t cs = own ? BC_SEL_CODE32 : e->cs, ds = own ? BC_SEL_DATA : e->ds;
    /* gdt < 4 GiB first, so gdt + limit cannot wrap. */
    if (e->entry >= FOUR_GIB || gdt >= FOUR_GIB || gdt + limit >= FOUR_GIB)
        return "entry point or GDT above 4 GiB";
    if (!gdt_selector_ok(cs, limit) || !gdt_selector_ok(ds, limit))
        return "a selector outside its GDT";
    out->entry = (uint32_t)e->entry;
    out->eax = e->eax;
    out->ebx = e->ebx;
    out->esi = e->esi;
    out->esp = e->esp;
    out->resume = resume;
    out->cs = cs;
    out->gdt_limit = limit;
    out->gdt = (uint32_t)gdt;
    out->ds = ds;
    return NULL;
}
