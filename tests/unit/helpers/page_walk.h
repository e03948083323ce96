/* A software x86-64 page walker for tests: follows CR3 like the MMU
 * (4 levels, 2 MiB leaves at the PD, 4 KiB at the PT; write = AND of the
 * RW bits on the way, NX = OR of the NX bits), reading tables through a
 * bc_paging_region's translation. It shares no code with the builder, so
 * it can catch the builder's mistakes. Tables outside the region and
 * 1 GiB pages fail the current test. */
#ifndef TEST_PAGE_WALK_H
#define TEST_PAGE_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/paging.h"

typedef struct page_walk {
    bool present;
    uint64_t phys;
    bool writable, nx;
    uint64_t page; /* leaf size in bytes */
} page_walk;

/* Translation of `virt` under the tables at `cr3` in `r`. */
page_walk page_walk_translate(const bc_paging_region *r, uint64_t cr3, uint64_t virt);

/* Tables reachable from the PML4 at `cr3`, the PML4 included. */
uint64_t page_walk_count_tables(const bc_paging_region *r, uint64_t cr3);

#endif
