/* Memory initialization: one call that turns the firmware's memory map and
 * a config into a sanitized map, a frame bitmap and a boot heap, in the
 * seed's order, all inside storage the caller provides.
 *
 * mm_init() steps (each logged; each failure returns a status and logs an
 * ERROR line saying why):
 *   1. check the config (mm_config_validate) and the storage;
 *   2. import the raw map: E820 entries (MM_BOOT_BIOS) or an EFI
 *      GetMemoryMap() buffer (MM_BOOT_UEFI). For MM_BOOT_UNKNOWN, or when
 *      the raw map is empty, malformed, or has no usable RAM after
 *      sanitizing, the seed's conservative fallback layout is used instead
 *      (mm_map_fallback, logged at WARN);
 *   3. sanitize at bitmap_granularity (what it fixed is logged), validate;
 *   4. place the boot heap: first fit, bottom-up, in usable RAM at or above
 *      min_heap_addr, aligned to max(heap_alignment, granularity), inside the
 *      window; carve it as MM_TYPE_BOOT_HEAP;
 *   5. size the bitmap storage for the map, place it the same way and carve
 *      it as MM_TYPE_FRAME_BITMAP;
 *   6. build the bitmap (the carved heap and bitmap are never handed out);
 *   7. set up the boot heap over its range;
 *   8. if enable_memory_test: test the remaining free RAM inside the window
 *      (mm_memtest_map); bad frames are marked and reserved, init still
 *      succeeds (the result is in ctx->memtest, logged at WARN).
 * After MM_OK, loaders take memory with the bitmap and heap in ctx and
 * record what they keep with mm_carve_reserve().
 *
 * Pointers: the heap and the bitmap storage are reached at
 * phys + window.virt_offset and are placed only inside the window, so
 * 32-bit code (window end 4 GiB) and host tests (a buffer) work the same. */
#ifndef MM_INIT_H
#define MM_INIT_H

#include "mm/bitmap.h"
#include "mm/config.h"
#include "mm/heap.h"
#include "mm/log.h"
#include "mm/memmap.h"
#include "mm/memtest.h"

/* The firmware's map exactly as obtained.
 *   BIOS: `data` holds `size` bytes of E820 entries `entry_size` (20 or 24)
 *         bytes each.
 *   UEFI: `data` holds the GetMemoryMap() buffer of `size` bytes,
 *         `entry_size` is its descriptor size, `desc_version` its version.
 *   Unknown / fallback: `ram_hint` is the RAM believed present (bytes, 0 =
 *         unknown), used only by the fallback layout. */
typedef struct mm_raw_map {
    const void *data;
    uint64_t size;
    uint32_t entry_size;
    uint32_t desc_version;
    uint64_t ram_hint;
} mm_raw_map;

/* Everything mm_init() writes besides physical memory, owned by the caller
 * for as long as ctx is used. */
typedef struct mm_init_storage {
    mm_entry *entries;       /* map entries; raw entries + room for splits */
    uint32_t entry_capacity; /* e.g. raw count * 2 + 16 */
    void *scratch;           /* sanitize scratch, any alignment */
    size_t scratch_size;     /* >= mm_map_sanitize_scratch_size(entry_capacity) */
    mm_phys_window window;   /* where the heap and bitmap may go, and their pointers */
    /* Tests only: fault injection for the memory test (NULL normally). */
    mm_memtest_filter_fn memtest_filter;
    void *memtest_filter_ctx;
} mm_init_storage;

/* State after mm_init(): read the fields, change them only through the
 * lib/mm functions. */
typedef struct mm_ctx {
    mm_map map;
    mm_bitmap bitmap;
    mm_heap heap;
    mm_config config;              /* copy of the config used */
    mm_boot_mode mode;             /* as requested */
    bool used_fallback;            /* the map is the fallback layout */
    mm_sanitize_report sanitize;   /* what sanitizing changed */
    uint64_t heap_base, heap_size; /* physical, bytes */
    uint64_t bitmap_base;          /* physical */
    uint64_t bitmap_bytes;         /* storage in use (carved range is frame-rounded) */
    mm_phys_window window;
    mm_memtest_result memtest; /* zero unless the memory test ran */
} mm_ctx;

/* Runs the steps above. `cfg` NULL means mm_config_defaults(); `lg` may be
 * NULL (no logging). Returns MM_OK, or:
 *   MM_ERR_INVALID_ARGUMENT  NULL ctx/raw/storage, or no entries/scratch;
 *   MM_ERR_CONFIG            cfg fails mm_config_validate (field logged);
 *   MM_ERR_BUFFER_TOO_SMALL  scratch or entry storage too small for the map;
 *   MM_ERR_MAP_INVALID       the sanitized map fails validation (a bug);
 *   MM_ERR_HEAP_INIT         no room for the heap at/above min_heap_addr
 *                            inside the window, or it cannot be set up;
 *   MM_ERR_BITMAP_INIT       no room for the bitmap storage, or bitmap
 *                            setup failed;
 *   MM_ERR_MAP_FULL          a carve needed more entries than the storage.
 * On failure ctx holds whatever was built before the failing step and must
 * not be used for allocation. */
mm_status mm_init(mm_ctx *ctx, mm_boot_mode mode, const mm_raw_map *raw, const mm_config *cfg,
                  const mm_init_storage *storage, const mm_logger *lg);

/* Retypes [base, base + len) in the map to `type` (carve: the range must be
 * usable in the map, rounded outward to frames) and marks its frames used
 * in the bitmap, whether or not they were already allocated from it. This is
 * how loaders record the kernel image, page tables, handoff data they took.
 * Returns the carve's status (map and bitmap untouched on error) or
 * MM_ERR_INVALID_ARGUMENT for a NULL ctx or MM_TYPE_USABLE. */
mm_status mm_carve_reserve(mm_ctx *ctx, uint64_t base, uint64_t len, mm_type type);

/* Logs every map entry at `level`: range, size, type. */
void mm_log_map(const mm_logger *lg, mm_log_level level, const mm_map *map);

/* Logs the full state at INFO: map table, per-type totals, bitmap and heap
 * statistics, memory test result. */
void mm_init_report(const mm_ctx *ctx, const mm_logger *lg);

#endif
