/* Frame bitmap against a byte-per-frame model.
 *
 * The input builds a small sanitized map (up to 8 entries, a few hundred
 * frames, granularity 4K/8K/64K) and then a sequence of operations: alloc,
 * alloc_contig (1-256 frames, alignment 1-256 frames, ceiling), free (of a real allocation or of
 * an arbitrary, possibly invalid range), reserve, and adopt (the storage is
 * copied and taken over with a wiped summary). The model is first-fit like
 * the bitmap, so every status and every address must agree exactly; after
 * each operation every frame's state, the free count and the largest free
 * run are compared. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mm/bitmap.h"

#define MAX_ENTRIES 8
#define MAX_FRAMES  2048
#define MAX_OPS     256
#define MAX_ALLOCS  64

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static uint64_t take(input *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v = (v << 8) | (in->n ? *in->p : 0);
        if (in->n) {
            in->p++;
            in->n--;
        }
    }
    return v;
}

/* The model: absolute frames 0 .. MAX_FRAMES; coverage starts at the
 * lowest usable frame rounded down to 64, as mm_bitmap_init() does. */
typedef struct model {
    uint64_t shift;
    uint64_t first, end; /* covered frames [first, end) */
    bool usable[MAX_FRAMES];
    bool used[MAX_FRAMES];
} model;

typedef struct allocation {
    uint64_t phys, count;
} allocation;

typedef struct world {
    model m;
    mm_entry entries[MAX_ENTRIES];
    mm_map map;
    mm_bitmap bm;
    uint64_t *storage;
    uint64_t bytes;
    allocation allocs[MAX_ALLOCS];
    unsigned nallocs;
} world;

/* Builds map and model; false when the input yields no usable frame. */
static bool build_map(world *w, input *in)
{
    static const uint64_t shifts[] = {12, 13, 16};
    w->m.shift = shifts[take(in, 1) % 3];
    uint64_t f = take(in, 1) % 64;
    unsigned n = 1 + (unsigned)(take(in, 1) % MAX_ENTRIES);
    w->map.entries = w->entries;
    w->map.capacity = MAX_ENTRIES;
    w->map.count = 0;
    w->m.first = UINT64_MAX;
    w->m.end = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t gap = take(in, 1) % 4, len = 1 + take(in, 1) % 200;
        bool usable = take(in, 1) % 3 != 0;
        f += gap;
        mm_entry *e = &w->entries[w->map.count++];
        *e = (mm_entry){.base = f << w->m.shift,
                        .length = len << w->m.shift,
                        .type = usable ? MM_TYPE_USABLE : MM_TYPE_RESERVED};
        for (uint64_t k = f; k < f + len; k++)
            w->m.usable[k] = usable;
        if (usable) {
            if (w->m.first == UINT64_MAX)
                w->m.first = f;
            w->m.end = f + len;
        }
        f += len;
    }
    for (uint64_t k = 0; k < MAX_FRAMES; k++)
        w->m.used[k] = !w->m.usable[k];
    if (w->m.first == UINT64_MAX)
        return false;
    w->m.first &= ~(uint64_t)63; /* bit 0 sits on a multiple of 64 frames */
    return true;
}

static bool covered(const model *m, uint64_t f)
{
    return f >= m->first && f < m->end;
}

static uint64_t model_largest_run(const model *m)
{
    uint64_t best = 0, run = 0;
    for (uint64_t f = m->first; f < m->end; f++) {
        run = m->used[f] ? 0 : run + 1;
        if (run > best)
            best = run;
    }
    return best;
}

static void check_state(const world *w)
{
    uint64_t free_frames = 0;
    uint64_t lo = w->m.first >= 64 ? w->m.first - 64 : 0;
    uint64_t hi = w->m.end + 64 < MAX_FRAMES ? w->m.end + 64 : MAX_FRAMES;
    for (uint64_t f = lo; f < hi; f++) { /* coverage plus a margin each side */
        bool model_free = covered(&w->m, f) && !w->m.used[f];
        CHECK(mm_bitmap_is_free(&w->bm, f << w->m.shift) == model_free);
        free_frames += model_free;
    }
    struct mm_bitmap_stats s;
    mm_bitmap_stats(&w->bm, &s);
    CHECK(s.free_frames == free_frames);
    CHECK(s.used_frames + s.free_frames == s.total_frames);
    CHECK(s.largest_free_run == model_largest_run(&w->m));
}

/* First fit in the model: lowest aligned run of free covered frames that
 * ends at or below `ceil_f` (frames). run[f] = free frames from f on. */
static mm_status model_contig(model *m, uint64_t count, uint64_t align_f, uint64_t ceil_f,
                              uint64_t *out)
{
    static uint64_t run[MAX_FRAMES + 1];
    uint64_t lim = m->end < ceil_f ? m->end : ceil_f;
    run[lim] = 0;
    for (uint64_t f = lim; f-- > m->first;)
        run[f] = m->used[f] ? 0 : run[f + 1] + 1;
    for (uint64_t s = (m->first + align_f - 1) & ~(align_f - 1); s + count <= lim; s += align_f) {
        if (run[s] >= count) {
            for (uint64_t k = s; k < s + count; k++)
                m->used[k] = true;
            *out = s;
            return MM_OK;
        }
    }
    return MM_ERR_OUT_OF_MEMORY;
}

static void remember(world *w, uint64_t phys, uint64_t count)
{
    if (w->nallocs < MAX_ALLOCS)
        w->allocs[w->nallocs++] = (allocation){phys, count};
}

static void op_alloc(world *w)
{
    uint64_t phys, want;
    mm_status st = mm_bitmap_alloc(&w->bm, &phys);
    mm_status ms = model_contig(&w->m, 1, 1, UINT64_MAX, &want);
    CHECK(st == ms);
    if (st == MM_OK) {
        CHECK(phys == want << w->m.shift);
        remember(w, phys, 1);
    }
}

static void op_contig(world *w, input *in)
{
    /* Up to 256 frames and 256-frame alignment: runs of whole words too. */
    uint64_t cb = take(in, 1);
    uint64_t count = (1 + (cb & 0x7f)) << (cb >> 7);
    uint64_t align_f = (uint64_t)1 << (take(in, 1) % 9);
    uint64_t ceil_byte = take(in, 1), ceiling = 0, ceil_f = UINT64_MAX;
    if (ceil_byte & 1) {
        /* A ceiling anywhere in the map, not always frame-aligned. */
        ceiling = ((ceil_byte >> 1) * 16) << w->m.shift;
        ceiling += (ceil_byte & 2) ? 1 : 0;
        ceil_f = ceiling ? ceiling >> w->m.shift : UINT64_MAX; /* 0 = no ceiling */
    }
    uint64_t phys = 0, want = 0;
    mm_status st = mm_bitmap_alloc_contig(&w->bm, count, align_f << w->m.shift, ceiling, &phys);
    mm_status ms = model_contig(&w->m, count, align_f, ceil_f, &want);
    CHECK(st == ms);
    if (st == MM_OK) {
        CHECK(phys == want << w->m.shift);
        remember(w, phys, count);
    }
}

/* Expected status of mm_bitmap_free per the contract's order of checks. */
static mm_status model_free_status(const model *m, uint64_t phys, uint64_t count)
{
    if (count == 0 || (phys & (((uint64_t)1 << m->shift) - 1)))
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t f = phys >> m->shift;
    if (!covered(m, f) || count > m->end - f)
        return MM_ERR_OUT_OF_RANGE;
    for (uint64_t k = f; k < f + count; k++)
        if (!m->usable[k])
            return MM_ERR_NOT_USABLE;
    for (uint64_t k = f; k < f + count; k++)
        if (!m->used[k])
            return MM_ERR_DOUBLE_FREE;
    return MM_OK;
}

static void op_free(world *w, input *in)
{
    uint64_t sel = take(in, 1), phys, count;
    if ((sel & 1) && w->nallocs) {
        unsigned i = (unsigned)(take(in, 1) % w->nallocs);
        phys = w->allocs[i].phys;
        count = w->allocs[i].count;
        w->allocs[i] = w->allocs[--w->nallocs];
    } else {
        phys = (take(in, 2) % MAX_FRAMES) << w->m.shift;
        if (sel & 2)
            phys += take(in, 1) * 64;
        count = take(in, 1) % 40;
    }
    mm_status want = model_free_status(&w->m, phys, count);
    CHECK(mm_bitmap_free(&w->bm, phys, count) == want);
    if (want == MM_OK)
        for (uint64_t k = phys >> w->m.shift; k < (phys >> w->m.shift) + count; k++)
            w->m.used[k] = false;
}

static void op_reserve(world *w, input *in)
{
    uint64_t base = take(in, 2) * 512 + take(in, 1);
    uint64_t length = take(in, 2) * 64;
    mm_status st = mm_bitmap_reserve(&w->bm, base, length);
    if (length == 0) {
        CHECK(st == MM_ERR_INVALID_ARGUMENT);
        return;
    }
    CHECK(st == MM_OK);
    uint64_t fs = base >> w->m.shift, fe = (base + length - 1) >> w->m.shift;
    for (uint64_t k = fs; k <= fe && k < MAX_FRAMES; k++)
        if (covered(&w->m, k))
            w->m.used[k] = true;
}

/* The kernel's view: same leaves, summary wiped, adopted over the map. */
static void op_adopt(world *w)
{
    uint64_t *copy = malloc(w->bytes);
    memcpy(copy, w->storage, w->bytes);
    uint64_t leaf = w->bm.word_count * 8;
    memset((char *)copy + leaf, 0, w->bytes - leaf);
    mm_bitmap fresh;
    CHECK(mm_bitmap_adopt(&fresh, &w->map, w->bm.granularity, w->bm.first_frame, w->bm.frame_count,
                          copy, w->bytes) == MM_OK);
    CHECK(memcmp(copy, w->storage, w->bytes) == 0);
    free(w->storage);
    w->storage = copy;
    w->bm = fresh;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    world *w = calloc(1, sizeof(*w));
    if (!build_map(w, &in)) {
        uint64_t bytes;
        CHECK(mm_bitmap_storage_size(&w->map, (uint64_t)1 << w->m.shift, &bytes) ==
              MM_ERR_BITMAP_INIT);
        free(w);
        return 0;
    }
    CHECK(mm_bitmap_storage_size(&w->map, (uint64_t)1 << w->m.shift, &w->bytes) == MM_OK);
    w->storage = malloc(w->bytes);
    CHECK(mm_bitmap_init(&w->bm, &w->map, (uint64_t)1 << w->m.shift, w->storage, w->bytes) ==
          MM_OK);
    check_state(w);
    for (int i = 0; i < MAX_OPS && in.n; i++) {
        switch (take(&in, 1) % 9) {
        case 0:
        case 1:
            op_alloc(w);
            break;
        case 2:
        case 3:
            op_contig(w, &in);
            break;
        case 4:
        case 5:
        case 6:
            op_free(w, &in);
            break;
        case 7:
            op_reserve(w, &in);
            break;
        default:
            op_adopt(w);
            break;
        }
        check_state(w);
    }
    free(w->storage);
    free(w);
    return 0;
}
