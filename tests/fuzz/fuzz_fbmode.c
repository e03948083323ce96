/* Framebuffer mode fuzzer. The first byte splits the input: a
 * `resolution=` value parsed by bc_fb_parse_resolution, and a mode list
 * (16 bytes a mode: width, height, bpp, id) that bc_fb_pick_mode chooses
 * from, checked against a brute-force reference: the chosen mode is
 * drawable and no drawable mode is strictly better. */
#include <stdlib.h>
#include <string.h>

#include "common/fbmode.h"

#define MAX_MODES 64u

static bool drawable(const bc_fb_mode *m)
{
    return m->width && m->height && (m->bpp == 16 || m->bpp == 24 || m->bpp == 32);
}

static uint64_t dist(const bc_fb_mode *m, uint32_t w, uint32_t h)
{
    uint64_t dw = m->width > w ? m->width - w : w - m->width;
    uint64_t dh = m->height > h ? m->height - h : h - m->height;
    return dw + dh;
}

static bool fits(const bc_fb_mode *m)
{
    return m->width <= BC_FB_AUTO_MAX_W && m->height <= BC_FB_AUTO_MAX_H;
}

static uint64_t area(const bc_fb_mode *m)
{
    return (uint64_t)m->width * m->height;
}

/* True when `b` should have been chosen over `a`. */
static bool better(const bc_fb_mode *a, const bc_fb_mode *b, uint32_t w, uint32_t h, bool any_fit)
{
    if (w)
        return dist(b, w, h) < dist(a, w, h) || (dist(b, w, h) == dist(a, w, h) && b->bpp > a->bpp);
    if (any_fit) {
        if (!fits(b))
            return false;
        return area(b) > area(a) || (area(b) == area(a) && b->bpp > a->bpp);
    }
    return area(b) < area(a) || (area(b) == area(a) && b->bpp > a->bpp);
}

static void check_pick(const bc_fb_mode *m, uint32_t n, uint32_t w, uint32_t h)
{
    uint32_t i;
    bool exact, any = false, any_fit = false;
    for (uint32_t k = 0; k < n; k++) {
        any |= drawable(&m[k]);
        any_fit |= drawable(&m[k]) && fits(&m[k]);
    }
    mm_status st = bc_fb_pick_mode(m, n, w, h, &i, &exact);
    if (st == MM_ERR_NOT_FOUND && !any)
        return;
    if (st != MM_OK || i >= n || !drawable(&m[i]))
        abort();
    if (!w && any_fit && !fits(&m[i]))
        abort();
    for (uint32_t k = 0; k < n; k++)
        if (drawable(&m[k]) && better(&m[i], &m[k], w, h, any_fit))
            abort();
    if (w && exact != (m[i].width == w && m[i].height == h))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t split = data[0] < size - 1 ? data[0] : size - 1;
    char *text = malloc(split + 1);
    memcpy(text, data + 1, split);
    text[split] = '\0';
    uint32_t w = 0, h = 0;
    const char *why = NULL;
    mm_status st = bc_fb_parse_resolution(text, &w, &h, &why);
    if (st == MM_OK && (w < 1 || h < 1 || w > BC_FB_DIM_MAX || h > BC_FB_DIM_MAX))
        abort();
    if (st != MM_OK && (st != MM_ERR_CONFIG || !why))
        abort();
    free(text);
    bc_fb_mode modes[MAX_MODES];
    uint32_t n = 0;
    for (size_t off = 1 + split; off + 16 <= size && n < MAX_MODES; off += 16, n++)
        memcpy(&modes[n], data + off, 16);
    check_pick(modes, n, 0, 0);
    if (st == MM_OK)
        check_pick(modes, n, w, h);
    return 0;
}
