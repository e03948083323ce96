/* The boot driver (driver.h): each step below is one function, and
 * bc_boot_run calls them in the order of work. */
#include "driver.h"

#include "entry.h"
#include "mm/fmt.h"
#include "mm/memtest.h"

#define FOUR_GIB ((uint64_t)4 << 30)

static const mm_logger *lg(const bc_boot *b)
{
    return b->fw->log;
}

static void *ptr(const bc_boot *b, uint64_t phys)
{
    return (void *)(uintptr_t)(phys + b->fw->phys_offset);
}

const mm_logger *bc_boot_log(const bc_boot *b)
{
    return lg(b);
}

void *bc_boot_ptr(const bc_boot *b, uint64_t phys)
{
    return ptr(b, phys);
}

const char *bc_boot_str(const bc_boot *b, bc_cfg_str s)
{
    return bc_bootcfg_str(&b->cfg, s);
}

_Noreturn void bc_boot_fail(const bc_boot *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    mm_vlog(lg(b), MM_LOG_ERROR, fmt, ap);
    va_end(ap);
    if (b->retry_armed && !b->firmware_gone) {
        /* Back ends hold the driver's state as const only by habit: the
         * object bc_boot_run was given is not const. */
        bc_boot *w = (bc_boot *)(uintptr_t)b;
        mm_vsnprintf(w->failure, sizeof w->failure, fmt, again);
        va_end(again);
        bc_jump_back(&w->retry);
    }
    va_end(again);
    b->fw->halt(b->fw->ctx);
    __builtin_unreachable(); /* the member's type cannot say noreturn */
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* mm_div_u64 without the remainder. */
static uint64_t div_u64(uint64_t n, uint64_t d)
{
    return mm_div_u64(n, d, NULL);
}

/* ---- config ---------------------------------------------------------- */

/* boot.cfg into scratch memory (the heap is sized by it, so it cannot
 * hold it), parsed and checked; a missing file means the defaults. */
static void read_config(bc_boot *b)
{
    const bc_fw_ops *fw = b->fw;
    char why[96] = "";
    uint64_t size = 0;
    const void *text = NULL;
    mm_status st = fw->file_size(fw->ctx, BC_BOOT_CFG_PATH, &size, why, sizeof why);
    if (st == MM_OK && size > BC_CFG_MAX_FILE)
        bc_boot_fail(b, "boot.cfg: %llu bytes, more than the %u allowed", (unsigned long long)size,
                     BC_CFG_MAX_FILE);
    if (st == MM_OK && size > 0) {
        void *buf;
        uint64_t room = bc_file_room(size);
        if (fw->scratch(fw->ctx, (size_t)room, &buf) != MM_OK)
            bc_boot_fail(b, "boot.cfg: no memory for its %llu bytes", (unsigned long long)size);
        BC_TRACK_ALLOC(b, MM_ALLOC_OTHER, "boot.cfg file", room);
        st = fw->file_read(fw->ctx, BC_BOOT_CFG_PATH, 0, buf, size, why, sizeof why);
        text = buf;
    } else if (st == MM_OK) {
        text = "";
    }
    if (st != MM_OK && st != MM_ERR_NOT_FOUND)
        bc_boot_fail(b, "boot.cfg: cannot read: %s", why);
    if (bc_bootcfg_load(text, (size_t)size, &b->cfg, &b->mem, fw->log) != MM_OK)
        bc_boot_fail(b, "boot.cfg has errors (listed above)");
}

/* ---- memory map ------------------------------------------------------ */

static void take_map(bc_boot *b, const char *which)
{
    mm_status st = b->fw->memory_map(b->fw->ctx, (uint32_t)b->mem.bitmap_granularity,
                                     b->cfg.bios_memory_detect, &b->map, &b->sanitize);
    if (st != MM_OK)
        bc_boot_fail(b, "memory map (%s): %s", which, mm_strerror(st));
}

/* Largest usable block and all usable bytes at or above `min`. */
static void usable_room(const mm_map *m, uint64_t min, uint64_t *largest, uint64_t *total)
{
    *largest = *total = 0;
    for (uint32_t i = 0; i < m->count; i++) {
        const mm_entry *e = &m->entries[i];
        uint64_t end = mm_entry_end(e), base = max_u64(e->base, min);
        if (e->type != MM_TYPE_USABLE || end <= base)
            continue;
        *total += end - base;
        if (end - base > *largest)
            *largest = end - base;
    }
}

/* The final map the kernel receives, one line per entry. */
static void log_map(const bc_boot *b, const char *whom)
{
    struct mm_map_stats s;
    mm_map_stats(b->map, &s);
    mm_log(lg(b), MM_LOG_INFO, "memory map for %s: %u entries, %llu KiB usable, highest 0x%llx",
           whom, s.entry_count, (unsigned long long)(s.usable_bytes >> 10),
           (unsigned long long)s.highest_usable_end);
    mm_log_map(lg(b), MM_LOG_INFO, b->map);
}

/* ---- placement ------------------------------------------------------- */

static bool heap_size_given(const bc_boot *b)
{
    return bc_bootcfg_key_line(&b->cfg, "heap_size") != 0;
}

/* Asks the firmware for `size` bytes (rounded up to the bitmap
 * granularity, aligned to at least it) inside [min, max). */
static mm_status take_in(bc_boot *b, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                         bc_placed *out)
{
    uint64_t g = b->mem.bitmap_granularity, base;
    if (size == 0 || !mm_align_up(size, g, &size))
        return MM_ERR_INVALID_ARGUMENT;
    mm_status st = b->fw->place(b->fw->ctx, size, max_u64(align, g), min, max, &base);
    if (st == MM_OK)
        *out = (bc_placed){base, size};
    return st;
}

/* take_in at or above `min`, no upper end. */
static mm_status take(bc_boot *b, uint64_t size, uint64_t align, uint64_t min, bc_placed *out)
{
    return take_in(b, size, align, min, BC_PLACE_NO_LIMIT, out);
}

/* Room for another range when the boot heap has the default size: the
 * free half of the heap goes back to the firmware. False when the config
 * set heap_size or nothing is left to give. */
static bool shrink_heap(bc_boot *b)
{
    bc_placed *h = &b->range[BC_RANGE_BOOT_HEAP];
    struct mm_heap_stats s;
    mm_heap_stats(&b->heap, &s);
    uint64_t g = b->mem.bitmap_granularity, keep;
    if (h->size == 0 || heap_size_given(b) || s.regions != 1 ||
        !mm_align_up(s.used + (h->size - s.used) / 2, g, &keep) || keep >= h->size ||
        mm_heap_shrink(&b->heap, (size_t)keep) != MM_OK)
        return false;
    b->fw->release(b->fw->ctx, h->base + keep, h->size - keep);
    mm_log(lg(b), MM_LOG_WARN,
           "boot heap: heap_size not set: shrunk from %llu KiB to %llu KiB to make room",
           (unsigned long long)(h->size >> 10), (unsigned long long)(keep >> 10));
    h->size = keep;
    return true;
}

/* Where a range of kind `id` is recorded: range[id], the next heap
 * extension, or a record from the pool (linked into the list only once
 * placed, see placed()). MM_ERR_MAP_FULL when no extension slot is left,
 * the pool's status when it has no record. */
static mm_status record(bc_boot *b, bc_range_id id, bc_placed **r)
{
    if (bc_range_info_of(id)->count == BC_RANGE_ONE) {
        *r = &b->range[id];
    } else if (id == BC_RANGE_HEAP_EXTENSION) {
        if (b->extensions == BC_HEAP_EXTENSIONS)
            return MM_ERR_MAP_FULL;
        *r = &b->extension[b->extensions];
    } else {
        if (!b->pending) {
            mm_status st = mm_pool_alloc(&b->record_pool, (void **)&b->pending);
            if (st != MM_OK)
                return st;
        }
        *b->pending = (bc_range_rec){NULL, {0, 0}, id};
        *r = &b->pending->r;
    }
    return MM_OK;
}

/* Keeps a range the firmware gave: counted for the profile and the log,
 * and a pool record linked in. */
static void placed(bc_boot *b, bc_range_id id, const bc_placed *r)
{
    const bc_range_info *ri = bc_range_info_of(id);
    if (id == BC_RANGE_HEAP_EXTENSION) {
        b->extensions++;
    } else if (ri->count == BC_RANGE_MANY) {
        *b->records_end = b->pending;
        b->records_end = &b->pending->next;
        b->pending = NULL;
    }
    BC_TRACK_ALLOC(b, MM_ALLOC_OTHER, ri->name, r->size);
    mm_log(lg(b), MM_LOG_DEBUG, "%s: %llu KiB at 0x%llx", ri->name,
           (unsigned long long)(r->size >> 10), (unsigned long long)r->base);
}

/* mm_frame_source over the boot heap, for the record pool. The frames come
 * back with the heap (a rewind), not one by one. */
static mm_status heap_frames(void *ctx, uint64_t count, void **p, uint64_t *phys)
{
    bc_boot *b = ctx;
    mm_status st = count > SIZE_MAX / 4096 ? MM_ERR_OVERFLOW
                                           : mm_heap_alloc(&b->heap, (size_t)count * 4096, 4096, p);
    if (st == MM_OK)
        *phys = (uint64_t)((uintptr_t)*p - b->fw->phys_offset);
    return st;
}

static mm_status heap_frames_back(void *ctx, void *p, uint64_t count)
{
    (void)ctx;
    (void)p;
    (void)count;
    return MM_OK;
}

/* An empty record list over a fresh pool (its old slabs went with the heap). */
static void records_init(bc_boot *b)
{
    b->record_frames = (mm_frame_source){heap_frames, heap_frames_back, b, 4096};
    if (mm_pool_init(&b->record_pool, sizeof(bc_range_rec), _Alignof(bc_range_rec),
                     &b->record_frames) != MM_OK)
        bc_boot_fail(b, "range records: cannot set up their pool");
    b->records = b->pending = NULL;
    b->records_end = &b->records;
}

/* A range of kind `id` inside [min, max), the boot heap shrunk for it
 * when nothing fits. */
static mm_status place_in(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align, uint64_t min,
                          uint64_t max, bc_placed *out)
{
    const bc_range_info *ri = bc_range_info_of(id);
    bc_placed *r;
    mm_status st = record(b, id, &r);
    if (st != MM_OK)
        return st;
    align = max_u64(align, ri->align);
    st = take_in(b, size, align, min, max, r);
    while (st == MM_ERR_NOT_FOUND && shrink_heap(b))
        st = take_in(b, size, align, min, max, r);
    if (st != MM_OK)
        return st;
    placed(b, id, r);
    if (out)
        *out = *r;
    return MM_OK;
}

mm_status bc_boot_place_above(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align,
                              uint64_t min, bc_placed *out)
{
    return place_in(b, id, size, align, min, BC_PLACE_NO_LIMIT, out);
}

mm_status bc_boot_place_below(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align,
                              uint64_t limit, bc_placed *out)
{
    return place_in(b, id, size, align, 0, limit, out);
}

mm_status bc_boot_place(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align, bc_placed *out)
{
    return bc_boot_place_above(b, id, size, align, 0, out);
}

void bc_boot_place_required(bc_boot *b, bc_range_id id, uint64_t size, uint64_t align,
                            bc_placed *out)
{
    mm_status st = bc_boot_place(b, id, size, align, out);
    if (st != MM_OK)
        bc_boot_fail(b, "%s: cannot place %llu bytes: %s", bc_range_info_of(id)->name,
                     (unsigned long long)size, mm_strerror(st));
}

mm_status bc_boot_place_at(bc_boot *b, bc_range_id id, uint64_t base, uint64_t size)
{
    uint64_t g = b->mem.bitmap_granularity, end;
    bc_placed *r;
    mm_status st = record(b, id, &r);
    if (st != MM_OK)
        return st;
    if (size == 0 || !mm_range_end(base, size, &end) || !mm_align_up(end, g, &end))
        return MM_ERR_INVALID_ARGUMENT;
    base = mm_align_down(base, g);
    st = b->fw->place_at(b->fw->ctx, base, end - base);
    if (st != MM_OK)
        return st;
    *r = (bc_placed){base, end - base};
    placed(b, id, r);
    return MM_OK;
}

/* ---- boot heap ------------------------------------------------------- */

/* mm_heap_refill_fn: before the firmware is left, more memory from it. */
static mm_status refill_heap(void *ctx, size_t min_bytes, void **base, size_t *size)
{
    bc_boot *b = ctx;
    if (b->firmware_gone || b->extensions == BC_HEAP_EXTENSIONS)
        return MM_ERR_OUT_OF_MEMORY;
    bc_placed *r;
    if (record(b, BC_RANGE_HEAP_EXTENSION, &r) != MM_OK)
        return MM_ERR_OUT_OF_MEMORY;
    /* A refill of BC_HEAP_REFILL_MIN saves later ones; on a small or
     * fragmented machine (a shrunk heap, no free MiB left) the bytes asked
     * for may still fit. */
    uint64_t want = max_u64(min_bytes, BC_HEAP_REFILL_MIN), need;
    mm_status st = take(b, want, 0, 0, r);
    if (st == MM_ERR_NOT_FOUND && mm_align_up(min_bytes, 4096, &need) && need < want)
        st = take(b, need, 0, 0, r);
    if (st != MM_OK)
        return st;
    placed(b, BC_RANGE_HEAP_EXTENSION, r);
    mm_log(lg(b), MM_LOG_INFO, "boot heap: exhausted, extended by %llu KiB at 0x%llx (%u of %u)",
           (unsigned long long)(r->size >> 10), (unsigned long long)r->base, b->extensions,
           BC_HEAP_EXTENSIONS);
    *base = ptr(b, r->base);
    *size = (size_t)r->size;
    return MM_OK;
}

_Noreturn static void heap_does_not_fit(bc_boot *b)
{
    uint64_t largest, total;
    usable_room(b->map, b->mem.min_heap_addr, &largest, &total);
    bc_boot_fail(b,
                 "boot heap: heap_size=%llu bytes (align %llu) does not fit at or above 0x%llx "
                 "(min_heap_addr): largest usable block there %llu bytes, %llu bytes in all",
                 (unsigned long long)b->mem.heap_size, (unsigned long long)b->mem.heap_alignment,
                 (unsigned long long)b->mem.min_heap_addr, (unsigned long long)largest,
                 (unsigned long long)total);
}

/* The boot heap at or above `min`: heap_size as configured, or without
 * the key the default halved until it fits. *size gets the size taken. */
static mm_status take_heap(bc_boot *b, uint64_t min, uint64_t *size)
{
    bc_placed *h = &b->range[BC_RANGE_BOOT_HEAP];
    uint64_t g = b->mem.bitmap_granularity;
    *size = b->mem.heap_size;
    mm_status st = take(b, *size, b->mem.heap_alignment, min, h);
    while (st == MM_ERR_NOT_FOUND && !heap_size_given(b) && *size / 2 >= BC_HEAP_MIN_SIZE &&
           mm_align_up(*size / 2, g, size))
        st = take(b, *size, b->mem.heap_alignment, min, h);
    return st;
}

/* The highest heap_min of the back ends of boot.cfg's entries: the heap
 * is placed before the menu says which entry boots. */
static uint64_t heap_floor(const bc_boot *b)
{
    uint64_t floor = 0;
    for (uint32_t i = 0; i < b->cfg.entry_count; i++) {
        const bc_backend *be = bc_backend_of(b->cfg.entries[i].protocol);
        if (be && be->heap_min > floor)
            floor = be->heap_min;
    }
    return floor;
}

/* The boot heap, first of all ranges: above the entries' heap_min when
 * boot.cfg leaves min_heap_addr alone and it fits there, else at or above
 * min_heap_addr (and later shrunk when the kernel's ranges need room). */
static void place_boot_heap(bc_boot *b)
{
    bc_placed *h = &b->range[BC_RANGE_BOOT_HEAP];
    uint64_t size, floor = heap_floor(b);
    mm_status st = MM_ERR_NOT_FOUND;
    if (floor > b->mem.min_heap_addr && !bc_bootcfg_key_line(&b->cfg, "min_heap_addr"))
        st = take_heap(b, floor, &size);
    if (st != MM_OK)
        st = take_heap(b, b->mem.min_heap_addr, &size);
    if (st != MM_OK)
        heap_does_not_fit(b);
    if (size != b->mem.heap_size)
        mm_log(lg(b), MM_LOG_WARN,
               "boot heap: heap_size not set and the default %llu KiB does not fit: using %llu KiB",
               (unsigned long long)(b->mem.heap_size >> 10), (unsigned long long)(size >> 10));
    if (mm_heap_init(&b->heap, ptr(b, h->base), (size_t)h->size) != MM_OK)
        bc_boot_fail(b, "boot heap: cannot set it up at 0x%llx", (unsigned long long)h->base);
    mm_heap_set_refill(&b->heap, refill_heap, b);
    BC_TRACK_ALLOC(b, MM_ALLOC_OTHER, bc_range_info_of(BC_RANGE_BOOT_HEAP)->name, h->size);
    mm_log(lg(b), MM_LOG_INFO, "boot heap: %llu KiB at 0x%llx", (unsigned long long)(h->size >> 10),
           (unsigned long long)h->base);
}

void *bc_boot_alloc(bc_boot *b, uint64_t bytes, const char *what)
{
    return bc_boot_alloc_aligned(b, bytes, 4096, what);
}

void *bc_boot_alloc_aligned(bc_boot *b, uint64_t bytes, uint32_t align, const char *what)
{
    void *p = NULL;
    mm_status st =
        bytes > SIZE_MAX ? MM_ERR_OVERFLOW : mm_heap_alloc(&b->heap, (size_t)bytes, align, &p);
    if (st != MM_OK)
        bc_boot_fail(b, "boot heap: no %llu bytes for the %s: %s (after %u extensions)",
                     (unsigned long long)bytes, what, mm_strerror(st), b->extensions);
    BC_TRACK_ALLOC(b, MM_ALLOC_HEAP, what, bytes);
    return p;
}

uint64_t bc_boot_file_size(bc_boot *b, const char *path, const char *what, uint64_t max,
                           bool empty_ok)
{
    const bc_fw_ops *fw = b->fw;
    char why[96] = "";
    uint64_t size = 0;
    mm_status st = fw->file_size(fw->ctx, path, &size, why, sizeof why);
    if (st == MM_ERR_NOT_FOUND)
        bc_boot_fail(b, "%s %s: no such file on the boot volume", what, path);
    if (st != MM_OK)
        bc_boot_fail(b, "%s %s: cannot read: %s", what, path, why);
    if (size == 0 && !empty_ok)
        bc_boot_fail(b, "%s %s: empty file", what, path);
    if (size > max)
        bc_boot_fail(b, "%s %s: %llu bytes, more than the %llu allowed", what, path,
                     (unsigned long long)size, (unsigned long long)max);
    return size;
}

void bc_boot_read_into(bc_boot *b, const char *path, const char *what, uint64_t offset, void *dst,
                       uint64_t size)
{
    const bc_fw_ops *fw = b->fw;
    char why[96] = "";
    if (size && fw->file_read(fw->ctx, path, offset, dst, size, why, sizeof why) != MM_OK)
        bc_boot_fail(b, "%s %s: cannot read: %s", what, path, why);
}

void *bc_boot_read_head(bc_boot *b, const char *path, const char *what, uint64_t bytes)
{
    void *buf = bc_boot_alloc(b, bc_file_room(bytes ? bytes : 1), what);
    bc_boot_read_into(b, path, what, 0, buf, bytes);
    return buf;
}

void *bc_boot_read_file(bc_boot *b, const char *path, const char *what, uint64_t max, bool empty_ok,
                        uint64_t *size)
{
    *size = bc_boot_file_size(b, path, what, max, empty_ok);
    return bc_boot_read_head(b, path, what, *size);
}

/* ---- leaving the firmware -------------------------------------------- */

static void learn_platform(bc_boot *b)
{
    b->fw->platform(b->fw->ctx, &b->platform);
    mm_log(lg(b), MM_LOG_INFO, "ACPI RSDP 0x%llx, SMBIOS 0x%llx, NX %s",
           (unsigned long long)b->platform.acpi_rsdp, (unsigned long long)b->platform.smbios,
           b->platform.nx ? "on" : "off");
}

/* The firmware may report that its map changed under the loader (UEFI's
 * stale map key): then the exit is tried again, a few times. Nothing is
 * logged between attempts (a log line could change the map again). */
static void leave_firmware(bc_boot *b)
{
    mm_status st = MM_ERR_RETRY;
    uint32_t attempt = 0;
    mm_log(lg(b), MM_LOG_INFO, "leaving the firmware");
    while (st == MM_ERR_RETRY && attempt < BC_EXIT_MAX_ATTEMPTS)
        st = b->fw->exit(b->fw->ctx, ++attempt, &b->efi);
    b->exit_attempts = attempt;
    b->firmware_gone = 1;
    b->tsc_memmap = b->fw->timestamp(b->fw->ctx);
    if (st == MM_ERR_RETRY)
        bc_boot_fail(b, "firmware: its memory map kept changing; gave up after %u exit attempts",
                     attempt);
    if (st != MM_OK)
        bc_boot_fail(b, "firmware: exit failed on attempt %u: %s", attempt, mm_strerror(st));
    mm_log(lg(b), MM_LOG_INFO, "firmware left (attempt %u)", attempt);
}

/* ---- the final map --------------------------------------------------- */

static void carve(bc_boot *b, const bc_placed *r, bc_range_id id)
{
    const bc_range_info *ri = bc_range_info_of(id);
    if (r->size == 0)
        return;
    mm_status st = mm_map_carve(b->map, r->base, r->size, ri->type, MM_CARVE_ANY_TYPE);
    if (st != MM_OK)
        bc_boot_fail(b, "memory map: cannot carve the %s at 0x%llx: %s", ri->name,
                     (unsigned long long)r->base, mm_strerror(st));
}

/* Every placed range under its own type, then the map's rules checked. */
static void final_map(bc_boot *b)
{
    take_map(b, "final");
    for (int id = 0; id < BC_RANGE_COUNT; id++)
        carve(b, &b->range[id], (bc_range_id)id);
    for (uint32_t i = 0; i < b->extensions; i++)
        carve(b, &b->extension[i], BC_RANGE_HEAP_EXTENSION);
    for (const bc_range_rec *rec = b->records; rec; rec = rec->next)
        carve(b, &rec->r, (bc_range_id)rec->id);
    mm_validate_error ve;
    if (mm_map_validate(b->map, b->mem.bitmap_granularity, &ve) != MM_OK)
        bc_boot_fail(b, "memory map invalid after carving (entry %u: %s): loader bug", ve.index,
                     mm_validate_rule_name(ve.rule));
    log_map(b, "the kernel");
}

/* ---- the entry ------------------------------------------------------ */

/* The entry to boot (the menu's choice, or the default without a menu;
 * after a failed attempt the menu again with its `error`) and its
 * protocol's back end. From here on a failure goes back to the menu
 * when this boot shows one. */
static void choose_entry(bc_boot *b, const char *error)
{
    uint32_t index = b->cfg.default_entry;
    if (b->menu && bc_menu_choose(&b->cfg, b->menu, error, &index) != MM_OK && error)
        bc_boot_fail(b, "boot menu: cannot show it again");
    bc_bootcfg_select(&b->cfg, index);
    b->entry = bc_bootcfg_entry(&b->cfg, index);
    b->retry_armed = b->menu && bc_menu_wanted(&b->cfg);
    const char *name = bc_boot_str(b, b->entry->name);
    const char *refusal = bc_protocol_refusal(b->entry->protocol, b->fw->boot_mode);
    if (refusal)
        bc_boot_fail(b, "entry %s: %s", name, refusal);
    b->backend = bc_backend_of(b->entry->protocol);
    if (!b->backend)
        bc_boot_fail(b, "entry %s: protocol=%s is not supported by this loader yet", name,
                     bc_protocol_name(b->entry->protocol));
    if (b->cfg.entry_count > 1)
        mm_log(lg(b), MM_LOG_INFO, "booting entry %s (protocol=%s)", name,
               bc_protocol_name(b->entry->protocol));
}

static void release_range(bc_boot *b, bc_placed *r)
{
    if (r->size)
        b->fw->release(b->fw->ctx, r->base, r->size);
    *r = (bc_placed){0, 0};
}

/* Gives back what a failed attempt took, so the next starts as the first
 * did: every range it placed, except the boot heap and its extensions
 * (refilled regions stay attached to the heap and later allocations reuse
 * them), and the boot heap's allocations since the attempt began. */
static void give_back(bc_boot *b)
{
    b->retry_armed = 0;
    for (int id = 0; id < BC_RANGE_COUNT; id++) {
        if (id != BC_RANGE_BOOT_HEAP && id != BC_RANGE_FRAMEBUFFER)
            release_range(b, &b->range[id]);
    }
    b->range[BC_RANGE_FRAMEBUFFER] = (bc_placed){0, 0}; /* recorded, never taken */
    for (bc_range_rec *rec = b->records; rec; rec = rec->next)
        release_range(b, &rec->r);
    if (mm_heap_rewind(&b->heap, b->attempt_mark) != MM_OK)
        bc_boot_fail(b, "boot heap: cannot rewind it after a failed entry (loader bug)");
    b->kernel_file = NULL;
    b->kernel_file_size = 0;
}

void bc_boot_video(bc_boot *b, const bc_video_want *want)
{
    bc_video_want w = *want;
    b->platform.fb = (bc_rev2_fb){0};
    b->platform.vga_text = 0;
    if (!b->fw->video)
        return;
    if (w.kind == BC_VIDEO_LINEAR && (w.width == 0 || w.height == 0)) {
        w.width = b->cfg.fb_width;
        w.height = b->cfg.fb_height;
    }
    b->fw->video(b->fw->ctx, &w, &b->platform.fb, &b->platform.vga_text);
}

void bc_boot_record_framebuffer(bc_boot *b)
{
    const bc_rev2_fb *fb = &b->platform.fb;
    uint64_t g = b->mem.bitmap_granularity, base = mm_align_down(fb->addr, g), end;
    if (!fb->addr || !mm_align_up(fb->addr + (uint64_t)fb->pitch * fb->height, g, &end))
        return;
    b->range[BC_RANGE_FRAMEBUFFER] = (bc_placed){base, end - base};
}

/* The menu (or the default entry) and the chosen entry's prepare, until
 * one entry prepares: a failure on the way (bc_boot_fail) lands back at
 * bc_jump_save with what the attempt took still to give back. */
static void prepare_entry(bc_boot *b)
{
    b->menu = b->fw->menu_io ? b->fw->menu_io(b->fw->ctx) : NULL;
    b->attempt_mark = mm_heap_get_mark(&b->heap);
    int failed = bc_jump_save(&b->retry);
    if (failed)
        give_back(b);
    records_init(b);
    choose_entry(b, failed ? b->failure : NULL);
    b->backend->prepare(b);
    b->retry_armed = 0;
}

static void stamp(bc_boot *b, int phase)
{
    b->tsc_phase[phase] = b->fw->timestamp(b->fw->ctx);
}

/* The TSC frequency, once the work so far spans a calibration window. */
static void finish_tsc(bc_boot *b)
{
    uint64_t hz = b->fw->tsc_finish ? b->fw->tsc_finish(b->fw->ctx) : 0;
    if (hz)
        b->platform.tsc_frequency_hz = hz;
    mm_log(lg(b), MM_LOG_INFO, "TSC %llu Hz", (unsigned long long)b->platform.tsc_frequency_hz);
}

/* One INFO line: each phase's time in ms (two decimals). */
static void log_profile(const bc_boot *b, uint64_t mhz)
{
    static const char *const names[BC_PHASE_COUNT] = {"front end", "config",    "map",
                                                      "boot heap", "platform",  "prepare",
                                                      "exit",      "final map", "build"};
    char line[320];
    size_t len = (size_t)mm_snprintf(line, sizeof line, "profile:");
    uint64_t from = b->tsc_entry;
    for (int i = 0; i < BC_PHASE_COUNT && len < sizeof line; i++) {
        uint64_t us = div_u64(b->tsc_phase[i] - from, mhz), ms = div_u64(us, 1000);
        len += (size_t)mm_snprintf(line + len, sizeof line - len, "%s %s %llu.%02llu ms",
                                   i ? "," : "", names[i], (unsigned long long)ms,
                                   (unsigned long long)div_u64(us - ms * 1000, 10));
        from = b->tsc_phase[i];
    }
    mm_log(lg(b), MM_LOG_INFO, "%s", line);
}

_Noreturn static void enter_kernel(bc_boot *b, const bc_entry *e)
{
    uint64_t mhz = div_u64(b->platform.tsc_frequency_hz, 1000000u); /* 0: no time */
    log_profile(b, mhz);
    uint64_t us = div_u64(b->fw->timestamp(b->fw->ctx) - b->tsc_entry, mhz);
    uint64_t ms = div_u64(us, 1000);
    BC_TRACK_REPORT(b, lg(b)); /* DEBUG=1: the loader's allocations */
    mm_log(lg(b), MM_LOG_INFO,
           "jumping to the kernel at 0x%llx (%s mode), after %llu.%03llu ms in "
           "the loader",
           (unsigned long long)e->entry, e->mode == BC_ENTRY_LONG ? "64-bit" : "32-bit",
           (unsigned long long)ms, (unsigned long long)(us - ms * 1000));
    if (b->backend->last)
        b->backend->last(b);
    const char *why = b->fw->enter(b->fw->ctx, e);
    bc_boot_fail(b, "cannot enter the kernel: %s", why ? why : "unknown reason");
}

_Noreturn void bc_boot_run(bc_boot *b, const bc_fw_ops *fw)
{
    bc_entry e;
    mm_memset(b, 0, sizeof *b);
    b->fw = fw;
    b->tsc_entry = fw->tsc_entry;
    BC_TRACK_INIT(b);
    stamp(b, BC_PHASE_FRONT);
    read_config(b);
    stamp(b, BC_PHASE_CONFIG);
    take_map(b, "firmware");
    stamp(b, BC_PHASE_MAP);
    place_boot_heap(b);
    stamp(b, BC_PHASE_HEAP);
    learn_platform(b);
    stamp(b, BC_PHASE_PLATFORM);
    prepare_entry(b);
    finish_tsc(b);
    stamp(b, BC_PHASE_PREPARE);
    leave_firmware(b);
    stamp(b, BC_PHASE_EXIT);
    final_map(b);
    stamp(b, BC_PHASE_FINAL_MAP);
    mm_memset(&e, 0, sizeof e);
    b->backend->build(b, &e);
    stamp(b, BC_PHASE_BUILD);
    enter_kernel(b, &e);
}
