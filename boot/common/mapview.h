/* A picture of a memory map, the same on a framebuffer (the demo kernel)
 * and in SVG (mos-memmap --svg): a title line; one horizontal bar per map
 * entry, top to bottom in address order, coloured by type, its length
 * growing with log2 of the entry's size (so a 4 KiB loader range and a
 * 4 GiB usable range both stay visible), the range as text on its left;
 * a legend of the types present on the right.
 *
 *   MultiOS memory map: 14 entries
 *   0x000000000000    4K ####               [#] usable
 *   0x000000001000  636K ##########         [#] reserved
 *   ...                                     ...
 *
 * Geometry is integer-only and computed once for any surface, so both
 * renderers place everything at the same pixels. */
#ifndef BC_MAPVIEW_H
#define BC_MAPVIEW_H

#include "fbcon.h"
#include "mm/memmap.h"

#define BC_MAPVIEW_ROW_H       16u  /* one font cell */
#define BC_MAPVIEW_LABEL_CHARS 20u  /* "0x000000000000 1023M" */
#define BC_MAPVIEW_LEGEND_W    208u /* swatch + the longest type name */
#define BC_MAPVIEW_MARGIN      8u
#define BC_MAPVIEW_MIN_BAR     2u /* pixels of the smallest bar */
#define BC_MAPVIEW_BG          0x101010u
#define BC_MAPVIEW_TEXT        0xe0e0e0u

/* Colour of an mm_type as 0xRRGGBB: one per type, loader-owned ranges in
 * bright hues, firmware types in muted ones; grey for anything else. */
uint32_t bc_mapview_colour(uint32_t mm_type);

typedef struct bc_mapview_geom {
    uint32_t width, height; /* surface, pixels */
    uint32_t rows;          /* entries that fit (first rows of the map) */
    uint32_t cut;           /* entries left out for lack of height */
    uint32_t label_x;       /* left of a row's range text */
    uint32_t bar_x;         /* left of every bar */
    uint32_t bar_max_w;     /* the longest bar, at most 65535 */
    uint32_t legend_x;      /* left of the legend's swatches */
} bc_mapview_geom;

/* Lays out `count` entries on a `width` x `height` surface. MM_OK;
 * MM_ERR_INVALID_ARGUMENT when `g` is NULL or the surface cannot hold the
 * title, one row, the labels, a 32-pixel bar and the legend. */
mm_status bc_mapview_layout(uint32_t width, uint32_t height, uint32_t count, bc_mapview_geom *g);

/* Top pixel of row `i` (the title takes the first row). */
uint32_t bc_mapview_row_y(uint32_t i);

/* Length in pixels of the bar of an entry of `length` bytes: from
 * BC_MAPVIEW_MIN_BAR at 4 KiB and below to bar_max_w at 2^48 bytes and
 * above, linear in log2(length) in eighths of a power of two between. */
uint32_t bc_mapview_bar_len(const bc_mapview_geom *g, uint64_t length);

/* A pixel inside the bar of row `i` for an entry of `length` bytes, and
 * inside legend swatch `k` (the centre of each): where a test reading
 * the picture back (a screenshot) expects that row's or that type's
 * colour. Rows and swatches beyond what fits have no pixel: the caller
 * keeps i < g->rows. */
void bc_mapview_bar_probe(const bc_mapview_geom *g, uint32_t i, uint64_t length, uint32_t *x,
                          uint32_t *y);
void bc_mapview_swatch_probe(const bc_mapview_geom *g, uint32_t k, uint32_t *x, uint32_t *y);

/* Range text of `e`: "0x" and 12 hex digits of the base, a space, the
 * size right-aligned in 4 digits and a unit letter (B, K, M, G, T, P,
 * E; whole units, rounded down). Always BC_MAPVIEW_LABEL_CHARS characters
 * plus the NUL; `buf` must hold BC_MAPVIEW_LABEL_CHARS + 1 bytes. Bases
 * at or above 2^48 show their low 48 bits after a '+' for the "0x". */
void bc_mapview_label(char *buf, const mm_entry *e);

/* Types present in `e[0 .. n)`, in mm_type order, written to `types`
 * (room for MM_TYPE_COUNT); returns how many. */
uint32_t bc_mapview_legend(const mm_entry *e, uint32_t n, uint32_t *types);

/* Draws the picture of `n` entries on `fb` (the whole framebuffer:
 * cleared first) with the title `title` (NULL for none). MM_OK, or
 * MM_ERR_INVALID_ARGUMENT (bc_fb_check fails, `e` NULL with n > 0, or the
 * framebuffer is too small for bc_mapview_layout) with nothing drawn. */
mm_status bc_mapview_draw(const bc_fb *fb, const mm_entry *e, uint32_t n, const char *title);

#endif
