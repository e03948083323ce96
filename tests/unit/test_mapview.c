/* Memory map picture: colours, geometry, bar lengths, labels, legend, and
 * the framebuffer renderer on a 32-bpp host buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/font.h"
#include "common/mapview.h"

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

/* A BIOS-like map with the loader's ranges:
 *   row 0  [0, 0x9f000)            usable
 *   row 1  [0x9f000, 0x100000)     reserved
 *   row 2  [0x100000, +64K)        kernel
 *   row 3  [0x110000, +16K)        kernel-stack
 *   row 4  [0x114000, +4K)         handoff
 *   row 5  [0x115000, ..2 GiB)     usable
 *   row 6  [0xfd000000, +3M)       framebuffer */
static const mm_entry map[] = {
    {0, 0x9f000, MM_TYPE_USABLE, 1, 0},
    {0x9f000, 0x61000, MM_TYPE_RESERVED, 2, 0},
    {0x100000, 64 * KiB, MM_TYPE_KERNEL, 0, 0},
    {0x110000, 16 * KiB, MM_TYPE_KERNEL_STACK, 0, 0},
    {0x114000, 4 * KiB, MM_TYPE_HANDOFF, 0, 0},
    {0x115000, 2 * GiB - 0x115000, MM_TYPE_USABLE, 1, 0},
    {0xfd000000, 3 * MiB, MM_TYPE_FRAMEBUFFER, 0, 0},
};
#define NMAP (sizeof map / sizeof map[0])

/* Every type its own colour, none the background's. */
static void colours_distinct(void **state)
{
    (void)state;
    for (uint32_t a = MM_TYPE_USABLE; a < MM_TYPE_COUNT; a++) {
        assert_int_not_equal(bc_mapview_colour(a), BC_MAPVIEW_BG);
        assert_true(bc_mapview_colour(a) <= 0xffffff);
        for (uint32_t b = a + 1; b < MM_TYPE_COUNT; b++)
            if (bc_mapview_colour(a) == bc_mapview_colour(b))
                fail_msg("%s and %s share a colour", mm_type_name(a), mm_type_name(b));
    }
    assert_int_equal(bc_mapview_colour(MM_TYPE_COUNT), bc_mapview_colour(MM_TYPE_NONE));
}

/* 1024 x 768: labels from x 8 (20 cells), bars from 176, legend in the
 * last 208 pixels; 47 rows under the title. */
static void layout_geometry(void **state)
{
    (void)state;
    bc_mapview_geom g;
    assert_int_equal(bc_mapview_layout(1024, 768, 100, &g), MM_OK);
    assert_int_equal(g.label_x, 8);
    assert_int_equal(g.bar_x, 8 + 20 * 8 + 8);
    assert_int_equal(g.legend_x, 1024 - 208);
    assert_int_equal(g.bar_max_w, 1024 - 208 - 8 - 176);
    assert_int_equal(g.rows, 47);
    assert_int_equal(g.cut, 53);
    assert_int_equal(bc_mapview_row_y(0), 16);
    assert_int_equal(bc_mapview_layout(1024, 768, 7, &g), MM_OK);
    assert_int_equal(g.rows, 7);
    assert_int_equal(g.cut, 0);
    assert_int_equal(bc_mapview_layout(1u << 20, 768, 1, &g), MM_OK);
    assert_int_equal(g.bar_max_w, 0xffff);
    /* 8 + 160 + 8 + 32 + 8 + 208 = 424 is the narrowest surface */
    assert_int_equal(bc_mapview_layout(424, 32, 1, &g), MM_OK);
    assert_int_equal(bc_mapview_layout(423, 32, 1, &g), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_mapview_layout(424, 31, 1, &g), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_mapview_layout(1024, 768, 1, NULL), MM_ERR_INVALID_ARGUMENT);
}

/* Bars grow with size, 4 KiB gets the minimum, 2^48 the maximum, each
 * doubling adds the same length (linear in log2), never past the end. */
static void bar_lengths(void **state)
{
    (void)state;
    bc_mapview_geom g;
    assert_int_equal(bc_mapview_layout(1024, 768, 1, &g), MM_OK);
    assert_int_equal(bc_mapview_bar_len(&g, 0), BC_MAPVIEW_MIN_BAR);
    assert_int_equal(bc_mapview_bar_len(&g, 4 * KiB), BC_MAPVIEW_MIN_BAR);
    assert_int_equal(bc_mapview_bar_len(&g, 1ULL << 48), g.bar_max_w);
    assert_int_equal(bc_mapview_bar_len(&g, UINT64_MAX), g.bar_max_w);
    uint32_t step = bc_mapview_bar_len(&g, 16 * KiB) - bc_mapview_bar_len(&g, 8 * KiB);
    assert_true(step > 0);
    for (uint64_t s = 8 * KiB; s < (1ULL << 47); s <<= 1) {
        uint32_t a = bc_mapview_bar_len(&g, s), b = bc_mapview_bar_len(&g, 2 * s);
        assert_true(b - a >= step - 1 && b - a <= step + 1);
        assert_true(bc_mapview_bar_len(&g, s + s / 2) > a); /* eighths resolve between */
    }
}

static void labels(void **state)
{
    (void)state;
    char buf[BC_MAPVIEW_LABEL_CHARS + 1];
    bc_mapview_label(buf, &map[1]);
    assert_string_equal(buf, "0x00000009f000  388K");
    bc_mapview_label(buf, &map[5]);
    assert_string_equal(buf, "0x000000115000 2046M");
    bc_mapview_label(buf, &(mm_entry){0x1000, 9999, MM_TYPE_USABLE, 0, 0});
    assert_string_equal(buf, "0x000000001000 9999B");
    bc_mapview_label(buf, &(mm_entry){0xfffff00000000000ULL, 0xfffffffffffULL, 1, 0, 0});
    assert_string_equal(buf, "0+f00000000000   15T");
    bc_mapview_label(buf, &(mm_entry){0, UINT64_MAX, 1, 0, 0});
    assert_string_equal(buf, "0x000000000000   15E");
}

/* Legend: the five types of the map, in mm_type order. */
static void legend_types(void **state)
{
    (void)state;
    uint32_t types[MM_TYPE_COUNT];
    assert_int_equal(bc_mapview_legend(map, NMAP, types), 6);
    const uint32_t want[] = {MM_TYPE_USABLE,       MM_TYPE_RESERVED, MM_TYPE_KERNEL,
                             MM_TYPE_KERNEL_STACK, MM_TYPE_HANDOFF,  MM_TYPE_FRAMEBUFFER};
    assert_memory_equal(types, want, sizeof want);
    assert_int_equal(bc_mapview_legend(map, 0, types), 0);
}

typedef struct surface {
    bc_fb fb;
    uint32_t *px;
} surface;

static surface surface_new(uint32_t w, uint32_t h)
{
    surface s = {{NULL, w, h, w * 4, 32, 8, 16, 8, 8, 8, 0}, calloc((size_t)w * h, 4)};
    s.fb.base = (uint8_t *)s.px;
    return s;
}

/* Drawn on 640 x 160 (9 rows under the title): each row's bar in its
 * type's colour from bar_x to bar_x + bar_len, background after it; the
 * label's first glyph; legend swatches in order; the title. */
static void draws_the_picture(void **state)
{
    (void)state;
    surface s = surface_new(640, 160);
    bc_mapview_geom g;
    assert_int_equal(bc_mapview_layout(640, 160, NMAP, &g), MM_OK);
    assert_int_equal(bc_mapview_draw(&s.fb, map, NMAP, "map"), MM_OK);
    for (uint32_t i = 0; i < NMAP; i++) {
        uint32_t y = bc_mapview_row_y(i) + BC_MAPVIEW_ROW_H / 2,
                 len = bc_mapview_bar_len(&g, map[i].length);
        assert_int_equal(bc_fb_read(&s.fb, g.bar_x, y), bc_mapview_colour(map[i].type));
        assert_int_equal(bc_fb_read(&s.fb, g.bar_x + len - 1, y), bc_mapview_colour(map[i].type));
        assert_int_equal(bc_fb_read(&s.fb, g.bar_x + len, y), BC_MAPVIEW_BG);
        assert_int_equal(bc_fb_read(&s.fb, g.bar_x, bc_mapview_row_y(i)), BC_MAPVIEW_BG);
    }
    /* '0' of row 0's label: design row 0 is .###. -> cell pixels 2..4 */
    assert_int_equal(bc_fb_read(&s.fb, g.label_x + 2, bc_mapview_row_y(0)), BC_MAPVIEW_TEXT);
    assert_int_equal(bc_fb_read(&s.fb, g.label_x + 1, bc_mapview_row_y(0)), BC_MAPVIEW_BG);
    uint32_t types[MM_TYPE_COUNT], k = bc_mapview_legend(map, NMAP, types);
    for (uint32_t i = 0; i < k; i++)
        assert_int_equal(bc_fb_read(&s.fb, g.legend_x + 8, bc_mapview_row_y(i) + 8),
                         bc_mapview_colour(types[i]));
    /* 'm' of the title at x 8: design row 2 (cell rows 4, 5) is ##.#. */
    assert_int_equal(bc_fb_read(&s.fb, 8 + 1, 4), BC_MAPVIEW_TEXT);
    assert_int_equal(bc_fb_read(&s.fb, 8 + 3, 4), BC_MAPVIEW_BG);
    free(s.px);
}

/* Probe pixels sit at the centre of each bar and each swatch, so a
 * screenshot read back there shows that row's or type's colour:
 *
 *   row i   |####P####|      P = (bar_x + len / 2, row_y + 8)
 *   legend  |##P#| name      P = (legend_x + 8, row_y + 8) */
static void probes_hit_bars_and_swatches(void **state)
{
    (void)state;
    surface s = surface_new(640, 160);
    bc_mapview_geom g;
    uint32_t x, y;
    assert_int_equal(bc_mapview_layout(640, 160, NMAP, &g), MM_OK);
    assert_int_equal(bc_mapview_draw(&s.fb, map, NMAP, "map"), MM_OK);
    for (uint32_t i = 0; i < NMAP; i++) {
        bc_mapview_bar_probe(&g, i, map[i].length, &x, &y);
        assert_int_equal(x, g.bar_x + bc_mapview_bar_len(&g, map[i].length) / 2);
        assert_int_equal(y, bc_mapview_row_y(i) + 8);
        assert_int_equal(bc_fb_read(&s.fb, x, y), bc_mapview_colour(map[i].type));
    }
    uint32_t types[MM_TYPE_COUNT], k = bc_mapview_legend(map, NMAP, types);
    for (uint32_t i = 0; i < k; i++) {
        bc_mapview_swatch_probe(&g, i, &x, &y);
        assert_int_equal(x, g.legend_x + 8);
        assert_int_equal(bc_fb_read(&s.fb, x, y), bc_mapview_colour(types[i]));
    }
    free(s.px);
}

/* More entries than rows: the first ones are drawn, nothing below the
 * surface is touched (ASan), and the call still succeeds. */
static void cuts_what_does_not_fit(void **state)
{
    (void)state;
    surface s = surface_new(640, 64); /* 3 rows */
    assert_int_equal(bc_mapview_draw(&s.fb, map, NMAP, NULL), MM_OK);
    bc_mapview_geom g;
    assert_int_equal(bc_mapview_layout(640, 64, NMAP, &g), MM_OK);
    assert_int_equal(g.rows, 3);
    assert_int_equal(bc_fb_read(&s.fb, g.bar_x, bc_mapview_row_y(2) + 8),
                     bc_mapview_colour(map[2].type));
    assert_int_equal(bc_fb_read(&s.fb, 8 + 1, 4), BC_MAPVIEW_BG); /* no title */
    free(s.px);
}

static void refuses_small_or_bad_surfaces(void **state)
{
    (void)state;
    surface s = surface_new(400, 100);
    s.px[0] = 0x123456;
    assert_int_equal(bc_mapview_draw(&s.fb, map, NMAP, "x"), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(s.px[0], 0x123456); /* nothing drawn */
    s.fb.width = 640;
    assert_int_equal(bc_mapview_draw(&s.fb, NULL, 1, "x"), MM_ERR_INVALID_ARGUMENT);
    s.fb.bpp = 8;
    assert_int_equal(bc_mapview_draw(&s.fb, map, 1, "x"), MM_ERR_INVALID_ARGUMENT);
    free(s.px);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(colours_distinct),
        cmocka_unit_test(layout_geometry),
        cmocka_unit_test(bar_lengths),
        cmocka_unit_test(labels),
        cmocka_unit_test(legend_types),
        cmocka_unit_test(draws_the_picture),
        cmocka_unit_test(probes_hit_bars_and_swatches),
        cmocka_unit_test(cuts_what_does_not_fit),
        cmocka_unit_test(refuses_small_or_bad_surfaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
