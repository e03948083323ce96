/* A text console drawn on a linear framebuffer with the built-in font.
 *
 * Firmware-neutral: the caller describes the framebuffer (a pointer it can
 * write through, geometry, channel masks), as UEFI GOP, VBE or the handoff
 * give it. No allocation, no globals; one bc_fbcon per screen. Pixels are
 * written with plain stores; reading back happens only when scrolling. */
#ifndef BC_FBCON_H
#define BC_FBCON_H

#include "mm/log.h"

/* A framebuffer as the caller can reach it. */
typedef struct bc_fb {
    uint8_t *base;          /* pixel (0, 0) */
    uint32_t width, height; /* pixels */
    uint32_t pitch;         /* bytes from one row to the next */
    uint32_t bpp;           /* 16, 24 or 32 */
    uint8_t red_size, red_shift, green_size, green_shift, blue_size, blue_shift; /* bits */
} bc_fb;

/* Checks `fb` describes something drawable: base non-NULL, width and
 * height >= 1, bpp 16/24/32, pitch >= width * bpp / 8, each channel 1..8
 * bits inside the pixel, channels disjoint. MM_OK or
 * MM_ERR_INVALID_ARGUMENT. */
mm_status bc_fb_check(const bc_fb *fb);

/* The pixel value of colour 0xRRGGBB on `fb` (each channel cut to its
 * mask size from the top bits). */
uint32_t bc_fb_pixel(const bc_fb *fb, uint32_t rgb);

/* Fills [x, x + w) x [y, y + h) with the pixel value `px`, clipped to the
 * framebuffer (a rectangle partly or wholly outside is cut, not refused). */
void bc_fb_fill(const bc_fb *fb, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t px);

/* Draws the NUL-terminated `s` in the built-in font with its first cell's
 * top-left pixel at (x, y), one 8 x 16 cell per byte, foreground and
 * background pixel values `fg` and `bg`; no control characters (each byte
 * is a glyph), clipped to the framebuffer. */
void bc_fb_text(const bc_fb *fb, uint32_t x, uint32_t y, const char *s, uint32_t fg, uint32_t bg);

/* Pixel value at (x, y); 0 outside. For tests and scrolling. */
uint32_t bc_fb_read(const bc_fb *fb, uint32_t x, uint32_t y);

/* Colours 0xRRGGBB. */
#define BC_FBCON_BG    0x000000u
#define BC_FBCON_TEXT  0xc0c0c0u /* INFO and below */
#define BC_FBCON_WARN  0xffd000u
#define BC_FBCON_ERROR 0xff4040u
#define BC_FBCON_DEBUG 0x808080u /* DEBUG, TRACE */

typedef struct bc_fbcon {
    bc_fb fb;
    uint32_t cols, rows; /* whole cells that fit */
    uint32_t col, row;   /* cursor, in cells */
    uint32_t fg, bg;     /* pixel values */
} bc_fbcon;

/* Starts a console on `fb` (copied) with the cursor at the top left and
 * the text colour on black; draws nothing (call bc_fbcon_clear).
 * MM_ERR_INVALID_ARGUMENT when bc_fb_check fails or not one cell fits;
 * `*c` is then zeroed (and every other bc_fbcon call on it a no-op). */
mm_status bc_fbcon_init(bc_fbcon *c, const bc_fb *fb);

/* Fills the whole framebuffer with the background, cursor to the top
 * left. */
void bc_fbcon_clear(bc_fbcon *c);

/* Foreground and background for what is written next, as 0xRRGGBB. */
void bc_fbcon_set_colours(bc_fbcon *c, uint32_t fg_rgb, uint32_t bg_rgb);

/* Foreground colour of a log level (ERROR red, WARN yellow, INFO grey,
 * DEBUG and TRACE dark grey), 0xRRGGBB. */
uint32_t bc_fbcon_level_colour(mm_log_level level);

/* Writes `n` bytes of `s` at the cursor: '\n' starts the next line, '\r'
 * returns to column 0, '\t' advances to the next multiple of 8 columns,
 * other bytes draw a glyph (a box for non-printable ones). A full line
 * wraps; past the last row the text scrolls up one line and the new line
 * is cleared to the background. */
void bc_fbcon_write(bc_fbcon *c, const char *s, size_t n);

/* bc_fbcon_write of the NUL-terminated `s`. */
void bc_fbcon_puts(bc_fbcon *c, const char *s);

/* An mm_log_sink: `ctx` is a bc_fbcon *; writes `line` and a newline in
 * the level's colour, then restores the text colour. */
void bc_fbcon_log_sink(void *ctx, mm_log_level level, const char *line, size_t len);

#endif
