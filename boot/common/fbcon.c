/* Framebuffer text console over the built-in font. */
#include "fbcon.h"

#include "font.h"
#include "text.h"

static bool channel_ok(uint32_t size, uint32_t shift, uint32_t bpp)
{
    return size >= 1 && size <= 8 && shift + size <= bpp;
}

static uint32_t channel_mask(uint32_t size, uint32_t shift)
{
    return ((1u << size) - 1) << shift;
}

mm_status bc_fb_check(const bc_fb *fb)
{
    if (!fb || !fb->base || fb->width == 0 || fb->height == 0)
        return MM_ERR_INVALID_ARGUMENT;
    if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
        return MM_ERR_INVALID_ARGUMENT;
    if ((uint64_t)fb->pitch * 8 < (uint64_t)fb->width * fb->bpp)
        return MM_ERR_INVALID_ARGUMENT;
    if (!channel_ok(fb->red_size, fb->red_shift, fb->bpp) ||
        !channel_ok(fb->green_size, fb->green_shift, fb->bpp) ||
        !channel_ok(fb->blue_size, fb->blue_shift, fb->bpp))
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t r = channel_mask(fb->red_size, fb->red_shift);
    uint32_t g = channel_mask(fb->green_size, fb->green_shift);
    uint32_t b = channel_mask(fb->blue_size, fb->blue_shift);
    return (r & g) || (r & b) || (g & b) ? MM_ERR_INVALID_ARGUMENT : MM_OK;
}

/* The top `size` bits of the 8-bit channel `v`, at `shift`. */
static uint32_t place(uint32_t v, uint32_t size, uint32_t shift)
{
    return ((v & 0xff) >> (8 - size)) << shift;
}

uint32_t bc_fb_pixel(const bc_fb *fb, uint32_t rgb)
{
    return place(rgb >> 16, fb->red_size, fb->red_shift) |
           place(rgb >> 8, fb->green_size, fb->green_shift) |
           place(rgb, fb->blue_size, fb->blue_shift);
}

static uint8_t *pixel_at(const bc_fb *fb, uint32_t x, uint32_t y)
{
    return fb->base + (size_t)y * fb->pitch + (size_t)x * (fb->bpp / 8);
}

/* Little-endian store of the low bpp/8 bytes of `px`. */
static void store(uint8_t *p, uint32_t bytes, uint32_t px)
{
    for (uint32_t i = 0; i < bytes; i++)
        p[i] = (uint8_t)(px >> (8 * i));
}

/* The first row is painted pixel by pixel, the others are copies of it:
 * one block copy a row instead of a store a byte (a full 1080p screen is
 * 8 MiB; the loader clears it at start). */
void bc_fb_fill(const bc_fb *fb, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t px)
{
    if (x >= fb->width || y >= fb->height || w == 0 || h == 0)
        return;
    uint32_t x_end = (uint64_t)x + w > fb->width ? fb->width : x + w;
    uint32_t y_end = (uint64_t)y + h > fb->height ? fb->height : y + h;
    uint32_t bytes = fb->bpp / 8;
    uint8_t *first = pixel_at(fb, x, y), *p = first;
    for (uint32_t col = x; col < x_end; col++, p += bytes)
        store(p, bytes, px);
    size_t row_bytes = (size_t)(x_end - x) * bytes;
    for (uint32_t row = y + 1; row < y_end; row++)
        mm_memcpy(pixel_at(fb, x, row), first, row_bytes);
}

uint32_t bc_fb_read(const bc_fb *fb, uint32_t x, uint32_t y)
{
    if (x >= fb->width || y >= fb->height)
        return 0;
    const uint8_t *p = pixel_at(fb, x, y);
    uint32_t px = 0;
    for (uint32_t i = 0; i < fb->bpp / 8; i++)
        px |= (uint32_t)p[i] << (8 * i);
    return px;
}

mm_status bc_fbcon_init(bc_fbcon *c, const bc_fb *fb)
{
    if (!c)
        return MM_ERR_INVALID_ARGUMENT;
    mm_memset(c, 0, sizeof *c);
    if (bc_fb_check(fb) != MM_OK || fb->width < BC_FONT_CELL_W || fb->height < BC_FONT_CELL_H)
        return MM_ERR_INVALID_ARGUMENT;
    c->fb = *fb;
    c->cols = fb->width / BC_FONT_CELL_W;
    c->rows = fb->height / BC_FONT_CELL_H;
    bc_fbcon_set_colours(c, BC_FBCON_TEXT, BC_FBCON_BG);
    return MM_OK;
}

void bc_fbcon_clear(bc_fbcon *c)
{
    if (!c->rows)
        return;
    bc_fb_fill(&c->fb, 0, 0, c->fb.width, c->fb.height, c->bg);
    c->col = c->row = 0;
}

void bc_fbcon_set_colours(bc_fbcon *c, uint32_t fg_rgb, uint32_t bg_rgb)
{
    if (!c->rows)
        return;
    c->fg = bc_fb_pixel(&c->fb, fg_rgb);
    c->bg = bc_fb_pixel(&c->fb, bg_rgb);
}

uint32_t bc_fbcon_level_colour(mm_log_level level)
{
    switch (level) {
    case MM_LOG_ERROR:
        return BC_FBCON_ERROR;
    case MM_LOG_WARN:
        return BC_FBCON_WARN;
    case MM_LOG_INFO:
        return BC_FBCON_TEXT;
    default:
        return BC_FBCON_DEBUG;
    }
}

/* Glyph `ch` with its top-left pixel at (x0, y0), clipped. */
static void glyph_at(const bc_fb *fb, uint32_t x0, uint32_t y0, unsigned char ch, uint32_t fg,
                     uint32_t bg)
{
    uint32_t bytes = fb->bpp / 8;
    for (uint32_t y = 0; y < BC_FONT_CELL_H && (uint64_t)y0 + y < fb->height; y++) {
        uint8_t bits = bc_font_row(ch, y);
        uint8_t *p = pixel_at(fb, x0, y0 + y);
        for (uint32_t x = 0; x < BC_FONT_CELL_W && (uint64_t)x0 + x < fb->width; x++, p += bytes)
            store(p, bytes, (bits & (0x80u >> x)) ? fg : bg);
    }
}

void bc_fb_text(const bc_fb *fb, uint32_t x, uint32_t y, const char *s, uint32_t fg, uint32_t bg)
{
    for (; s && *s && x < fb->width; s++, x += BC_FONT_CELL_W)
        glyph_at(fb, x, y, (unsigned char)*s, fg, bg);
}

static void draw_glyph(bc_fbcon *c, unsigned char ch)
{
    glyph_at(&c->fb, c->col * BC_FONT_CELL_W, c->row * BC_FONT_CELL_H, ch, c->fg, c->bg);
}

/* Jump scroll: moves the text up by half the rows (rounded up), clears
 * what is below and puts the cursor on the first cleared row. Scrolling a
 * row at a time would read back and rewrite the whole screen per line
 * (slow on real framebuffers, whose memory is uncached for reads, and
 * under emulation); by half, once every rows/2 lines. The strip below the
 * last whole row (height not a multiple of 16) is left alone. */
static void scroll(bc_fbcon *c)
{
    uint32_t shift = c->rows - c->rows / 2, keep = c->rows - shift;
    size_t row_bytes = (size_t)c->fb.width * (c->fb.bpp / 8);
    for (uint32_t y = 0; y < keep * BC_FONT_CELL_H; y++)
        mm_memcpy(pixel_at(&c->fb, 0, y), pixel_at(&c->fb, 0, y + shift * BC_FONT_CELL_H),
                  row_bytes);
    bc_fb_fill(&c->fb, 0, keep * BC_FONT_CELL_H, c->fb.width, shift * BC_FONT_CELL_H, c->bg);
    c->row = keep;
}

static void newline(bc_fbcon *c)
{
    c->col = 0;
    if (c->row + 1 < c->rows)
        c->row++;
    else
        scroll(c);
}

static void put(bc_fbcon *c, unsigned char ch)
{
    if (ch == '\n') {
        newline(c);
    } else if (ch == '\r') {
        c->col = 0;
    } else if (ch == '\t') {
        uint32_t next = (c->col + 8) & ~7u;
        if (next >= c->cols)
            newline(c);
        else
            c->col = next;
    } else {
        if (c->col >= c->cols)
            newline(c);
        draw_glyph(c, ch);
        c->col++;
    }
}

void bc_fbcon_write(bc_fbcon *c, const char *s, size_t n)
{
    if (!c->rows || !s)
        return;
    for (size_t i = 0; i < n; i++)
        put(c, (unsigned char)s[i]);
}

void bc_fbcon_puts(bc_fbcon *c, const char *s)
{
    if (s)
        bc_fbcon_write(c, s, bc_strnlen(s, (size_t)-1));
}

void bc_fbcon_log_sink(void *ctx, mm_log_level level, const char *line, size_t len)
{
    bc_fbcon *c = (bc_fbcon *)ctx;
    if (!c || !c->rows)
        return;
    uint32_t fg = c->fg;
    c->fg = bc_fb_pixel(&c->fb, bc_fbcon_level_colour(level));
    bc_fbcon_write(c, line, len);
    bc_fbcon_write(c, "\n", 1);
    c->fg = fg;
}
