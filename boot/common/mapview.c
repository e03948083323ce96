/* Memory map picture: geometry, colours, labels, framebuffer renderer. */
#include "mapview.h"

#include "font.h"

/* Indexed by mm_type. */
static const uint32_t colours[MM_TYPE_COUNT] = {
    [MM_TYPE_NONE] = 0x606060,
    [MM_TYPE_USABLE] = 0x3cb44b,
    [MM_TYPE_RESERVED] = 0x808080,
    [MM_TYPE_ACPI_RECLAIMABLE] = 0x4363d8,
    [MM_TYPE_ACPI_NVS] = 0x000075,
    [MM_TYPE_BAD] = 0xe6194b,
    [MM_TYPE_PERSISTENT] = 0x9a6324,
    [MM_TYPE_FW_RUNTIME_CODE] = 0x800000,
    [MM_TYPE_FW_RUNTIME_DATA] = 0xaa6e28,
    [MM_TYPE_MMIO] = 0x469990,
    [MM_TYPE_UNACCEPTED] = 0x808000,
    [MM_TYPE_BOOTLOADER_RECLAIMABLE] = 0xaaffc3,
    [MM_TYPE_KERNEL] = 0xffe119,
    [MM_TYPE_KERNEL_STACK] = 0xf58231,
    [MM_TYPE_TEMP_HEAP] = 0x42d4f4,
    [MM_TYPE_BOOT_HEAP] = 0xbfef45,
    [MM_TYPE_PAGE_TABLES] = 0xf032e6,
    [MM_TYPE_FRAME_BITMAP] = 0xdcbeff,
    [MM_TYPE_HANDOFF] = 0xfabed4,
    [MM_TYPE_FRAMEBUFFER] = 0x911eb4,
    [MM_TYPE_MODULE] = 0xfffac8,
    [MM_TYPE_AP_TRAMPOLINE] = 0xffd8b1,
    [MM_TYPE_AP_STACKS] = 0xa9a9ff,
};

uint32_t bc_mapview_colour(uint32_t mm_type)
{
    return mm_type < MM_TYPE_COUNT ? colours[mm_type] : colours[MM_TYPE_NONE];
}

uint32_t bc_mapview_row_y(uint32_t i)
{
    return (i + 1) * BC_MAPVIEW_ROW_H;
}

mm_status bc_mapview_layout(uint32_t width, uint32_t height, uint32_t count, bc_mapview_geom *g)
{
    const uint32_t fixed =
        3 * BC_MAPVIEW_MARGIN + BC_MAPVIEW_LABEL_CHARS * BC_FONT_CELL_W + BC_MAPVIEW_LEGEND_W;
    if (!g || width < fixed + 32 || height < 2 * BC_MAPVIEW_ROW_H)
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t fit = height / BC_MAPVIEW_ROW_H - 1;
    *g = (bc_mapview_geom){.width = width, .height = height};
    g->rows = count < fit ? count : fit;
    g->cut = count - g->rows;
    g->label_x = BC_MAPVIEW_MARGIN;
    g->bar_x = g->label_x + BC_MAPVIEW_LABEL_CHARS * BC_FONT_CELL_W + BC_MAPVIEW_MARGIN;
    g->legend_x = width - BC_MAPVIEW_LEGEND_W;
    g->bar_max_w = g->legend_x - BC_MAPVIEW_MARGIN - g->bar_x;
    if (g->bar_max_w > 0xffff) /* keeps bc_mapview_bar_len in 32-bit arithmetic */
        g->bar_max_w = 0xffff;
    return MM_OK;
}

/* log2(x) in eighths: 8 * floor(log2 x) + the next three bits. */
static uint32_t log2_8ths(uint64_t x)
{
    uint32_t k = mm_log2(x);
    uint32_t frac = k >= 3 ? (uint32_t)(x >> (k - 3)) & 7 : (uint32_t)(x << (3 - k)) & 7;
    return 8 * k + frac;
}

uint32_t bc_mapview_bar_len(const bc_mapview_geom *g, uint64_t length)
{
    const uint32_t lo = 8 * 12, hi = 8 * 48; /* 4 KiB, 256 TiB */
    uint32_t v = length ? log2_8ths(length) : 0;
    if (v <= lo)
        return BC_MAPVIEW_MIN_BAR;
    if (v >= hi)
        return g->bar_max_w;
    uint32_t span = g->bar_max_w - BC_MAPVIEW_MIN_BAR;
    return BC_MAPVIEW_MIN_BAR + span * (v - lo) / (hi - lo); /* < 2^16 * 2^9 */
}

/* Bars and swatches leave 2 pixels above and below inside their row. */
#define BAR_INSET  2u
#define SWATCH_W   16u
#define LEGEND_GAP 24u /* swatch to type name */

void bc_mapview_bar_probe(const bc_mapview_geom *g, uint32_t i, uint64_t length, uint32_t *x,
                          uint32_t *y)
{
    *x = g->bar_x + bc_mapview_bar_len(g, length) / 2;
    *y = bc_mapview_row_y(i) + BC_MAPVIEW_ROW_H / 2;
}

void bc_mapview_swatch_probe(const bc_mapview_geom *g, uint32_t k, uint32_t *x, uint32_t *y)
{
    *x = g->legend_x + SWATCH_W / 2;
    *y = bc_mapview_row_y(k) + BC_MAPVIEW_ROW_H / 2;
}

static void put_hex(char *p, uint64_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--, v >>= 4)
        p[i] = hex[v & 15];
}

/* "dddd" right-aligned, spaces for leading zeros, v < 10000. */
static void put_dec4(char *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v /= 10)
        p[i] = (v || i == 3) ? (char)('0' + v % 10) : ' ';
}

void bc_mapview_label(char *buf, const mm_entry *e)
{
    static const char units[] = "BKMGTPE";
    uint64_t size = e->length;
    uint32_t u = 0;
    while (size >= 10000 && u + 1 < sizeof units - 1) {
        size >>= 10;
        u++;
    }
    buf[0] = '0';
    buf[1] = (e->base >> 48) ? '+' : 'x';
    put_hex(buf + 2, e->base, 12);
    buf[14] = ' ';
    put_dec4(buf + 15, (uint32_t)size);
    buf[19] = units[u];
    buf[20] = '\0';
}

uint32_t bc_mapview_legend(const mm_entry *e, uint32_t n, uint32_t *types)
{
    bool seen[MM_TYPE_COUNT] = {false};
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (e[i].type < MM_TYPE_COUNT)
            seen[e[i].type] = true;
    for (uint32_t t = 0; t < MM_TYPE_COUNT; t++)
        if (seen[t])
            types[k++] = t;
    return k;
}

static void draw_rows(const bc_fb *fb, const bc_mapview_geom *g, const mm_entry *e)
{
    uint32_t fg = bc_fb_pixel(fb, BC_MAPVIEW_TEXT), bg = bc_fb_pixel(fb, BC_MAPVIEW_BG);
    char label[BC_MAPVIEW_LABEL_CHARS + 1];
    for (uint32_t i = 0; i < g->rows; i++) {
        uint32_t y = bc_mapview_row_y(i);
        bc_mapview_label(label, &e[i]);
        bc_fb_text(fb, g->label_x, y, label, fg, bg);
        bc_fb_fill(fb, g->bar_x, y + BAR_INSET, bc_mapview_bar_len(g, e[i].length),
                   BC_MAPVIEW_ROW_H - 2 * BAR_INSET, bc_fb_pixel(fb, bc_mapview_colour(e[i].type)));
    }
}

static void draw_legend(const bc_fb *fb, const bc_mapview_geom *g, const mm_entry *e, uint32_t n)
{
    uint32_t types[MM_TYPE_COUNT], k = bc_mapview_legend(e, n, types);
    uint32_t fg = bc_fb_pixel(fb, BC_MAPVIEW_TEXT), bg = bc_fb_pixel(fb, BC_MAPVIEW_BG);
    for (uint32_t i = 0; i < k; i++) {
        uint32_t y = bc_mapview_row_y(i);
        bc_fb_fill(fb, g->legend_x, y + BAR_INSET, SWATCH_W, BC_MAPVIEW_ROW_H - 2 * BAR_INSET,
                   bc_fb_pixel(fb, bc_mapview_colour(types[i])));
        bc_fb_text(fb, g->legend_x + LEGEND_GAP, y, mm_type_name((mm_type)types[i]), fg, bg);
    }
}

mm_status bc_mapview_draw(const bc_fb *fb, const mm_entry *e, uint32_t n, const char *title)
{
    bc_mapview_geom g;
    if (bc_fb_check(fb) != MM_OK || (n && !e) || bc_mapview_layout(fb->width, fb->height, n, &g))
        return MM_ERR_INVALID_ARGUMENT;
    uint32_t fg = bc_fb_pixel(fb, BC_MAPVIEW_TEXT), bg = bc_fb_pixel(fb, BC_MAPVIEW_BG);
    bc_fb_fill(fb, 0, 0, fb->width, fb->height, bg);
    if (title)
        bc_fb_text(fb, BC_MAPVIEW_MARGIN, 0, title, fg, bg);
    draw_rows(fb, &g, e);
    draw_legend(fb, &g, e, n);
    return MM_OK;
}
