/* Memory test (config `memory_test`): a destructive pattern test of
 * physical frames; frames that fail are marked bad in the memory map and
 * reserved in the frame bitmap so nothing ever uses them.
 *
 * Each frame is written and read back through volatile 32-bit accesses
 * with four patterns, in this order:
 *   1. 0x55555555 in every word;
 *   2. 0xAAAAAAAA in every word (every bit flips from pattern 1);
 *   3. walking ones: word i holds 1 << (i mod 32);
 *   4. address in address: each word holds the low 32 bits of its own
 *      physical address xor the high 32 bits (catches aliased addresses).
 * A frame fails at its first mismatch. The frame's old contents are lost.
 *
 * Physical addresses reach memory through an mm_phys_window (pointer =
 * phys + virt_offset, only inside [base, end)); the test never touches
 * anything outside it. Tests inject faults through the hook, which sees
 * every value read and may change it. */
#ifndef MM_MEMTEST_H
#define MM_MEMTEST_H

#include "mm/bitmap.h"
#include "mm/log.h"
#include "mm/memmap.h"

/* The physical range code can reach through pointers, and how:
 * pointer = (void *)(uintptr_t)(phys + virt_offset) for phys in
 * [base, end). end 0 means "up to the top of the address space". Loaders
 * with identity mapping use offset 0 (and end 4 GiB in 32-bit code); host
 * tests point it at a buffer. */
typedef struct mm_phys_window {
    uint64_t base;
    uint64_t end;
    uint64_t virt_offset;
} mm_phys_window;

/* True when [phys, phys + len) lies inside the window (len > 0) and its
 * pointers fit uintptr_t. */
bool mm_window_contains(const mm_phys_window *w, uint64_t phys, uint64_t len);

/* Pointer for `phys` (the caller has checked mm_window_contains). */
static inline void *mm_window_ptr(const mm_phys_window *w, uint64_t phys)
{
    return (void *)(uintptr_t)(phys + w->virt_offset);
}

/* Sees each value read back at physical address `phys` and returns the
 * value the test should compare (tests return a corrupted one to simulate
 * a bad cell). */
typedef uint32_t (*mm_memtest_filter_fn)(void *ctx, uint64_t phys, uint32_t value);

typedef struct mm_memtest_result {
    uint64_t bytes_tested; /* bytes of frames tested */
    uint64_t bad_frames;   /* frames that failed */
    uint64_t bad_bytes;    /* bad_frames * frame size */
    uint64_t first_bad;    /* physical address of the lowest failing frame (if any) */
} mm_memtest_result;

/* One test run: where memory is, frame size, optional hook, results
 * (accumulated over calls; zero them with mm_memtest_init). */
typedef struct mm_memtest {
    mm_phys_window window;
    uint64_t frame_size; /* bytes, power of two >= 4096 */
    mm_memtest_filter_fn filter;
    void *filter_ctx;
    mm_memtest_result result;
} mm_memtest;

/* Sets up *t: no filter, zero results. MM_ERR_INVALID_ARGUMENT for NULL
 * arguments or a frame size that is not a power of two >= 4096. */
mm_status mm_memtest_init(mm_memtest *t, const mm_phys_window *window, uint64_t frame_size);

/* Called for each frame that fails, with its physical address. */
typedef void (*mm_memtest_bad_fn)(void *ctx, uint64_t frame);

/* Tests every frame of [base, base + length) (both multiples of the frame
 * size) and calls bad(ctx, frame) for each failing one (bad may be NULL).
 * Returns MM_OK when all passed, MM_ERR_MEMTEST_FAILED when some failed,
 * MM_ERR_INVALID_ARGUMENT (NULL t, misaligned or empty range),
 * MM_ERR_OUT_OF_RANGE (range not inside the window; nothing tested). */
mm_status mm_memtest_range(mm_memtest *t, uint64_t base, uint64_t length, mm_memtest_bad_fn bad,
                           void *bad_ctx);

/* Tests all usable RAM of the sanitized `map` inside the window, skipping
 * frames `bm` (may be NULL) does not list as free, so memory in use is
 * never overwritten. Every failing frame is carved to MM_TYPE_BAD
 * (MM_CARVE_ANY_TYPE) and reserved in `bm`; each is logged at WARN, the
 * summary at INFO. Returns MM_OK (all passed), MM_ERR_MEMTEST_FAILED (bad
 * frames found and marked), or the status of a carve that failed
 * (MM_ERR_MAP_FULL: map storage too small for the splits; frames marked
 * before it stay marked). MM_ERR_INVALID_ARGUMENT for NULL t/map or a map
 * whose frame size differs from the test's. */
mm_status mm_memtest_map(mm_memtest *t, mm_map *map, mm_bitmap *bm, const mm_logger *lg);

#endif
