/* The loaders' built-in bitmap font (printable ASCII, 8 x 16 cells). */
#ifndef BC_FONT_H
#define BC_FONT_H

#include "mm/base.h"

#define BC_FONT_CELL_W   8u    /* cell width, pixels */
#define BC_FONT_CELL_H   16u   /* cell height, pixels */
#define BC_FONT_FIRST    0x20u /* ' ' */
#define BC_FONT_LAST     0x7eu /* '~' */
#define BC_FONT_GLYPHS   (BC_FONT_LAST - BC_FONT_FIRST + 1)
#define BC_FONT_DESIGN_H 8u /* rows of the design grid, each drawn twice */

/* Pixel row `y` (0 = top, < BC_FONT_CELL_H) of the glyph for `ch`: bit 7 is the
 * leftmost of the cell's 8 pixels, set = foreground. Characters outside
 * [BC_FONT_FIRST, BC_FONT_LAST] get a box; y outside the cell gives 0. */
uint8_t bc_font_row(unsigned char ch, uint32_t y);

#endif
