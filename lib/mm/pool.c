#include "mm/pool.h"

/* Limits that keep every in-slab computation in 32 bits (no 64-bit
 * division on i386): slabs stay below 2^28 bytes. */
#define MAX_BLOCK_SIZE  (16u << 20)
#define MAX_FRAME_SHIFT 24u
#define MAX_SLAB_SHIFT  28u

/* Header at the start of every slab. */
struct mm_pool_slab {
    mm_pool_slab *next_slab; /* all slabs of the pool */
    mm_pool_slab *next_partial, *prev_partial;
    void *free; /* blocks freed in this slab, linked through their first word */
    uint32_t in_use;
    uint32_t fresh;  /* blocks [fresh, slab_blocks) were never handed out */
    uint64_t used[]; /* bit i set: block i is allocated */
};

static uint32_t bitmap_words(uint32_t blocks)
{
    return (blocks + 63) >> 6;
}

static uint32_t align_up32(uint32_t x, uint32_t align)
{
    return (x + align - 1) & ~(align - 1);
}

static uint32_t blocks_offset(uint32_t blocks, uint32_t align)
{
    return align_up32((uint32_t)sizeof(mm_pool_slab) + bitmap_words(blocks) * 8u, align);
}

/* Blocks of `bsize` bytes that fit in a slab of `slab` bytes with their
 * header; 0 when not even one does. */
static uint32_t blocks_in(uint32_t slab, uint32_t bsize, uint32_t align)
{
    uint32_t fixed = (uint32_t)sizeof(mm_pool_slab) + align;
    if (slab <= fixed + 8)
        return 0;
    /* Each block costs bsize bytes plus one bit; start from that estimate
     * (slab < 2^28, so slab * 8 fits) and correct for word rounding. */
    uint32_t n = ((slab - fixed - 8) * 8u) / (bsize * 8u + 1u);
    while (n > 0 && blocks_offset(n, align) + n * bsize > slab)
        n--;
    while (blocks_offset(n + 1, align) + (n + 1) * bsize <= slab)
        n++;
    return n;
}

/* Chooses frames per slab: the fewest that hold one block, or more (up to
 * 8x) when that brings the unusable tail under 1/8 of the slab. */
static void choose_slab(mm_pool *p, uint32_t shift)
{
    uint32_t frame = 1u << shift;
    uint32_t need = blocks_offset(1, p->block_align) + p->block_size;
    uint32_t fmin = (need + frame - 1) >> shift;
    uint32_t best = fmin;
    for (uint32_t f = fmin; f <= fmin * 8 && ((uint64_t)f << shift) <= (1u << MAX_SLAB_SHIFT);
         f++) {
        uint32_t slab = f << shift;
        uint32_t n = blocks_in(slab, p->block_size, p->block_align);
        uint32_t waste = slab - blocks_offset(n, p->block_align) - n * p->block_size;
        if (waste * 8u <= slab) {
            best = f;
            break;
        }
    }
    p->slab_frames = best;
    p->slab_blocks = blocks_in(best << shift, p->block_size, p->block_align);
    p->first_offset = blocks_offset(p->slab_blocks, p->block_align);
}

mm_status mm_pool_init(mm_pool *p, size_t block_size, size_t align, const mm_frame_source *src)
{
    if (!p || !src || !src->alloc || !src->release || block_size == 0 ||
        block_size >= MAX_BLOCK_SIZE || !mm_is_pow2(align) || !mm_is_pow2(src->frame_size))
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t shift = mm_log2(src->frame_size);
    if (shift > MAX_FRAME_SHIFT || align > src->frame_size)
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t a = (uint32_t)align < sizeof(void *) ? (uint32_t)sizeof(void *) : (uint32_t)align;
    uint32_t b =
        (uint32_t)block_size < sizeof(void *) ? (uint32_t)sizeof(void *) : (uint32_t)block_size;
    mm_memset(p, 0, sizeof(*p));
    p->src = src;
    p->block_align = a;
    p->block_size = align_up32(b, a);
    p->frame_shift = shift;
    choose_slab(p, shift);
    p->slab_size = (uintptr_t)p->slab_frames << shift;
    p->block_recip = 0xFFFFFFFFu / p->block_size + 1;
    return MM_OK;
}

static uintptr_t block_addr(const mm_pool *p, const mm_pool_slab *s, uint32_t i)
{
    return (uintptr_t)s + p->first_offset + (uintptr_t)i * p->block_size;
}

static bool bit_get(const mm_pool_slab *s, uint32_t i)
{
    return (s->used[i >> 6] >> (i & 63)) & 1;
}

static void bit_flip(mm_pool_slab *s, uint32_t i)
{
    s->used[i >> 6] ^= (uint64_t)1 << (i & 63);
}

static void partial_push(mm_pool *p, mm_pool_slab *s)
{
    s->prev_partial = NULL;
    s->next_partial = p->partial;
    if (p->partial)
        p->partial->prev_partial = s;
    p->partial = s;
}

static void partial_unlink(mm_pool *p, mm_pool_slab *s)
{
    if (s->prev_partial)
        s->prev_partial->next_partial = s->next_partial;
    else
        p->partial = s->next_partial;
    if (s->next_partial)
        s->next_partial->prev_partial = s->prev_partial;
    s->next_partial = s->prev_partial = NULL;
}

/* The slab index: an open-addressing hash table (linear probing) that maps
 * every frame of every slab to its slab. It lives in frames of the source
 * and holds at most half live entries or tombstones, so a lookup touches
 * one or two entries and never reads memory the pool does not own. */
#define TOMBSTONE ((mm_pool_slab *)(uintptr_t)1)

static uint64_t frame_of(const mm_pool *p, uintptr_t addr)
{
    return (uint64_t)addr >> p->frame_shift;
}

static uint64_t home(const mm_pool *p, uint64_t frame)
{
    return (frame * 0x9E3779B97F4A7C15ull) >> p->index_shift;
}

static bool covers(const mm_pool *p, const mm_pool_slab *s, uint64_t frame)
{
    return frame - frame_of(p, (uintptr_t)s) < p->slab_frames;
}

/* Slot holding `frame`'s slab, or the empty slot that ends its probe run. */
static uint64_t probe(const mm_pool *p, uint64_t frame)
{
    uint64_t mask = p->index_cap - 1;
    uint64_t i = home(p, frame);
    for (;;) {
        mm_pool_slab *e = p->index[i];
        if (!e || (e != TOMBSTONE && covers(p, e, frame)))
            return i;
        i = (i + 1) & mask;
    }
}

static void index_put(mm_pool *p, mm_pool_slab *s)
{
    uint64_t mask = p->index_cap - 1;
    uint64_t first = frame_of(p, (uintptr_t)s);
    for (uint64_t f = first; f < first + p->slab_frames; f++) {
        uint64_t i = home(p, f);
        while (p->index[i] && p->index[i] != TOMBSTONE)
            i = (i + 1) & mask;
        if (!p->index[i])
            p->index_used++;
        p->index[i] = s;
    }
}

static void index_drop(mm_pool *p, const mm_pool_slab *s)
{
    uint64_t first = frame_of(p, (uintptr_t)s);
    for (uint64_t f = first; f < first + p->slab_frames; f++)
        p->index[probe(p, f)] = TOMBSTONE;
}

/* The slab containing `addr`, or NULL. Reads only the pool's own state:
 * first the slab currently allocated from (frees often follow allocations
 * closely), then the index. */
static mm_pool_slab *find_slab(const mm_pool *p, uintptr_t addr)
{
    mm_pool_slab *s = p->partial;
    if (s && addr - (uintptr_t)s < p->slab_size)
        return s;
    if (!p->index)
        return NULL;
    s = p->index[probe(p, frame_of(p, addr))];
    return s && addr - (uintptr_t)s < p->slab_size ? s : NULL;
}

static mm_status index_release(mm_pool *p, uint64_t *frames)
{
    if (!p->index)
        return MM_OK;
    mm_status st = p->src->release(p->src->ctx, p->index, p->index_frames);
    if (st != MM_OK)
        return st;
    if (frames)
        *frames += p->index_frames;
    p->index = NULL;
    p->index_frames = p->index_cap = p->index_used = 0;
    return MM_OK;
}

/* Makes room for one more slab: when live entries plus tombstones would
 * pass half the table, rebuilds it (without tombstones) at four times the
 * live entries, in fresh frames. */
static mm_status index_reserve(mm_pool *p)
{
    if (p->index && (p->index_used + p->slab_frames) * 2 <= p->index_cap)
        return MM_OK;
    uint64_t want = (p->slab_count + 1) * p->slab_frames * 4;
    uint32_t per_frame_shift = p->frame_shift - mm_log2(sizeof(mm_pool_slab *));
    uint64_t cap = (uint64_t)1 << per_frame_shift;
    while (cap < want)
        cap <<= 1;
    uint64_t frames = cap >> per_frame_shift;
    void *mem = NULL;
    uint64_t phys;
    mm_status st = p->src->alloc(p->src->ctx, frames, &mem, &phys);
    if (st != MM_OK)
        return st;
    mm_pool_slab **old = p->index;
    uint64_t old_frames = p->index_frames;
    p->index = (mm_pool_slab **)mem;
    p->index_frames = frames;
    p->index_cap = cap;
    p->index_used = 0;
    p->index_shift = 64 - mm_log2(cap);
    mm_memset(p->index, 0, (size_t)(frames << p->frame_shift));
    for (mm_pool_slab *s = p->slabs; s; s = s->next_slab)
        index_put(p, s);
    if (old)
        p->src->release(p->src->ctx, old, old_frames);
    return MM_OK;
}

static mm_status grow(mm_pool *p)
{
    mm_status st = index_reserve(p);
    if (st != MM_OK)
        return st;
    void *mem = NULL;
    uint64_t phys;
    st = p->src->alloc(p->src->ctx, p->slab_frames, &mem, &phys);
    if (st != MM_OK)
        return st;
    if (!mem)
        return MM_ERR_OUT_OF_MEMORY;
    mm_pool_slab *s = (mm_pool_slab *)mem;
    s->free = NULL;
    s->in_use = 0;
    s->fresh = 0;
    mm_memset(s->used, 0, bitmap_words(p->slab_blocks) * 8u);
    s->next_slab = p->slabs;
    p->slabs = s;
    p->slab_count++;
    index_put(p, s);
    partial_push(p, s);
    return MM_OK;
}

/* (b - first block) / block_size without a divide instruction: with
 * recip = ceil(2^32 / size) and offsets below 2^28 the product overshoots
 * the quotient by less than one, so one correction makes it exact. */
static uint32_t block_index(const mm_pool *p, const mm_pool_slab *s, uintptr_t b)
{
    uint32_t off = (uint32_t)(b - (uintptr_t)s - p->first_offset);
    uint32_t q = (uint32_t)(((uint64_t)off * p->block_recip) >> 32);
    if (q * p->block_size > off)
        q--;
    return q;
}

mm_status mm_pool_alloc(mm_pool *p, void **out)
{
    if (!p || !out)
        return MM_ERR_INVALID_ARGUMENT;
    if (!p->partial) {
        mm_status st = grow(p);
        if (st != MM_OK)
            return st;
    }
    mm_pool_slab *s = p->partial;
    uint32_t i;
    void *b;
    if (s->free) {
        b = s->free;
        s->free = *(void **)b;
        i = block_index(p, s, (uintptr_t)b);
    } else {
        i = s->fresh++;
        b = (void *)block_addr(p, s, i);
    }
    bit_flip(s, i);
    if (++s->in_use == p->slab_blocks)
        partial_unlink(p, s);
    if (++p->in_use > p->peak)
        p->peak = p->in_use;
    *out = b;
    return MM_OK;
}

mm_status mm_pool_free(mm_pool *p, void *ptr)
{
    if (!p || !ptr)
        return MM_ERR_INVALID_ARGUMENT;
    uintptr_t a = (uintptr_t)ptr;
    mm_pool_slab *s = find_slab(p, a);
    if (!s || a < block_addr(p, s, 0))
        return MM_ERR_FOREIGN_POINTER;
    uint32_t i = block_index(p, s, a);
    if (i >= p->slab_blocks || block_addr(p, s, i) != a)
        return MM_ERR_FOREIGN_POINTER;
    if (!bit_get(s, i))
        return MM_ERR_DOUBLE_FREE;
    bit_flip(s, i);
    *(void **)ptr = s->free;
    s->free = ptr;
    if (s->in_use-- == p->slab_blocks)
        partial_push(p, s);
    p->in_use--;
    return MM_OK;
}

/* Releases the empty slabs (or, with `all`, every slab); the first
 * release the source refuses stops releasing. The index goes too once no
 * slab is left. */
static mm_status release_slabs(mm_pool *p, bool all, uint64_t *frames)
{
    mm_status st = MM_OK;
    mm_pool_slab **link = &p->slabs;
    while (*link && st == MM_OK) {
        mm_pool_slab *s = *link;
        uint32_t in_use = s->in_use;
        if (!all && in_use != 0) {
            link = &s->next_slab;
            continue;
        }
        /* Unlink first: once released, the header is no longer ours. */
        bool partial = in_use < p->slab_blocks;
        mm_pool_slab *next = s->next_slab;
        if (partial)
            partial_unlink(p, s);
        st = p->src->release(p->src->ctx, s, p->slab_frames);
        if (st != MM_OK) {
            if (partial)
                partial_push(p, s); /* refused: keep it usable */
            break;
        }
        *link = next;
        index_drop(p, s);
        p->slab_count--;
        p->in_use -= in_use;
        *frames += p->slab_frames;
    }
    if (st != MM_OK || p->slab_count != 0)
        return st;
    return index_release(p, frames);
}

mm_status mm_pool_release_empty(mm_pool *p, uint64_t *frames_released)
{
    if (!p)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t frames = 0;
    mm_status st = release_slabs(p, false, &frames);
    if (frames_released)
        *frames_released = frames;
    return st;
}

mm_status mm_pool_destroy(mm_pool *p)
{
    if (!p)
        return MM_ERR_INVALID_ARGUMENT;
    uint64_t frames = 0;
    return release_slabs(p, true, &frames);
}

/* part / whole in per-mille with 32-bit arithmetic only (part <= whole). */
static uint32_t per_mille(uint64_t part, uint64_t whole)
{
    while (whole > 0xFFFFF) {
        part >>= 1;
        whole >>= 1;
    }
    return whole ? (uint32_t)(part * 1000u) / (uint32_t)whole : 0;
}

void mm_pool_stats(const mm_pool *p, struct mm_pool_stats *s)
{
    s->block_size = p->block_size;
    s->capacity = p->slab_count * p->slab_blocks;
    s->in_use = p->in_use;
    s->free = s->capacity - p->in_use;
    s->peak = p->peak;
    s->slabs = p->slab_count;
    s->frames = p->slab_count * p->slab_frames;
    s->dir_frames = p->index_frames;
    s->utilization = per_mille(p->in_use, s->capacity);
}
