/* The boot menu's (boot/common/menu.h) input, output and clock on stage 2. */
#ifndef BIOS_MENU_IO_H
#define BIOS_MENU_IO_H

#include "common/menu.h"

/* Callbacks for bc_menu_choose() on BIOS:
 *   out:    every line on VGA and COM1 through con_write(); a new frame
 *           starts with a blank line, and the status line is written as a
 *           line of its own (the console cannot rewrite a line);
 *   poll:   a character from COM1 (bc_key_from_char) or a keystroke from
 *           INT 16h (bc_key_from_bios), whichever comes first;
 *   now_ms: the BIOS tick count (BDA 0x46C, 18.2 Hz) in milliseconds; it
 *           advances because every INT 16h call lets the timer interrupt
 *           in. A countdown across midnight ends early.
 * Needs con_init() first. No state of its own (ctx NULL). */
bc_menu_io bios_menu_io(void);

#endif
