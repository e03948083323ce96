/* The loader's screen on BIOS: a VBE 2.0+ linear framebuffer mode set
 * through INT 10h (4F00 controller info, 4F01 mode info, 4F02 set mode)
 * by the real-mode thunk, with the log drawn on it by boot/common's
 * fbcon. */
#ifndef BIOS_VBE_H
#define BIOS_VBE_H

#include "common/fbcon.h"
#include "common/handoff_rev2.h"
#include "mm/log.h"

#define VBE_MODES_MAX   96u  /* modes considered; later ones are ignored */
#define VBE_BUFFER_SIZE 768u /* bytes of low memory vbe_set_mode needs */

struct vbe_screen {
    bc_rev2_fb fb; /* the mode set; addr 0 = none */
    bc_fbcon con;  /* zeroed (a no-op) without a framebuffer */
};

/* Sets the linear-framebuffer mode closest to want_w x want_h (both 0:
 * the largest up to 1920 x 1080, fbmode.h; want_bpp bits per pixel when
 * that size offers it, 0: the most) through the BIOS, using
 * VBE_BUFFER_SIZE bytes at `low` (below 1 MiB, 16-byte aligned) for the
 * BIOS's answers; logs a WARN on `log` when the size is not exact, and
 * starts the console there with the screen cleared. Without VBE 2.0+ or a
 * drawable linear mode `s` describes no framebuffer (an INFO line says
 * why) and the text screen stays. */
void vbe_set_mode(struct vbe_screen *s, uint32_t want_w, uint32_t want_h, uint32_t want_bpp,
                  void *low, const mm_logger *log);

#endif
