/* The loader's screen on UEFI: the Graphics Output Protocol's linear
 * framebuffer, with the log drawn on it by boot/common's fbcon. */
#ifndef UEFI_GOP_H
#define UEFI_GOP_H

#include <efi.h>

#include "common/fbcon.h"
#include "common/handoff_rev2.h"
#include "mm/log.h"

#define GOP_MODES_MAX 128u /* modes considered; later ones are ignored */

struct gop_screen {
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop; /* NULL: no usable GOP */
    bc_rev2_fb fb;                     /* the current mode; addr 0 = none */
    bc_fbcon con;                      /* zeroed (a no-op) without a framebuffer */
};

/* Finds the GOP and, when its current mode has a linear framebuffer,
 * starts the console there with the screen cleared. Without one, `s`
 * describes no framebuffer and the console does nothing. */
void gop_start(struct gop_screen *s, EFI_BOOT_SERVICES *bs);

/* Sets the mode closest to want_w x want_h (bc_fb_pick_mode_depth, with
 * want_bpp bits when that size offers it; both 0 keeps the current mode), logs a WARN on `log` when
 * it is not exact or cannot be set, and restarts the console on it. Boot services must run. */
void gop_set_mode(struct gop_screen *s, uint32_t want_w, uint32_t want_h, uint32_t want_bpp,
                  const mm_logger *log);

#endif
