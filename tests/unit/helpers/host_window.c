#include "host_window.h"

#include <stdio.h>
#include <stdlib.h>

#define WINDOW_ALIGN ((size_t)2 << 20)

void host_window_init(host_window *hw, uint64_t base, size_t size)
{
    size_t rounded = (size + WINDOW_ALIGN - 1) & ~(WINDOW_ALIGN - 1);
    hw->buf = aligned_alloc(WINDOW_ALIGN, rounded);
    if (!hw->buf) {
        fprintf(stderr, "host_window: cannot allocate %zu bytes\n", rounded);
        abort();
    }
    hw->size = size;
    hw->w.base = base;
    hw->w.end = base + size;
    hw->w.virt_offset = (uint64_t)(uintptr_t)hw->buf - base;
}

void host_window_fini(host_window *hw)
{
    free(hw->buf);
    hw->buf = NULL;
}

void *host_window_ptr(const host_window *hw, uint64_t phys)
{
    return hw->buf + (phys - hw->w.base);
}
