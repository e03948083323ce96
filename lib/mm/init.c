#include "mm/init.h"

/* Logs an ERROR line and returns `st`, so each failure path is one line. */
static mm_status fail(const mm_logger *lg, mm_status st, const char *what)
{
    mm_log(lg, MM_LOG_ERROR, "mm init: %s (%s)", what, mm_strerror(st));
    return st;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* Appends the firmware's raw map. MM_ERR_NOT_FOUND when it is empty. */
static mm_status import_firmware(mm_map *m, mm_boot_mode mode, const mm_raw_map *raw)
{
    if (!raw->data || raw->size == 0)
        return MM_ERR_NOT_FOUND;
    if (mode == MM_BOOT_UEFI)
        return mm_map_import_efi(m, raw->data, raw->size, raw->entry_size, raw->desc_version);
    /* E820: sizes are small, so 32-bit division (native on i386) is enough. */
    if (raw->entry_size == 0 || raw->size > UINT32_MAX || (uint32_t)raw->size % raw->entry_size)
        return MM_ERR_INVALID_ARGUMENT;
    return mm_map_import_e820(m, raw->data, (uint32_t)raw->size / raw->entry_size, raw->entry_size);
}

static void log_sanitize(const mm_logger *lg, const mm_sanitize_report *r)
{
    char trimmed[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(trimmed, sizeof trimmed, r->bytes_trimmed);
    mm_log(lg, MM_LOG_INFO, "mm init: sanitized %u entries into %u", r->entries_in, r->entries_out);
    bool changed = r->empty_dropped || r->wrapped_clipped || r->invalid_types ||
                   r->overlaps_resolved || r->slivers_dropped || r->bytes_trimmed;
    mm_log(lg, changed ? MM_LOG_WARN : MM_LOG_DEBUG,
           "mm init: sanitize fixed: %u empty dropped, %u wrapping clipped, %u bad types, "
           "%u overlaps resolved, %u merged, %u slivers dropped, %s trimmed",
           r->empty_dropped, r->wrapped_clipped, r->invalid_types, r->overlaps_resolved, r->merged,
           r->slivers_dropped, trimmed);
}

/* Sanitizes ctx->map at the config's granularity, recording the report. */
static mm_status sanitize(mm_ctx *ctx, const mm_init_storage *s, const mm_logger *lg)
{
    if (s->scratch_size < mm_map_sanitize_scratch_size(ctx->map.count))
        return fail(lg, MM_ERR_BUFFER_TOO_SMALL, "sanitize scratch too small");
    mm_status st = mm_map_sanitize(&ctx->map, ctx->config.bitmap_granularity, s->scratch,
                                   s->scratch_size, &ctx->sanitize);
    if (st == MM_ERR_MAP_FULL)
        return fail(lg, MM_ERR_BUFFER_TOO_SMALL, "map entry storage too small for sanitizing");
    if (st != MM_OK)
        return fail(lg, st, "sanitize failed");
    log_sanitize(lg, &ctx->sanitize);
    return MM_OK;
}

static bool has_usable(const mm_map *m)
{
    struct mm_map_stats st;
    mm_map_stats(m, &st);
    return st.usable_bytes > 0;
}

static mm_status use_fallback(mm_ctx *ctx, const mm_raw_map *raw, const mm_init_storage *s,
                              const mm_logger *lg, const char *why)
{
    mm_log(lg, MM_LOG_WARN, "mm init: %s: using the conservative fallback layout", why);
    ctx->used_fallback = true;
    mm_status st = mm_map_fallback(&ctx->map, raw->ram_hint);
    if (st != MM_OK)
        return fail(lg, MM_ERR_BUFFER_TOO_SMALL, "map entry storage too small for the fallback");
    return sanitize(ctx, s, lg);
}

/* Steps 2 and 3: firmware map (or fallback), sanitized and validated. */
static mm_status build_map(mm_ctx *ctx, const mm_raw_map *raw, const mm_init_storage *s,
                           const mm_logger *lg)
{
    mm_status st;
    if (ctx->mode != MM_BOOT_BIOS && ctx->mode != MM_BOOT_UEFI) {
        st = use_fallback(ctx, raw, s, lg, "boot mode unknown");
    } else {
        st = import_firmware(&ctx->map, ctx->mode, raw);
        if (st == MM_ERR_MAP_FULL)
            return fail(lg, MM_ERR_BUFFER_TOO_SMALL, "map entry storage too small for the raw map");
        if (st == MM_ERR_NOT_FOUND) {
            st = use_fallback(ctx, raw, s, lg, "firmware map is empty");
        } else if (st != MM_OK) {
            mm_log(lg, MM_LOG_WARN, "mm init: firmware map rejected: %s", mm_strerror(st));
            st = use_fallback(ctx, raw, s, lg, "firmware map is malformed");
        } else {
            mm_log(lg, MM_LOG_INFO, "mm init: imported %u %s entries", ctx->map.count,
                   ctx->mode == MM_BOOT_UEFI ? "EFI" : "E820");
            st = sanitize(ctx, s, lg);
            if (st == MM_OK && !has_usable(&ctx->map))
                st = use_fallback(ctx, raw, s, lg, "firmware map has no usable RAM");
        }
    }
    if (st != MM_OK)
        return st;
    mm_validate_error verr;
    st = mm_map_validate(&ctx->map, ctx->config.bitmap_granularity, &verr);
    if (st != MM_OK) {
        mm_log(lg, MM_LOG_ERROR, "mm init: map entry %u breaks rule %s", verr.index,
               mm_validate_rule_name(verr.rule));
        return fail(lg, MM_ERR_MAP_INVALID, "sanitized map is invalid");
    }
    mm_log_map(lg, MM_LOG_DEBUG, &ctx->map);
    return MM_OK;
}

/* Finds `size` bytes aligned to `align` in usable RAM at or above `min`,
 * inside the window, whose pointers the code can use. */
static mm_status place(const mm_ctx *ctx, uint64_t size, uint64_t align, uint64_t min,
                       uint64_t *base)
{
    uint64_t lo = max_u64(min, ctx->window.base);
    uint64_t hi = ctx->window.end ? ctx->window.end : UINT64_MAX;
    if (lo >= hi)
        return MM_ERR_NOT_FOUND;
    mm_status st = mm_map_find(&ctx->map, size, align, lo, hi, MM_FIND_BOTTOM_UP, base);
    if (st == MM_OK && !mm_window_contains(&ctx->window, *base, size))
        st = MM_ERR_NOT_FOUND;
    return st;
}

/* Step 4: the boot heap's range, carved out of the map. */
static mm_status place_heap(mm_ctx *ctx, const mm_logger *lg)
{
    const mm_config *c = &ctx->config;
    uint64_t align = max_u64(c->heap_alignment, c->bitmap_granularity);
    char size[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(size, sizeof size, c->heap_size);
    if (c->heap_size > SIZE_MAX ||
        place(ctx, c->heap_size, align, c->min_heap_addr, &ctx->heap_base) != MM_OK) {
        mm_log(lg, MM_LOG_ERROR,
               "mm init: no usable range of %s aligned to %#llx at or above min_heap_addr %#llx",
               size, (unsigned long long)align, (unsigned long long)c->min_heap_addr);
        return fail(lg, MM_ERR_HEAP_INIT, "boot heap cannot be placed");
    }
    ctx->heap_size = c->heap_size;
    mm_status st = mm_map_carve(&ctx->map, ctx->heap_base, ctx->heap_size, MM_TYPE_BOOT_HEAP,
                                MM_CARVE_DEFAULT);
    if (st != MM_OK)
        return fail(lg, st, "cannot carve the boot heap");
    mm_log(lg, MM_LOG_INFO, "mm init: boot heap %s at %#llx", size,
           (unsigned long long)ctx->heap_base);
    return MM_OK;
}

/* Step 5: the bitmap storage's range, sized for the map, carved out. */
static mm_status place_bitmap(mm_ctx *ctx, const mm_logger *lg)
{
    uint64_t gran = ctx->config.bitmap_granularity, len;
    mm_status st = mm_bitmap_storage_size(&ctx->map, gran, &ctx->bitmap_bytes);
    if (st != MM_OK)
        return fail(lg, MM_ERR_BITMAP_INIT, "cannot size the frame bitmap");
    if (!mm_align_up(ctx->bitmap_bytes, gran, &len))
        return fail(lg, MM_ERR_BITMAP_INIT, "frame bitmap size overflows");
    /* Above min_heap_addr like the heap if possible (low memory is precious
     * for real-mode buffers), else anywhere in the window. */
    if (place(ctx, len, gran, ctx->config.min_heap_addr, &ctx->bitmap_base) != MM_OK &&
        place(ctx, len, gran, 0, &ctx->bitmap_base) != MM_OK) {
        char size[MM_FMT_BYTES_MAX];
        mm_fmt_bytes(size, sizeof size, len);
        mm_log(lg, MM_LOG_ERROR, "mm init: no usable range of %s left for the frame bitmap", size);
        return fail(lg, MM_ERR_BITMAP_INIT, "frame bitmap cannot be placed");
    }
    st = mm_map_carve(&ctx->map, ctx->bitmap_base, len, MM_TYPE_FRAME_BITMAP, MM_CARVE_DEFAULT);
    if (st != MM_OK)
        return fail(lg, st, "cannot carve the frame bitmap");
    return MM_OK;
}

/* Steps 6 and 7. */
static mm_status build_allocators(mm_ctx *ctx, const mm_logger *lg)
{
    void *bits = mm_window_ptr(&ctx->window, ctx->bitmap_base);
    mm_status st = mm_bitmap_init(&ctx->bitmap, &ctx->map, ctx->config.bitmap_granularity, bits,
                                  ctx->bitmap_bytes);
    if (st != MM_OK) {
        mm_log(lg, MM_LOG_ERROR, "mm init: bitmap: %s", mm_strerror(st));
        return fail(lg, MM_ERR_BITMAP_INIT, "frame bitmap setup failed");
    }
    mm_log(lg, MM_LOG_INFO, "mm init: frame bitmap at %#llx, %llu bytes, %llu frames of %llu",
           (unsigned long long)ctx->bitmap_base, (unsigned long long)ctx->bitmap_bytes,
           (unsigned long long)ctx->bitmap.frame_count,
           (unsigned long long)ctx->bitmap.granularity);
    st = mm_heap_init(&ctx->heap, mm_window_ptr(&ctx->window, ctx->heap_base),
                      (size_t)ctx->heap_size);
    if (st != MM_OK) {
        mm_log(lg, MM_LOG_ERROR, "mm init: heap: %s", mm_strerror(st));
        return fail(lg, MM_ERR_HEAP_INIT, "boot heap setup failed");
    }
    return MM_OK;
}

/* Step 8: bad frames are marked and reserved; only a failed carve fails. */
static mm_status memory_test(mm_ctx *ctx, const mm_init_storage *s, const mm_logger *lg)
{
    mm_memtest t;
    mm_status st = mm_memtest_init(&t, &ctx->window, ctx->config.bitmap_granularity);
    if (st != MM_OK)
        return fail(lg, st, "memory test setup failed");
    t.filter = s->memtest_filter;
    t.filter_ctx = s->memtest_filter_ctx;
    st = mm_memtest_map(&t, &ctx->map, &ctx->bitmap, lg);
    ctx->memtest = t.result;
    if (st != MM_OK && st != MM_ERR_MEMTEST_FAILED)
        return fail(lg, st, "memory test could not mark bad memory");
    return MM_OK;
}

static mm_status check_inputs(mm_ctx *ctx, const mm_raw_map *raw, const mm_init_storage *s,
                              const mm_logger *lg)
{
    if (!raw || !s || !s->entries || s->entry_capacity == 0 || !s->scratch)
        return fail(lg, MM_ERR_INVALID_ARGUMENT, "missing raw map or storage");
    mm_config_error err;
    if (mm_config_validate(&ctx->config, &err) != MM_OK) {
        mm_log(lg, MM_LOG_ERROR, "mm init: config %s %s", mm_config_field_name(err.field),
               err.reason);
        return fail(lg, MM_ERR_CONFIG, "bad configuration");
    }
    if (mm_map_init(&ctx->map, s->entries, s->entry_capacity) != MM_OK)
        return fail(lg, MM_ERR_INVALID_ARGUMENT, "bad map storage");
    return MM_OK;
}

mm_status mm_init(mm_ctx *ctx, mm_boot_mode mode, const mm_raw_map *raw, const mm_config *cfg,
                  const mm_init_storage *storage, const mm_logger *lg)
{
    if (!ctx)
        return fail(lg, MM_ERR_INVALID_ARGUMENT, "no context");
    mm_memset(ctx, 0, sizeof *ctx);
    if (cfg)
        ctx->config = *cfg;
    else
        mm_config_defaults(&ctx->config);
    ctx->mode = mode;
    mm_log(lg, MM_LOG_INFO, "mm init: boot mode %s", mm_boot_mode_name(mode));
    mm_status st = check_inputs(ctx, raw, storage, lg);
    if (st != MM_OK)
        return st;
    ctx->window = storage->window;
    if ((st = build_map(ctx, raw, storage, lg)) != MM_OK || (st = place_heap(ctx, lg)) != MM_OK ||
        (st = place_bitmap(ctx, lg)) != MM_OK || (st = build_allocators(ctx, lg)) != MM_OK)
        return st;
    if (ctx->config.enable_memory_test && (st = memory_test(ctx, storage, lg)) != MM_OK)
        return st;
    mm_log(lg, MM_LOG_INFO, "mm init: done");
    return MM_OK;
}

mm_status mm_carve_reserve(mm_ctx *ctx, uint64_t base, uint64_t len, mm_type type)
{
    if (!ctx || type == MM_TYPE_USABLE)
        return MM_ERR_INVALID_ARGUMENT;
    mm_status st = mm_map_carve(&ctx->map, base, len, type, MM_CARVE_DEFAULT);
    if (st != MM_OK)
        return st;
    /* The carve succeeded, so the range is valid and cannot overflow. */
    mm_bitmap_reserve(&ctx->bitmap, base, len);
    return MM_OK;
}

void mm_log_map(const mm_logger *lg, mm_log_level level, const mm_map *map)
{
    if (!map || !mm_log_enabled(lg, level))
        return;
    mm_log(lg, level, "memory map, %u entries:", map->count);
    for (uint32_t i = 0; i < map->count; i++) {
        const mm_entry *e = &map->entries[i];
        char size[MM_FMT_BYTES_MAX];
        mm_fmt_bytes(size, sizeof size, e->length);
        mm_log(lg, level, "  [0x%012llx - 0x%012llx) %11s  %s", (unsigned long long)e->base,
               (unsigned long long)mm_entry_end(e), size, mm_type_name((mm_type)e->type));
    }
}

static void report_map_totals(const mm_ctx *ctx, const mm_logger *lg)
{
    struct mm_map_stats st;
    mm_map_stats(&ctx->map, &st);
    for (int t = MM_TYPE_USABLE; t < MM_TYPE_COUNT; t++) {
        if (st.entries[t] == 0)
            continue;
        char size[MM_FMT_BYTES_MAX];
        mm_fmt_bytes(size, sizeof size, st.bytes[t]);
        mm_log(lg, MM_LOG_INFO, "  %-24s %11s in %u entries", mm_type_name((mm_type)t), size,
               st.entries[t]);
    }
    mm_log(lg, MM_LOG_INFO, "  highest usable address: %#llx",
           (unsigned long long)st.highest_usable_end);
}

static void report_bitmap(const mm_ctx *ctx, const mm_logger *lg)
{
    struct mm_bitmap_stats b;
    mm_bitmap_stats(&ctx->bitmap, &b);
    char free[MM_FMT_BYTES_MAX], run[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(free, sizeof free, b.free_frames << ctx->bitmap.shift);
    mm_fmt_bytes(run, sizeof run, b.largest_free_run << ctx->bitmap.shift);
    mm_log(lg, MM_LOG_INFO,
           "frame bitmap: %llu frames of %llu bytes, %llu usable, %llu free (%s), %llu used, "
           "largest free run %llu frames (%s)",
           (unsigned long long)b.frame_count, (unsigned long long)b.granularity,
           (unsigned long long)b.total_frames, (unsigned long long)b.free_frames, free,
           (unsigned long long)b.used_frames, (unsigned long long)b.largest_free_run, run);
}

static void report_heap(const mm_ctx *ctx, const mm_logger *lg)
{
    struct mm_heap_stats h;
    mm_heap_stats(&ctx->heap, &h);
    char size[MM_FMT_BYTES_MAX], used[MM_FMT_BYTES_MAX], peak[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(size, sizeof size, h.size);
    mm_fmt_bytes(used, sizeof used, h.used);
    mm_fmt_bytes(peak, sizeof peak, h.peak);
    mm_log(lg, MM_LOG_INFO,
           "boot heap: %s at %#llx, used %s, peak %s, %llu allocations, %llu failures, "
           "%llu bytes lost to alignment, %u regions",
           size, (unsigned long long)ctx->heap_base, used, peak, (unsigned long long)h.allocations,
           (unsigned long long)h.failures, (unsigned long long)h.lost_to_alignment, h.regions);
}

void mm_init_report(const mm_ctx *ctx, const mm_logger *lg)
{
    if (!ctx || !mm_log_enabled(lg, MM_LOG_INFO))
        return;
    mm_log(lg, MM_LOG_INFO, "boot mode %s%s", mm_boot_mode_name(ctx->mode),
           ctx->used_fallback ? " (fallback layout)" : "");
    mm_log_map(lg, MM_LOG_INFO, &ctx->map);
    report_map_totals(ctx, lg);
    report_bitmap(ctx, lg);
    report_heap(ctx, lg);
    if (ctx->config.enable_memory_test) {
        char tested[MM_FMT_BYTES_MAX];
        mm_fmt_bytes(tested, sizeof tested, ctx->memtest.bytes_tested);
        mm_log(lg, MM_LOG_INFO, "memory test: %s tested, %llu bad frames", tested,
               (unsigned long long)ctx->memtest.bad_frames);
    }
}
