/* The boot menu's (boot/common/menu.h) input, output and clock on UEFI,
 * while boot services run. */
#ifndef UEFI_MENU_IO_H
#define UEFI_MENU_IO_H

#include <efi.h>

#include "common/menu.h"

/* State of the callbacks: the system table and the milliseconds waited. */
struct uefi_menu_clock {
    EFI_SYSTEM_TABLE *st;
    uint64_t ms;
};

/* Callbacks for bc_menu_choose() on UEFI, with `clock` (caller storage,
 * zeroed by this call, must outlive the menu) as their context:
 *   out:    every line through console_write() (ConOut, and COM1 when
 *           ConOut does not reach it); a new frame starts with a blank
 *           line, the status line is written as a line of its own;
 *   poll:   ConIn->ReadKeyStroke (bc_key_from_efi): the keyboard, and the
 *           serial port when the firmware's console includes it (OVMF's
 *           does), checked every millisecond with BootServices->Stall;
 *   now_ms: the milliseconds poll has waited so far (drawing takes no
 *           time on this clock, which keeps it free of calibration).
 * Needs console_init() first. */
bc_menu_io uefi_menu_io(EFI_SYSTEM_TABLE *st, struct uefi_menu_clock *clock);

#endif
