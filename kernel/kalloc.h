/* Two heap tests (a formatted string, a growing vector) as small kernel utilities over the bump
 * heap (lib/mm's mm_heap): a formatted string allocation (Rust's `format!`) and a growing vector
 * (`vec!` + push). Host-testable: no inline asm. */
#ifndef MOS_KERNEL_KALLOC_H
#define MOS_KERNEL_KALLOC_H

#include <stdarg.h>

#include "mm/fmt.h"
#include "mm/heap.h"

/* Formats `fmt` into a new NUL-terminated string allocated from `heap`
 * (exactly length + 1 bytes, alignment 1) and returns it, or NULL when the
 * format fails or the heap is exhausted (the heap is then unchanged except
 * its failure counter). The string lives as long as the heap's contents. */
char *kvasprintf(mm_heap *heap, const char *fmt, va_list ap);
char *kasprintf(mm_heap *heap, const char *fmt, ...) MM_PRINTF_LIKE(2, 3);

/* A growable array of uint64_t on a bump heap. Growing allocates a block of
 * twice the capacity and copies; the old block is left behind (a bump heap
 * cannot free), which is what the vector test exercises. */
typedef struct kvec {
    mm_heap *heap;
    uint64_t *items;
    size_t len;
    size_t cap; /* elements */
} kvec;

/* Sets up an empty vector on `heap` (no allocation yet). */
void kvec_init(kvec *v, mm_heap *heap);

/* Appends `x`, doubling the capacity (first allocation: 4 elements) when
 * full. Returns the heap's status; the vector is unchanged on failure. */
mm_status kvec_push(kvec *v, uint64_t x);

#endif
