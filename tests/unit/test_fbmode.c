/* Framebuffer mode choice and the `resolution=` value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/fbmode.h"

/* What a VBE BIOS or GOP might list (id = position + 0x100):
 *   0  640x480x32    1  800x600x16    2  800x600x32    3  1024x768x32
 *   4  1280x1024x8   5  1920x1080x24  6  1920x1080x32  7  2560x1600x32
 *   8  0x0x32        9  1600x1200x32 */
static const bc_fb_mode modes[] = {
    {640, 480, 32, 0x100},   {800, 600, 16, 0x101},   {800, 600, 32, 0x102},
    {1024, 768, 32, 0x103},  {1280, 1024, 8, 0x104},  {1920, 1080, 24, 0x105},
    {1920, 1080, 32, 0x106}, {2560, 1600, 32, 0x107}, {0, 0, 32, 0x108},
    {1600, 1200, 32, 0x109},
};
#define N (uint32_t)(sizeof modes / sizeof modes[0])

static uint32_t pick(uint32_t w, uint32_t h, bool *exact)
{
    uint32_t i = 99;
    assert_int_equal(bc_fb_pick_mode(modes, N, w, h, &i, exact), MM_OK);
    return i;
}

static void exact_request(void **state)
{
    (void)state;
    bool exact = false;
    assert_int_equal(pick(1024, 768, &exact), 3);
    assert_true(exact);
    assert_int_equal(pick(800, 600, &exact), 2); /* 32 bpp beats 16 */
    assert_true(exact);
}

/* 1000x750 is 24 + 18 = 42 from 1024x768, 200 + 150 from 800x600. */
static void closest_request(void **state)
{
    (void)state;
    bool exact = true;
    assert_int_equal(pick(1000, 750, &exact), 3);
    assert_false(exact);
    assert_int_equal(pick(1, 1, &exact), 0);
    assert_int_equal(pick(65535, 65535, &exact), 7);
    assert_int_equal(pick(1280, 1024, &exact), 9); /* 8 bpp is not drawable */
    assert_false(exact);
}

/* No request: the largest within 1920x1080, the 32-bpp one of the two. */
static void automatic_choice(void **state)
{
    (void)state;
    bool exact = false;
    assert_int_equal(pick(0, 0, &exact), 6);
    assert_true(exact);
}

/* Nothing fits 1920x1080: the smallest drawable mode. */
static void automatic_when_all_too_large(void **state)
{
    (void)state;
    const bc_fb_mode big[] = {{2560, 1600, 32, 1}, {3840, 2160, 32, 2}, {2048, 1536, 32, 3}};
    uint32_t i;
    bool exact;
    assert_int_equal(bc_fb_pick_mode(big, 3, 0, 0, &i, &exact), MM_OK);
    assert_int_equal(i, 2);
}

/* A depth asked for (a Multiboot kernel's): the mode of the chosen size
 * with that depth when listed (800x600x16, 1920x1080x24), else the usual
 * choice (1024x768 has only 32; 8 bpp is never drawable). */
static void depth_request(void **state)
{
    (void)state;
    uint32_t i = 99;
    bool exact;
    assert_int_equal(bc_fb_pick_mode_depth(modes, N, 800, 600, 16, &i, &exact), MM_OK);
    assert_int_equal(i, 1);
    assert_int_equal(bc_fb_pick_mode_depth(modes, N, 800, 600, 0, &i, &exact), MM_OK);
    assert_int_equal(i, 2);
    assert_int_equal(bc_fb_pick_mode_depth(modes, N, 0, 0, 24, &i, &exact), MM_OK);
    assert_int_equal(i, 5);
    assert_int_equal(bc_fb_pick_mode_depth(modes, N, 1024, 768, 16, &i, &exact), MM_OK);
    assert_int_equal(i, 3);
    assert_int_equal(bc_fb_pick_mode_depth(modes, N, 1280, 1024, 8, &i, &exact), MM_OK);
    assert_int_equal(i, 9);
    assert_false(exact);
}

static void nothing_drawable(void **state)
{
    (void)state;
    const bc_fb_mode bad[] = {{640, 480, 8, 1}, {0, 600, 32, 2}, {800, 600, 15, 3}};
    uint32_t i;
    bool exact;
    assert_int_equal(bc_fb_pick_mode(bad, 3, 0, 0, &i, &exact), MM_ERR_NOT_FOUND);
    assert_int_equal(bc_fb_pick_mode(bad, 3, 640, 480, &i, &exact), MM_ERR_NOT_FOUND);
    assert_int_equal(bc_fb_pick_mode(modes, 0, 0, 0, &i, &exact), MM_ERR_NOT_FOUND);
    assert_int_equal(bc_fb_pick_mode(modes, N, 640, 0, &i, &exact), MM_ERR_INVALID_ARGUMENT);
    assert_int_equal(bc_fb_pick_mode(NULL, N, 0, 0, &i, &exact), MM_ERR_INVALID_ARGUMENT);
}

static void resolution_values(void **state)
{
    (void)state;
    uint32_t w = 0, h = 0;
    const char *why = NULL;
    assert_int_equal(bc_fb_parse_resolution("1024x768", &w, &h, &why), MM_OK);
    assert_true(w == 1024 && h == 768);
    assert_int_equal(bc_fb_parse_resolution("1X65535", &w, &h, &why), MM_OK);
    assert_true(w == 1 && h == 65535);
    const char *bad[] = {
        "",       "1024",    "1024x",    "x768",        "1024x768 ", " 1024x768",    "0x768",
        "1024x0", "65536x1", "1024*768", "1024x768x32", "-1x768",    "99999999999x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        if (bc_fb_parse_resolution(bad[i], &w, &h, &why) != MM_ERR_CONFIG || !why)
            fail_msg("\"%s\" accepted", bad[i]);
    }
    assert_true(w == 1 && h == 65535); /* untouched by refusals */
    assert_int_equal(bc_fb_parse_resolution(NULL, &w, &h, &why), MM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_request),     cmocka_unit_test(closest_request),
        cmocka_unit_test(automatic_choice),  cmocka_unit_test(automatic_when_all_too_large),
        cmocka_unit_test(depth_request),     cmocka_unit_test(nothing_drawable),
        cmocka_unit_test(resolution_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
