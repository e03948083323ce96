/* Frame bitmap with a summary hierarchy; see mm/bitmap.h and docs/bitmap.md.
 *
 * Positions below are bit indexes relative to first_frame ("rel"), leaf word
 * indexes ("w") or physical addresses ("phys"); never mixed. */
#include "mm/bitmap.h"

#define ALL_ONES (~(uint64_t)0)
#define NONE     (~(uint64_t)0)
/* 2^52 frames: every 4 KiB frame of the 64-bit address space. */
#define MAX_FRAMES ((uint64_t)1 << 52)

static inline uint32_t ctz64(uint64_t x)
{
    return (uint32_t)__builtin_ctzll(x);
}

static inline uint32_t clz64(uint64_t x)
{
    return (uint32_t)__builtin_clzll(x);
}

static inline uint32_t popcount64(uint64_t x)
{
    return (uint32_t)__builtin_popcountll(x);
}

/* Bits of leaf word `w` that lie inside [s, e) (e > s). */
static inline uint64_t word_mask(uint64_t s, uint64_t e, uint64_t w)
{
    uint64_t m = ALL_ONES;
    if (w == (s >> 6))
        m &= ALL_ONES << (s & 63);
    if (w == ((e - 1) >> 6))
        m &= ALL_ONES >> (63 - ((e - 1) & 63));
    return m;
}

static bool granularity_ok(uint64_t granularity)
{
    return mm_is_pow2(granularity) && granularity >= MM_FRAME_SIZE_DEFAULT;
}

/* ---- Layout ---------------------------------------------------------- */

/* Word counts of leaves and summary levels for `frame_count` frames. */
typedef struct layout {
    uint64_t word_count;
    uint64_t level_words[MM_BITMAP_MAX_LEVELS];
    uint32_t levels;
    uint64_t total_words;
} layout;

static void compute_layout(uint64_t frame_count, layout *l)
{
    uint64_t n = (frame_count + 63) >> 6;
    l->word_count = n;
    l->total_words = n;
    l->levels = 0;
    do {
        n = (n + 63) >> 6;
        l->level_words[l->levels++] = n;
        l->total_words += 2 * n; /* avail and empty trees */
    } while (n > 1);
}

mm_status mm_bitmap_storage_size_frames(uint64_t frame_count, uint64_t *bytes)
{
    if (!bytes || frame_count == 0 || frame_count > MAX_FRAMES)
        return MM_ERR_INVALID_ARGUMENT;
    layout l;
    compute_layout(frame_count, &l);
    *bytes = l.total_words * sizeof(uint64_t);
    return MM_OK;
}

/* ---- Map ------------------------------------------------------------- */

/* Checks the invariants the bitmap relies on (sorted, non-overlapping, no
 * wrap, usable entries frame-aligned) and finds the usable span
 * [*lo, *hi). MM_ERR_BITMAP_INIT when nothing is usable. */
static mm_status map_usable_span(const mm_map *map, uint64_t granularity, uint64_t *lo,
                                 uint64_t *hi)
{
    if (map->count > 0 && !map->entries)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t prev_end = 0;
    bool found = false;
    for (uint32_t i = 0; i < map->count; i++) {
        const mm_entry *e = &map->entries[i];
        uint64_t end;
        if (!mm_range_end(e->base, e->length, &end) || (i > 0 && e->base < prev_end))
            return MM_ERR_MAP_INVALID;
        prev_end = end;
        if (e->type != MM_TYPE_USABLE || e->length == 0)
            continue;
        if ((e->base | e->length) & (granularity - 1))
            return MM_ERR_MAP_INVALID;
        if (!found)
            *lo = e->base;
        *hi = end;
        found = true;
    }
    return found ? MM_OK : MM_ERR_BITMAP_INIT;
}

/* Index of the last entry with base <= addr, or -1. Map sorted by base. */
static int64_t map_find(const mm_map *map, uint64_t addr)
{
    uint32_t lo = 0, hi = map->count;
    while (lo < hi) {
        uint32_t mid = lo + ((hi - lo) >> 1);
        if (map->entries[mid].base <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (int64_t)lo - 1;
}

/* True when every byte of [base, end) lies in usable entries of the map
 * (possibly several adjacent ones). */
static bool map_range_usable(const mm_map *map, uint64_t base, uint64_t end)
{
    int64_t i = map_find(map, base);
    if (i < 0)
        return false;
    for (uint32_t k = (uint32_t)i; k < map->count; k++) {
        const mm_entry *e = &map->entries[k];
        if (e->type != MM_TYPE_USABLE || e->base > base)
            return false;
        base = e->base + e->length;
        if (base >= end)
            return true;
    }
    return false;
}

/* ---- Summary trees ------------------------------------------------------
 * Two trees of the same shape over the leaf words: `avail` (bit = word has
 * a free frame) and `empty` (bit = word is entirely free). Above level 0 a
 * bit says "that word of the level below is non-zero" in both. */

/* Leaf word `w` left the tree's set: clear its bit and every ancestor bit
 * whose word thereby became zero. */
static void tree_clear(uint64_t *const *tree, uint32_t levels, uint64_t w)
{
    for (uint32_t l = 0; l < levels; l++) {
        uint64_t *word = &tree[l][w >> 6];
        *word &= ~((uint64_t)1 << (w & 63));
        if (*word != 0)
            return;
        w >>= 6;
    }
}

/* Leaf word `w` joined the tree's set: set its bit and every ancestor bit
 * whose word was zero. */
static void tree_set(uint64_t *const *tree, uint32_t levels, uint64_t w)
{
    for (uint32_t l = 0; l < levels; l++) {
        uint64_t *word = &tree[l][w >> 6];
        uint64_t old = *word;
        *word = old | ((uint64_t)1 << (w & 63));
        if (old != 0)
            return;
        w >>= 6;
    }
}

/* Lowest leaf word >= w whose bit is set in the tree, or NONE: climb until a
 * level has a set bit at or after the position, then descend along lowest
 * set bits. O(levels). */
static uint64_t tree_find(const mm_bitmap *bm, uint64_t *const *tree, uint64_t w)
{
    uint32_t l = 0;
    uint64_t idx = w;
    for (;;) {
        if ((idx >> 6) >= bm->level_words[l])
            return NONE;
        uint64_t bits = tree[l][idx >> 6] & (ALL_ONES << (idx & 63));
        if (bits) {
            idx = (idx & ~(uint64_t)63) + ctz64(bits);
            break;
        }
        if (l + 1 == bm->levels)
            return NONE;
        idx = (idx >> 6) + 1;
        l++;
    }
    while (l > 0) {
        l--;
        idx = (idx << 6) + ctz64(tree[l][idx]);
    }
    return idx;
}

/* Level 0 bit of leaf value `x` in the avail or the empty tree. */
static inline bool leaf_bit(uint64_t x, bool empty_tree)
{
    return empty_tree ? x == 0 : x != ALL_ONES;
}

/* Keeps both trees right after leaf word `w` went from `old` to `new`. */
static void word_changed(mm_bitmap *bm, uint64_t w, uint64_t old, uint64_t new)
{
    if (leaf_bit(old, false) != leaf_bit(new, false)) {
        if (leaf_bit(new, false))
            tree_set(bm->avail, bm->levels, w);
        else
            tree_clear(bm->avail, bm->levels, w);
    }
    if (leaf_bit(old, true) != leaf_bit(new, true)) {
        if (leaf_bit(new, true))
            tree_set(bm->empty, bm->levels, w);
        else
            tree_clear(bm->empty, bm->levels, w);
    }
}

static void tree_rebuild(const mm_bitmap *bm, uint64_t *const *tree, bool empty_tree)
{
    for (uint32_t l = 0; l < bm->levels; l++)
        mm_memset(tree[l], 0, (size_t)(bm->level_words[l] * sizeof(uint64_t)));
    for (uint64_t w = 0; w < bm->word_count; w++)
        if (leaf_bit(bm->words[w], empty_tree))
            tree[0][w >> 6] |= (uint64_t)1 << (w & 63);
    for (uint32_t l = 1; l < bm->levels; l++)
        for (uint64_t i = 0; i < bm->level_words[l - 1]; i++)
            if (tree[l - 1][i] != 0)
                tree[l][i >> 6] |= (uint64_t)1 << (i & 63);
}

static void summary_rebuild(mm_bitmap *bm)
{
    tree_rebuild(bm, bm->avail, false);
    tree_rebuild(bm, bm->empty, true);
}

/* ---- Leaf bit ranges --------------------------------------------------- */

/* Lowest free rel >= pos, or NONE. */
static uint64_t next_free(const mm_bitmap *bm, uint64_t pos)
{
    uint64_t w = pos >> 6;
    if (w >= bm->word_count)
        return NONE;
    uint64_t bits = ~bm->words[w] & (ALL_ONES << (pos & 63));
    if (!bits) {
        w = tree_find(bm, bm->avail, w + 1);
        if (w == NONE)
            return NONE;
        bits = ~bm->words[w];
    }
    return (w << 6) + ctz64(bits);
}

/* Highest used rel in [s, e), or NONE. Scans down from e so that a rejected
 * window lets the search jump past its last used frame. */
static uint64_t last_used(const mm_bitmap *bm, uint64_t s, uint64_t e)
{
    for (uint64_t w = (e - 1) >> 6;; w--) {
        uint64_t bits = bm->words[w] & word_mask(s, e, w);
        if (bits)
            return (w << 6) + 63 - clz64(bits);
        if (w == (s >> 6))
            return NONE;
    }
}

static bool range_has_free(const mm_bitmap *bm, uint64_t s, uint64_t e)
{
    for (uint64_t w = s >> 6; w <= (e - 1) >> 6; w++)
        if (~bm->words[w] & word_mask(s, e, w))
            return true;
    return false;
}

static uint64_t count_free(const mm_bitmap *bm, uint64_t s, uint64_t e)
{
    uint64_t n = 0;
    for (uint64_t w = s >> 6; w <= (e - 1) >> 6; w++)
        n += popcount64(~bm->words[w] & word_mask(s, e, w));
    return n;
}

/* Marks [s, e) used, keeping summary and free count right. */
static void mark_used(mm_bitmap *bm, uint64_t s, uint64_t e)
{
    for (uint64_t w = s >> 6; w <= (e - 1) >> 6; w++) {
        uint64_t m = word_mask(s, e, w);
        uint64_t old = bm->words[w];
        bm->free_frames -= popcount64(~old & m);
        bm->words[w] = old | m;
        word_changed(bm, w, old, old | m);
    }
}

/* Marks [s, e) free; every frame in it must be used. */
static void mark_free(mm_bitmap *bm, uint64_t s, uint64_t e)
{
    for (uint64_t w = s >> 6; w <= (e - 1) >> 6; w++) {
        uint64_t old = bm->words[w];
        bm->words[w] = old & ~word_mask(s, e, w);
        word_changed(bm, w, old, bm->words[w]);
    }
    bm->free_frames += e - s;
    if ((s >> 6) < bm->hint)
        bm->hint = s >> 6;
}

/* ---- Init / adopt ------------------------------------------------------ */

static mm_status check_common_args(const mm_bitmap *bm, const mm_map *map, uint64_t granularity,
                                   const void *storage)
{
    if (!bm || !map || !storage || !granularity_ok(granularity))
        return MM_ERR_INVALID_ARGUMENT;
    if ((uintptr_t)storage & (sizeof(uint64_t) - 1))
        return MM_ERR_INVALID_ARGUMENT;
    return MM_OK;
}

/* Fills the geometry of *bm for storage of `frame_count` frames; checks the
 * storage is large enough. Writes nothing into storage. */
static mm_status setup_geometry(mm_bitmap *bm, const mm_map *map, uint64_t granularity,
                                uint64_t first_frame, uint64_t frame_count, void *storage,
                                uint64_t storage_size)
{
    layout l;
    compute_layout(frame_count, &l);
    uint64_t bytes = l.total_words * sizeof(uint64_t);
    if (storage_size < bytes)
        return MM_ERR_BUFFER_TOO_SMALL;
    if (bytes > SIZE_MAX)
        return MM_ERR_BITMAP_INIT;
    mm_bitmap g = {0};
    g.words = (uint64_t *)storage;
    uint64_t *next = g.words + l.word_count;
    for (uint32_t i = 0; i < l.levels; i++) {
        g.avail[i] = next;
        g.level_words[i] = l.level_words[i];
        next += l.level_words[i];
    }
    for (uint32_t i = 0; i < l.levels; i++) {
        g.empty[i] = next;
        next += l.level_words[i];
    }
    g.levels = l.levels;
    g.shift = mm_log2(granularity);
    g.granularity = granularity;
    g.first_frame = first_frame;
    g.frame_count = frame_count;
    g.word_count = l.word_count;
    g.storage_bytes = bytes;
    g.map = map;
    *bm = g;
    return MM_OK;
}

/* Usable frames of map entry `e` clipped to the covered range, as rel
 * [*s, *e); false when the entry is not usable or lies outside. */
static bool entry_rel_frames(const mm_bitmap *bm, const mm_entry *e, uint64_t *s, uint64_t *end)
{
    if (e->type != MM_TYPE_USABLE || e->length == 0)
        return false;
    uint64_t fs = e->base >> bm->shift;
    uint64_t fe = fs + (e->length >> bm->shift);
    uint64_t lo = bm->first_frame, hi = bm->first_frame + bm->frame_count;
    if (fs < lo)
        fs = lo;
    if (fe > hi)
        fe = hi;
    if (fs >= fe)
        return false;
    *s = fs - lo;
    *end = fe - lo;
    return true;
}

static void set_padding(mm_bitmap *bm)
{
    if (bm->frame_count & 63)
        bm->words[bm->word_count - 1] |= ALL_ONES << (bm->frame_count & 63);
}

/* Frames mm_bitmap_init() covers: from the lowest usable frame rounded down
 * to a multiple of 64 (so leaf words line up with physical alignments of 64
 * frames and more) to the end of the highest usable entry. */
static mm_status init_span(const mm_map *map, uint64_t granularity, uint64_t *first,
                           uint64_t *count)
{
    uint64_t lo, hi;
    mm_status st = map_usable_span(map, granularity, &lo, &hi);
    if (st != MM_OK)
        return st;
    uint32_t shift = mm_log2(granularity);
    *first = (lo >> shift) & ~(uint64_t)63;
    *count = (hi >> shift) - *first;
    return MM_OK;
}

mm_status mm_bitmap_storage_size(const mm_map *map, uint64_t granularity, uint64_t *bytes)
{
    if (!map || !bytes || !granularity_ok(granularity))
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t first, count;
    mm_status st = init_span(map, granularity, &first, &count);
    if (st != MM_OK)
        return st;
    return mm_bitmap_storage_size_frames(count, bytes);
}

mm_status mm_bitmap_init(mm_bitmap *bm, const mm_map *map, uint64_t granularity, void *storage,
                         uint64_t storage_size)
{
    mm_status st = check_common_args(bm, map, granularity, storage);
    if (st != MM_OK)
        return st;
    uint64_t first, count;
    st = init_span(map, granularity, &first, &count);
    if (st != MM_OK)
        return st;
    mm_bitmap g;
    st = setup_geometry(&g, map, granularity, first, count, storage, storage_size);
    if (st != MM_OK)
        return st;
    mm_memset(g.words, 0xff, (size_t)(g.word_count * sizeof(uint64_t)));
    for (uint32_t i = 0; i < map->count; i++) {
        uint64_t s, e;
        if (!entry_rel_frames(&g, &map->entries[i], &s, &e))
            continue;
        for (uint64_t w = s >> 6; w <= (e - 1) >> 6; w++)
            g.words[w] &= ~word_mask(s, e, w);
        g.total_frames += e - s;
    }
    g.free_frames = g.total_frames;
    summary_rebuild(&g);
    *bm = g;
    return MM_OK;
}

/* Adopt's validation: frames outside usable entries must be used. Counts
 * usable and free frames on the way. */
static mm_status adopt_scan(const mm_bitmap *g, uint64_t *total, uint64_t *free_frames)
{
    uint64_t cursor = 0;
    *total = 0;
    *free_frames = 0;
    for (uint32_t i = 0; i < g->map->count; i++) {
        uint64_t s, e;
        if (!entry_rel_frames(g, &g->map->entries[i], &s, &e))
            continue;
        if (s > cursor && range_has_free(g, cursor, s))
            return MM_ERR_BITMAP_INIT;
        *total += e - s;
        *free_frames += count_free(g, s, e);
        cursor = e;
    }
    if (g->frame_count > cursor && range_has_free(g, cursor, g->frame_count))
        return MM_ERR_BITMAP_INIT;
    return MM_OK;
}

mm_status mm_bitmap_adopt(mm_bitmap *bm, const mm_map *map, uint64_t granularity,
                          uint64_t first_frame, uint64_t frame_count, void *storage,
                          uint64_t storage_size)
{
    mm_status st = check_common_args(bm, map, granularity, storage);
    if (st != MM_OK)
        return st;
    if (frame_count == 0 || frame_count > MAX_FRAMES)
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t shift = mm_log2(granularity);
    if (first_frame > (ALL_ONES >> shift) || frame_count > (ALL_ONES >> shift) - first_frame)
        return MM_ERR_OVERFLOW;
    uint64_t lo, hi;
    st = map_usable_span(map, granularity, &lo, &hi);
    if (st != MM_OK)
        return st;
    mm_bitmap g;
    st = setup_geometry(&g, map, granularity, first_frame, frame_count, storage, storage_size);
    if (st != MM_OK)
        return st;
    st = adopt_scan(&g, &g.total_frames, &g.free_frames);
    if (st != MM_OK)
        return st;
    set_padding(&g);
    summary_rebuild(&g);
    *bm = g;
    return MM_OK;
}

/* ---- Allocation -------------------------------------------------------- */

static uint64_t rel_to_phys(const mm_bitmap *bm, uint64_t rel)
{
    return (bm->first_frame + rel) << bm->shift;
}

mm_status mm_bitmap_alloc(mm_bitmap *bm, uint64_t *phys)
{
    if (!bm || !phys)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t w = tree_find(bm, bm->avail, bm->hint);
    if (w == NONE) {
        bm->hint = bm->word_count;
        return MM_ERR_OUT_OF_MEMORY;
    }
    uint64_t old = bm->words[w];
    uint64_t bit = ctz64(~old);
    bm->words[w] = old | (uint64_t)1 << bit;
    word_changed(bm, w, old, bm->words[w]);
    bm->free_frames--;
    bm->hint = w;
    *phys = rel_to_phys(bm, (w << 6) + bit);
    return MM_OK;
}

/* Rel limit (exclusive) for runs ending at or below `ceiling` bytes; 0 when
 * nothing covered lies below it. */
static uint64_t ceiling_limit(const mm_bitmap *bm, uint64_t ceiling)
{
    if (ceiling == 0)
        return bm->frame_count;
    uint64_t cf = ceiling >> bm->shift;
    if (cf <= bm->first_frame)
        return 0;
    cf -= bm->first_frame;
    return cf < bm->frame_count ? cf : bm->frame_count;
}

/* Lowest rel >= pos whose frame number is a multiple of align_frames. */
static uint64_t align_rel(const mm_bitmap *bm, uint64_t pos, uint64_t align_frames)
{
    uint64_t f = bm->first_frame + pos;
    return ((f + align_frames - 1) & ~(align_frames - 1)) - bm->first_frame;
}

/* Highest leaf word in [w, w + full) that is not entirely free, or the
 * word after them if its low `rem` bits are not all free; NONE when the run
 * of `full` empty words plus `rem` frames is free. Scans from the end so a
 * rejected window lets the search skip past it. */
static uint64_t last_busy_word(const mm_bitmap *bm, uint64_t w, uint64_t full, uint32_t rem)
{
    if (rem && (bm->words[w + full] & (ALL_ONES >> (64 - rem))))
        return w + full;
    for (uint64_t k = w + full; k-- > w;)
        if (bm->words[k] != 0)
            return k;
    return NONE;
}

/* First-fit search for runs of >= 64 frames aligned to >= 64 frames when
 * bit 0 sits on a multiple of 64 frames: every candidate starts on an
 * empty leaf word, found through the empty tree. Returns a rel or NONE. */
static uint64_t find_word_run(const mm_bitmap *bm, uint64_t count, uint64_t align_frames,
                              uint64_t limit)
{
    uint64_t base_w = bm->first_frame >> 6, align_w = align_frames >> 6;
    uint64_t full = count >> 6;
    uint32_t rem = (uint32_t)(count & 63);
    uint64_t w = bm->hint;
    for (;;) {
        w = tree_find(bm, bm->empty, w);
        if (w == NONE)
            return NONE;
        uint64_t cand = ((base_w + w + align_w - 1) & ~(align_w - 1)) - base_w;
        if (cand > (limit >> 6) || limit - (cand << 6) < count)
            return NONE;
        uint64_t busy = last_busy_word(bm, cand, full, rem);
        if (busy == NONE)
            return cand << 6;
        w = busy + 1;
    }
}

/* First-fit search for `count` free frames aligned to align_frames inside
 * [0, limit). Every rejected window [cand, cand + count) has a used frame;
 * the next candidate starts after the highest one, so no frame is looked at
 * twice and full words are skipped through the summary. */
static uint64_t find_run(const mm_bitmap *bm, uint64_t count, uint64_t align_frames, uint64_t limit)
{
    if (count >= 64 && align_frames >= 64 && !(bm->first_frame & 63))
        return find_word_run(bm, count, align_frames, limit);
    uint64_t pos = bm->hint << 6;
    for (;;) {
        pos = next_free(bm, pos);
        if (pos == NONE || pos >= limit)
            return NONE;
        uint64_t cand = align_rel(bm, pos, align_frames);
        if (cand >= limit || limit - cand < count)
            return NONE;
        uint64_t used = last_used(bm, cand, cand + count);
        if (used == NONE)
            return cand;
        pos = used + 1;
    }
}

mm_status mm_bitmap_alloc_contig(mm_bitmap *bm, uint64_t count, uint64_t align_bytes,
                                 uint64_t ceiling, uint64_t *phys)
{
    if (!bm || !phys || count == 0)
        return MM_ERR_INVALID_ARGUMENT;
    if (align_bytes == 0)
        align_bytes = bm->granularity;
    if (!mm_is_pow2(align_bytes) || align_bytes < bm->granularity)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t limit = ceiling_limit(bm, ceiling);
    if (count > limit)
        return MM_ERR_OUT_OF_MEMORY;
    uint64_t rel = find_run(bm, count, align_bytes >> bm->shift, limit);
    if (rel == NONE)
        return MM_ERR_OUT_OF_MEMORY;
    mark_used(bm, rel, rel + count);
    *phys = rel_to_phys(bm, rel);
    return MM_OK;
}

mm_status mm_bitmap_alloc_below_4g(mm_bitmap *bm, uint64_t count, uint64_t align_bytes,
                                   uint64_t *phys)
{
    return mm_bitmap_alloc_contig(bm, count, align_bytes, 4 * MM_GIB, phys);
}

mm_status mm_bitmap_alloc_below_1m(mm_bitmap *bm, uint64_t count, uint64_t align_bytes,
                                   uint64_t *phys)
{
    return mm_bitmap_alloc_contig(bm, count, align_bytes, MM_MIB, phys);
}

/* ---- Free / reserve / queries ------------------------------------------ */

mm_status mm_bitmap_free(mm_bitmap *bm, uint64_t phys, uint64_t count)
{
    if (!bm || count == 0 || (phys & (bm->granularity - 1)))
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t f = phys >> bm->shift;
    if (f < bm->first_frame)
        return MM_ERR_OUT_OF_RANGE;
    uint64_t rel = f - bm->first_frame;
    if (rel >= bm->frame_count || count > bm->frame_count - rel)
        return MM_ERR_OUT_OF_RANGE;
    if (!map_range_usable(bm->map, phys, rel_to_phys(bm, rel + count)))
        return MM_ERR_NOT_USABLE;
    if (range_has_free(bm, rel, rel + count))
        return MM_ERR_DOUBLE_FREE;
    mark_free(bm, rel, rel + count);
    return MM_OK;
}

mm_status mm_bitmap_reserve(mm_bitmap *bm, uint64_t base, uint64_t length)
{
    if (!bm || length == 0)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t end;
    if (!mm_range_end(base, length, &end))
        return MM_ERR_OVERFLOW;
    uint64_t fs = base >> bm->shift;
    uint64_t fe = (end >> bm->shift) + ((end & (bm->granularity - 1)) != 0);
    uint64_t lo = bm->first_frame, hi = bm->first_frame + bm->frame_count;
    if (fs < lo)
        fs = lo;
    if (fe > hi)
        fe = hi;
    if (fs < fe)
        mark_used(bm, fs - lo, fe - lo);
    return MM_OK;
}

bool mm_bitmap_is_free(const mm_bitmap *bm, uint64_t phys)
{
    uint64_t f = phys >> bm->shift;
    if (f < bm->first_frame || f - bm->first_frame >= bm->frame_count)
        return false;
    uint64_t rel = f - bm->first_frame;
    return !((bm->words[rel >> 6] >> (rel & 63)) & 1);
}

/* Longest run of clear bits over all leaf words (padding bits are set). */
static uint64_t largest_free_run(const mm_bitmap *bm)
{
    uint64_t best = 0, run = 0;
    for (uint64_t w = 0; w < bm->word_count; w++) {
        uint64_t x = bm->words[w];
        if (x == 0) {
            run += 64;
            continue;
        }
        run += ctz64(x);
        if (run > best)
            best = run;
        /* Gaps between consecutive set bits inside the word. */
        uint32_t prev = ctz64(x);
        for (uint64_t y = x & (x - 1); y; y &= y - 1) {
            uint32_t next = ctz64(y);
            if (next - prev - 1 > best)
                best = next - prev - 1;
            prev = next;
        }
        run = clz64(x);
    }
    return run > best ? run : best;
}

void mm_bitmap_stats(const mm_bitmap *bm, struct mm_bitmap_stats *s)
{
    s->total_frames = bm->total_frames;
    s->free_frames = bm->free_frames;
    s->used_frames = bm->total_frames - bm->free_frames;
    s->largest_free_run = largest_free_run(bm);
    s->granularity = bm->granularity;
    s->first_frame = bm->first_frame;
    s->frame_count = bm->frame_count;
}

/* ---- Frame source adapter ---------------------------------------------- */

static mm_status source_alloc(void *ctx, uint64_t count, void **ptr, uint64_t *phys)
{
    mm_bitmap_source_ctx *c = (mm_bitmap_source_ctx *)ctx;
    if (!ptr || !phys)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t p;
    mm_status st = mm_bitmap_alloc_contig(c->bm, count, 0, c->ceiling, &p);
    if (st != MM_OK)
        return st;
    *phys = p;
    *ptr = (void *)(uintptr_t)(p + c->virt_offset);
    return MM_OK;
}

static mm_status source_release(void *ctx, void *ptr, uint64_t count)
{
    mm_bitmap_source_ctx *c = (mm_bitmap_source_ctx *)ctx;
    if (!ptr)
        return MM_ERR_INVALID_ARGUMENT;
    return mm_bitmap_free(c->bm, (uint64_t)(uintptr_t)ptr - c->virt_offset, count);
}

mm_status mm_bitmap_source(mm_bitmap *bm, uint64_t virt_offset, mm_bitmap_source_ctx *ctx,
                           mm_frame_source *out)
{
    if (!bm || !ctx || !out)
        return MM_ERR_INVALID_ARGUMENT;
    /* Highest physical byte whose pointer still fits uintptr_t. */
    if (virt_offset > (uint64_t)UINTPTR_MAX)
        return MM_ERR_OUT_OF_RANGE;
    uint64_t last = (uint64_t)UINTPTR_MAX - virt_offset;
    if (last < rel_to_phys(bm, 0))
        return MM_ERR_OUT_OF_RANGE;
    ctx->bm = bm;
    ctx->virt_offset = virt_offset;
    ctx->ceiling = 0;
    if (last < rel_to_phys(bm, bm->frame_count) - 1)
        ctx->ceiling = last + 1;
    out->alloc = source_alloc;
    out->release = source_release;
    out->ctx = ctx;
    out->frame_size = bm->granularity;
    return MM_OK;
}
