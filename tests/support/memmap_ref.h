/* Reference model of mm_map_sanitize() for tests and fuzzers (host only).
 *
 * Coordinate compression: every input and output boundary is collected and
 * sorted; between two neighbouring boundaries nothing changes, so each such
 * elementary interval is checked once against a brute-force winner over the
 * input (O(boundaries x entries), fine for test-sized maps).
 *
 * Checks, for every elementary interval of the (wrap-clipped) input:
 *   - the byte-level safety property: an output usable byte was covered by
 *     an input usable entry and by no non-usable input entry;
 *   - a non-usable winner keeps its exact type, raw code and attributes;
 *   - usable RAM survives exactly as its maximal runs (same attributes)
 *     aligned inward to the frame size, nothing more, nothing less;
 *   - output bytes outside every input entry do not exist. */
#ifndef TESTS_MEMMAP_REF_H
#define TESTS_MEMMAP_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mm/memmap.h"

static uint64_t ref_end(const mm_entry *e)
{
    return e->length > UINT64_MAX - e->base ? UINT64_MAX : e->base + e->length;
}

static uint32_t ref_type(const mm_entry *e)
{
    return (e->type == MM_TYPE_NONE || e->type >= MM_TYPE_COUNT) ? MM_TYPE_RESERVED : e->type;
}

/* Winner (documented tie rules) among input entries covering `at`; NULL for
 * a hole. */
static const mm_entry *ref_winner(const mm_entry *in, uint32_t n, uint64_t at)
{
    const mm_entry *best = NULL;
    for (uint32_t i = 0; i < n; i++) {
        const mm_entry *e = &in[i];
        if (e->length == 0 || at < e->base || at >= ref_end(e))
            continue;
        if (best) {
            uint32_t pe = mm_type_priority((mm_type)ref_type(e));
            uint32_t pb = mm_type_priority((mm_type)ref_type(best));
            if (pe < pb ||
                (pe == pb && (e->raw_type > best->raw_type || (e->raw_type == best->raw_type &&
                                                               e->attributes >= best->attributes))))
                continue;
        }
        best = e;
    }
    return best;
}

static bool ref_any_of(const mm_entry *in, uint32_t n, uint64_t at, bool usable)
{
    for (uint32_t i = 0; i < n; i++) {
        const mm_entry *e = &in[i];
        if (e->length > 0 && at >= e->base && at < ref_end(e) &&
            (ref_type(e) == MM_TYPE_USABLE) == usable)
            return true;
    }
    return false;
}

static const mm_entry *ref_out_at(const mm_map *out, uint64_t at)
{
    for (uint32_t i = 0; i < out->count; i++) {
        if (at >= out->entries[i].base && at - out->entries[i].base < out->entries[i].length)
            return &out->entries[i];
    }
    return NULL;
}

static int ref_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted, de-duplicated boundaries of input and output; caller frees. */
static uint64_t *ref_boundaries(const mm_entry *in, uint32_t n, const mm_map *out, uint32_t *nb)
{
    uint64_t *b = malloc(sizeof(uint64_t) * (2 * ((size_t)n + out->count) + 1));
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (in[i].length == 0)
            continue;
        b[k++] = in[i].base;
        b[k++] = ref_end(&in[i]);
    }
    for (uint32_t i = 0; i < out->count; i++) {
        b[k++] = out->entries[i].base;
        b[k++] = mm_entry_end(&out->entries[i]);
    }
    qsort(b, k, sizeof(uint64_t), ref_cmp_u64);
    uint32_t u = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (u == 0 || b[u - 1] != b[i])
            b[u++] = b[i];
    }
    *nb = u;
    return b;
}

static bool ref_fail(char *why, size_t len, const char *what, uint64_t at)
{
    snprintf(why, len, "%s at 0x%llx", what, (unsigned long long)at);
    return false;
}

/* The input seen interval by interval: winner of each, and for usable
 * winners the first/last interval of their run (neighbouring usable
 * winners with equal attributes, which sanitize merges and then aligns as
 * one). */
typedef struct ref_view {
    const mm_entry *in;
    uint32_t n;
    const mm_map *out;
    uint64_t *b; /* boundaries; interval k is [b[k], b[k + 1]) */
    uint32_t intervals;
    const mm_entry **win;
    uint32_t *run_lo, *run_hi;
} ref_view;

static bool ref_same_run(const mm_entry *a, const mm_entry *b)
{
    return a && b && ref_type(a) == MM_TYPE_USABLE && ref_type(b) == MM_TYPE_USABLE &&
           a->attributes == b->attributes;
}

static void ref_build(ref_view *v)
{
    uint32_t nb, m;
    v->b = ref_boundaries(v->in, v->n, v->out, &nb);
    m = v->intervals = nb > 0 ? nb - 1 : 0;
    v->win = malloc(sizeof(*v->win) * (m + 1));
    v->run_lo = malloc(sizeof(uint32_t) * (m + 1));
    v->run_hi = malloc(sizeof(uint32_t) * (m + 1));
    for (uint32_t k = 0; k < m; k++) {
        v->win[k] = ref_winner(v->in, v->n, v->b[k]);
        bool joins = k > 0 && ref_same_run(v->win[k - 1], v->win[k]);
        v->run_lo[k] = joins ? v->run_lo[k - 1] : k;
    }
    for (uint32_t k = m; k-- > 0;) {
        bool joins = k + 1 < m && ref_same_run(v->win[k], v->win[k + 1]);
        v->run_hi[k] = joins ? v->run_hi[k + 1] : k;
    }
}

static void ref_free(ref_view *v)
{
    free(v->b);
    free(v->win);
    free(v->run_lo);
    free(v->run_hi);
}

/* Checks interval k. */
static bool ref_check_interval(const ref_view *v, uint32_t k, uint64_t frame, char *why, size_t len)
{
    uint64_t at = v->b[k];
    const mm_entry *w = v->win[k];
    const mm_entry *o = ref_out_at(v->out, at);
    if (o && o->type == MM_TYPE_USABLE &&
        (!ref_any_of(v->in, v->n, at, true) || ref_any_of(v->in, v->n, at, false)))
        return ref_fail(why, len, "usable in output but not only usable in input", at);
    if (!w)
        return o ? ref_fail(why, len, "output covers an input hole", at) : true;
    if (ref_type(w) != MM_TYPE_USABLE) {
        if (!o || o->type != ref_type(w) || o->raw_type != w->raw_type ||
            o->attributes != w->attributes)
            return ref_fail(why, len, "non-usable input byte lost or retyped", at);
        return true;
    }
    uint64_t ab, ae = mm_align_down(v->b[v->run_hi[k] + 1], frame);
    bool expect = mm_align_up(v->b[v->run_lo[k]], frame, &ab) && at >= ab && at < ae;
    bool got = o && o->type == MM_TYPE_USABLE && o->attributes == w->attributes;
    if (expect != got)
        return ref_fail(why, len,
                        expect ? "usable byte missing" : "usable byte kept past alignment", at);
    if (!expect && o)
        return ref_fail(why, len, "trimmed usable byte has a type", at);
    return true;
}

/* True when `out` is what sanitizing `in` (n raw entries) at `frame` must
 * give; otherwise false with a reason in `why`. */
static bool memmap_ref_check(const mm_entry *in, uint32_t n, const mm_map *out, uint64_t frame,
                             char *why, size_t len)
{
    ref_view v = {.in = in, .n = n, .out = out};
    ref_build(&v);
    bool ok = true;
    for (uint32_t k = 0; ok && k < v.intervals; k++)
        ok = ref_check_interval(&v, k, frame, why, len);
    ref_free(&v);
    return ok;
}

#endif
