/* Loader output: the UEFI console (ConOut) while boot services run, and
 * COM1 directly. Each line reaches COM1 once: when the firmware's console
 * goes to a serial port and a screen (its ConOut variable names a UART and
 * more), the loader does not write COM1 itself until ExitBootServices,
 * after which COM1 is the only output; when it goes to the serial port
 * alone (OVMF under QEMU without a display), the loader writes COM1 itself
 * from the start and leaves ConOut alone. */
#ifndef UEFI_CONSOLE_H
#define UEFI_CONSOLE_H

#include <efi.h>
#include <stddef.h>

#include "common/fbcon.h"

/* Sets up COM1 and remembers `st` for ConOut. Call first. */
void console_init(EFI_SYSTEM_TABLE *st);

/* Writes `n` bytes of ASCII/UTF-8 text ("\n" ends a line). */
void console_write(const char *s, size_t n);

/* From now on only COM1: call right after ExitBootServices succeeded. */
void console_boot_services_gone(void);

/* From now on COM1 and `con` (kept by reference): the screen belongs to
 * the framebuffer console (ConOut would draw over it). */
void console_screen_taken(bc_fbcon *con);

#endif
