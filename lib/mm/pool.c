#include "mm/pool.h"

/* Limits that keep every in-slab computation in 32 bits (no 64-bit
 * division on i386): slabs stay below 2^28 bytes. */
#define MAX_BLOCK_SIZE  (16u << 20)
#define MAX_FRAME_SHIFT 24u
#define MAX_SLAB_SHIFT  28u

/* Header at the start of every slab. */
struct mm_pool_slab {
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
    p->slab_shift = shift;
    choose_slab(p, shift);
    return MM_OK;
}

static uint64_t slab_bytes(const mm_pool *p)
{
    return (uint64_t)p->slab_frames << p->slab_shift;
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

/* Index of the first directory entry whose slab starts above `addr`. */
static uint64_t dir_upper(const mm_pool *p, uintptr_t addr)
{
    uint64_t lo = 0, hi = p->dir_count;
    while (lo < hi) {
        uint64_t mid = lo + ((hi - lo) >> 1);
        if ((uintptr_t)p->dir[mid] <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The slab containing `addr`, or NULL: reads only the directory. */
static mm_pool_slab *find_slab(const mm_pool *p, uintptr_t addr)
{
    uint64_t i = dir_upper(p, addr);
    if (i == 0)
        return NULL;
    mm_pool_slab *s = p->dir[i - 1];
    return addr - (uintptr_t)s < slab_bytes(p) ? s : NULL;
}

/* Makes room for one more directory entry, moving the directory into
 * twice as many frames when full. */
static mm_status dir_reserve(mm_pool *p)
{
    if (p->dir_count < p->dir_capacity)
        return MM_OK;
    uint64_t frames = p->dir_frames ? p->dir_frames * 2 : 1;
    void *mem = NULL;
    uint64_t phys;
    mm_status st = p->src->alloc(p->src->ctx, frames, &mem, &phys);
    if (st != MM_OK)
        return st;
    mm_pool_slab **dir = (mm_pool_slab **)mem;
    for (uint64_t i = 0; i < p->dir_count; i++)
        dir[i] = p->dir[i];
    if (p->dir)
        p->src->release(p->src->ctx, p->dir, p->dir_frames);
    p->dir = dir;
    p->dir_frames = frames;
    p->dir_capacity = (frames << p->slab_shift) / sizeof(mm_pool_slab *);
    return MM_OK;
}

static void dir_insert(mm_pool *p, mm_pool_slab *s)
{
    uint64_t i = dir_upper(p, (uintptr_t)s);
    for (uint64_t j = p->dir_count; j > i; j--)
        p->dir[j] = p->dir[j - 1];
    p->dir[i] = s;
    p->dir_count++;
}

static mm_status grow(mm_pool *p)
{
    mm_status st = dir_reserve(p);
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
    dir_insert(p, s);
    partial_push(p, s);
    return MM_OK;
}

static uint32_t block_index(const mm_pool *p, const mm_pool_slab *s, uintptr_t b)
{
    return (uint32_t)(b - (uintptr_t)s - p->first_offset) / p->block_size;
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

static mm_status release_dir_if_unused(mm_pool *p, uint64_t *frames)
{
    if (p->dir_count != 0 || !p->dir)
        return MM_OK;
    mm_status st = p->src->release(p->src->ctx, p->dir, p->dir_frames);
    if (st != MM_OK)
        return st;
    *frames += p->dir_frames;
    p->dir = NULL;
    p->dir_frames = 0;
    p->dir_capacity = 0;
    return MM_OK;
}

/* Releases the empty slabs (or, with `all`, every slab), compacting
 * the directory in one pass; the first refused release stops releasing. */
static mm_status release_slabs(mm_pool *p, bool all, uint64_t *frames)
{
    mm_status st = MM_OK;
    uint64_t kept = 0;
    for (uint64_t i = 0; i < p->dir_count; i++) {
        mm_pool_slab *s = p->dir[i];
        uint32_t in_use = s->in_use;
        bool partial = in_use < p->slab_blocks;
        bool drop = st == MM_OK && (all || in_use == 0);
        /* Unlink first: once released, the header is no longer ours. */
        if (drop && partial)
            partial_unlink(p, s);
        if (drop)
            st = p->src->release(p->src->ctx, s, p->slab_frames);
        if (drop && st == MM_OK) {
            p->in_use -= in_use;
            *frames += p->slab_frames;
            continue;
        }
        if (drop && partial)
            partial_push(p, s); /* refused: keep it usable */
        p->dir[kept++] = s;
    }
    p->dir_count = kept;
    if (st != MM_OK)
        return st;
    return release_dir_if_unused(p, frames);
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
    s->capacity = p->dir_count * p->slab_blocks;
    s->in_use = p->in_use;
    s->free = s->capacity - p->in_use;
    s->peak = p->peak;
    s->slabs = p->dir_count;
    s->frames = p->dir_count * p->slab_frames;
    s->dir_frames = p->dir_frames;
    s->utilization = per_mille(p->in_use, s->capacity);
}
