/* Framebuffer mode choice (see fbmode.h). */
#include "fbmode.h"

/* Digits of one dimension at *s, advanced; false when not 1..DIM_MAX. */
static bool parse_dim(const char **s, uint32_t *out)
{
    uint32_t v = 0;
    const char *p = *s;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint32_t)(*p - '0');
        if (v > BC_FB_DIM_MAX)
            return false;
    }
    *s = p;
    *out = v;
    return v != 0;
}

mm_status bc_fb_parse_resolution(const char *s, uint32_t *w, uint32_t *h, const char **why)
{
    static const char *const form = "expected WIDTHxHEIGHT, each 1..65535 (e.g. 1024x768)";
    uint32_t a, b;
    if (!s || !w || !h)
        return MM_ERR_INVALID_ARGUMENT;
    bool ok = parse_dim(&s, &a) && (*s == 'x' || *s == 'X');
    if (ok) {
        s++;
        ok = parse_dim(&s, &b) && *s == '\0';
    }
    if (!ok) {
        if (why)
            *why = form;
        return MM_ERR_CONFIG;
    }
    *w = a;
    *h = b;
    return MM_OK;
}

static bool drawable(const bc_fb_mode *m)
{
    return m->width && m->height && (m->bpp == 16 || m->bpp == 24 || m->bpp == 32);
}

static uint64_t diff(uint32_t a, uint32_t b)
{
    return a > b ? a - b : b - a;
}

/* Score of mode `m`, higher is better, and whether it may be chosen at
 * all in the current pass. */
static uint64_t score(const bc_fb_mode *m, uint32_t want_w, uint32_t want_h, bool fit_only)
{
    uint64_t area = (uint64_t)m->width * m->height;
    if (want_w) /* closest: the smaller the distance, the higher */
        return ~(diff(m->width, want_w) + diff(m->height, want_h));
    if (fit_only)
        return area;
    return ~area; /* nothing fits: the smallest */
}

static bool eligible(const bc_fb_mode *m, uint32_t want_w, bool fit_only)
{
    if (!drawable(m))
        return false;
    return want_w || !fit_only || (m->width <= BC_FB_AUTO_MAX_W && m->height <= BC_FB_AUTO_MAX_H);
}

static bool pick(const bc_fb_mode *modes, uint32_t n, uint32_t want_w, uint32_t want_h,
                 bool fit_only, uint32_t *index)
{
    bool found = false;
    uint64_t best = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!eligible(&modes[i], want_w, fit_only))
            continue;
        uint64_t s = score(&modes[i], want_w, want_h, fit_only);
        if (!found || s > best || (s == best && modes[i].bpp > modes[*index].bpp)) {
            found = true;
            best = s;
            *index = i;
        }
    }
    return found;
}

mm_status bc_fb_pick_mode(const bc_fb_mode *modes, uint32_t n, uint32_t want_w, uint32_t want_h,
                          uint32_t *index, bool *exact)
{
    if (!modes || !index || !exact || (want_w == 0) != (want_h == 0))
        return MM_ERR_INVALID_ARGUMENT;
    if (!pick(modes, n, want_w, want_h, true, index) &&
        !pick(modes, n, want_w, want_h, false, index))
        return MM_ERR_NOT_FOUND;
    *exact = !want_w || (modes[*index].width == want_w && modes[*index].height == want_h);
    return MM_OK;
}

mm_status bc_fb_pick_mode_depth(const bc_fb_mode *modes, uint32_t n, uint32_t want_w,
                                uint32_t want_h, uint32_t want_bpp, uint32_t *index, bool *exact)
{
    mm_status st = bc_fb_pick_mode(modes, n, want_w, want_h, index, exact);
    if (st != MM_OK || want_bpp == 0)
        return st;
    const bc_fb_mode *p = &modes[*index];
    for (uint32_t i = 0; i < n; i++) {
        if (drawable(&modes[i]) && modes[i].width == p->width && modes[i].height == p->height &&
            modes[i].bpp == want_bpp) {
            *index = i;
            break;
        }
    }
    return MM_OK;
}
