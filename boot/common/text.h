/* Bounded text building for boot/common's messages (no libc, no 64-bit
 * division: hex for addresses, decimal only for 32-bit counts). */
#ifndef BC_TEXT_H
#define BC_TEXT_H

#include "mm/base.h"

/* A NUL-terminated string being built in `cap` bytes at `p`. Output that
 * does not fit is cut; the buffer stays NUL-terminated when cap > 0. */
typedef struct bc_text {
    char *p;
    size_t cap; /* bytes at p, including room for the NUL */
    size_t len; /* characters written, without the NUL */
} bc_text;

/* Starts an empty string in `buf` (may be NULL only when cap is 0). */
void bc_text_init(bc_text *t, char *buf, size_t cap);

/* Appends the NUL-terminated `s` (NULL appends "(null)"). */
void bc_text_str(bc_text *t, const char *s);

/* Appends `n` bytes of `s`, stopping early at a NUL. */
void bc_text_strn(bc_text *t, const char *s, size_t n);

/* Appends "0x" and `v` in lower-case hex without leading zeros. */
void bc_text_hex(bc_text *t, uint64_t v);

/* Appends `v` in decimal. */
void bc_text_u32(bc_text *t, uint32_t v);

/* Length of the NUL-terminated `s`, at most `max` (stops there). */
size_t bc_strnlen(const char *s, size_t max);

/* Converts the NUL-terminated UTF-8 `s` to NUL-terminated UCS-2 (as UEFI's
 * CHAR16 strings) in `out`, `cap` code units including the final 0.
 * Characters outside the Basic Multilingual Plane and invalid or cut
 * sequences become U+FFFD. *units (may be NULL) gets the code units
 * written without the 0. Returns MM_OK, MM_ERR_BUFFER_TOO_SMALL (out then
 * holds as much as fits, 0-terminated, when cap > 0) or
 * MM_ERR_INVALID_ARGUMENT for NULL s, or NULL out with cap > 0. */
mm_status bc_utf8_to_ucs2(const char *s, uint16_t *out, size_t cap, size_t *units);

#endif
