/* Choosing the framebuffer mode (UEFI GOP or VBE 2.0+), the same rule on
 * both firmwares: boot.cfg `resolution=WxH` asks for a size and gets the
 * closest mode the firmware lists (the caller logs a WARN when it is not
 * exact); without it, UEFI keeps the firmware's current mode (no call
 * needed) and BIOS takes the largest mode up to 1920 x 1080. */
#ifndef BC_FBMODE_H
#define BC_FBMODE_H

#include "mm/base.h"

#define BC_FB_AUTO_MAX_W 1920u
#define BC_FB_AUTO_MAX_H 1080u
#define BC_FB_DIM_MAX    65535u /* largest width or height `resolution=` accepts */

/* One mode the firmware offers (only the parts the choice needs). */
typedef struct bc_fb_mode {
    uint32_t width, height; /* pixels */
    uint32_t bpp;           /* bits per pixel; only 16, 24 and 32 are drawable */
    uint32_t id;            /* the firmware's mode number, passed through */
} bc_fb_mode;

/* Parses `s` as "WxH" (decimal, 'x' or 'X', no spaces, each in 1 ..
 * BC_FB_DIM_MAX). MM_OK and *w, *h; MM_ERR_CONFIG with *why (a static
 * reason) otherwise; MM_ERR_INVALID_ARGUMENT for NULL pointers. */
mm_status bc_fb_parse_resolution(const char *s, uint32_t *w, uint32_t *h, const char **why);

/* Picks one of `n` modes, ignoring those not drawable (bpp other than 16,
 * 24, 32, or a zero dimension). Asked for want_w x want_h (both non-zero):
 * the mode with the least |w - want_w| + |h - want_h|; *exact tells
 * whether it matches. Not asked (both 0): the largest area within
 * BC_FB_AUTO_MAX_W x BC_FB_AUTO_MAX_H, or the smallest area when none
 * fits; *exact is then true. Ties go to the higher bpp, then to the
 * earlier mode. MM_OK and *index; MM_ERR_NOT_FOUND when no mode is
 * drawable; MM_ERR_INVALID_ARGUMENT for NULL pointers or only one of
 * want_w, want_h zero. */
mm_status bc_fb_pick_mode(const bc_fb_mode *modes, uint32_t n, uint32_t want_w, uint32_t want_h,
                          uint32_t *index, bool *exact);

/* bc_fb_pick_mode, then, when want_bpp is not 0, the first drawable mode
 * of the chosen size with want_bpp bits per pixel if the firmware lists
 * one (a Multiboot kernel's depth); same results. */
mm_status bc_fb_pick_mode_depth(const bc_fb_mode *modes, uint32_t n, uint32_t want_w,
                                uint32_t want_h, uint32_t want_bpp, uint32_t *index, bool *exact);

#endif
