/* mm_map_sanitize(): clean, sort, resolve overlaps, merge, align.
 *
 * Work happens in caller scratch: a copy of the entries, a second array for
 * the merge sort, and a binary max-heap of the indices of the entries
 * covering the sweep position.
 * The result is written straight into the map's storage, so the copy stays
 * intact for the restore on MM_ERR_MAP_FULL. */
#include "mm/memmap.h"

#define MAX_END UINT64_MAX /* highest representable exclusive end */

size_t mm_map_sanitize_scratch_size(uint32_t count)
{
    uint64_t bytes = (uint64_t)count * (2 * sizeof(mm_entry) + sizeof(uint32_t)) + sizeof(uint64_t);
    if (bytes > (uint64_t)SIZE_MAX)
        return SIZE_MAX;
    return (size_t)bytes;
}

/* ---- Step 1: copy, dropping empties, clipping wraps, fixing types ------- */

static uint32_t copy_clean(const mm_map *m, mm_entry *out, mm_sanitize_report *r)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->count; i++) {
        mm_entry e = m->entries[i];
        if (e.length == 0) {
            r->empty_dropped++;
            continue;
        }
        if (e.length > MAX_END - e.base) {
            e.length = MAX_END - e.base;
            r->wrapped_clipped++;
            if (e.length == 0) { /* starts at the one byte we cannot describe */
                r->empty_dropped++;
                continue;
            }
        }
        if (e.type == MM_TYPE_NONE || e.type >= MM_TYPE_COUNT) {
            e.type = MM_TYPE_RESERVED;
            r->invalid_types++;
        }
        out[n++] = e;
    }
    return n;
}

/* ---- Step 2: sort by base ------------------------------------------------
 * Bottom-up merge sort: O(n log n) in every case, no recursion, sequential
 * memory access (a heapsort of 32-byte entries was 3x slower at 100,000
 * entries for its cache misses). Stable, so equal bases keep input order. */

static void merge_runs(const mm_entry *src, mm_entry *dst, uint32_t lo, uint32_t mid, uint32_t hi)
{
    uint32_t i = lo, j = mid, k = lo;
    /* Branch-free selection: on random input the comparison is a coin toss
     * the branch predictor would lose half the time. */
    while (i < mid && j < hi) {
        uint32_t take_j = src[j].base < src[i].base;
        const mm_entry *from = &src[take_j ? j : i];
        dst[k++] = *from;
        j += take_j;
        i += take_j ^ 1u;
    }
    while (i < mid)
        dst[k++] = src[i++];
    while (j < hi)
        dst[k++] = src[j++];
}

/* Sorts a[0..n) using aux[0..n); returns whichever buffer holds the
 * result. */
static mm_entry *sort_by_base(mm_entry *a, mm_entry *aux, uint32_t n)
{
    for (uint32_t width = 1; width<n; width = width> n / 2 ? n : 2 * width) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = n - lo > width ? lo + width : n;
            uint32_t hi = n - mid > width ? mid + width : n;
            merge_runs(a, aux, lo, mid, hi);
        }
        mm_entry *t = a;
        a = aux;
        aux = t;
    }
    return a;
}

static uint32_t count_overlaps(const mm_entry *a, uint32_t n)
{
    uint32_t overlaps = 0;
    uint64_t max_end = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 && a[i].base < max_end)
            overlaps++;
        if (mm_entry_end(&a[i]) > max_end)
            max_end = mm_entry_end(&a[i]);
    }
    return overlaps;
}

/* ---- Step 3: active set, a max-heap of entry indices ------------------- */

typedef struct active_heap {
    const mm_entry *e; /* the sorted copy */
    uint32_t *idx;
    uint32_t n;
} active_heap;

/* True when entry a beats entry b for the bytes they share. */
static bool beats(const mm_entry *e, uint32_t a, uint32_t b)
{
    uint32_t pa = mm_type_priority((mm_type)e[a].type), pb = mm_type_priority((mm_type)e[b].type);
    if (pa != pb)
        return pa > pb;
    if (e[a].raw_type != e[b].raw_type)
        return e[a].raw_type < e[b].raw_type;
    if (e[a].attributes != e[b].attributes)
        return e[a].attributes < e[b].attributes;
    return a < b;
}

static void heap_push(active_heap *h, uint32_t v)
{
    uint32_t i = h->n++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!beats(h->e, v, h->idx[parent]))
            break;
        h->idx[i] = h->idx[parent];
        i = parent;
    }
    h->idx[i] = v;
}

static void heap_pop(active_heap *h)
{
    uint32_t v = h->idx[--h->n];
    uint32_t i = 0;
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= h->n)
            break;
        if (child + 1 < h->n && beats(h->e, h->idx[child + 1], h->idx[child]))
            child++;
        if (!beats(h->e, h->idx[child], v))
            break;
        h->idx[i] = h->idx[child];
        i = child;
    }
    if (h->n > 0)
        h->idx[i] = v;
}

/* ---- Steps 4 and 5: output with merging and usable alignment ------------ */

typedef struct emitter {
    mm_map *m;
    uint64_t frame;
    mm_sanitize_report *r;
    mm_entry cur;     /* piece being grown, not yet aligned or written */
    uint32_t cur_src; /* entry of the copy that won the end of `cur` */
    bool have_cur;
    mm_status status;
} emitter;

static bool same_key(const mm_entry *a, const mm_entry *b)
{
    return a->type == b->type && a->raw_type == b->raw_type && a->attributes == b->attributes;
}

/* Writes one finished piece: usable pieces are aligned inward first; a
 * piece that meets the last written entry and matches it is joined. */
static void write_piece(emitter *em, mm_entry p)
{
    if (p.type == MM_TYPE_USABLE) {
        uint64_t end = mm_entry_end(&p), base;
        uint64_t new_end = mm_align_down(end, em->frame);
        if (!mm_align_up(p.base, em->frame, &base) || base >= new_end) {
            em->r->slivers_dropped++;
            em->r->bytes_trimmed += p.length;
            return;
        }
        em->r->bytes_trimmed += p.length - (new_end - base);
        p.base = base;
        p.length = new_end - base;
    }
    mm_map *m = em->m;
    if (m->count > 0 && mm_entries_mergeable(&m->entries[m->count - 1], &p)) {
        m->entries[m->count - 1].length += p.length;
        em->r->merged++;
        return;
    }
    if (m->count >= m->capacity) {
        em->status = MM_ERR_MAP_FULL;
        return;
    }
    m->entries[m->count++] = p;
}

/* Adds [base, end) typed like copy entry `src`. Continuing the same winner,
 * or an equal entry that overlapped it, is not a merge (the overlap is
 * already counted); joining two entries that merely touch is. */
static void emit(emitter *em, const mm_entry *copy, uint32_t src, uint64_t base, uint64_t end)
{
    mm_entry p = copy[src];
    p.base = base;
    p.length = end - base;
    if (em->have_cur && mm_entry_end(&em->cur) == base) {
        bool overlapped = mm_entry_end(&copy[em->cur_src]) > base || copy[src].base < base;
        bool continues = same_key(&em->cur, &p) && overlapped;
        if (continues || mm_entries_mergeable(&em->cur, &p)) {
            em->cur.length += p.length;
            em->r->merged += continues ? 0 : 1;
            em->cur_src = src;
            return;
        }
    }
    if (em->have_cur)
        write_piece(em, em->cur);
    em->cur = p;
    em->cur_src = src;
    em->have_cur = true;
}

/* The sweep: between consecutive boundaries (entry starts and the end of
 * the current winner) the winner cannot change, so each step emits one
 * piece. Entries that ended stay in the heap until they reach the top. */
static void sweep(emitter *em, const mm_entry *s, uint32_t n, uint32_t *heap_storage)
{
    active_heap h = {s, heap_storage, 0};
    uint32_t i = 0;
    uint64_t pos = 0;
    for (;;) {
        while (h.n > 0 && mm_entry_end(&s[h.idx[0]]) <= pos)
            heap_pop(&h);
        if (h.n == 0) {
            if (i == n)
                break;
            pos = s[i].base;
        }
        while (i < n && s[i].base <= pos)
            heap_push(&h, i++);
        uint32_t top = h.idx[0];
        uint64_t next = mm_entry_end(&s[top]);
        if (i < n && s[i].base < next)
            next = s[i].base;
        emit(em, s, top, pos, next);
        pos = next;
    }
    if (em->have_cur)
        write_piece(em, em->cur);
}

mm_status mm_map_sanitize(mm_map *m, uint64_t frame_size, void *scratch, size_t scratch_size,
                          mm_sanitize_report *report)
{
    mm_sanitize_report local;
    mm_sanitize_report *r = report ? report : &local;
    if (!m || !scratch || !mm_is_pow2(frame_size) || m->count > m->capacity)
        return MM_ERR_INVALID_ARGUMENT;
    if (scratch_size < mm_map_sanitize_scratch_size(m->count))
        return MM_ERR_BUFFER_TOO_SMALL;
    mm_memset(r, 0, sizeof(*r));
    r->entries_in = m->count;

    uintptr_t at = ((uintptr_t)scratch + 7u) & ~(uintptr_t)7u;
    mm_entry *copy = (mm_entry *)at;
    mm_entry *aux = copy + m->count;
    uint32_t *heap = (uint32_t *)(aux + m->count);

    uint32_t n = copy_clean(m, copy, r);
    copy = sort_by_base(copy, aux, n);
    r->overlaps_resolved = count_overlaps(copy, n);

    emitter em = {m, frame_size, r, {0}, 0, false, MM_OK};
    m->count = 0;
    sweep(&em, copy, n, heap);
    if (em.status != MM_OK) {
        mm_memcpy(m->entries, copy, (size_t)n * sizeof(mm_entry));
        m->count = n;
        r->entries_out = n;
        return em.status;
    }
    m->frame_size = frame_size;
    r->entries_out = m->count;
    return MM_OK;
}
