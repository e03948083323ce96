/* Built-in font and framebuffer console, drawn into host buffers of
 * exactly the framebuffer's size (ASan catches any stray store). Cells are
 * 8 x 16; glyph designs sit in cell columns 1..5, each design row twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/fbcon.h"
#include "common/font.h"

typedef struct screen {
    bc_fb fb;
    bc_fbcon con;
    uint8_t *mem;
} screen;

static const bc_fb xrgb = {NULL, 0, 0, 0, 32, 8, 16, 8, 8, 8, 0};
static const bc_fb rgb24 = {NULL, 0, 0, 0, 24, 8, 16, 8, 8, 8, 0};
static const bc_fb rgb565 = {NULL, 0, 0, 0, 16, 5, 11, 6, 5, 5, 0};

/* A `w` x `h` screen of format `fmt` with `pad` bytes after each row; its
 * console is started when one cell fits. */
static screen *screen_new(const bc_fb *fmt, uint32_t w, uint32_t h, uint32_t pad)
{
    screen *s = calloc(1, sizeof *s);
    s->fb = *fmt;
    s->fb.width = w;
    s->fb.height = h;
    s->fb.pitch = w * (fmt->bpp / 8) + pad;
    s->mem = malloc((size_t)s->fb.pitch * h);
    memset(s->mem, 0x5a, (size_t)s->fb.pitch * h);
    s->fb.base = s->mem;
    mm_status want = (w >= BC_FONT_CELL_W && h >= BC_FONT_CELL_H) ? MM_OK : MM_ERR_INVALID_ARGUMENT;
    assert_int_equal(bc_fbcon_init(&s->con, &s->fb), want);
    return s;
}

static void screen_free(screen *s)
{
    free(s->mem);
    free(s);
}

/* True when cell (col, row) shows `ch` in pixel values fg on bg. */
static int cell_shows(const screen *s, uint32_t col, uint32_t row, unsigned char ch, uint32_t fg,
                      uint32_t bg)
{
    for (uint32_t y = 0; y < BC_FONT_CELL_H; y++) {
        for (uint32_t x = 0; x < BC_FONT_CELL_W; x++) {
            uint32_t want = (bc_font_row(ch, y) & (0x80u >> x)) ? fg : bg;
            if (bc_fb_read(&s->fb, col * BC_FONT_CELL_W + x, row * BC_FONT_CELL_H + y) != want)
                return 0;
        }
    }
    return 1;
}

static uint32_t fg_of(const screen *s)
{
    return bc_fb_pixel(&s->fb, BC_FBCON_TEXT);
}

static uint32_t bg_of(const screen *s)
{
    return bc_fb_pixel(&s->fb, BC_FBCON_BG);
}

/* ---- font ---- */

/* 'A' as designed, cell rows 0..13 (each design row twice):
 *   ..XXX...   rows 0-1
 *   .X...X..   rows 2-5
 *   .XXXXX..   rows 6-7
 *   .X...X..   rows 8-13
 *   ........   rows 14-15 */
static void font_letter_a(void **state)
{
    (void)state;
    const uint8_t want[8] = {0x38, 0x44, 0x44, 0x7c, 0x44, 0x44, 0x44, 0x00};
    for (uint32_t y = 0; y < BC_FONT_CELL_H; y++)
        assert_int_equal(bc_font_row('A', y), want[y / 2]);
}

/* No two printable glyphs look the same, only ' ' is empty, and nothing
 * is drawn in the cell's first column or last two (the spacing). */
static void font_glyphs_distinct(void **state)
{
    (void)state;
    for (unsigned a = BC_FONT_FIRST; a <= BC_FONT_LAST; a++) {
        uint32_t ink = 0;
        for (uint32_t y = 0; y < BC_FONT_CELL_H; y++) {
            ink |= bc_font_row((unsigned char)a, y);
            assert_int_equal(bc_font_row((unsigned char)a, y) & 0x83, 0);
        }
        if ((a == ' ') != (ink == 0))
            fail_msg("glyph 0x%02x: ink %#x", a, ink);
        for (unsigned b = a + 1; b <= BC_FONT_LAST; b++) {
            int same = 1;
            for (uint32_t y = 0; y < BC_FONT_CELL_H; y += 2)
                same &= bc_font_row((unsigned char)a, y) == bc_font_row((unsigned char)b, y);
            if (same)
                fail_msg("glyphs '%c' and '%c' are identical", a, b);
        }
    }
}

/* Bytes outside printable ASCII share one box unlike any printable glyph;
 * rows past the cell are empty. */
static void font_box_for_others(void **state)
{
    (void)state;
    const unsigned char others[] = {0x00, 0x1f, 0x7f, 0x80, 0xff};
    for (size_t i = 0; i < sizeof others; i++)
        for (uint32_t y = 0; y < BC_FONT_CELL_H; y++)
            assert_int_equal(bc_font_row(others[i], y), bc_font_row(0x7f, y));
    assert_int_not_equal(bc_font_row(0x7f, 0), 0);
    assert_int_equal(bc_font_row('A', BC_FONT_CELL_H), 0);
    for (unsigned a = BC_FONT_FIRST; a <= BC_FONT_LAST; a++) {
        int same = 1;
        for (uint32_t y = 0; y < BC_FONT_CELL_H; y++)
            same &= bc_font_row((unsigned char)a, y) == bc_font_row(0x7f, y);
        assert_false(same);
    }
}

/* ---- framebuffer ---- */

static void fb_check_formats(void **state)
{
    (void)state;
    uint8_t px[64];
    bc_fb fb = xrgb;
    fb.base = px;
    fb.width = 4;
    fb.height = 4;
    fb.pitch = 16;
    assert_int_equal(bc_fb_check(&fb), MM_OK);
    fb.pitch = 15; /* shorter than 4 * 4 bytes */
    assert_int_equal(bc_fb_check(&fb), MM_ERR_INVALID_ARGUMENT);
    fb.pitch = 16;
    fb.bpp = 8;
    assert_int_equal(bc_fb_check(&fb), MM_ERR_INVALID_ARGUMENT);
    fb.bpp = 32;
    fb.green_shift = 12; /* overlaps red 16..23 */
    assert_int_equal(bc_fb_check(&fb), MM_ERR_INVALID_ARGUMENT);
    fb.green_shift = 8;
    fb.red_shift = 28; /* 28 + 8 > 32 */
    assert_int_equal(bc_fb_check(&fb), MM_ERR_INVALID_ARGUMENT);
    fb.red_shift = 16;
    fb.blue_size = 0;
    assert_int_equal(bc_fb_check(&fb), MM_ERR_INVALID_ARGUMENT);
    fb.blue_size = 8;
    fb.base = NULL;
    assert_int_equal(bc_fb_check(&fb), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_fb_check(NULL), MM_ERR_INVALID_ARGUMENT);
}

/* 0xRRGGBB packed per format: x8r8g8b8, r8g8b8 and r5g6b5 (top bits). */
static void fb_pixel_values(void **state)
{
    (void)state;
    assert_int_equal(bc_fb_pixel(&xrgb, 0x123456), 0x123456);
    assert_int_equal(bc_fb_pixel(&rgb24, 0xffd000), 0xffd000);
    assert_int_equal(bc_fb_pixel(&rgb565, 0xffffff), 0xffff);
    assert_int_equal(bc_fb_pixel(&rgb565, 0xff0000), 0xf800);
    assert_int_equal(bc_fb_pixel(&rgb565, 0x00ff00), 0x07e0);
    assert_int_equal(bc_fb_pixel(&rgb565, 0x0000ff), 0x001f);
    assert_int_equal(bc_fb_pixel(&rgb565, 0x080400), 0x0820);
    const bc_fb bgr = {NULL, 0, 0, 0, 32, 8, 0, 8, 8, 8, 16};
    assert_int_equal(bc_fb_pixel(&bgr, 0x123456), 0x563412);
}

/* Fill of a rectangle hanging off the bottom-right corner of a 10 x 6
 * screen, 4 padding bytes per row (never written):
 *   ..........
 *   ......####     x 6..9 (asked 6..13), y 1..5 (asked 1..8)
 *   ......####
 *   ...                                                          */
static void fb_fill_clips(void **state)
{
    (void)state;
    screen *s = screen_new(&xrgb, 10, 6, 4);
    bc_fb_fill(&s->fb, 0, 0, 10, 6, 0);
    bc_fb_fill(&s->fb, 6, 1, 8, 8, 0xabcdef);
    for (uint32_t y = 0; y < 6; y++) {
        for (uint32_t x = 0; x < 10; x++)
            assert_int_equal(bc_fb_read(&s->fb, x, y), (x >= 6 && y >= 1) ? 0xabcdef : 0);
        for (uint32_t i = 40; i < 44; i++)
            assert_int_equal(s->mem[y * s->fb.pitch + i], 0x5a);
    }
    bc_fb_fill(&s->fb, 10, 0, 5, 5, 1);                  /* wholly right of the screen */
    bc_fb_fill(&s->fb, 0, 6, 5, 5, 1);                   /* wholly below */
    bc_fb_fill(&s->fb, 9, 5, UINT32_MAX, UINT32_MAX, 2); /* x + w wraps 32 bits */
    assert_int_equal(bc_fb_read(&s->fb, 9, 5), 2);
    assert_int_equal(bc_fb_read(&s->fb, 8, 5), 0xabcdef);
    assert_int_equal(bc_fb_read(&s->fb, 10, 0), 0); /* outside reads 0 */
    screen_free(s);
}

/* Text at any pixel position, cut at the right and bottom edges of a
 * 20 x 20 screen: "AB" from (14, 10) shows the left 6 columns and top 10
 * rows of 'A'; 'B' starts past the edge and is not drawn. */
static void text_clipped_at_edges(void **state)
{
    (void)state;
    screen *s = screen_new(&xrgb, 20, 20, 4);
    bc_fb_fill(&s->fb, 0, 0, 20, 20, 0);
    bc_fb_text(&s->fb, 14, 10, "AB", 0xffffff, 0x000001);
    for (uint32_t y = 0; y < 20; y++)
        for (uint32_t x = 0; x < 20; x++) {
            uint32_t want = 0;
            if (x >= 14 && y >= 10)
                want = (bc_font_row('A', y - 10) & (0x80u >> (x - 14))) ? 0xffffff : 0x000001;
            assert_int_equal(bc_fb_read(&s->fb, x, y), want);
        }
    for (uint32_t y = 0; y < 20; y++)
        for (uint32_t i = 80; i < 84; i++)
            assert_int_equal(s->mem[y * s->fb.pitch + i], 0x5a);
    bc_fb_text(&s->fb, 20, 0, "A", 1, 1); /* wholly outside: nothing */
    bc_fb_text(&s->fb, 0, 20, "A", 1, 1);
    bc_fb_text(&s->fb, 0, 0, NULL, 1, 1);
    assert_int_equal(bc_fb_read(&s->fb, 0, 0), 0);
    screen_free(s);
}

/* ---- console ---- */

static void draws_glyph_at_each_depth(void **state)
{
    (void)state;
    const bc_fb *fmts[] = {&xrgb, &rgb24, &rgb565};
    for (size_t i = 0; i < 3; i++) {
        screen *s = screen_new(fmts[i], 32, 32, 3);
        bc_fbcon_clear(&s->con);
        bc_fbcon_puts(&s->con, "Ag");
        assert_true(cell_shows(s, 0, 0, 'A', fg_of(s), bg_of(s)));
        assert_true(cell_shows(s, 1, 0, 'g', fg_of(s), bg_of(s)));
        assert_true(cell_shows(s, 2, 0, ' ', fg_of(s), bg_of(s)));
        assert_int_equal(s->con.col, 2);
        screen_free(s);
    }
}

/* The bytes of one 24-bpp 'A' pixel and its neighbour: fg c0c0c0 at
 * (2, 0), bg 000000 at (1, 0), stored B, G, R. */
static void stores_24bpp_little_endian(void **state)
{
    (void)state;
    screen *s = screen_new(&rgb24, 16, 16, 0);
    bc_fbcon_clear(&s->con);
    bc_fbcon_set_colours(&s->con, 0x102030, 0x405060);
    bc_fbcon_puts(&s->con, "A");
    const uint8_t *fg = s->mem + 2 * 3, *bg = s->mem + 1 * 3;
    assert_int_equal(fg[0], 0x30);
    assert_int_equal(fg[1], 0x20);
    assert_int_equal(fg[2], 0x10);
    assert_int_equal(bg[0], 0x60);
    assert_int_equal(bg[2], 0x40);
    screen_free(s);
}

/* "ab\ncd\rX\tY" on 80 x 48 (10 x 3 cells):
 *   ab........
 *   Xd......Y.        */
static void control_characters(void **state)
{
    (void)state;
    screen *s = screen_new(&xrgb, 80, 48, 0);
    bc_fbcon_clear(&s->con);
    bc_fbcon_puts(&s->con, "ab\ncd\rX\tY");
    uint32_t fg = fg_of(s), bg = bg_of(s);
    assert_true(cell_shows(s, 0, 0, 'a', fg, bg) && cell_shows(s, 1, 0, 'b', fg, bg));
    assert_true(cell_shows(s, 0, 1, 'X', fg, bg) && cell_shows(s, 1, 1, 'd', fg, bg));
    assert_true(cell_shows(s, 8, 1, 'Y', fg, bg));
    assert_true(cell_shows(s, 7, 1, ' ', fg, bg));
    assert_int_equal(s->con.row, 1);
    assert_int_equal(s->con.col, 9);
    screen_free(s);
}

/* 5 cells wide: "abcdefg" wraps after 'e'; a '\n' right after a full
 * line gives one line break, not two.
 *   abcde
 *   fg
 *   h            */
static void wraps_long_lines(void **state)
{
    (void)state;
    screen *s = screen_new(&xrgb, 40, 48, 0);
    bc_fbcon_clear(&s->con);
    bc_fbcon_puts(&s->con, "abcdefg");
    uint32_t fg = fg_of(s), bg = bg_of(s);
    assert_true(cell_shows(s, 4, 0, 'e', fg, bg));
    assert_true(cell_shows(s, 0, 1, 'f', fg, bg) && cell_shows(s, 1, 1, 'g', fg, bg));
    bc_fbcon_puts(&s->con, "hij\n");
    bc_fbcon_puts(&s->con, "k");
    assert_true(cell_shows(s, 4, 1, 'j', fg, bg));
    assert_true(cell_shows(s, 0, 2, 'k', fg, bg));
    screen_free(s);
}

/* 3 rows; a fourth line jump-scrolls by half the rows, rounded up (2):
 *   1x       3y
 *   2   ->   4
 *   3y       (blank)
 * and the 8-pixel strip below the last whole row (height 56) is kept. */
static void scrolls_at_the_bottom(void **state)
{
    (void)state;
    screen *s = screen_new(&xrgb, 24, 56, 0);
    bc_fbcon_clear(&s->con);
    bc_fb_fill(&s->fb, 0, 48, 24, 8, 0x777777);
    bc_fbcon_puts(&s->con, "1x\n2\n3y");
    bc_fbcon_puts(&s->con, "\n4");
    uint32_t fg = fg_of(s), bg = bg_of(s);
    assert_true(cell_shows(s, 0, 0, '3', fg, bg));
    assert_true(cell_shows(s, 1, 0, 'y', fg, bg));
    assert_true(cell_shows(s, 0, 1, '4', fg, bg));
    assert_true(cell_shows(s, 1, 1, ' ', fg, bg));
    for (uint32_t col = 0; col < 3; col++)
        assert_true(cell_shows(s, col, 2, ' ', fg, bg));
    assert_int_equal(s->con.row, 1);
    for (uint32_t y = 48; y < 56; y++)
        assert_int_equal(bc_fb_read(&s->fb, 5, y), 0x777777);
    screen_free(s);
}

/* 50 rows (an 800-pixel screen): line 51 moves rows 25..49 to 0..24 and
 * the cursor to row 25; lines 52..75 fit without another scroll. */
static void jump_scroll_keeps_half(void **state)
{
    (void)state;
    screen *s = screen_new(&xrgb, 16, 800, 0);
    bc_fbcon_clear(&s->con);
    char line[4] = {0, '\n', 0, 0};
    for (uint32_t i = 0; i < 50; i++) {
        line[0] = (char)('A' + i % 26);
        bc_fbcon_puts(&s->con, line);
    }
    /* the 50th newline scrolled: rows 25..49 (letters of lines 25..49) are now 0..24 */
    uint32_t fg = fg_of(s), bg = bg_of(s);
    assert_int_equal(s->con.row, 25);
    for (uint32_t r = 0; r < 25; r++)
        assert_true(cell_shows(s, 0, r, (char)('A' + (r + 25) % 26), fg, bg));
    assert_true(cell_shows(s, 0, 25, ' ', fg, bg));
    bc_fbcon_puts(&s->con, "z");
    assert_true(cell_shows(s, 0, 25, 'z', fg, bg));
    screen_free(s);
}

/* Clear paints the whole framebuffer, the strip and row padding aside. */
static void clear_paints_everything(void **state)
{
    (void)state;
    screen *s = screen_new(&rgb565, 20, 20, 2);
    bc_fbcon_set_colours(&s->con, 0xffffff, 0x0000ff);
    bc_fbcon_puts(&s->con, "zz");
    bc_fbcon_clear(&s->con);
    for (uint32_t y = 0; y < 20; y++) {
        for (uint32_t x = 0; x < 20; x++)
            assert_int_equal(bc_fb_read(&s->fb, x, y), 0x001f);
        assert_int_equal(s->mem[y * s->fb.pitch + 40], 0x5a);
    }
    assert_int_equal(s->con.col, 0);
    screen_free(s);
}

/* The log sink writes in the level's colour, then the text colour is
 * back; one line per call. */
static void log_sink_colours(void **state)
{
    (void)state;
    screen *s = screen_new(&xrgb, 64, 64, 0);
    bc_fbcon_clear(&s->con);
    bc_fbcon_log_sink(&s->con, MM_LOG_WARN, "W", 1);
    bc_fbcon_log_sink(&s->con, MM_LOG_ERROR, "E!", 1);
    bc_fbcon_puts(&s->con, "I");
    uint32_t bg = bg_of(s);
    assert_true(cell_shows(s, 0, 0, 'W', BC_FBCON_WARN, bg));
    assert_true(cell_shows(s, 0, 1, 'E', BC_FBCON_ERROR, bg));
    assert_true(cell_shows(s, 1, 1, ' ', BC_FBCON_ERROR, bg)); /* len 1: '!' not drawn */
    assert_true(cell_shows(s, 0, 2, 'I', BC_FBCON_TEXT, bg));
    assert_int_equal(bc_fbcon_level_colour(MM_LOG_DEBUG), BC_FBCON_DEBUG);
    assert_int_equal(bc_fbcon_level_colour(MM_LOG_TRACE), BC_FBCON_DEBUG);
    assert_int_equal(bc_fbcon_level_colour(MM_LOG_INFO), BC_FBCON_TEXT);
    screen_free(s);
}

/* Smaller than one cell: refused, and the console stays inert. */
static void too_small_for_a_cell(void **state)
{
    (void)state;
    uint8_t mem[7 * 16 * 4];
    memset(mem, 0x5a, sizeof mem);
    bc_fb fb = xrgb;
    fb.base = mem;
    fb.width = 7;
    fb.height = 16;
    fb.pitch = 28;
    bc_fbcon c;
    assert_int_equal(bc_fbcon_init(&c, &fb), MM_ERR_INVALID_ARGUMENT);
    bc_fbcon_clear(&c);
    bc_fbcon_puts(&c, "x");
    bc_fbcon_log_sink(&c, MM_LOG_ERROR, "x", 1);
    for (size_t i = 0; i < sizeof mem; i++)
        assert_int_equal(mem[i], 0x5a);
    assert_int_equal(bc_fbcon_init(NULL, &fb), MM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(font_letter_a),
        cmocka_unit_test(font_glyphs_distinct),
        cmocka_unit_test(font_box_for_others),
        cmocka_unit_test(fb_check_formats),
        cmocka_unit_test(fb_pixel_values),
        cmocka_unit_test(fb_fill_clips),
        cmocka_unit_test(text_clipped_at_edges),
        cmocka_unit_test(draws_glyph_at_each_depth),
        cmocka_unit_test(stores_24bpp_little_endian),
        cmocka_unit_test(control_characters),
        cmocka_unit_test(wraps_long_lines),
        cmocka_unit_test(scrolls_at_the_bottom),
        cmocka_unit_test(jump_scroll_keeps_half),
        cmocka_unit_test(clear_paints_everything),
        cmocka_unit_test(log_sink_colours),
        cmocka_unit_test(too_small_for_a_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
