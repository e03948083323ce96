/* The demo kernel's proof of the handoff (see proof.h). Each step checks
 * one promise of include/mos/handoff.h, prints its human-readable part and
 * records what the final report needs; the first broken promise stops the
 * run with a reason "token: details". */
#include "proof.h"

#include "common/acpi.h"
#include "common/handoff.h"
#include "common/mapview.h"
#include "common/text.h"
#include "common/track.h"
#include "kalloc.h"

/* ---- output and failure ---- */

static void kp_printf(struct kp *kp, const char *fmt, ...) MM_PRINTF_LIKE(2, 3);
static void kp_printf(struct kp *kp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mm_vcbprintf(kp->env->out, kp->env->out_ctx, fmt, ap);
    va_end(ap);
}

/* Records the first failure's reason; always returns false so that a step
 * can `return kp_fail(...)`. */
static bool kp_fail(struct kp *kp, const char *fmt, ...) MM_PRINTF_LIKE(2, 3);
static bool kp_fail(struct kp *kp, const char *fmt, ...)
{
    if (kp->failed)
        return false;
    va_list ap;
    va_start(ap, fmt);
    mm_vsnprintf(kp->reason, sizeof(kp->reason), fmt, ap);
    va_end(ap);
    kp->failed = true;
    return false;
}

/* Tags of the profile, one per kind of allocation the checks make. */
#define TAG_KASPRINTF "kasprintf"
#define TAG_KVEC      "kvec (vector growth)"
#define TAG_SINGLE    "frames: single"
#define TAG_CONTIG    "frames: contiguous run"
#define TAG_LOW       "frames: below 4 GiB"
#define TAG_TOP       "frames: highest free"
#define TAG_POOL      "pool: 48-byte blocks"
#define TAG_SLABS     "pool: slab frames"

static void *kp_virt(const struct kp *kp, uint64_t phys)
{
    return (void *)(uintptr_t)(phys + kp->hhdm);
}

static uint64_t kp_gran(const struct kp *kp)
{
    return kp->h->bitmap_granularity;
}

/* ---- handoff header ---- */

void kp_init(struct kp *kp, const struct kp_env *env)
{
    mm_memset(kp, 0, sizeof(*kp));
    kp->env = env;
    kp->loader_us = kp->memmap_us = kp->handover_us = UINT64_MAX;
    BC_TRACK_INIT(kp);
}

static const char *boot_mode_name(uint32_t mode)
{
    switch (mode) {
    case MOS_BOOT_MODE_UEFI:
        return "uefi";
    case MOS_BOOT_MODE_BIOS:
        return "bios";
    default:
        return "unknown";
    }
}

static const char *bios_detect_name(uint32_t how)
{
    static const char *const names[] = {"none", "e820", "e801", "88h", "fallback"};
    return how < MM_ARRAY_SIZE(names) ? names[how] : "unknown";
}

bool kp_check_header(struct kp *kp)
{
    const struct mos_handoff *h = (const struct mos_handoff *)(uintptr_t)kp->env->handoff_virt;
    if (!h)
        return kp_fail(kp, "no-handoff: RDI was 0 at entry");
    char why[120] = "";
    mm_status st = bc_handoff_check(h, h->hhdm_offset, why, sizeof(why));
    if (st == MM_ERR_INVALID_ARGUMENT)
        return kp_fail(kp, "bad-header: %s", why);
    if (st != MM_OK)
        return kp_fail(kp, "handoff-invalid: %s", why);
    if (h->boot_mode != MOS_BOOT_MODE_UEFI && h->boot_mode != MOS_BOOT_MODE_BIOS)
        return kp_fail(kp, "bad-boot-mode: %u", h->boot_mode);
    if (kp->env->handoff_virt < h->hhdm_offset)
        return kp_fail(kp, "bad-handoff-address: RDI 0x%llx is below hhdm_offset 0x%llx",
                       (unsigned long long)kp->env->handoff_virt,
                       (unsigned long long)h->hhdm_offset);
    kp->h = h;
    kp->hhdm = h->hhdm_offset;
    kp->steps_done |= KP_STEP_HEADER;
    kp_printf(
        kp,
        "handoff: revision %u, %u bytes, checksum ok; loader \"%.32s\" %u.%u.%u, boot mode %s\n",
        h->revision, h->size, h->loader_name, h->loader_version >> 16,
        (h->loader_version >> 8) & 0xff, h->loader_version & 0xff, boot_mode_name(h->boot_mode));
    return true;
}

/* ---- memory map ---- */

/* Copies the handoff's map into the kernel's lib/mm map, type by type. */
static bool map_import(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    if (h->memmap_entry_size < sizeof(struct mos_memmap_entry))
        return kp_fail(kp, "map-entry-size: %u bytes, want >= %u", h->memmap_entry_size,
                       (unsigned)sizeof(struct mos_memmap_entry));
    if (h->memmap_count == 0)
        return kp_fail(kp, "map-empty: memmap_count is 0");
    if (h->memmap_count > kp->env->map_capacity)
        return kp_fail(kp, "map-too-large: %u entries, kernel table holds %u", h->memmap_count,
                       kp->env->map_capacity);
    mm_map_init(&kp->map, kp->env->map_storage, kp->env->map_capacity);
    const unsigned char *p = kp_virt(kp, h->memmap_addr);
    for (uint32_t i = 0; i < h->memmap_count; i++, p += h->memmap_entry_size) {
        const struct mos_memmap_entry *e = (const struct mos_memmap_entry *)p;
        mm_type t = (mm_type)bc_mm_type_from_mos(e->type);
        if (t == MM_TYPE_NONE)
            return kp_fail(kp, "map-bad-type: entry %u has type 0x%x", i, e->type);
        mm_status st = mm_map_add(&kp->map, e->base, e->length, t, e->raw_type, e->attributes);
        if (st != MM_OK)
            return kp_fail(kp, "map-invalid: entry %u [0x%llx +0x%llx): %s", i,
                           (unsigned long long)e->base, (unsigned long long)e->length,
                           mm_strerror(st));
    }
    return true;
}

/* The kernel's copy of the map as a table: one line per entry. */
static void map_table(struct kp *kp)
{
    kp_printf(kp, "  %-18s  %-18s  %10s  %s\n", "base", "end", "size", "type");
    for (uint32_t i = 0; i < kp->map.count; i++) {
        const mm_entry *e = &kp->map.entries[i];
        char size[MM_FMT_BYTES_MAX];
        mm_fmt_bytes(size, sizeof(size), e->length);
        kp_printf(kp, "  0x%016llx  0x%016llx  %10s  %s\n", (unsigned long long)e->base,
                  (unsigned long long)mm_entry_end(e), size, mm_type_name((mm_type)e->type));
    }
}

static void map_print(struct kp *kp)
{
    kp_printf(kp, "memory map: %u entries, usable entries aligned to %u bytes\n", kp->map.count,
              kp->h->bitmap_granularity);
    map_table(kp);
    char usable[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(usable, sizeof(usable), kp->mstats.usable_bytes);
    kp_printf(kp, "  usable: %s (%llu bytes), highest usable end 0x%llx\n", usable,
              (unsigned long long)kp->mstats.usable_bytes,
              (unsigned long long)kp->mstats.highest_usable_end);
}

/* RAM the kernel may touch must lie inside the direct map. */
static bool map_check_hhdm(struct kp *kp)
{
    for (uint32_t i = 0; i < kp->map.count; i++) {
        const mm_entry *e = &kp->map.entries[i];
        bool ram = e->type == MM_TYPE_USABLE || e->type == MM_TYPE_ACPI_RECLAIMABLE ||
                   e->type >= MM_TYPE_BOOTLOADER_RECLAIMABLE;
        if (ram && mm_entry_end(e) > kp->h->hhdm_size)
            return kp_fail(kp,
                           "hhdm-too-small: %s entry %u ends at 0x%llx, direct map ends at 0x%llx",
                           mm_type_name((mm_type)e->type), i, (unsigned long long)mm_entry_end(e),
                           (unsigned long long)kp->h->hhdm_size);
    }
    return true;
}

/* docs/protocol.md: the first page is never usable, on either firmware,
 * so no frame the kernel is handed can be physical 0, a NULL lookalike.
 * Usable entries are aligned to the granularity (>= 4 KiB, validated), so
 * one that overlaps [0, 4096) contains address 0. */
static bool map_check_page_zero(struct kp *kp)
{
    if (mm_map_type_at(&kp->map, 0) == MM_TYPE_USABLE)
        return kp_fail(kp, "page-zero-usable: [0, 0x1000) lies in a usable entry");
    return true;
}

static bool step_map(struct kp *kp)
{
    uint64_t gran = kp->h->bitmap_granularity;
    if (gran < MM_FRAME_SIZE_DEFAULT || !mm_is_pow2(gran))
        return kp_fail(kp, "bad-granularity: %llu", (unsigned long long)gran);
    if (!map_import(kp))
        return false;
    mm_validate_error err;
    if (mm_map_validate(&kp->map, gran, &err) != MM_OK)
        return kp_fail(kp, "map-invalid: entry %u breaks rule %s", err.index,
                       mm_validate_rule_name(err.rule));
    kp->map.frame_size = gran;
    mm_map_stats(&kp->map, &kp->mstats);
    if (kp->mstats.usable_bytes == 0)
        return kp_fail(kp, "map-no-usable: no usable entry");
    map_print(kp);
    if (!map_check_hhdm(kp) || !map_check_page_zero(kp))
        return false;
    kp->steps_done |= KP_STEP_MAP;
    return true;
}

/* ---- frame bitmap ---- */

static void bitmap_print(struct kp *kp, const char *when)
{
    struct mm_bitmap_stats s;
    mm_bitmap_stats(&kp->bm, &s);
    kp_printf(kp,
              "frame bitmap (%s): %llu frames of %llu bytes from frame 0x%llx; usable %llu, "
              "free %llu, used %llu, largest free run %llu\n",
              when, (unsigned long long)s.frame_count, (unsigned long long)s.granularity,
              (unsigned long long)s.first_frame, (unsigned long long)s.total_frames,
              (unsigned long long)s.free_frames, (unsigned long long)s.used_frames,
              (unsigned long long)s.largest_free_run);
}

static bool step_bitmap(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    if (h->bitmap_flags != MOS_BITMAP_BIT_SET_MEANS_USED)
        return kp_fail(kp, "bitmap-flags: 0x%x, want 0x%x", h->bitmap_flags,
                       MOS_BITMAP_BIT_SET_MEANS_USED);
    if (h->bitmap_addr & 7)
        return kp_fail(kp, "bitmap-unaligned: 0x%llx", (unsigned long long)h->bitmap_addr);
    mm_status st =
        mm_bitmap_adopt(&kp->bm, &kp->map, kp_gran(kp), h->bitmap_first_frame,
                        h->bitmap_frame_count, kp_virt(kp, h->bitmap_addr), h->bitmap_size);
    if (st != MM_OK)
        return kp_fail(kp, "bitmap-adopt: %s (%llu frames from 0x%llx, %llu bytes at 0x%llx)",
                       mm_strerror(st), (unsigned long long)h->bitmap_frame_count,
                       (unsigned long long)h->bitmap_first_frame,
                       (unsigned long long)h->bitmap_size, (unsigned long long)h->bitmap_addr);
    mm_bitmap_stats(&kp->bm, &kp->bm_at_adopt);
    bitmap_print(kp, "adopted");
    kp->steps_done |= KP_STEP_BITMAP;
    return true;
}

/* First frame of [base, base + size) the bitmap calls free, or UINT64_MAX. */
static uint64_t first_free_frame(const struct kp *kp, uint64_t base, uint64_t size)
{
    uint64_t g = kp_gran(kp);
    for (uint64_t a = mm_align_down(base, g); a < base + size; a += g)
        if (mm_bitmap_is_free(&kp->bm, a))
            return a;
    return UINT64_MAX;
}

/* First frame of [base, base + size) the bitmap calls used, or UINT64_MAX. */
static uint64_t first_used_frame(const struct kp *kp, uint64_t base, uint64_t size)
{
    uint64_t g = kp_gran(kp);
    for (uint64_t a = mm_align_down(base, g); a < base + size; a += g)
        if (!mm_bitmap_is_free(&kp->bm, a))
            return a;
    return UINT64_MAX;
}

/* ---- temporary heap ---- */

static bool heap_start(struct kp *kp, uint64_t base, uint64_t size, bool fallback)
{
    mm_status st = mm_heap_init(&kp->heap, kp_virt(kp, base), (size_t)size);
    if (st != MM_OK)
        return kp_fail(kp, "heap-init: %s", mm_strerror(st));
    kp->heap_base = base;
    kp->heap_size = size;
    kp->heap_fallback = fallback;
    char sz[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(sz, sizeof(sz), size);
    kp_printf(kp, "temporary heap: [0x%llx, 0x%llx) %s, source %s\n", (unsigned long long)base,
              (unsigned long long)(base + size), sz, fallback ? "fallback" : "handoff");
    kp->steps_done |= KP_STEP_HEAP;
    return true;
}

/* True when [base, base + KP_FALLBACK_SIZE) is usable in the map, free in
 * the bitmap and reachable through the direct map. */
static bool fallback_fits(const struct kp *kp, uint64_t base)
{
    return base + KP_FALLBACK_SIZE <= kp->h->hhdm_size &&
           mm_map_range_is(&kp->map, base, KP_FALLBACK_SIZE, MM_TYPE_USABLE) &&
           first_used_frame(kp, base, KP_FALLBACK_SIZE) == UINT64_MAX;
}

/* The fallback: 0x100000 when it is free, else the lowest usable
 * and free 1 MiB above 1 MiB. Usable in the map is not enough: the loader
 * may have taken frames it did not carve, so each candidate is also checked
 * in the bitmap and the search resumes past the first used frame. */
static bool fallback_find(struct kp *kp, uint64_t *out)
{
    if (fallback_fits(kp, KP_FALLBACK_BASE)) {
        *out = KP_FALLBACK_BASE;
        return true;
    }
    uint64_t min = KP_FALLBACK_BASE, max = kp->h->hhdm_size, cand;
    while (min < max && mm_map_find(&kp->map, KP_FALLBACK_SIZE, kp_gran(kp), min, max,
                                    MM_FIND_BOTTOM_UP, &cand) == MM_OK) {
        uint64_t used = first_used_frame(kp, cand, KP_FALLBACK_SIZE);
        if (used == UINT64_MAX) {
            *out = cand;
            return true;
        }
        min = used + kp_gran(kp);
    }
    return false;
}

static bool heap_from_fallback(struct kp *kp)
{
    uint64_t base;
    if (!fallback_find(kp, &base))
        return kp_fail(kp, "no-fallback-heap: no usable, free 1 MiB at or above 0x%x",
                       KP_FALLBACK_BASE);
    mm_status st = mm_bitmap_reserve(&kp->bm, base, KP_FALLBACK_SIZE);
    if (st != MM_OK)
        return kp_fail(kp, "fallback-reserve: %s", mm_strerror(st));
    kp_printf(kp, "temporary heap: handoff fields are 0; fallback %s 0x%x\n",
              base == KP_FALLBACK_BASE ? "at" : "moved: nothing usable and free at",
              KP_FALLBACK_BASE);
    return heap_start(kp, base, KP_FALLBACK_SIZE, true);
}

/* The handoff's heap needs no check of its own here: bc_handoff_check()
 * proved "both 0, or inside one TEMP_HEAP entry", and mm_bitmap_adopt()
 * proved that no frame of a non-usable entry is offered as free. */
static bool step_heap(struct kp *kp)
{
    uint64_t base = kp->h->temp_heap_base, size = kp->h->temp_heap_size;
    if (base == 0 && size == 0)
        return heap_from_fallback(kp);
    return heap_start(kp, base, size, false);
}

/* ---- heap tests ---- */

static bool in_heap(const struct kp *kp, const void *p, size_t len)
{
    uintptr_t lo = (uintptr_t)kp_virt(kp, kp->heap_base);
    uintptr_t a = (uintptr_t)p;
    return a >= lo && a - lo <= kp->heap_size && len <= kp->heap_size - (a - lo);
}

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* `format!`: a short string checked against its known text, and one longer
 * than any small first guess, checked character by character. */
static bool heap_test_kasprintf(struct kp *kp)
{
    static const char want[] = "kasprintf -42 0xbeef 1099511627776 temp-heap";
    char *s = kasprintf(&kp->heap, "%s %d %#x %llu %s", "kasprintf", -42, 0xbeefu, 1ULL << 40,
                        "temp-heap");
    if (s)
        BC_TRACK_ALLOC(kp, MM_ALLOC_HEAP, TAG_KASPRINTF, sizeof(want));
    if (!s || !in_heap(kp, s, 1) || !streq(s, want))
        return kp_fail(kp, "kasprintf: got \"%s\", want \"%s\"", s ? s : "(null)", want);
    enum { LONG = 300 };
    char *z = kasprintf(&kp->heap, "%0*d", LONG, 7);
    if (z)
        BC_TRACK_ALLOC(kp, MM_ALLOC_HEAP, TAG_KASPRINTF, LONG + 1);
    if (!z || !in_heap(kp, z, LONG + 1))
        return kp_fail(kp, "kasprintf: %d-character string not allocated", LONG);
    for (int i = 0; i < LONG; i++)
        if (z[i] != (i == LONG - 1 ? '7' : '0'))
            return kp_fail(kp, "kasprintf: character %d of the long string is '%c'", i, z[i]);
    if (z[LONG] != '\0')
        return kp_fail(kp, "kasprintf: long string not terminated");
    kp->kasprintf_ok = true;
    kp_printf(kp, "heap test: kasprintf -> \"%s\" and a %d-character string: ok\n", s, LONG);
    return true;
}

static uint64_t vec_value(uint64_t i)
{
    return (i + 1) * 0x9e3779b97f4a7c15ULL;
}

/* `vec!` + push: 1000 pushes through 9 doublings, every element checked
 * after the last copy. */
static bool heap_test_vector(struct kp *kp)
{
    enum { N = 1000 };
    kvec v;
    kvec_init(&v, &kp->heap);
    uint32_t growths = 0;
    for (uint64_t i = 0; i < N; i++) {
        size_t cap = v.cap;
        mm_status st = kvec_push(&v, vec_value(i));
        if (st != MM_OK)
            return kp_fail(kp, "vector: push %llu failed: %s", (unsigned long long)i,
                           mm_strerror(st));
        if (v.cap != cap) {
            growths++;
            BC_TRACK_ALLOC(kp, MM_ALLOC_HEAP, TAG_KVEC, v.cap * sizeof(uint64_t));
        }
    }
    if (v.len != N || v.cap < N || !in_heap(kp, v.items, v.cap * sizeof(uint64_t)))
        return kp_fail(kp, "vector: len %llu cap %llu after %d pushes", (unsigned long long)v.len,
                       (unsigned long long)v.cap, N);
    for (uint64_t i = 0; i < N; i++)
        if (v.items[i] != vec_value(i))
            return kp_fail(kp, "vector: element %llu is 0x%llx, want 0x%llx", (unsigned long long)i,
                           (unsigned long long)v.items[i], (unsigned long long)vec_value(i));
    kp->vector_ok = true;
    kp->vector_len = v.len;
    kp_printf(kp, "heap test: vector of %llu u64 (capacity %llu, %u growths): ok\n",
              (unsigned long long)v.len, (unsigned long long)v.cap, growths);
    return true;
}

static void heap_print(struct kp *kp)
{
    mm_heap_stats(&kp->heap, &kp->heap_stats);
    const struct mm_heap_stats *s = &kp->heap_stats;
    kp_printf(kp,
              "heap: size %llu, used %llu, free %llu, peak %llu, allocations %llu, failures %llu, "
              "lost to alignment %llu\n",
              (unsigned long long)s->size, (unsigned long long)s->used, (unsigned long long)s->free,
              (unsigned long long)s->peak, (unsigned long long)s->allocations,
              (unsigned long long)s->failures, (unsigned long long)s->lost_to_alignment);
}

static bool step_heap_tests(struct kp *kp)
{
    if (!heap_test_kasprintf(kp) || !heap_test_vector(kp))
        return false;
    heap_print(kp);
    kp->steps_done |= KP_STEP_HEAP_TESTS;
    return true;
}

/* ---- frames from the adopted bitmap ---- */

/* A frame run the bitmap handed out must be aligned, lie entirely in usable
 * map entries (so it overlaps no loader-owned or firmware range), be marked
 * used now, and be writable through the direct map. */
static bool check_frames(struct kp *kp, const char *what, uint64_t phys, uint64_t count)
{
    uint64_t g = kp_gran(kp), len = count * g;
    if (phys & (g - 1))
        return kp_fail(kp, "frame-unaligned: %s 0x%llx", what, (unsigned long long)phys);
    if (!mm_map_range_is(&kp->map, phys, len, MM_TYPE_USABLE))
        return kp_fail(kp, "frame-not-usable: %s [0x%llx +0x%llx) overlaps %s", what,
                       (unsigned long long)phys, (unsigned long long)len,
                       mm_type_name(mm_map_type_at(&kp->map, phys)));
    uint64_t f = first_free_frame(kp, phys, len);
    if (f != UINT64_MAX)
        return kp_fail(kp, "frame-still-free: %s frame 0x%llx", what, (unsigned long long)f);
    if (phys + len > kp->h->hhdm_size)
        return kp_fail(kp, "frame-outside-hhdm: %s 0x%llx", what, (unsigned long long)phys);
    volatile uint64_t *first = kp_virt(kp, phys);
    volatile uint64_t *last = kp_virt(kp, phys + len - sizeof(uint64_t));
    *first = phys ^ 0x5a5a5a5a5a5a5a5aULL;
    *last = ~phys;
    if (*first != (phys ^ 0x5a5a5a5a5a5a5a5aULL) || *last != ~phys)
        return kp_fail(kp, "frame-readback: %s 0x%llx", what, (unsigned long long)phys);
    kp->frames_tested += count;
    return true;
}

/* Gives back frames allocated under profile tag `tag`. */
static bool free_frames(struct kp *kp, const char *tag, uint64_t phys, uint64_t count)
{
    mm_status st = mm_bitmap_free(&kp->bm, phys, count);
    if (st != MM_OK)
        return kp_fail(kp, "frame-free: 0x%llx x%llu: %s", (unsigned long long)phys,
                       (unsigned long long)count, mm_strerror(st));
    BC_TRACK_FREE(kp, MM_ALLOC_BITMAP, tag, count * kp_gran(kp));
    (void)tag;
    return true;
}

enum { SINGLE_FRAMES = 8, CONTIG_FRAMES = 16 };

static bool frames_single(struct kp *kp, uint64_t *got)
{
    for (int i = 0; i < SINGLE_FRAMES; i++) {
        mm_status st = mm_bitmap_alloc(&kp->bm, &got[i]);
        if (st != MM_OK)
            return kp_fail(kp, "frame-alloc: single frame %d: %s", i, mm_strerror(st));
        BC_TRACK_ALLOC(kp, MM_ALLOC_BITMAP, TAG_SINGLE, kp_gran(kp));
        if (!check_frames(kp, "single", got[i], 1))
            return false;
    }
    return true;
}

/* A run aligned to its own size, and one frame below 4 GiB. */
static bool frames_contig(struct kp *kp, uint64_t *run, uint64_t *low)
{
    uint64_t g = kp_gran(kp);
    mm_status st = mm_bitmap_alloc_contig(&kp->bm, CONTIG_FRAMES, CONTIG_FRAMES * g, 0, run);
    if (st != MM_OK)
        return kp_fail(kp, "frame-alloc: %d contiguous frames: %s", CONTIG_FRAMES, mm_strerror(st));
    BC_TRACK_ALLOC(kp, MM_ALLOC_BITMAP, TAG_CONTIG, CONTIG_FRAMES * g);
    if (*run & (CONTIG_FRAMES * g - 1))
        return kp_fail(kp, "frame-unaligned: run 0x%llx", (unsigned long long)*run);
    if (!check_frames(kp, "contiguous", *run, CONTIG_FRAMES))
        return false;
    kp->contig_base = *run;
    st = mm_bitmap_alloc_below_4g(&kp->bm, 1, 0, low);
    if (st != MM_OK)
        return kp_fail(kp, "frame-alloc: below 4 GiB: %s", mm_strerror(st));
    BC_TRACK_ALLOC(kp, MM_ALLOC_BITMAP, TAG_LOW, g);
    if (*low + g > 4 * MM_GIB)
        return kp_fail(kp, "frame-above-4g: 0x%llx", (unsigned long long)*low);
    return check_frames(kp, "below-4g", *low, 1);
}

/* The highest free frame of usable RAM, taken out of the bitmap: proves
 * that the direct map reaches the top of memory (above 4 GiB on big
 * machines), which first-fit allocation never touches. */
static bool frames_top(struct kp *kp, uint64_t *top)
{
    uint64_t g = kp_gran(kp);
    for (uint32_t i = kp->map.count; i-- > 0;) {
        const mm_entry *e = &kp->map.entries[i];
        if (e->type != MM_TYPE_USABLE)
            continue;
        for (uint64_t a = mm_entry_end(e); a > e->base;) {
            a -= g;
            if (!mm_bitmap_is_free(&kp->bm, a))
                continue;
            mm_status st = mm_bitmap_reserve(&kp->bm, a, g);
            if (st != MM_OK)
                return kp_fail(kp, "frame-alloc: top frame 0x%llx: %s", (unsigned long long)a,
                               mm_strerror(st));
            BC_TRACK_ALLOC(kp, MM_ALLOC_BITMAP, TAG_TOP, g);
            *top = a;
            kp->frame_top = a;
            return check_frames(kp, "top", a, 1);
        }
    }
    return kp_fail(kp, "frame-alloc: no free frame in any usable entry");
}

/* The bitmap must refuse a double free and a frame the loader owns. */
static bool frames_refusals(struct kp *kp, uint64_t freed)
{
    mm_status st = mm_bitmap_free(&kp->bm, freed, 1);
    if (st != MM_ERR_DOUBLE_FREE)
        return kp_fail(kp, "double-free-undetected: freeing 0x%llx twice gave %s",
                       (unsigned long long)freed, mm_strerror(st));
    uint64_t own = mm_align_down(kp->env->handoff_virt - kp->hhdm, kp_gran(kp));
    st = mm_bitmap_free(&kp->bm, own, 1);
    if (st == MM_OK)
        return kp_fail(kp, "loader-frame-freed: the handoff's frame 0x%llx was accepted",
                       (unsigned long long)own);
    return true;
}

static bool step_frames(struct kp *kp)
{
    struct mm_bitmap_stats before, after;
    mm_bitmap_stats(&kp->bm, &before);
    uint64_t single[SINGLE_FRAMES], run, low, top;
    if (!frames_single(kp, single) || !frames_contig(kp, &run, &low) || !frames_top(kp, &top))
        return false;
    for (int i = 0; i < SINGLE_FRAMES; i++)
        if (!free_frames(kp, TAG_SINGLE, single[i], 1))
            return false;
    if (!free_frames(kp, TAG_CONTIG, run, CONTIG_FRAMES) || !free_frames(kp, TAG_LOW, low, 1) ||
        !free_frames(kp, TAG_TOP, top, 1))
        return false;
    if (!frames_refusals(kp, single[0]))
        return false;
    mm_bitmap_stats(&kp->bm, &after);
    if (after.free_frames != before.free_frames)
        return kp_fail(kp, "frame-leak: %llu free before, %llu after",
                       (unsigned long long)before.free_frames,
                       (unsigned long long)after.free_frames);
    kp_printf(kp,
              "frames: %d single (first 0x%llx), %d contiguous at 0x%llx, 1 below 4 GiB at "
              "0x%llx, the top one at 0x%llx: usable, outside every loader range, writable; "
              "all freed, double free and loader frame refused\n",
              SINGLE_FRAMES, (unsigned long long)single[0], CONTIG_FRAMES, (unsigned long long)run,
              (unsigned long long)low, (unsigned long long)top);
    kp->steps_done |= KP_STEP_FRAMES;
    return true;
}

/* ---- a pool over the bitmap ---- */

enum { POOL_BLOCK = 48, POOL_ALIGN = 16, POOL_BLOCKS = 200 };

/* A block must come from usable RAM the bitmap now calls used. */
static bool pool_check_block(struct kp *kp, void *b, uint32_t i)
{
    uint64_t phys = (uint64_t)(uintptr_t)b - kp->hhdm;
    if ((uintptr_t)b & (POOL_ALIGN - 1))
        return kp_fail(kp, "pool-unaligned: block %u at %p", i, b);
    if (!mm_map_range_is(&kp->map, phys, POOL_BLOCK, MM_TYPE_USABLE) ||
        first_free_frame(kp, phys, POOL_BLOCK) != UINT64_MAX)
        return kp_fail(kp, "pool-block-misplaced: block %u at phys 0x%llx", i,
                       (unsigned long long)phys);
    mm_memset(b, (int)(i & 0xff), POOL_BLOCK);
    return true;
}

#if MM_DEBUG
/* Bytes of frames the pool held at its peak: slabs and directory. */
static uint64_t slab_bytes(const struct kp *kp)
{
    return (kp->pool_stats.frames + kp->pool_stats.dir_frames) * kp_gran(kp);
}
#endif

static bool pool_fill(struct kp *kp, mm_pool *pool, void **blocks)
{
    for (uint32_t i = 0; i < POOL_BLOCKS; i++) {
        mm_status st = mm_pool_alloc(pool, &blocks[i]);
        if (st != MM_OK)
            return kp_fail(kp, "pool-alloc: block %u: %s", i, mm_strerror(st));
        BC_TRACK_ALLOC(kp, MM_ALLOC_POOL, TAG_POOL, POOL_BLOCK);
        if (!pool_check_block(kp, blocks[i], i))
            return false;
    }
    /* Overlapping blocks would have overwritten each other's pattern. */
    for (uint32_t i = 0; i < POOL_BLOCKS; i++) {
        const unsigned char *b = blocks[i];
        for (uint32_t k = 0; k < POOL_BLOCK; k++)
            if (b[k] != (i & 0xff))
                return kp_fail(kp, "pool-overlap: block %u byte %u changed", i, k);
    }
    mm_pool_stats(pool, &kp->pool_stats);
    BC_TRACK_ALLOC(kp, MM_ALLOC_BITMAP, TAG_SLABS, slab_bytes(kp));
    return true;
}

static bool pool_drain(struct kp *kp, mm_pool *pool, void **blocks)
{
    for (uint32_t i = 0; i < POOL_BLOCKS; i++) {
        mm_status st = mm_pool_free(pool, blocks[i]);
        if (st != MM_OK)
            return kp_fail(kp, "pool-free: block %u: %s", i, mm_strerror(st));
        BC_TRACK_FREE(kp, MM_ALLOC_POOL, TAG_POOL, POOL_BLOCK);
    }
    mm_status st = mm_pool_free(pool, blocks[0]);
    if (st != MM_ERR_DOUBLE_FREE)
        return kp_fail(kp, "pool-double-free-undetected: %s", mm_strerror(st));
    st = mm_pool_free(pool, kp_virt(kp, kp->heap_base));
    if (st != MM_ERR_FOREIGN_POINTER)
        return kp_fail(kp, "pool-foreign-undetected: %s", mm_strerror(st));
    uint64_t released = 0;
    st = mm_pool_release_empty(pool, &released);
    /* Every slab frame comes back (the directory may too, once empty). */
    if (st != MM_OK || released < kp->pool_stats.frames)
        return kp_fail(kp, "pool-release: %s, %llu frames released, %llu held by slabs",
                       mm_strerror(st), (unsigned long long)released,
                       (unsigned long long)kp->pool_stats.frames);
    st = mm_pool_destroy(pool);
    if (st != MM_OK)
        return kp_fail(kp, "pool-destroy: %s", mm_strerror(st));
    return true;
}

static bool step_pool(struct kp *kp)
{
    struct mm_bitmap_stats before, after;
    mm_bitmap_stats(&kp->bm, &before);
    mm_bitmap_source_ctx ctx;
    mm_frame_source src;
    mm_pool pool;
    void *blocks[POOL_BLOCKS];
    mm_status st = mm_bitmap_source(&kp->bm, kp->hhdm, &ctx, &src);
    if (st == MM_OK)
        st = mm_pool_init(&pool, POOL_BLOCK, POOL_ALIGN, &src);
    if (st != MM_OK)
        return kp_fail(kp, "pool-init: %s", mm_strerror(st));
    if (!pool_fill(kp, &pool, blocks) || !pool_drain(kp, &pool, blocks))
        return false;
    mm_bitmap_stats(&kp->bm, &after);
    if (after.free_frames != before.free_frames)
        return kp_fail(kp, "pool-leak: %llu free frames before, %llu after",
                       (unsigned long long)before.free_frames,
                       (unsigned long long)after.free_frames);
    /* Every frame the pool took came back (checked just above). */
    BC_TRACK_FREE(kp, MM_ALLOC_BITMAP, TAG_SLABS, slab_bytes(kp));
    const struct mm_pool_stats *s = &kp->pool_stats;
    kp_printf(kp,
              "pool: %llu-byte blocks, %u allocated (capacity %llu, %llu slabs, %llu frames + %llu "
              "directory, utilization %u.%u%%); all freed, double free and foreign pointer "
              "refused, frames returned\n",
              (unsigned long long)s->block_size, POOL_BLOCKS, (unsigned long long)s->capacity,
              (unsigned long long)s->slabs, (unsigned long long)s->frames,
              (unsigned long long)s->dir_frames, s->utilization / 10, s->utilization % 10);
    kp->steps_done |= KP_STEP_POOL;
    return true;
}

/* ---- placement of what the loader used ---- */

struct placement {
    const char *what;
    uint64_t base, size;
    mm_type type;
};

static bool check_placement(struct kp *kp, const struct placement *p)
{
    if (p->size == 0)
        return true; /* optional range the loader did not provide */
    if (!mm_map_range_is(&kp->map, p->base, p->size, p->type))
        return kp_fail(kp,
                       "misplaced: %s [0x%llx +0x%llx) is not inside %s entries (type at "
                       "base: %s)",
                       p->what, (unsigned long long)p->base, (unsigned long long)p->size,
                       mm_type_name(p->type), mm_type_name(mm_map_type_at(&kp->map, p->base)));
    kp->placements_checked++;
    return true;
}

static bool placement_ranges(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    const struct placement list[] = {
        {"kernel image", h->kernel_phys_base, h->kernel_size, MM_TYPE_KERNEL},
        {"kernel stack", h->stack_phys_base, h->stack_size, MM_TYPE_KERNEL_STACK},
        {"frame bitmap", h->bitmap_addr, h->bitmap_size, MM_TYPE_FRAME_BITMAP},
        {"boot heap", h->boot_heap_base, h->boot_heap_size, MM_TYPE_BOOT_HEAP},
        {"page tables (CR3)", mm_align_down(h->cr3, 4096), 4096, MM_TYPE_PAGE_TABLES},
        {"handoff", kp->env->handoff_virt - kp->hhdm, h->size, MM_TYPE_HANDOFF},
        {"memory map", h->memmap_addr, (uint64_t)h->memmap_count * h->memmap_entry_size,
         MM_TYPE_HANDOFF},
        {"command line", h->cmdline_addr, h->cmdline_size, MM_TYPE_HANDOFF},
        {"EFI memory map", h->efi_memmap_addr, h->efi_memmap_size, MM_TYPE_HANDOFF},
    };
    if (h->kernel_size == 0 || h->stack_size == 0 || h->bitmap_size == 0)
        return kp_fail(kp, "missing-range: kernel %llu, stack %llu, bitmap %llu bytes",
                       (unsigned long long)h->kernel_size, (unsigned long long)h->stack_size,
                       (unsigned long long)h->bitmap_size);
    for (size_t i = 0; i < MM_ARRAY_SIZE(list); i++)
        if (!check_placement(kp, &list[i]))
            return false;
    return true;
}

/* What the CPU state says must match what the handoff claims (checked
 * only where the machine layer could tell: not on the host). */
static bool placement_live(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    const struct kp_env *env = kp->env;
    if (env->rsp && (env->rsp > h->stack_virt_top || env->rsp < h->stack_virt_top - h->stack_size))
        return kp_fail(kp, "stack-mismatch: RSP 0x%llx outside [0x%llx, 0x%llx]",
                       (unsigned long long)env->rsp,
                       (unsigned long long)(h->stack_virt_top - h->stack_size),
                       (unsigned long long)h->stack_virt_top);
    if (env->entry && env->entry != h->kernel_entry)
        return kp_fail(kp, "entry-mismatch: _start 0x%llx, handoff says 0x%llx",
                       (unsigned long long)env->entry, (unsigned long long)h->kernel_entry);
    if (env->image_start && (env->image_start != h->kernel_virt_base ||
                             env->image_end - env->image_start > h->kernel_size + 4095))
        return kp_fail(kp, "image-mismatch: linked [0x%llx, 0x%llx), handoff 0x%llx +0x%llx",
                       (unsigned long long)env->image_start, (unsigned long long)env->image_end,
                       (unsigned long long)h->kernel_virt_base, (unsigned long long)h->kernel_size);
    return true;
}

/* The page tables the kernel runs on are the ones announced, and map it
 * W^X: text and rodata read-only (with CR0.WP so that holds for ring 0),
 * data not executable when the CPU has NX, which the loader must enable. */
static bool check_mappings(struct kp *kp)
{
    const struct kp_probe *p = &kp->env->probe;
    if (!p->done)
        return true;
    if (p->cr3 != kp->h->cr3)
        return kp_fail(kp, "cr3-mismatch: CR3 0x%llx, handoff says 0x%llx",
                       (unsigned long long)p->cr3, (unsigned long long)kp->h->cr3);
    if (!p->cr0_wp)
        return kp_fail(kp, "cr0-wp-clear: read-only pages are writable in ring 0");
    if (p->text_writable || p->rodata_writable)
        return kp_fail(kp, "wx-writable: a write to %s did not fault",
                       p->text_writable ? ".text" : ".rodata");
    if (p->nx_cpu != p->nx_enabled)
        return kp_fail(kp, "nx-mismatch: CPU %s NX, EFER.NXE is %d", p->nx_cpu ? "has" : "lacks",
                       p->nx_enabled);
    if (p->nx_enabled && p->data_executable)
        return kp_fail(kp, "wx-executable: a jump into .bss did not fault");
    kp_printf(kp, "mappings: CR3 as announced; text and rodata read-only; data %s\n",
              p->nx_enabled ? "not executable (NX on)" : "executable (CPU without NX)");
    return true;
}

/* The firmware fields match the boot mode: EFI tables only on UEFI, a
 * memory detection method only on BIOS. */
static bool check_firmware(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    if (h->boot_mode == MOS_BOOT_MODE_BIOS) {
        if (h->efi_system_table || h->efi_memmap_addr || h->efi_memmap_size)
            return kp_fail(kp,
                           "firmware-mismatch: BIOS boot with EFI system table 0x%llx, "
                           "EFI map 0x%llx",
                           (unsigned long long)h->efi_system_table,
                           (unsigned long long)h->efi_memmap_addr);
        if (h->bios_memory_detect == MOS_BIOS_DETECT_NONE ||
            h->bios_memory_detect > MOS_BIOS_DETECT_FALLBACK)
            return kp_fail(kp, "firmware-mismatch: BIOS boot with bios_memory_detect %u",
                           h->bios_memory_detect);
        return true;
    }
    if (!h->efi_system_table || !h->efi_memmap_size || h->efi_desc_size < MM_EFI_DESC_MIN_SIZE)
        return kp_fail(kp,
                       "firmware-mismatch: UEFI boot with system table 0x%llx, EFI map of "
                       "%llu bytes, descriptor size %u",
                       (unsigned long long)h->efi_system_table,
                       (unsigned long long)h->efi_memmap_size, h->efi_desc_size);
    if (h->bios_memory_detect != MOS_BIOS_DETECT_NONE)
        return kp_fail(kp, "firmware-mismatch: UEFI boot with bios_memory_detect %u",
                       h->bios_memory_detect);
    return true;
}

/* Below identity_map_size a physical address is also its own virtual
 * address: the handoff must read the same both ways. Only in the kernel
 * (the host has no identity map: identity_map_size 0 there). */
static bool check_identity_map(struct kp *kp)
{
    uint64_t phys = kp->env->handoff_virt - kp->hhdm;
    if (phys + sizeof(uint64_t) > kp->h->identity_map_size)
        return true;
    const volatile uint64_t *low = (const volatile uint64_t *)(uintptr_t)phys;
    if (*low != kp->h->magic)
        return kp_fail(kp, "identity-map: phys 0x%llx reads 0x%llx, direct map reads 0x%llx",
                       (unsigned long long)phys, (unsigned long long)*low,
                       (unsigned long long)kp->h->magic);
    return true;
}

static bool check_cmdline(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    if (h->cmdline_size == 0)
        return true;
    const char *s = kp_virt(kp, h->cmdline_addr);
    if (s[h->cmdline_size - 1] != '\0')
        return kp_fail(kp, "cmdline-unterminated: %u bytes", h->cmdline_size);
    kp_printf(kp, "command line: \"%s\"\n", s);
    return true;
}

/* Revision 2: each module's command line is one string of exactly
 * cmdline_size bytes (bc_handoff_check saw only its last byte) and its
 * path is NUL-terminated. */
static bool check_modules(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    if (h->revision < 2 || h->size < sizeof *h || h->module_count == 0)
        return true;
    const uint8_t *p = kp_virt(kp, h->modules_addr);
    for (uint32_t i = 0; i < h->module_count; i++, p += h->module_entry_size) {
        const struct mos_module *m = (const struct mos_module *)p;
        const char *cmd = kp_virt(kp, m->cmdline_addr);
        if (bc_strnlen(cmd, m->cmdline_size) + 1 != m->cmdline_size)
            return kp_fail(kp, "module-cmdline: module %u: a NUL inside its %u bytes", i,
                           m->cmdline_size);
        if (bc_strnlen(m->path, sizeof m->path) == sizeof m->path)
            return kp_fail(kp, "module-path: module %u: not NUL-terminated", i);
    }
    return true;
}

/* ACPI tables are read through the direct map; an address past it (or a
 * length that wraps) is refused rather than read. */
static const void *acpi_map(void *ctx, uint64_t phys, uint64_t len)
{
    const struct kp *kp = ctx;
    uint64_t end;
    if (!mm_range_end(phys, len, &end) || end > kp->h->hhdm_size)
        return NULL;
    return kp_virt(kp, phys);
}

/* The RSDP the loader found must be one: signature, checksums, revision,
 * and the XSDT (revision >= 2) or RSDT it names. An absent RSDP (0) is
 * reported, not failed: the protocol allows it. */
static bool check_acpi(struct kp *kp)
{
    char why[96];
    bc_acpi a;
    uint64_t madt_phys;
    if (kp->h->acpi_rsdp == 0) {
        kp_printf(kp, "acpi: no RSDP handed over\n");
        return true;
    }
    if (bc_acpi_init(&a, kp->h->acpi_rsdp, acpi_map, kp, why, sizeof why) != MM_OK)
        return kp_fail(kp, "acpi-invalid: RSDP at 0x%llx: %s", (unsigned long long)kp->h->acpi_rsdp,
                       why);
    kp->acpi_checked = true;
    kp->acpi_revision = a.revision;
    kp->acpi_xsdt = a.entry_size == 8;
    kp->acpi_tables = a.entries;
    kp->acpi_cpus = UINT32_MAX;
    if (bc_acpi_find(&a, "APIC", 0, &madt_phys) == MM_OK) {
        uint32_t len = 0;
        const uint8_t *t = bc_acpi_table(&a, madt_phys, "APIC", &len);
        bc_madt m;
        mm_status st = bc_madt_parse(t, len, &m, NULL, 0);
        if (st != MM_OK && st != MM_ERR_BUFFER_TOO_SMALL)
            return kp_fail(kp, "acpi-invalid: MADT at 0x%llx: %s", (unsigned long long)madt_phys,
                           mm_status_name(st));
        kp->acpi_cpus = m.count;
    }
    kp_printf(kp, "acpi: RSDP revision %u (OEM \"%s\") valid, %s at 0x%llx lists %u tables\n",
              a.revision, a.oem_id, kp->acpi_xsdt ? "XSDT" : "RSDT", (unsigned long long)a.root,
              a.entries);
    return true;
}

/* On UEFI the system table handed over must start with its signature. */
static bool check_efi_systab(struct kp *kp)
{
    static const char sig[8] = {'I', 'B', 'I', ' ', 'S', 'Y', 'S', 'T'};
    uint64_t st = kp->h->efi_system_table;
    if (kp->h->boot_mode != MOS_BOOT_MODE_UEFI)
        return true;
    if (!acpi_map(kp, st, sizeof sig))
        return kp_fail(kp, "efi-systab-invalid: 0x%llx outside the direct map",
                       (unsigned long long)st);
    const uint8_t *p = kp_virt(kp, st);
    for (size_t i = 0; i < sizeof sig; i++)
        if (p[i] != (uint8_t)sig[i])
            return kp_fail(kp, "efi-systab-invalid: no \"IBI SYST\" signature at 0x%llx",
                           (unsigned long long)st);
    kp->efi_systab_ok = true;
    return true;
}

static bool step_placement(struct kp *kp)
{
    if (!placement_ranges(kp) || !placement_live(kp) || !check_mappings(kp) || !check_cmdline(kp) ||
        !check_modules(kp) || !check_firmware(kp) || !check_identity_map(kp) || !check_acpi(kp) ||
        !check_efi_systab(kp))
        return false;
    bool live = kp->env->rsp && kp->env->entry && kp->env->image_start;
    kp_printf(kp, "placement: %u loader ranges lie in entries of their own types; %s\n",
              kp->placements_checked,
              live ? "stack, entry and image match the CPU state" : "CPU state not checked");
    kp->steps_done |= KP_STEP_PLACEMENT;
    return true;
}

/* ---- reclaiming loader memory ---- */

/* The frame-aligned part of entry `e` that the bitmap covers, or false
 * when nothing is left (with a coarse granularity a loader range need not
 * be aligned). */
static bool reclaimable_part(const struct kp *kp, const mm_entry *e, uint64_t *base, uint64_t *len)
{
    uint64_t g = kp_gran(kp);
    uint64_t lo = kp->bm.first_frame * g, hi = (kp->bm.first_frame + kp->bm.frame_count) * g;
    uint64_t b, end = mm_align_down(mm_entry_end(e), g);
    if (!mm_align_up(e->base, g, &b))
        return false;
    if (b < lo)
        b = lo;
    if (end > hi)
        end = hi;
    if (b >= end)
        return false;
    *base = b;
    *len = end - b;
    return true;
}

/* Index of the first entry of `type` with something to reclaim, or
 * kp->map.count. */
static uint32_t next_reclaimable(const struct kp *kp, mm_type type, uint64_t *base, uint64_t *len)
{
    for (uint32_t i = 0; i < kp->map.count; i++)
        if (kp->map.entries[i].type == type && reclaimable_part(kp, &kp->map.entries[i], base, len))
            return i;
    return kp->map.count;
}

/* Turns [base, base + len) into usable RAM: usable in the kernel's map,
 * free in the bitmap, and writable through the direct map. */
static bool reclaim_range(struct kp *kp, uint64_t base, uint64_t len)
{
    mm_status st = mm_map_carve(&kp->map, base, len, MM_TYPE_USABLE, MM_CARVE_ANY_TYPE);
    if (st == MM_OK)
        st = mm_bitmap_free(&kp->bm, base, len >> mm_log2(kp_gran(kp)));
    if (st != MM_OK)
        return kp_fail(kp, "reclaim: [0x%llx +0x%llx): %s", (unsigned long long)base,
                       (unsigned long long)len, mm_strerror(st));
    volatile uint64_t *p = kp_virt(kp, base);
    *p = ~base;
    if (*p != ~base)
        return kp_fail(kp, "reclaim-readback: 0x%llx", (unsigned long long)base);
    return true;
}

/* docs/protocol.md section 5: with its own GDT and IDT loaded, the kernel
 * may take back the loader's code and data (BOOTLOADER_RECLAIMABLE) and
 * the boot heap (BOOT_HEAP, nothing handed over lives there). Each range
 * becomes free frames in the adopted bitmap, exactly as many as it holds. */
static bool step_reclaim(struct kp *kp)
{
    static const mm_type types[] = {MM_TYPE_BOOTLOADER_RECLAIMABLE, MM_TYPE_BOOT_HEAP};
    struct mm_bitmap_stats before, after;
    mm_bitmap_stats(&kp->bm, &before);
    uint32_t ranges = 0;
    for (size_t t = 0; t < MM_ARRAY_SIZE(types); t++) {
        uint64_t base, len;
        /* Each carve merges entries, so look the next one up afresh. */
        while (next_reclaimable(kp, types[t], &base, &len) < kp->map.count) {
            if (!reclaim_range(kp, base, len))
                return false;
            kp->reclaimed_bytes += len;
            ranges++;
        }
    }
    mm_bitmap_stats(&kp->bm, &after);
    if (after.free_frames - before.free_frames != kp->reclaimed_bytes >> mm_log2(kp_gran(kp)))
        return kp_fail(kp, "reclaim-count: %llu bytes reclaimed, %llu frames freed",
                       (unsigned long long)kp->reclaimed_bytes,
                       (unsigned long long)(after.free_frames - before.free_frames));
    char sz[MM_FMT_BYTES_MAX];
    mm_fmt_bytes(sz, sizeof(sz), kp->reclaimed_bytes);
    kp_printf(kp,
              "reclaimed: %u ranges, %s of bootloader-reclaimable and boot-heap memory, now free "
              "frames (%llu free)\n",
              ranges, sz, (unsigned long long)after.free_frames);
    kp->steps_done |= KP_STEP_RECLAIM;
    return true;
}

/* ---- timing ---- */

/* Microseconds in `ticks` at `hz` (hz > 0), without overflowing for any
 * realistic frequency. */
static uint64_t ticks_to_us(uint64_t ticks, uint64_t hz)
{
    return (ticks / hz) * 1000000 + (ticks % hz) * 1000000 / hz;
}

static void print_ms(struct kp *kp, const char *label, uint64_t us)
{
    kp_printf(kp, "%s %llu.%03llu ms", label, (unsigned long long)(us / 1000),
              (unsigned long long)(us % 1000));
}

static bool step_timing(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    uint64_t t0 = h->tsc_loader_entry, t1 = h->tsc_memmap_done, t2 = h->tsc_kernel_jump;
    if (t0 && t1 && t2 && !(t0 <= t1 && t1 <= t2))
        return kp_fail(kp, "timestamps-out-of-order: entry %llu, memmap %llu, jump %llu",
                       (unsigned long long)t0, (unsigned long long)t1, (unsigned long long)t2);
    uint64_t hz = h->tsc_frequency_hz;
    if (hz == 0 || !t0 || !t2) {
        kp_printf(kp, "loader time: unknown (TSC frequency not calibrated)\n");
    } else {
        kp->loader_us = ticks_to_us(t2 - t0, hz);
        print_ms(kp, "loader time: entry to jump", kp->loader_us);
        if (t1) {
            kp->memmap_us = ticks_to_us(t1 - t0, hz);
            print_ms(kp, ", memory map taken after", kp->memmap_us);
        }
        uint64_t tk = kp->env->tsc_at_kmain;
        if (tk && tk >= t2) {
            kp->handover_us = ticks_to_us(tk - t2, hz);
            print_ms(kp, ", jump to kmain", kp->handover_us);
        }
        kp_printf(kp, " (TSC %llu Hz)\n", (unsigned long long)hz);
    }
    kp->steps_done |= KP_STEP_TIMING;
    return true;
}

bool kp_run_steps(struct kp *kp)
{
    static bool (*const steps[])(struct kp *) = {
        step_map,  step_bitmap,    step_heap,    step_heap_tests, step_frames,
        step_pool, step_placement, step_reclaim, step_timing,
    };
    if (!kp->h)
        return kp_fail(kp, "no-handoff: header not checked");
    for (size_t i = 0; i < MM_ARRAY_SIZE(steps); i++)
        if (!steps[i](kp))
            return false;
    return true;
}

/* ---- memory map picture (handoff revision 2) ---- */

bool kp_handoff_fb(const struct kp *kp, bc_fb *fb)
{
    const struct mos_handoff *h = kp->h;
    if (!h || h->revision < 2 || h->size < sizeof *h || h->fb_addr == 0)
        return false;
    *fb = (bc_fb){
        .base = kp_virt(kp, h->fb_addr),
        .width = h->fb_width,
        .height = h->fb_height,
        .pitch = h->fb_pitch,
        .bpp = h->fb_bpp,
        .red_size = h->fb_red_mask_size,
        .red_shift = h->fb_red_mask_shift,
        .green_size = h->fb_green_mask_size,
        .green_shift = h->fb_green_mask_shift,
        .blue_size = h->fb_blue_mask_size,
        .blue_shift = h->fb_blue_mask_shift,
    };
    return true;
}

/* Where the picture shows each drawn row's bar and each legend swatch,
 * and in which colour, as `MOS mapview_row<i>=X,Y,RRGGBB,TYPE` and
 * `MOS mapview_legend<k>=X,Y,RRGGBB,TYPE`: a screenshot of the
 * framebuffer can then be checked pixel by pixel against the map. */
static void report_probes(struct kp *kp, const bc_fb *fb)
{
    bc_mapview_geom g;
    uint32_t types[MM_TYPE_COUNT], x, y;
    if (bc_mapview_layout(fb->width, fb->height, kp->map.count, &g) != MM_OK)
        return;
    kp_printf(kp, "MOS mapview_rows=%u\n", g.rows);
    for (uint32_t i = 0; i < g.rows; i++) {
        const mm_entry *e = &kp->map.entries[i];
        bc_mapview_bar_probe(&g, i, e->length, &x, &y);
        kp_printf(kp, "MOS mapview_row%u=%u,%u,%06x,%s\n", i, x, y, bc_mapview_colour(e->type),
                  mm_type_name((mm_type)e->type));
    }
    uint32_t k = bc_mapview_legend(kp->map.entries, kp->map.count, types);
    kp_printf(kp, "MOS mapview_legend=%u\n", k);
    for (uint32_t i = 0; i < k; i++) {
        bc_mapview_swatch_probe(&g, i, &x, &y);
        kp_printf(kp, "MOS mapview_legend%u=%u,%u,%06x,%s\n", i, x, y, bc_mapview_colour(types[i]),
                  mm_type_name((mm_type)types[i]));
    }
}

void kp_draw_map(struct kp *kp, const bc_fb *fb)
{
    char title[64];
    if (!fb || !(kp->steps_done & KP_STEP_MAP)) {
        kp->fb_map = KP_FB_NONE;
        return;
    }
    mm_snprintf(title, sizeof title, "MultiOS memory map: %u entries", kp->map.count);
    bool ok = bc_mapview_draw(fb, kp->map.entries, kp->map.count, title) == MM_OK;
    kp->fb_map = ok ? KP_FB_DRAWN : KP_FB_REFUSED;
    kp_printf(kp, "framebuffer: %ux%u, %u bpp: memory map picture %s\n", fb->width, fb->height,
              fb->bpp, ok ? "drawn" : "not drawn (too small)");
    if (!ok)
        return;
    /* Reclaim has changed the map since map_print: the table of what is
     * drawn, for whoever compares a screenshot with it. */
    kp_printf(kp, "memory map as drawn: %u entries\n", kp->map.count);
    map_table(kp);
    report_probes(kp, fb);
}

/* ---- report ---- */

static void report_header(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    kp_printf(kp, "MOS boot_mode=%s\n", boot_mode_name(h->boot_mode));
    kp_printf(kp, "MOS handoff_revision=%u\n", h->revision);
    kp_printf(kp, "MOS loader_name=%.32s\n", h->loader_name);
    kp_printf(kp, "MOS loader_version=%u.%u.%u\n", h->loader_version >> 16,
              (h->loader_version >> 8) & 0xff, h->loader_version & 0xff);
    kp_printf(kp, "MOS hhdm_offset=0x%llx\n", (unsigned long long)h->hhdm_offset);
    kp_printf(kp, "MOS bios_memory_detect=%s\n", bios_detect_name(h->bios_memory_detect));
    kp_printf(kp, "MOS acpi_rsdp=0x%llx\n", (unsigned long long)h->acpi_rsdp);
    kp_printf(kp, "MOS efi_system_table=0x%llx\n", (unsigned long long)h->efi_system_table);
    kp_printf(kp, "MOS identity_map_size=0x%llx\n", (unsigned long long)h->identity_map_size);
    kp_printf(kp, "MOS hhdm_size=0x%llx\n", (unsigned long long)h->hhdm_size);
}

static void report_map(struct kp *kp)
{
    kp_printf(kp, "MOS map_entries=%u\n", kp->h->memmap_count); /* as handed over */
    kp_printf(kp, "MOS usable_bytes=%llu\n", (unsigned long long)kp->mstats.usable_bytes);
    kp_printf(kp, "MOS highest_usable=0x%llx\n", (unsigned long long)kp->mstats.highest_usable_end);
    kp_printf(kp, "MOS bitmap_granularity=%u\n", kp->h->bitmap_granularity);
}

static void report_bitmap(struct kp *kp)
{
    struct mm_bitmap_stats now;
    mm_bitmap_stats(&kp->bm, &now);
    kp_printf(kp, "MOS frames_total=%llu\n", (unsigned long long)now.total_frames);
    kp_printf(kp, "MOS frames_free_at_adopt=%llu\n",
              (unsigned long long)kp->bm_at_adopt.free_frames);
    kp_printf(kp, "MOS frames_free=%llu\n", (unsigned long long)now.free_frames);
}

static void report_heap(struct kp *kp)
{
    kp_printf(kp, "MOS temp_heap_base=0x%llx\n", (unsigned long long)kp->heap_base);
    kp_printf(kp, "MOS temp_heap_size=%llu\n", (unsigned long long)kp->heap_size);
    kp_printf(kp, "MOS temp_heap_source=%s\n", kp->heap_fallback ? "fallback" : "handoff");
    /* Which branch of the fallback: 0x100000 itself, or moved. */
    kp_printf(kp, "MOS temp_heap_fallback=%s\n",
              !kp->heap_fallback                  ? "none"
              : kp->heap_base == KP_FALLBACK_BASE ? "fixed"
                                                  : "moved");
    kp_printf(kp, "MOS boot_heap_size=%llu\n", (unsigned long long)kp->h->boot_heap_size);
    kp_printf(kp, "MOS boot_heap_used=%llu\n", (unsigned long long)kp->h->boot_heap_used);
}

static void report_heap_tests(struct kp *kp)
{
    kp_printf(kp, "MOS kasprintf_ok=%d\n", kp->kasprintf_ok);
    kp_printf(kp, "MOS vector_ok=%d\n", kp->vector_ok);
    kp_printf(kp, "MOS heap_used=%llu\n", (unsigned long long)kp->heap_stats.used);
    kp_printf(kp, "MOS heap_allocations=%llu\n", (unsigned long long)kp->heap_stats.allocations);
}

static void report_ms(struct kp *kp, const char *key, uint64_t us)
{
    if (us == UINT64_MAX)
        kp_printf(kp, "MOS %s=unknown\n", key);
    else
        kp_printf(kp, "MOS %s=%llu.%03llu\n", key, (unsigned long long)(us / 1000),
                  (unsigned long long)(us % 1000));
}

/* ---- application processors (handoff revision 2) ---- */

#define KP_MAX_APS 64u

/* One slot per AP woken: 0x80000000 | the APIC id it reads itself. */
static volatile uint32_t ap_seen[KP_MAX_APS];

/* Where a woken AP lands (the record's goto_address): RDI = its record.
 * It reports the APIC id CPUID gives it in the slot `argument` names,
 * then halts for good (interrupts are off, its IDT is the reset one). */
static uint64_t tsc_now(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void ap_entry(struct mos_cpu_record *r)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    *(volatile uint32_t *)(uintptr_t)r->argument = 0x80000000u | b >> 24;
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Sends every started AP to ap_entry (argument first, then
 * goto_address), waits up to a second for all of them, and checks each
 * wrote its own APIC id. Returns the number that did. */
static uint32_t wake_aps(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    const uint8_t *c = kp_virt(kp, h->cpus_addr);
    uint32_t woken = 0, good = 0, slot[KP_MAX_APS];
    for (uint32_t i = 0; h->cpus_addr && i < h->cpu_count && woken < KP_MAX_APS;
         i++, c += h->cpu_entry_size) {
        const struct mos_cpu *cpu = (const struct mos_cpu *)c;
        if (!(cpu->flags & MOS_CPU_STARTED))
            continue;
        struct mos_cpu_record *r = kp_virt(kp, cpu->record_addr);
        slot[woken] = cpu->apic_id;
        r->argument = (uint64_t)(uintptr_t)&ap_seen[woken];
        __atomic_store_n(&r->goto_address, (uint64_t)(uintptr_t)ap_entry, __ATOMIC_RELEASE);
        woken++;
    }
    uint64_t hz = h->tsc_frequency_hz ? h->tsc_frequency_hz : 4000000000ull;
    uint64_t start = tsc_now();
    for (uint32_t i = 0; i < woken; i++) {
        while (!ap_seen[i] && tsc_now() - start < hz)
            __builtin_ia32_pause();
        if (ap_seen[i] == (0x80000000u | slot[i]))
            good++;
        else
            kp_printf(kp, "ap: APIC id %u reported 0x%x\n", slot[i], ap_seen[i]);
    }
    return good;
}

/* Each module (checked by check_modules): size, zlib CRC-32 of its
 * bytes, path and command line. */
static void report_modules(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    const uint8_t *p = kp_virt(kp, h->modules_addr);
    for (uint32_t i = 0; i < h->module_count; i++, p += h->module_entry_size) {
        const struct mos_module *m = (const struct mos_module *)p;
        uint32_t crc = mos_crc32_skip(kp_virt(kp, m->addr), (size_t)m->size, (size_t)m->size);
        kp_printf(kp, "MOS module%u_size=%llu\n", i, (unsigned long long)m->size);
        kp_printf(kp, "MOS module%u_crc32=0x%08x\n", i, crc);
        kp_printf(kp, "MOS module%u_path=%s\n", i, m->path);
        kp_printf(kp, "MOS module%u_cmdline=%s\n", i, (const char *)kp_virt(kp, m->cmdline_addr));
    }
}

/* Revision 2 (checked by bc_handoff_check): the framebuffer, the number
 * of modules, and the CPUs by outcome. */
static void report_rev2(struct kp *kp)
{
    const struct mos_handoff *h = kp->h;
    if (h->revision < 2 || h->size < sizeof *h)
        return;
    if (h->fb_addr) {
        kp_printf(kp, "MOS fb=%ux%ux%u\n", h->fb_width, h->fb_height, h->fb_bpp);
        kp_printf(kp, "MOS fb_width=%u\n", h->fb_width);
        kp_printf(kp, "MOS fb_height=%u\n", h->fb_height);
        kp_printf(kp, "MOS fb_bpp=%u\n", h->fb_bpp);
    } else
        kp_printf(kp, "MOS fb=none\n");
    kp_printf(kp, "MOS modules=%u\n", h->module_count);
    report_modules(kp);
    uint32_t started = 0, failed = 0, woken = wake_aps(kp);
    const uint8_t *c = kp_virt(kp, h->cpus_addr);
    for (uint32_t i = 0; h->cpus_addr && i < h->cpu_count; i++, c += h->cpu_entry_size) {
        uint32_t flags = ((const struct mos_cpu *)c)->flags;
        started += (flags & MOS_CPU_STARTED) != 0;
        failed += (flags & MOS_CPU_FAILED) != 0;
    }
    kp_printf(kp, "MOS cpus=%u\n", h->cpu_count);
    kp_printf(kp, "MOS cpus_started=%u\n", started);
    kp_printf(kp, "MOS cpus_failed=%u\n", failed);
    kp_printf(kp, "MOS bsp_apic_id=%u\n", h->bsp_apic_id);
    kp_printf(kp, "MOS smp_flags=0x%x\n", h->smp_flags);
    kp_printf(kp, "MOS aps_started=%u\n", woken);
}

/* acpi_rsdp_valid: 1 when checked, "absent" without an RSDP; the
 * revision, root and MADT CPU count only when checked. */
static void report_firmware_tables(struct kp *kp)
{
    if (!kp->acpi_checked) {
        kp_printf(kp, "MOS acpi_rsdp_valid=absent\n");
    } else {
        kp_printf(kp, "MOS acpi_rsdp_valid=1\n");
        kp_printf(kp, "MOS acpi_revision=%u\n", kp->acpi_revision);
        kp_printf(kp, "MOS acpi_root=%s\n", kp->acpi_xsdt ? "xsdt" : "rsdt");
        kp_printf(kp, "MOS acpi_tables=%u\n", kp->acpi_tables);
        if (kp->acpi_cpus == UINT32_MAX)
            kp_printf(kp, "MOS acpi_madt_cpus=none\n");
        else
            kp_printf(kp, "MOS acpi_madt_cpus=%u\n", kp->acpi_cpus);
    }
    if (kp->h->boot_mode == MOS_BOOT_MODE_UEFI)
        kp_printf(kp, "MOS efi_systab_signature=%s\n", kp->efi_systab_ok ? "ok" : "bad");
    report_rev2(kp);
    static const char *const fb_map[] = {"not-tried", "none", "drawn", "refused"};
    if (kp->fb_map != KP_FB_NOT_TRIED)
        kp_printf(kp, "MOS fb_map=%s\n", fb_map[kp->fb_map]);
}

static void report_rest(struct kp *kp)
{
    if (kp->steps_done & KP_STEP_FRAMES) {
        kp_printf(kp, "MOS frames_tested=%llu\n", (unsigned long long)kp->frames_tested);
        kp_printf(kp, "MOS frame_top=0x%llx\n", (unsigned long long)kp->frame_top);
    }
    if (kp->steps_done & KP_STEP_POOL)
        kp_printf(kp, "MOS pool_blocks_peak=%llu\n", (unsigned long long)kp->pool_stats.peak);
    if (kp->steps_done & KP_STEP_PLACEMENT) {
        kp_printf(kp, "MOS placements_checked=%u\n", kp->placements_checked);
        if (kp->env->probe.done)
            kp_printf(kp, "MOS nx=%s\n", kp->env->probe.nx_enabled ? "on" : "off");
        report_firmware_tables(kp);
    }
    if (kp->steps_done & KP_STEP_RECLAIM)
        kp_printf(kp, "MOS reclaimed_bytes=%llu\n", (unsigned long long)kp->reclaimed_bytes);
    if (kp->steps_done & KP_STEP_TIMING) {
        report_ms(kp, "loader_ms", kp->loader_us);
        report_ms(kp, "memmap_ms", kp->memmap_us);
        report_ms(kp, "handover_ms", kp->handover_us);
        kp_printf(kp, "MOS tsc_frequency_hz=%llu\n", (unsigned long long)kp->h->tsc_frequency_hz);
    }
}

#if MM_DEBUG
static void track_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    const struct kp *kp = ctx;
    (void)level;
    kp->env->out(kp->env->out_ctx, line, len);
    kp->env->out(kp->env->out_ctx, "\n", 1);
}

/* DEBUG=1: the allocation profile of the checks, then its number of sites. */
static void report_track(struct kp *kp)
{
    const mm_logger lg = {.sink = track_sink, .ctx = kp, .level = MM_LOG_INFO};
    BC_TRACK_REPORT(kp, &lg);
    kp_printf(kp, "MOS track_entries=%u\n", kp->track.used);
}
#endif

bool kp_report(struct kp *kp)
{
#if MM_DEBUG
    report_track(kp);
#endif
    if (kp->steps_done & KP_STEP_HEADER)
        report_header(kp);
    if (kp->steps_done & KP_STEP_MAP)
        report_map(kp);
    if (kp->steps_done & KP_STEP_BITMAP)
        report_bitmap(kp);
    if (kp->steps_done & KP_STEP_HEAP)
        report_heap(kp);
    if (kp->steps_done & KP_STEP_HEAP_TESTS)
        report_heap_tests(kp);
    report_rest(kp);
    if (!kp->failed && kp->steps_done != KP_STEPS_ALL)
        kp_fail(kp, "incomplete: steps 0x%x of 0x%x ran", kp->steps_done, KP_STEPS_ALL);
    if (kp->failed) {
        kp_printf(kp, "MOS-RESULT: FAIL %s\n", kp->reason);
        return false;
    }
    kp_printf(kp, "MOS-RESULT: PASS\n");
    return true;
}

bool kp_run(struct kp *kp, const struct kp_env *env)
{
    kp_init(kp, env);
    if (kp_check_header(kp))
        kp_run_steps(kp);
    return kp_report(kp);
}
