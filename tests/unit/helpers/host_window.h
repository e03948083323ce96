/* Host memory standing in for physical RAM: a buffer that appears at
 * physical [base, base + size), for the memory test. */
#ifndef HOST_WINDOW_H
#define HOST_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "mm/memtest.h"

typedef struct host_window {
    unsigned char *buf;
    size_t size;
    mm_phys_window w; /* base, end = base + size, virt_offset to buf */
} host_window;

/* Allocates `size` bytes aligned to 2 MiB (so every granularity up to 2 MiB
 * keeps its alignment through the offset) and maps them at `base`. Aborts
 * when the host has no memory. */
void host_window_init(host_window *hw, uint64_t base, size_t size);
void host_window_fini(host_window *hw);

/* Host pointer of physical `phys` (must be inside the window). */
void *host_window_ptr(const host_window *hw, uint64_t phys);

#endif
