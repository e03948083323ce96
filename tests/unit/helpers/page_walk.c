#include "page_walk.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define ADDR 0x000ffffffffff000ULL

static const uint64_t *table(const bc_paging_region *r, uint64_t phys)
{
    if (phys < r->phys || phys + 4096 > r->phys + r->size)
        fail_msg("table at 0x%llx outside the region", (unsigned long long)phys);
    return (const uint64_t *)r->to_ptr(r->ctx, phys);
}

page_walk page_walk_translate(const bc_paging_region *r, uint64_t cr3, uint64_t virt)
{
    page_walk w = {.writable = true};
    uint64_t t = cr3;
    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t e = table(r, t)[(virt >> shift) & 511];
        if (!(e & 1))
            return (page_walk){0};
        w.writable &= (e >> 1) & 1;
        w.nx |= e >> 63;
        if (shift == 30 && (e & 0x80))
            fail_msg("1 GiB page used");
        if (shift == 12 || (shift == 21 && (e & 0x80))) {
            uint64_t size = 1ULL << shift;
            w.present = true;
            w.page = size;
            w.phys = (e & ADDR & ~(size - 1)) + (virt & (size - 1));
            return w;
        }
        t = e & ADDR;
    }
    return (page_walk){0};
}

static uint64_t reachable(const bc_paging_region *r, uint64_t phys, int level)
{
    uint64_t n = 1;
    const uint64_t *t = table(r, phys);
    for (int i = 0; level > 1 && i < 512; i++) {
        if ((t[i] & 1) && !(t[i] & 0x80))
            n += reachable(r, t[i] & ADDR, level - 1);
    }
    return n;
}

uint64_t page_walk_count_tables(const bc_paging_region *r, uint64_t cr3)
{
    return reachable(r, cr3, 4);
}
