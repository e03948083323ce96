/* The boot menu: lists boot.cfg's entries, counts down to the default and
 * lets the user pick one, for both firmwares. Firmware-neutral: output,
 * keys and time come through bc_menu_io callbacks the front end provides
 * (screen + serial out, keyboard + serial in, a millisecond clock).
 *
 * What is shown (one frame; redrawn when the highlight moves):
 *     MultiOS Boot: choose an entry
 *     > 1. MultiOS (default)          '>' marks the highlighted entry
 *       2. Linux
 *     Error: <message>                only after an entry failed to boot
 *     <status line>                   countdown, prompt or typed number
 * Keys: any key stops the countdown; digits type an entry number (two
 * digits at most; a digit that makes the number too large starts a new
 * one) and move the highlight to it; up/down move it (wrapping); Enter
 * boots the highlighted entry. */
#ifndef BC_MENU_H
#define BC_MENU_H

#include "bootcfg.h"

/* A key as the menu sees it; front ends translate their scan codes. */
typedef enum bc_key_kind {
    BC_KEY_NONE = 0, /* nothing pressed within the wait */
    BC_KEY_DIGIT,    /* '0' .. '9', value in bc_key.digit */
    BC_KEY_UP,
    BC_KEY_DOWN,
    BC_KEY_ENTER,
    BC_KEY_OTHER, /* any other key: only stops the countdown */
} bc_key_kind;

typedef struct bc_key {
    uint8_t kind;  /* bc_key_kind */
    uint8_t digit; /* 0 .. 9 for BC_KEY_DIGIT */
} bc_key;

/* What a line of output is, so a screen can place it and serial can
 * overwrite the status line in place. */
typedef enum bc_menu_out {
    BC_MENU_CLEAR,  /* a new frame starts (screen: clear; serial: blank line); text "" */
    BC_MENU_LINE,   /* one full line, no line end */
    BC_MENU_STATUS, /* replaces the previous status line of this frame */
} bc_menu_out;

/* Callbacks of the front end, all required:
 *   out(ctx, kind, text): shows `text` (NUL-terminated, at most
 *                         BC_MENU_LINE_MAX-1 bytes, 7-bit ASCII plus the
 *                         entry names' UTF-8) on screen and serial;
 *   poll(ctx, wait_ms):   returns the next key, waiting at most wait_ms
 *                         (1 .. 1000) milliseconds; BC_KEY_NONE after the
 *                         wait without a key;
 *   now_ms(ctx):          a monotonic clock in milliseconds. */
typedef struct bc_menu_io {
    void (*out)(void *ctx, bc_menu_out kind, const char *text);
    bc_key (*poll)(void *ctx, uint32_t wait_ms);
    uint64_t (*now_ms)(void *ctx);
    void *ctx;
} bc_menu_io;

#define BC_MENU_LINE_MAX 160u /* bytes of one output line including the NUL */

/* True when booting `cfg` shows the menu before the first attempt: more
 * than one entry and timeout > 0. */
bool bc_menu_wanted(const bc_bootcfg *cfg);

/* Chooses the entry to boot and stores its 0-based index in *chosen.
 *   error == NULL (first attempt): without bc_menu_wanted() the default
 *     entry at once, with no output and no key read; otherwise the menu
 *     with the countdown, ending at the default after cfg->timeout s.
 *   error != NULL (the previous choice failed; `error` is its message):
 *     the menu with the error shown and no countdown, as long as there is
 *     another entry to pick; with a single entry returns MM_ERR_NOT_FOUND
 *     and shows nothing (the caller prints the error and halts).
 * The highlight starts at cfg->default_entry. Returns MM_OK,
 * MM_ERR_NOT_FOUND as above, or MM_ERR_INVALID_ARGUMENT for NULLs or a
 * callback missing (*chosen unchanged then). */
mm_status bc_menu_choose(const bc_bootcfg *cfg, const bc_menu_io *io, const char *error,
                         uint32_t *chosen);

/* Translates a character typed on serial (or the character of a
 * keystroke): '0'..'9' digits, CR/LF Enter, everything else OTHER, and 0
 * (no character) NONE. */
bc_key bc_key_from_char(uint32_t c);

/* Translates a BIOS keystroke as INT 16h AH=00h returns it in AX (scan
 * code in AH, character in AL): arrows up (0x48) and down (0x50), else
 * bc_key_from_char(AL); a key without character (F1 ...) is OTHER. */
bc_key bc_key_from_bios(uint16_t ax);

/* Translates a UEFI EFI_INPUT_KEY (ScanCode, UnicodeChar): SCAN_UP (1) and
 * SCAN_DOWN (2), else bc_key_from_char(UnicodeChar); a key without
 * character is OTHER. */
bc_key bc_key_from_efi(uint16_t scan_code, uint16_t unicode_char);

#endif
