#include "entry.h"

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
