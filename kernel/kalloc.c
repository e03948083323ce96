/* kasprintf and the growing vector on the bump heap (see kalloc.h). */
#include "kalloc.h"

char *kvasprintf(mm_heap *heap, const char *fmt, va_list ap)
{
    va_list probe;
    va_copy(probe, ap);
    int len = mm_vsnprintf(NULL, 0, fmt, probe);
    va_end(probe);
    if (len < 0)
        return NULL;
    void *buf;
    if (mm_heap_alloc(heap, (size_t)len + 1, 1, &buf) != MM_OK)
        return NULL;
    mm_vsnprintf(buf, (size_t)len + 1, fmt, ap);
    return buf;
}

char *kasprintf(mm_heap *heap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = kvasprintf(heap, fmt, ap);
    va_end(ap);
    return s;
}

void kvec_init(kvec *v, mm_heap *heap)
{
    *v = (kvec){.heap = heap};
}

#define KVEC_FIRST_CAP 4

static mm_status kvec_grow(kvec *v)
{
    size_t cap = v->cap ? v->cap * 2 : KVEC_FIRST_CAP;
    if (cap < v->cap || cap > SIZE_MAX / sizeof(uint64_t))
        return MM_ERR_OVERFLOW;
    void *p;
    mm_status st = mm_heap_alloc(v->heap, cap * sizeof(uint64_t), _Alignof(uint64_t), &p);
    if (st != MM_OK)
        return st;
    if (v->len)
        mm_memcpy(p, v->items, v->len * sizeof(uint64_t));
    v->items = p;
    v->cap = cap;
    return MM_OK;
}

mm_status kvec_push(kvec *v, uint64_t x)
{
    if (v->len == v->cap) {
        mm_status st = kvec_grow(v);
        if (st != MM_OK)
            return st;
    }
    v->items[v->len++] = x;
    return MM_OK;
}
